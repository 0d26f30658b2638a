import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES, INTERNAL_ROLES, Role } from '../auth/roles';
import { notFound } from '../common/domain-error';
import { Connection, PageArgs } from '../graphql/connection';
import { GqlContext } from '../graphql/context';
import { byKey, groupByKey } from '../graphql/loaders';
import { DateScalar } from '../graphql/scalars';
import { Channel } from '../channels/models/channel.model';
import { Partner } from '../partners/models/partner.model';
import { toPartner } from '../partners/partners.mapper';
import { PartnersService } from '../partners/partners.service';
import {
  AddCompliancePolicyRuleInput,
  CreateProgramInput,
  ProgramsFilter,
  SetProgramAttributionRuleInput,
  SetProgramQualificationRuleInput,
  TransitionProgramInput,
  UpdateProgramInput,
  UpsertCoBrandedCardProductInput,
} from './dto/program.inputs';
import { ProgramRuleVersionEntity } from './entities/program-rule-version.entity';
import {
  AttributionRuleVersion,
  CoBrandedCardProduct,
  CompliancePolicyRule,
  Program,
  QualificationRuleVersion,
} from './models/program.model';
import { RuleKind } from './program.enums';
import { toAttributionVersion, toPolicyRule, toProduct, toProgram, toQualificationVersion } from './programs.mapper';
import { ProgramsService } from './programs.service';
import { effectiveRule } from './rules/program-rules';

const ProgramConnection = Connection(Program, 'Program');
const WRITERS = [Role.ADMIN, Role.PARTNERSHIP_MANAGER];

@Resolver(() => Program)
@Roles(...ALL_ROLES)
@ApiScopes('programs:read')
export class ProgramsResolver {
  constructor(
    private readonly service: ProgramsService,
    private readonly partners: PartnersService,
  ) {}

  @Query(() => Program)
  async program(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Program> {
    return toProgram(await this.service.getProgram(actor, id));
  }

  @Query(() => ProgramConnection)
  async programs(
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: ProgramsFilter,
  ) {
    const c = await this.service.list(actor, filter ?? {}, page);
    return { ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, node: toProgram(e.node) })) };
  }

  @Query(() => CoBrandedCardProduct, { description: 'The card product of a CO_BRANDED_CARD program.' })
  async coBrandedCardProgram(
    @CurrentActor() actor: Actor,
    @Args('programId', { type: () => ID }) programId: string,
  ): Promise<CoBrandedCardProduct> {
    const { product, binPrefixes } = await this.service.coBrandedCardProgram(actor, programId);
    return toProduct(product, binPrefixes);
  }

  @Mutation(() => Program)
  @Roles(...WRITERS)
  async createProgram(@CurrentActor() actor: Actor, @Args('input') input: CreateProgramInput): Promise<Program> {
    return toProgram(await this.service.createProgram(actor, input));
  }

  @Mutation(() => Program)
  @Roles(...WRITERS)
  async updateProgram(@CurrentActor() actor: Actor, @Args('input') input: UpdateProgramInput): Promise<Program> {
    return toProgram(await this.service.updateProgram(actor, input));
  }

  @Mutation(() => Program)
  @Roles(...WRITERS)
  async transitionProgram(
    @CurrentActor() actor: Actor,
    @Args('input') input: TransitionProgramInput,
  ): Promise<Program> {
    return toProgram(await this.service.transitionProgram(actor, input));
  }

  @Mutation(() => Program, { description: 'Adds a new effective-dated version of the attribution rule.' })
  @Roles(...WRITERS)
  async setProgramAttributionRule(
    @CurrentActor() actor: Actor,
    @Args('input') input: SetProgramAttributionRuleInput,
  ): Promise<Program> {
    return toProgram(await this.service.setAttributionRule(actor, input));
  }

  @Mutation(() => Program, { description: 'Adds a new effective-dated version of the qualification rule.' })
  @Roles(...WRITERS)
  async setProgramQualificationRule(
    @CurrentActor() actor: Actor,
    @Args('input') input: SetProgramQualificationRuleInput,
  ): Promise<Program> {
    return toProgram(await this.service.setQualificationRule(actor, input));
  }

  @Mutation(() => CoBrandedCardProduct)
  @Roles(...WRITERS)
  async upsertCoBrandedCardProduct(
    @CurrentActor() actor: Actor,
    @Args('input') input: UpsertCoBrandedCardProductInput,
  ): Promise<CoBrandedCardProduct> {
    const { product, binPrefixes } = await this.service.upsertProduct(actor, input);
    return toProduct(product, binPrefixes);
  }

  @ResolveField(() => CoBrandedCardProduct, { nullable: true })
  async coBrandedCardProduct(
    @Parent() program: Program,
    @Context() ctx: GqlContext,
  ): Promise<CoBrandedCardProduct | null> {
    const loader = ctx.loaders.get<string, CoBrandedCardProduct | null>('program.coBrandedCardProduct', async (ids) =>
      byKey(ids, await this.service.productsOfPrograms(ids), (p) => p.product.programId).map((p) =>
        p ? toProduct(p.product, p.binPrefixes) : null,
      ),
    );
    return loader.load(program.id);
  }

  @ResolveField(() => [AttributionRuleVersion], { description: 'Every version, oldest first' })
  async attributionRules(@Parent() program: Program, @Context() ctx: GqlContext): Promise<AttributionRuleVersion[]> {
    return (await this.ruleVersions(program.id, ctx, RuleKind.ATTRIBUTION)).map(toAttributionVersion);
  }

  @ResolveField(() => [QualificationRuleVersion], { description: 'Every version, oldest first' })
  async qualificationRules(
    @Parent() program: Program,
    @Context() ctx: GqlContext,
  ): Promise<QualificationRuleVersion[]> {
    return (await this.ruleVersions(program.id, ctx, RuleKind.QUALIFICATION)).map(toQualificationVersion);
  }

  @ResolveField(() => AttributionRuleVersion, { nullable: true, description: 'In force on `on` (default today)' })
  async attributionRule(
    @Parent() program: Program,
    @Context() ctx: GqlContext,
    @Args('on', { type: () => DateScalar, nullable: true }) on?: string,
  ): Promise<AttributionRuleVersion | null> {
    const found = effectiveRule(
      await this.ruleVersions(program.id, ctx, RuleKind.ATTRIBUTION),
      on ?? this.service.today(),
    );
    return found ? toAttributionVersion(found) : null;
  }

  @ResolveField(() => QualificationRuleVersion, { nullable: true, description: 'In force on `on` (default today)' })
  async qualificationRule(
    @Parent() program: Program,
    @Context() ctx: GqlContext,
    @Args('on', { type: () => DateScalar, nullable: true }) on?: string,
  ): Promise<QualificationRuleVersion | null> {
    const found = effectiveRule(
      await this.ruleVersions(program.id, ctx, RuleKind.QUALIFICATION),
      on ?? this.service.today(),
    );
    return found ? toQualificationVersion(found) : null;
  }

  @ResolveField(() => Partner)
  async partner(
    @Parent() program: Program,
    @CurrentActor() actor: Actor,
    @Context() ctx: GqlContext,
  ): Promise<Partner> {
    const loader = ctx.loaders.get<string, Partner | null>('partner.byId', async (ids) =>
      (await this.partners.findVisibleByIds(actor, ids)).map((p) => (p ? toPartner(p) : null)),
    );
    const partner = await loader.load(program.partnerId);
    if (!partner) throw notFound('Partner', program.partnerId);
    return partner;
  }

  private async ruleVersions(programId: string, ctx: GqlContext, kind: RuleKind): Promise<ProgramRuleVersionEntity[]> {
    const loader = ctx.loaders.get<string, ProgramRuleVersionEntity[]>('program.ruleVersions', async (ids) =>
      groupByKey(ids, await this.service.ruleVersionsOf(ids), (v) => v.programId),
    );
    return (await loader.load(programId)).filter((v) => v.kind === (kind as string));
  }
}

