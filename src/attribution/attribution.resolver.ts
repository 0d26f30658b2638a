import { Args, Context, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor';
import { CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES, Role } from '../auth/roles';
import { toCustomer } from '../customers/customers.mapper';
import { Customer, CustomerConnection } from '../customers/models/customer.model';
import { ConnectionResult, PageArgs } from '../graphql/connection';
import { GqlContext } from '../graphql/context';
import { Partner } from '../partners/models/partner.model';
import { Program } from '../programs/models/program.model';
import { toAttribution } from './attribution.mapper';
import { AttributionService } from './attribution.service';
import {
  Attribution,
  AttributionRunPayload,
  BroughtInCustomersFilter,
  ClearAttributionOverrideInput,
  OverrideAttributionInput,
  RunAttributionInput,
} from './models/attribution.model';

const MANAGERS = [Role.ADMIN, Role.PARTNERSHIP_MANAGER];

/** customer.attribution, batched per request (the customer itself was already authorised). */
@Resolver(() => Customer)
@Roles(...ALL_ROLES)
export class CustomerAttributionResolver {
  constructor(private readonly service: AttributionService) {}

  @ResolveField(() => [Attribution], { description: '归因 per product key: winners, rule, competing touches, reason' })
  async attribution(
    @Parent() customer: Customer,
    @CurrentActor() actor: Actor,
    @Context() ctx: GqlContext,
  ): Promise<Attribution[]> {
    const loader = ctx.loaders.get<string, Attribution[]>('customer.attribution', async (ids) => {
      const rows = await this.service.attributionsOf(actor, ids);
      return ids.map((id) =>
        rows.filter((r) => r.attribution.customerId === id).map((r) => toAttribution(r.attribution, r.touches, actor)),
      );
    });
    return loader.load(customer.id);
  }
}

@Resolver(() => Partner)
@Roles(...ALL_ROLES)
export class PartnerBroughtInResolver {
  constructor(private readonly service: AttributionService) {}

  @ResolveField(() => CustomerConnection, {
    description: 'Customers this partner brought in (names masked for partner users)',
  })
  async broughtInCustomers(
    @Parent() partner: Partner,
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: BroughtInCustomersFilter,
  ): Promise<ConnectionResult<Customer>> {
    const result = await this.service.broughtInCustomers(actor, { partnerId: partner.id }, filter ?? {}, page);
    return { ...result, edges: result.edges.map((e) => ({ cursor: e.cursor, node: toCustomer(e.node, actor) })) };
  }
}

@Resolver(() => Program)
@Roles(...ALL_ROLES)
export class ProgramBroughtInResolver {
  constructor(private readonly service: AttributionService) {}

  @ResolveField(() => CustomerConnection, { description: 'Customers this program brought in' })
  async broughtInCustomers(
    @Parent() program: Program,
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: BroughtInCustomersFilter,
  ): Promise<ConnectionResult<Customer>> {
    const result = await this.service.broughtInCustomers(actor, { programId: program.id }, filter ?? {}, page);
    return { ...result, edges: result.edges.map((e) => ({ cursor: e.cursor, node: toCustomer(e.node, actor) })) };
  }
}

@Resolver()
@Roles(...MANAGERS)
export class AttributionMutationsResolver {
  constructor(private readonly service: AttributionService) {}

  @Mutation(() => Attribution, { description: 'A manager sets the winner(s) by hand, with a reason (audited)' })
  async overrideAttribution(
    @CurrentActor() actor: Actor,
    @Args('input') input: OverrideAttributionInput,
  ): Promise<Attribution> {
    await this.service.override(actor, input);
    const [found] = (await this.service.attributionsOf(actor, [input.customerId])).filter(
      (r) => r.attribution.productKey === input.productKey,
    );
    if (!found) throw new Error('override produced no attribution');
    return toAttribution(found.attribution, found.touches, actor);
  }

  @Mutation(() => Boolean, { description: 'Removes an override; the engine decides again from the facts' })
  async clearAttributionOverride(
    @CurrentActor() actor: Actor,
    @Args('input') input: ClearAttributionOverrideInput,
  ): Promise<boolean> {
    await this.service.clearOverride(actor, input.customerId, input.productKey);
    return true;
  }

  @Mutation(() => AttributionRunPayload, { description: 'Re-runs attribution (all customers when no ids are given)' })
  async runAttribution(
    @CurrentActor() actor: Actor,
    @Args('input', { nullable: true }) input?: RunAttributionInput,
  ): Promise<AttributionRunPayload> {
    this.service.assertCanRun(actor);
    return input?.customerIds?.length
      ? this.service.attributeCustomers(input.customerIds, actor)
      : this.service.runAll(actor);
  }
}
