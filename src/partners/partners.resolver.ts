import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES, Role } from '../auth/roles';
import { notFound } from '../common/domain-error';
import { Connection, PageArgs } from '../graphql/connection';
import { GqlContext } from '../graphql/context';
import { byKey, groupByKey } from '../graphql/loaders';
import { OrgUnitEntity } from '../org-units/entities/org-unit.entity';
import { OrgUnit } from '../org-units/org-units.resolver';
import { OrgUnitsService } from '../org-units/org-units.service';
import {
  CreateAgreementInput,
  CreatePartnerInput,
  PartnersFilter,
  TransitionPartnerInput,
  UpdateAgreementInput,
  UpdatePartnerInput,
} from './dto/partner.inputs';
import { Agreement, Partner, PartnerContact, PartnerQualification } from './models/partner.model';
import { toAgreement, toContact, toPartner, toQualification } from './partners.mapper';
import { PartnersService } from './partners.service';

const PartnerConnection = Connection(Partner, 'Partner');
const WRITERS = [Role.ADMIN, Role.PARTNERSHIP_MANAGER];

@Resolver(() => Partner)
@Roles(...ALL_ROLES)
@ApiScopes('partners:read')
export class PartnersResolver {
  constructor(
    private readonly partnersService: PartnersService,
    private readonly orgUnitsService: OrgUnitsService,
  ) {}

  @Query(() => Partner)
  async partner(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Partner> {
    return toPartner(await this.partnersService.get(actor, id));
  }

  @Query(() => PartnerConnection)
  partners(
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: PartnersFilter,
  ) {
    return this.partnersService
      .list(actor, filter ?? {}, page)
      .then((c) => ({ ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, node: toPartner(e.node) })) }));
  }

  @Mutation(() => Partner)
  @Roles(...WRITERS)
  async createPartner(@CurrentActor() actor: Actor, @Args('input') input: CreatePartnerInput): Promise<Partner> {
    return toPartner(await this.partnersService.create(actor, input));
  }

  @Mutation(() => Partner)
  @Roles(...WRITERS)
  async updatePartner(@CurrentActor() actor: Actor, @Args('input') input: UpdatePartnerInput): Promise<Partner> {
    return toPartner(await this.partnersService.update(actor, input));
  }

  @Mutation(() => Partner)
  @Roles(...WRITERS)
  async transitionPartner(
    @CurrentActor() actor: Actor,
    @Args('input') input: TransitionPartnerInput,
  ): Promise<Partner> {
    return toPartner(await this.partnersService.transition(actor, input));
  }

  @ResolveField(() => [Agreement])
  async agreements(@Parent() partner: Partner, @Context() ctx: GqlContext): Promise<Agreement[]> {
    const loader = ctx.loaders.get<string, Agreement[]>('partner.agreements', async (ids) =>
      groupByKey(ids, await this.partnersService.agreementsOf(ids), (a) => a.partnerId).map((list) =>
        list.map((a) => toAgreement(a)),
      ),
    );
    return (await loader.load(partner.id)).map((a) => ({ ...a, partnerOrgUnitId: partner.orgUnitId }));
  }

  @ResolveField(() => [PartnerContact])
  async contacts(
    @Parent() partner: Partner,
    @CurrentActor() actor: Actor,
    @Context() ctx: GqlContext,
  ): Promise<PartnerContact[]> {
    const loader = ctx.loaders.get<string, Awaited<ReturnType<PartnersService['contactsOf']>>>(
      'partner.contacts',
      async (ids) => groupByKey(ids, await this.partnersService.contactsOf(ids), (c) => c.partnerId),
    );
    const reveal = this.partnersService.canManage(actor, partner);
    return (await loader.load(partner.id)).map((c) => toContact(c, reveal));
  }

  @ResolveField(() => [PartnerQualification], { description: 'Licences; expired ones carry expired = true.' })
  async qualifications(@Parent() partner: Partner, @Context() ctx: GqlContext): Promise<PartnerQualification[]> {
    const loader = ctx.loaders.get<string, Awaited<ReturnType<PartnersService['qualificationsOf']>>>(
      'partner.qualifications',
      async (ids) => groupByKey(ids, await this.partnersService.qualificationsOf(ids), (q) => q.partnerId),
    );
    const today = this.partnersService.today();
    return (await loader.load(partner.id)).map((q) => toQualification(q, today));
  }

  @ResolveField(() => OrgUnit)
  async orgUnit(@Parent() partner: Partner, @Context() ctx: GqlContext): Promise<OrgUnitEntity> {
    const loader = ctx.loaders.get<string, OrgUnitEntity | null>('orgUnit.byId', async (ids) =>
      byKey(ids, await this.orgUnitsService.findByIds(ids), (o) => o.id),
    );
    const unit = await loader.load(partner.orgUnitId);
    if (!unit) throw notFound('OrgUnit', partner.orgUnitId);
    return unit;
  }
}

@Resolver(() => Agreement)
@Roles(...ALL_ROLES)
@ApiScopes('partners:read')
export class AgreementsResolver {
  constructor(private readonly partnersService: PartnersService) {}

  @Query(() => Agreement)
  async agreement(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Agreement> {
    const { agreement, partner } = await this.partnersService.getAgreement(actor, id);
    return toAgreement(agreement, partner.orgUnitId);
  }

  @Mutation(() => Agreement)
  @Roles(...WRITERS)
  async createAgreement(@CurrentActor() actor: Actor, @Args('input') input: CreateAgreementInput): Promise<Agreement> {
    return toAgreement(await this.partnersService.createAgreement(actor, input));
  }

  @Mutation(() => Agreement)
  @Roles(...WRITERS)
  async updateAgreement(@CurrentActor() actor: Actor, @Args('input') input: UpdateAgreementInput): Promise<Agreement> {
    return toAgreement(await this.partnersService.updateAgreement(actor, input));
  }

  @ResolveField(() => Partner)
  async partner(
    @Parent() agreement: Agreement,
    @CurrentActor() actor: Actor,
    @Context() ctx: GqlContext,
  ): Promise<Partner> {
    const loader = ctx.loaders.get<string, Partner | null>('partner.byId', async (ids) =>
      (await this.partnersService.findVisibleByIds(actor, ids)).map((p) => (p ? toPartner(p) : null)),
    );
    const partner = await loader.load(agreement.partnerId);
    if (!partner) throw notFound('Partner', agreement.partnerId);
    return partner;
  }
}
