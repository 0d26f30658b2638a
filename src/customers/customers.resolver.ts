import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES, Role } from '../auth/roles';
import { notFound } from '../common/domain-error';
import { ConnectionResult, PageArgs } from '../graphql/connection';
import { GqlContext } from '../graphql/context';
import { byKey } from '../graphql/loaders';
import { OrgUnitEntity } from '../org-units/entities/org-unit.entity';
import { OrgUnit } from '../org-units/org-units.resolver';
import { OrgUnitsService } from '../org-units/org-units.service';
import { CustomerEventType } from '../programs/customer-event-type';
import { CustomerEventsService } from './customer-events.service';
import { EventRowStatus } from './customer.enums';
import { toCustomer, toCustomerEvent } from './customers.mapper';
import { CustomersService, EVENTS_WRITE_SCOPE } from './customers.service';
import { CustomersFilter, RecordCustomerEventsInput, UpsertCustomerInput } from './dto/customer.inputs';
import {
  Customer,
  CustomerConnection,
  CustomerEvent,
  CustomerEventConnection,
  RecordCustomerEventsPayload,
  UpsertCustomerPayload,
} from './models/customer.model';

/** Writers: admins and managers; API keys only with events:write (the service refuses analysts that are users). */
const WRITERS = [Role.ADMIN, Role.PARTNERSHIP_MANAGER, Role.ANALYST];

@Resolver(() => Customer)
@Roles(...ALL_ROLES)
@ApiScopes(EVENTS_WRITE_SCOPE)
export class CustomersResolver {
  constructor(
    private readonly customerService: CustomersService,
    private readonly eventService: CustomerEventsService,
    private readonly orgUnits: OrgUnitsService,
  ) {}

  @Query(() => Customer)
  async customer(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Customer> {
    return toCustomer(await this.customerService.get(actor, id), actor);
  }

  @Query(() => CustomerConnection)
  async customers(
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: CustomersFilter,
  ): Promise<ConnectionResult<Customer>> {
    const result = await this.customerService.list(actor, filter ?? {}, page);
    return { ...result, edges: result.edges.map((e) => ({ cursor: e.cursor, node: toCustomer(e.node, actor) })) };
  }

  @Mutation(() => UpsertCustomerPayload, { description: 'Idempotent by customer number; audited' })
  @Roles(...WRITERS)
  async upsertCustomer(
    @CurrentActor() actor: Actor,
    @Args('input') input: UpsertCustomerInput,
  ): Promise<UpsertCustomerPayload> {
    const { customer, outcome } = await this.customerService.upsert(actor, input);
    return { customer: toCustomer(customer, actor), outcome };
  }

  @Mutation(() => RecordCustomerEventsPayload, {
    description: 'Up to 1,000 events; good rows kept, bad rows reported, resubmissions reported as DUPLICATE',
  })
  @Roles(...WRITERS)
  async recordCustomerEvents(
    @CurrentActor() actor: Actor,
    @Args('input') input: RecordCustomerEventsInput,
  ): Promise<RecordCustomerEventsPayload> {
    const rows = await this.eventService.record(
      actor,
      input.events.map((e) => ({
        eventId: e.eventId,
        customerNumber: e.customerNumber,
        type: e.type,
        occurredAt: e.occurredAt,
        productCode: e.productCode,
        programId: e.programId,
        cardRef: e.cardRef,
        merchantCategory: e.merchantCategory,
        counterpartyUscc: e.counterpartyUscc,
        counterpartyName: e.counterpartyName,
        employerUscc: e.employerUscc,
        amount: e.amount?.amount,
        currency: e.amount?.currency,
      })),
    );
    return {
      accepted: rows.filter((r) => r.status === EventRowStatus.ACCEPTED).length,
      duplicates: rows.filter((r) => r.status === EventRowStatus.DUPLICATE).length,
      rejected: rows.filter((r) => r.status === EventRowStatus.REJECTED).length,
      rows: rows.map((r) => ({
        index: r.index,
        status: r.status,
        field: r.field,
        reason: r.reason,
        eventId: r.eventId,
      })),
    };
  }

  @ResolveField(() => OrgUnit)
  async orgUnit(@Parent() customer: Customer, @Context() ctx: GqlContext): Promise<OrgUnitEntity> {
    const loader = ctx.loaders.get<string, OrgUnitEntity | null>('orgUnit.byId', async (ids) =>
      byKey(ids, await this.orgUnits.findByIds(ids), (o) => o.id),
    );
    const unit = await loader.load(customer.orgUnitId);
    if (!unit) throw notFound('OrgUnit', customer.orgUnitId);
    return unit;
  }

  @ResolveField(() => CustomerEventConnection, { description: 'The customer’s events in recording order' })
  async events(
    @Parent() customer: Customer,
    @Args() page: PageArgs,
    @Args('types', { type: () => [CustomerEventType], nullable: true }) types?: CustomerEventType[],
  ): Promise<ConnectionResult<CustomerEvent>> {
    const result = await this.eventService.listForCustomer(customer.id, types, page);
    return { ...result, edges: result.edges.map((e) => ({ cursor: e.cursor, node: toCustomerEvent(e.node) })) };
  }
}
