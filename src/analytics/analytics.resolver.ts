import { Args, ID, Info, Mutation, Query, Resolver } from '@nestjs/graphql';
import { FieldNode, GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES, Role } from '../auth/roles';
import { DomainError } from '../common/domain-error';
import { Money } from '../common/money';
import { DateScalar, MoneyModel } from '../graphql/scalars';
import { JobsService } from '../jobs/jobs.service';
import { ReferralFunnelFilter } from '../referrals/dto/referral.inputs';
import { FunnelGroupBy, FunnelInterval, REFERRALS_READ_SCOPE } from '../referrals/referral.enums';
import { rate } from '../referrals/rules/funnel';
import { AnalyticsMaintenanceService } from './analytics-maintenance.service';
import {
  AnalyticsReportsService,
  CohortGroupBy,
  ExtendedFunnelRow,
  FunnelMedians,
  MEDIAN_PAIRS,
} from './analytics-reports.service';
import { CohortFilterInput, PartnerValueFilterInput } from './dto/analytics.inputs';
import {
  AcquisitionCohort,
  AnalyticsRebuildResult,
  AnalyticsVerification,
  CardProgramPnl,
  CardProgramPnlLineModel,
  FunnelReportRow,
  FunnelStageDelta,
  ReferralFunnelColumns,
  PartnerValueModel,
} from './models/analytics.models';
import { CardProgramPnlLine } from './rules';

export const ANALYTICS_REBUILD_JOB = 'ANALYTICS_REBUILD';

function pnlLine(l: CardProgramPnlLine): CardProgramPnlLineModel {
  const m = (v: Money): MoneyModel => MoneyModel.of(v);
  return {
    ...l,
    spend: m(l.spend),
    interchange: m(l.interchange),
    partnerShare: m(l.partnerShare),
    bounties: m(l.bounties),
    rewardsCost: m(l.rewardsCost),
    marketingFund: m(l.marketingFund),
    net: m(l.net),
  };
}

/**
 * A funnel row as GraphQL reads it: plain properties copied once from the service's row, with the five rates as
 * prototype getters, so a report of hundreds of rows computes only the rates a client selects.
 */
class FunnelRowView implements FunnelReportRow {
  readonly groupKey: string | null;
  readonly bucket: string;
  readonly bucketStart: string;
  readonly submitted: number;
  readonly contacted: number;
  readonly applied: number;
  readonly converted: number;
  readonly qualified: number;
  readonly rejected: number;
  readonly expired: number;
  readonly duplicate: number;
  readonly medianDays: FunnelMedians;
  readonly periodOverPeriod: FunnelStageDelta[] | null;

  constructor(
    r: ExtendedFunnelRow,
    readonly groupBy: FunnelGroupBy,
    readonly interval: FunnelInterval,
  ) {
    this.groupKey = r.groupKey;
    this.bucket = r.bucket;
    this.bucketStart = r.bucketStart;
    this.submitted = r.submitted;
    this.contacted = r.contacted;
    this.applied = r.applied;
    this.converted = r.converted;
    this.qualified = r.qualified;
    this.rejected = r.rejected;
    this.expired = r.expired;
    this.duplicate = r.duplicate;
    this.medianDays = r.medianDays;
    this.periodOverPeriod = r.periodOverPeriod;
  }

  get contactRate(): string {
    return rate(this.contacted, this.submitted);
  }
  get applicationRate(): string {
    return rate(this.applied, this.submitted);
  }
  get conversionRate(): string {
    return rate(this.converted, this.submitted);
  }
  get qualificationRate(): string {
    return rate(this.qualified, this.submitted);
  }
  get qualifiedOfConverted(): string {
    return rate(this.qualified, this.converted);
  }
}

/**
 * The fields the query selects under `field` of this field (inline and named fragments included, aliases
 * resolved to field names); empty when it does not select `field`.
 */
function fieldsSelectedUnder(info: GraphQLResolveInfo, field: string): Set<string> {
  const names = new Set<string>();
  const visit = (set: SelectionSetNode | undefined, onPath: (sel: FieldNode) => void): void => {
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FIELD) onPath(sel);
      else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet, onPath);
      else visit(info.fragments[sel.name.value]?.selectionSet, onPath);
    }
  };
  for (const node of info.fieldNodes)
    visit(node.selectionSet, (sel) => {
      if (sel.name.value === field) visit(sel.selectionSet, (inner) => names.add(inner.name.value));
    });
  return names;
}

/** The analytics reports (issue 8); every one is scoped to what the caller may see. */
@Resolver()
@Roles(...ALL_ROLES)
@ApiScopes(REFERRALS_READ_SCOPE)
export class AnalyticsResolver {
  constructor(
    private readonly reports: AnalyticsReportsService,
    private readonly maintenance: AnalyticsMaintenanceService,
    private readonly jobs: JobsService,
  ) {}

  @Query(() => [FunnelReportRow], {
    description:
      'Counts per reached stage and rates, per group and bucket of submittedOn (bank time zone), scoped; read from ' +
      'the daily roll-up, with median days between stages and, when `compare` is true, period over period.',
  })
  async referralFunnel(
    @CurrentActor() actor: Actor,
    @Args('groupBy', { type: () => FunnelGroupBy }) groupBy: FunnelGroupBy,
    @Args('interval', { type: () => FunnelInterval }) interval: FunnelInterval,
    @Info() info: GraphQLResolveInfo,
    @Args('filter', { nullable: true }) filter?: ReferralFunnelFilter,
    @Args('compare', { nullable: true, defaultValue: false }) compare?: boolean,
  ): Promise<FunnelReportRow[]> {
    // The median histograms are most of the roll-up rows a funnel reads: read only the stage pairs asked for.
    const selected = fieldsSelectedUnder(info, 'medianDays');
    const pairs = MEDIAN_PAIRS.filter((pair) => selected.has(pair));
    const rows = await this.reports.funnel(actor, filter ?? {}, groupBy, interval, compare ?? false, pairs);
    return rows.map((r) => new FunnelRowView(r, groupBy, interval));
  }