/** partner.programs, batched per request. The parent partner has already passed the read check. */
@Resolver(() => Partner)
@Roles(...ALL_ROLES)
@ApiScopes('programs:read')
export class PartnerProgramsResolver {
  constructor(private readonly service: ProgramsService) {}

  @ResolveField(() => [Program])
  async programs(@Parent() partner: Partner, @Context() ctx: GqlContext): Promise<Program[]> {
    const loader = ctx.loaders.get<string, Program[]>('partner.programs', async (ids) =>
      groupByKey(ids, await this.service.programsOfPartners(ids), (p) => p.partnerId).map((list) =>
        list.map(toProgram),
      ),
    );
    return loader.load(partner.id);
  }
}

/** channel.program, batched per request. */
@Resolver(() => Channel)
@Roles(...ALL_ROLES)
@ApiScopes('programs:read')
export class ChannelProgramResolver {
  constructor(private readonly service: ProgramsService) {}

  @ResolveField(() => Program)
  async program(
    @Parent() channel: Channel,
    @CurrentActor() actor: Actor,
    @Context() ctx: GqlContext,
  ): Promise<Program> {
    const loader = ctx.loaders.get<string, Program | null>('program.byId', async (ids) =>
      (await this.service.findProgramsByIds(ids, actor)).map((p) => (p ? toProgram(p) : null)),
    );
    const program = await loader.load(channel.programId);
    if (!program) throw notFound('Program', channel.programId);
    return program;
  }
}

/** The configurable compliance policy for co-branded card economics. */
@Resolver(() => CompliancePolicyRule)
@Roles(...INTERNAL_ROLES)
@ApiScopes('programs:read')
export class CompliancePolicyResolver {
  constructor(private readonly service: ProgramsService) {}

  @Query(() => [CompliancePolicyRule])
  async compliancePolicyRules(): Promise<CompliancePolicyRule[]> {
    return (await this.service.listPolicyRules()).map(toPolicyRule);
  }

  @Mutation(() => CompliancePolicyRule)
  @Roles(Role.ADMIN)
  async addCompliancePolicyRule(
    @CurrentActor() actor: Actor,
    @Args('input') input: AddCompliancePolicyRuleInput,
  ): Promise<CompliancePolicyRule> {
    return toPolicyRule(await this.service.addPolicyRule(actor, input));
  }

  @Mutation(() => CompliancePolicyRule, { description: 'Returns the rule that was removed.' })
  @Roles(Role.ADMIN)
  async removeCompliancePolicyRule(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<CompliancePolicyRule> {
    return toPolicyRule(await this.service.removePolicyRule(actor, id));
  }
}
