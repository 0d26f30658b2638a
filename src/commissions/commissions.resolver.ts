import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES, INTERNAL_ROLES, Role } from '../auth/roles';
import { Connection, ConnectionResult, PageArgs } from '../graphql/connection';
import { GqlContext } from '../graphql/context';
import { groupByKey } from '../graphql/loaders';
import { AccrualStatus } from './commission.enums';
import { toAccrual, toPeriod, toPlan, toPlanVersionModel, toRun, toSimulation } from './commissions.mapper';
import { CommissionsService, statusOf } from './commissions.service';
import {
  AccrualsFilter,
  AddCommissionPlanVersionInput,
  CommissionPlansFilter,
  CreateCommissionPlanInput,
  OpenPeriodInput,
  PeriodsFilter,
  RunCommissionCalculationInput,
  SimulateCommissionPlanInput,
} from './dto/commission.inputs';
import { CommissionAccrualEntity } from './entities/commission-accrual.entity';
import {
  Accrual,
  AddCommissionPlanVersionPayload,
  CommissionPeriod,
  CommissionPlan,
  CommissionPlanVersion,
  CommissionRun,
  CommissionSimulation,
} from './models/commission.models';

const CommissionPlanConnection = Connection(CommissionPlan, 'CommissionPlan');
const CommissionPeriodConnection = Connection(CommissionPeriod, 'CommissionPeriod');
const AccrualConnection = Connection(Accrual, 'Accrual');

const PLAN_WRITERS = [Role.ADMIN, Role.PARTNERSHIP_MANAGER];
const RUNNERS = [Role.ADMIN, Role.FINANCE_MAKER];

function mapConnection<E, T>(c: ConnectionResult<E>, map: (e: E) => T): ConnectionResult<T> {
  return { ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, node: map(e.node) })) };
}

@Resolver(() => CommissionPlan)
@Roles(...INTERNAL_ROLES)
@ApiScopes('commissions:read')
export class CommissionPlansResolver {
  constructor(private readonly service: CommissionsService) {}

  @Query(() => CommissionPlan)
  async commissionPlan(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<CommissionPlan> {
    return toPlan(await this.service.getPlan(actor, id));
  }

  @Query(() => CommissionPlanConnection)
  async commissionPlans(
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: CommissionPlansFilter,
  ): Promise<ConnectionResult<CommissionPlan>> {
    return mapConnection(await this.service.listPlans(actor, filter ?? {}, page), toPlan);
  }

  @Mutation(() => CommissionPlan)
  @Roles(...PLAN_WRITERS)
  async createCommissionPlan(
    @CurrentActor() actor: Actor,
    @Args('input') input: CreateCommissionPlanInput,
  ): Promise<CommissionPlan> {
    return toPlan(await this.service.createPlan(actor, input));
  }

  @Mutation(() => AddCommissionPlanVersionPayload)
  @Roles(...PLAN_WRITERS)
  async addCommissionPlanVersion(
    @CurrentActor() actor: Actor,
    @Args('input') input: AddCommissionPlanVersionInput,
  ): Promise<AddCommissionPlanVersionPayload> {
    const { version, runs } = await this.service.addVersion(actor, input);
    const recalculationRuns: CommissionRun[] = [];
    for (const run of runs) recalculationRuns.push(toRun(run, (await this.service.getRun(actor, run.id)).job));
    return { version: toPlanVersionModel(version), recalculationRuns };
  }

  @Mutation(() => CommissionSimulation, {
    description: 'What a draft plan would have paid over past events; writes nothing',
  })
  @Roles(...PLAN_WRITERS, Role.FINANCE_MAKER)
  async simulateCommissionPlan(
    @CurrentActor() actor: Actor,
    @Args('input') input: SimulateCommissionPlanInput,
  ): Promise<CommissionSimulation> {
    return toSimulation(await this.service.simulate(actor, input));
  }

  @ResolveField(() => [CommissionPlanVersion])
  async versions(@Parent() plan: CommissionPlan, @Context() ctx: GqlContext): Promise<CommissionPlanVersion[]> {
    const loader = ctx.loaders.get<string, CommissionPlanVersion[]>('commissionPlan.versions', async (ids) =>
      groupByKey(ids, await this.service.versionsOf(ids), (v) => v.planId).map((list) => list.map(toPlanVersionModel)),
    );
    return loader.load(plan.id);
  }
}

@Resolver(() => CommissionPeriod)
@Roles(...INTERNAL_ROLES)
@ApiScopes('commissions:read')
export class CommissionPeriodsResolver {
  constructor(private readonly service: CommissionsService) {}

  @Query(() => CommissionPeriod)
  async period(@Args('id', { type: () => ID }) id: string): Promise<CommissionPeriod> {
    return toPeriod(await this.service.getPeriod(id));
  }

  @Query(() => CommissionPeriodConnection)
  async periods(
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: PeriodsFilter,
  ): Promise<ConnectionResult<CommissionPeriod>> {
    return mapConnection(await this.service.listPeriods(filter ?? {}, page), toPeriod);
  }

  @Mutation(() => CommissionPeriod, { description: 'The period of a month, opened when missing (idempotent)' })
  @Roles(...RUNNERS)
  async openPeriod(@CurrentActor() actor: Actor, @Args('input') input: OpenPeriodInput): Promise<CommissionPeriod> {
    return toPeriod(await this.service.ensurePeriod(actor, input.key));
  }

  @Mutation(() => CommissionRun, {
    description: 'Starts a calculation job; follow it with commissionRun(id) or job(id)',
  })
  @Roles(...RUNNERS)
  async runCommissionCalculation(
    @CurrentActor() actor: Actor,
    @Args('input') input: RunCommissionCalculationInput,
  ): Promise<CommissionRun> {
    const run = await this.service.startRun(actor, input);
    const { job } = await this.service.getRun(actor, run.id);
    return toRun(run, job);
  }

  @Query(() => CommissionRun)
  async commissionRun(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<CommissionRun> {
    const { run, job } = await this.service.getRun(actor, id);
    return toRun(run, job);
  }
}

@Resolver(() => Accrual)
@Roles(...ALL_ROLES)
@ApiScopes('commissions:read')
export class AccrualsResolver {
  constructor(private readonly service: CommissionsService) {}

  @Query(() => AccrualConnection, { description: 'Ledger lines in your scope (partner users: their own only)' })
  async accruals(
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: AccrualsFilter,
  ): Promise<ConnectionResult<Omit<Accrual, 'status'>>> {
    return mapConnection(await this.service.listAccruals(actor, filter ?? {}, page), toAccrual);
  }

  @Query(() => Accrual)
  async accrual(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<Omit<Accrual, 'status'>> {
    return toAccrual(await this.service.getAccrual(actor, id));
  }

  @ResolveField(() => AccrualStatus)
  async status(@Parent() accrual: Accrual, @Context() ctx: GqlContext): Promise<AccrualStatus> {
    const loader = ctx.loaders.get<string, CommissionAccrualEntity[]>('accrual.related', async (keys) =>
      groupByKey(keys, await this.service.relatedRows(keys), (r) => r.accrualKey),
    );
    const related = await loader.load(accrual.accrualKey);
    const self = related.find((r) => r.id === accrual.id);
    if (!self) return AccrualStatus.REVERSED;
    return statusOf(self, related, this.service.today());
  }
}