  @Query(() => ReferralFunnelColumns, {
    description:
      'The stage counts of referralFunnel (same rows, order, scope and roll-up read) as one list per field: for ' +
      'grids and charts of many groups × buckets.',
  })
  async referralFunnelColumns(
    @CurrentActor() actor: Actor,
    @Args('groupBy', { type: () => FunnelGroupBy }) groupBy: FunnelGroupBy,
    @Args('interval', { type: () => FunnelInterval }) interval: FunnelInterval,
    @Args('filter', { nullable: true }) filter?: ReferralFunnelFilter,
  ): Promise<ReferralFunnelColumns> {
    const rows = await this.reports.funnel(actor, filter ?? {}, groupBy, interval, false, []);
    const column = <T>(read: (r: ExtendedFunnelRow) => T): T[] => rows.map(read);
    return {
      groupBy,
      interval,
      rows: rows.length,
      groupKey: column((r) => r.groupKey),
      bucket: column((r) => r.bucket),
      bucketStart: column((r) => r.bucketStart),
      submitted: column((r) => r.submitted),
      contacted: column((r) => r.contacted),
      applied: column((r) => r.applied),
      converted: column((r) => r.converted),
      qualified: column((r) => r.qualified),
      rejected: column((r) => r.rejected),
      expired: column((r) => r.expired),
      duplicate: column((r) => r.duplicate),
    };
  }

  @Query(() => [AcquisitionCohort])
  async acquisitionCohorts(
    @CurrentActor() actor: Actor,
    @Args('filter') filter: CohortFilterInput,
    @Args('groupBy', { type: () => CohortGroupBy }) groupBy: CohortGroupBy,
  ): Promise<AcquisitionCohort[]> {
    const rows = await this.reports.cohorts(actor, filter, groupBy);
    return rows.map((r) => ({
      ...r,
      aum: MoneyModel.of(r.aum),
      averageBalance: MoneyModel.of(r.averageBalance),
      spend: MoneyModel.of(r.spend),
      spendPerCustomer: MoneyModel.of(r.spendPerCustomer),
    }));
  }

  @Query(() => [PartnerValueModel])
  async partnerValue(
    @CurrentActor() actor: Actor,
    @Args('filter') filter: PartnerValueFilterInput,
  ): Promise<PartnerValueModel[]> {
    const rows = await this.reports.partnerValue(actor, filter);
    return rows.map((r) => ({
      partnerId: r.partnerId,
      customersAcquired: r.customersAcquired,
      qualifiedReferrals: r.qualifiedReferrals,
      interchange: MoneyModel.of(r.revenue.interchange),
      agencyFees: MoneyModel.of(r.revenue.agencyFees),
      balanceMargin: MoneyModel.of(r.revenue.balanceMargin),
      revenue: MoneyModel.of(r.revenue.total),
      commissionAccrued: MoneyModel.of(r.commissionAccrued),
      commissionClawedBack: MoneyModel.of(r.commissionClawedBack),
      commissionPaid: MoneyModel.of(r.commissionPaid),
      cost: MoneyModel.of(r.cost),
      net: MoneyModel.of(r.net),
      roi: r.roi,
      costPerAcquiredCustomer: r.costPerAcquiredCustomer ? MoneyModel.of(r.costPerAcquiredCustomer) : null,
      costPerQualifiedReferral: r.costPerQualifiedReferral ? MoneyModel.of(r.costPerQualifiedReferral) : null,
    }));
  }

  @Query(() => CardProgramPnl, { description: "Monthly P&L of a co-branded card program, months 'YYYY-MM' inclusive." })
  async coBrandedProgramPnl(
    @CurrentActor() actor: Actor,
    @Args('programId', { type: () => ID }) programId: string,
    @Args('from') from: string,
    @Args('to') to: string,
  ): Promise<CardProgramPnl> {
    const pnl = await this.reports.programPnl(actor, programId, from, to);
    return { programId, lines: pnl.lines.map(pnlLine), total: pnlLine(pnl.total) };
  }

  @Mutation(() => AnalyticsRebuildResult, {
    description: 'Rebuilds the roll-ups of the months covering [from, to] from the source rows (a job, audited).',
  })
  @Roles(Role.ADMIN)
  @ApiScopes()
  async rebuildAnalytics(
    @CurrentActor() actor: Actor,
    @Args('from', { type: () => DateScalar }) from: string,
    @Args('to', { type: () => DateScalar }) to: string,
  ): Promise<AnalyticsRebuildResult> {
    // Validate before a job row exists, so bad input names the field.
    this.maintenance.checkRange(from, to);
    const { job } = await this.jobs.create(actor, { type: ANALYTICS_REBUILD_JOB, payload: { from, to } });
    let result: AnalyticsRebuildResult = { months: [], facts: 0 };
    const finished = await this.jobs.run(job.id, async () => {
      result = await this.maintenance.rebuild(from, to);
      return result;
    });
    if (finished.error) throw new DomainError('INTERNAL_SERVER_ERROR', finished.error);
    return result;
  }

  @Query(() => AnalyticsVerification, { description: 'Compares the live roll-ups with a rebuild in memory.' })
  @Roles(Role.ADMIN)
  @ApiScopes()
  async verifyAnalytics(
    @Args('from', { type: () => DateScalar }) from: string,
    @Args('to', { type: () => DateScalar }) to: string,
  ): Promise<AnalyticsVerification> {
    return this.maintenance.verify(from, to);
  }
}
