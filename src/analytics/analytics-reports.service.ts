import { Inject, Injectable } from '@nestjs/common';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { Actor } from '../auth/actor';
import { applyPartnerScope } from '../auth/access';
import { addDays, isValidBusinessDate, startOfBusinessDay } from '../common/business-time';
import { badInput, notFound } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { chunk } from '../graphql/loaders';
import { PartnersService } from '../partners/partners.service';
import { PayoutStatus } from '../settlement/payouts/payout.enums';
import { FunnelGroupBy, FunnelInterval } from '../referrals/referral.enums';
import { bucketOf, compareFunnelRows, countOf, EMPTY_COUNTS, FunnelCounts, FunnelRow } from '../referrals/rules/funnel';
import { AnalyticsMaintenanceService } from './analytics-maintenance.service';
import { MEDIAN_MEASURES } from './facts';
import {
  cardProgramPnl,
  CardProgramPeriodFacts,
  CardProgramPnlLine,
  CohortEvent,
  CohortRow,
  computeCohorts,
  formatHalfDays,
  medianFromHistogram,
  PartnerValue,
  partnerValue,
  PeriodDelta,
  periodOverPeriod,
} from './rules';

export interface FunnelQueryFilter {
  partnerIds?: string[];
  programIds?: string[];
  channelIds?: string[];
  submittedFrom?: string;
  submittedTo?: string;
}

/** A pair of stages whose median days apart a funnel reports. */
export type MedianPair = keyof typeof MEDIAN_MEASURES;
export const MEDIAN_PAIRS = Object.keys(MEDIAN_MEASURES) as MedianPair[];
/** Median days per stage pair of MEDIAN_MEASURES (null when no referral reached both, or the pair was not read). */
export type FunnelMedians = Record<MedianPair, string | null>;

export interface ExtendedFunnelRow extends FunnelRow {
  medianDays: FunnelMedians;
  /** null unless asked: each count against the same group's previous bucket. */
  periodOverPeriod: ({ stage: string } & PeriodDelta)[] | null;
}

export enum CohortGroupBy {
  PARTNER = 'PARTNER',
  PROGRAM = 'PROGRAM',
}

export interface CohortFilter {
  asOfMonth: string;
  partnerIds?: string[];
  programIds?: string[];
  acquiredFrom?: string;
  acquiredTo?: string;
}

export interface ValueFilter {
  from: string;
  to: string;
  partnerIds?: string[];
}

export interface PartnerValueRow extends PartnerValue {
  partnerId: string;
  customersAcquired: number;
  qualifiedReferrals: number;
}

const GROUP_COLUMN: Record<FunnelGroupBy, string> = {
  [FunnelGroupBy.PARTNER]: 'd.partner_id',
  [FunnelGroupBy.PROGRAM]: 'd.program_id',
  [FunnelGroupBy.CHANNEL]: 'd.channel_id',
  [FunnelGroupBy.ORG_UNIT]: 'd.org_unit_id',
  [FunnelGroupBy.PARTNER_KIND]: 'd.partner_kind',
};

const COUNT_MEASURES: Record<string, keyof FunnelCounts> = {
  REFERRAL_SUBMITTED: 'submitted',
  REFERRAL_CONTACTED: 'contacted',
  REFERRAL_APPLIED: 'applied',
  REFERRAL_CONVERTED: 'converted',
  REFERRAL_QUALIFIED: 'qualified',
  REFERRAL_REJECTED: 'rejected',
  REFERRAL_EXPIRED: 'expired',
  REFERRAL_DUPLICATE: 'duplicate',
};
/** The measures of the stage counts (with the expiry reversal): a funnel without medians reads only these. */
export const FUNNEL_COUNT_MEASURES = [...Object.keys(COUNT_MEASURES), 'REFERRAL_EXPIRED_REVERSED'];
/** The measures a funnel reads: stage counts, the expiry reversal and the histograms of the median pairs asked for. */
export const funnelMeasures = (pairs: readonly MedianPair[]): string[] => [
  ...FUNNEL_COUNT_MEASURES,
  ...pairs.map((pair) => MEDIAN_MEASURES[pair]),
];
const COUNT_KEYS = Object.keys(EMPTY_COUNTS) as (keyof FunnelCounts)[];
/** A bucket without histogram rows (every funnel read without medians): one shared answer, no object per row. */
const NO_MEDIANS = Object.freeze(
  Object.fromEntries(Object.keys(MEDIAN_MEASURES).map((pair) => [pair, null])) as FunnelMedians,
);
const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
const WON = 'WON';

function monthEnd(month: string): string {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

function previousMonth(month: string): string {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

function checkDate(value: string | undefined, field: string): void {
  if (value !== undefined && value !== null && !isValidBusinessDate(value)) throw badInput(field, 'INVALID_DATE');
}

function big(v: unknown): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  const s = typeof v === 'number' ? v.toString() : typeof v === 'string' ? v : '0';
  return BigInt(s.includes('.') ? s.slice(0, s.indexOf('.')) : s);
}

function inList<T extends object>(q: SelectQueryBuilder<T>, column: string, name: string, values?: string[]): void {
  if (values?.length) q.andWhere(`${column} IN (:...${name})`, { [name]: values });
}

/**
 * One group and bucket of the funnel while the roll-up rows are folded in: a fixed-shape object (the pivot
 * touches it once per SQL row), histograms only for the median measures that have rows.
 */
class FunnelBucket implements FunnelCounts {
  submitted = 0;
  contacted = 0;
  applied = 0;
  converted = 0;
  qualified = 0;
  rejected = 0;
  expired = 0;
  duplicate = 0;
  reversedExpired = 0;
  histograms: Map<string, Map<number, number>> | null = null;
  /** Medians read from analytics_partner_month_medians (measure → days), instead of histograms. */
  storedMedians: Map<string, string> | null = null;

  constructor(
    readonly groupKey: string | null,
    readonly bucket: string,
    readonly bucketStart: string,
  ) {}

  /** A roll-up row of a measure that is not a stage count (those the fold adds itself, see foldFunnel). */
  addOther(measure: string, bucketValue: unknown, n: number): void {
    if (measure === 'REFERRAL_EXPIRED_REVERSED') this.reversedExpired += n;
    else {
      this.histograms ??= new Map();
      let h = this.histograms.get(measure);
      if (!h) this.histograms.set(measure, (h = new Map<number, number>()));
      const days = Number(bucketValue);
      h.set(days, (h.get(days) ?? 0) + n);
    }
  }

  /** The stage counts, expiries net of their reversals. */
  counts(): FunnelCounts {
    return {
      submitted: this.submitted,
      contacted: this.contacted,
      applied: this.applied,
      converted: this.converted,
      qualified: this.qualified,
      rejected: this.rejected,
      expired: this.expired - this.reversedExpired,
      duplicate: this.duplicate,
    };
  }

  row(): ExtendedFunnelRow {
    return {
      groupKey: this.groupKey,
      bucket: this.bucket,
      bucketStart: this.bucketStart,
      submitted: this.submitted,
      contacted: this.contacted,
      applied: this.applied,
      converted: this.converted,
      qualified: this.qualified,
      rejected: this.rejected,
      expired: this.expired - this.reversedExpired,
      duplicate: this.duplicate,
      medianDays:
        this.histograms || this.storedMedians
          ? (Object.fromEntries(
              Object.entries(MEDIAN_MEASURES).map(([pair, measure]) => [pair, this.median(measure)]),
            ) as FunnelMedians)
          : NO_MEDIANS,
      periodOverPeriod: null,
    };
  }

  private median(measure: string): string | null {
    const stored = this.storedMedians?.get(measure);
    if (stored !== undefined) return stored;
    const h = this.histograms?.get(measure);
    return h ? medianFromHistogram(h) : null;
  }
}

/**
 * Folds the roll-up rows into buckets of the interval per group, keyed `bucketStart \0 groupKey`; with `from`,
 * only the days on or after it (the rows before it are read for period over period only).
 */
function foldFunnel(
  interval: FunnelInterval,
  byDay: boolean,
  rows: readonly Record<string, unknown>[],
  from: string | undefined,
): Map<string, FunnelBucket> {
  type Slot = { bucket: string; bucketStart: string; groups: Map<string | null, FunnelBucket> };
  const merged = new Map<string, FunnelBucket>();
  // A report spans few distinct days or months: resolve each one's bucket once, and find a group's bucket there
  // by the group key alone (no composite key string per row: rows by partner come in index order, not grouped).
  const slots = new Map<string, Slot>();
  const groupsByStart = new Map<string, Map<string | null, FunnelBucket>>();
  // Look up only on a change: a GROUP BY returns one group and day/month's rows together, and the partner roll-up
  // read in index order (measure, month, partner) keeps the month while the partner changes row by row.
  let slot: Slot | undefined;
  let slotDay = '';
  let acc: FunnelBucket | undefined;
  let accGroup: unknown;
  // The partner roll-up comes in its measure index's order, each measure's rows together: resolve a measure's stage
  // once per run of its rows (a GROUP BY's rows change measure row by row and pay one string comparison more).
  let measure = '';
  let countKey: keyof FunnelCounts | undefined;
  for (const r of rows) {
    const sqlBucket = String(r.bucket);
    if (from && sqlBucket < from) continue;
    if (slot === undefined || sqlBucket !== slotDay) {
      slot = slots.get(sqlBucket);
      if (!slot) {
        const b = bucketOf(interval, interval === FunnelInterval.MONTH && byDay ? sqlBucket.slice(0, 7) : sqlBucket);
        let groups = groupsByStart.get(b.bucketStart);
        if (!groups) groupsByStart.set(b.bucketStart, (groups = new Map<string | null, FunnelBucket>()));
        slots.set(sqlBucket, (slot = { ...b, groups }));
      }
      slotDay = sqlBucket;
      acc = undefined;
    }
    if (acc === undefined || r.group_key !== accGroup) {
      const groupKey = typeof r.group_key === 'string' && r.group_key !== '' ? r.group_key : null;
      acc = slot.groups.get(groupKey);
      if (!acc) {
        acc = new FunnelBucket(groupKey, slot.bucket, slot.bucketStart);
        slot.groups.set(groupKey, acc);
        merged.set(`${slot.bucketStart}\u0000${groupKey ?? ''}`, acc);
      }
      accGroup = r.group_key;
    }
    if (r.measure !== measure) {
      measure = String(r.measure);
      countKey = COUNT_MEASURES[measure];
    }
    if (countKey !== undefined) acc[countKey] += countOf(r.n);
    else acc.addOther(measure, r.bucket_value, countOf(r.n));
  }
  return merged;
}

/**
 * Adds stored medians (storedMedianRows) to the whole-month buckets by partner; a bucket with medians and no stage
 * counts is added too, as its histogram rows would have added it.
 */
function addStoredMedians(buckets: Map<string, FunnelBucket>, rows: readonly Record<string, unknown>[]): void {
  for (const r of rows) {
    const partnerId = String(r.partner_id);
    const { bucket, bucketStart } = bucketOf(FunnelInterval.MONTH, String(r.month));
    const key = `${bucketStart}\u0000${partnerId}`;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = new FunnelBucket(partnerId, bucket, bucketStart)));
    (b.storedMedians ??= new Map()).set(String(r.measure), formatHalfDays(Number(r.half_days)));
  }
}

/** Where a funnel's counts come from; `grouped`: the rows are summed by SQL (else they are the groups already). */
interface FunnelSource {
  table: 'analytics_partner_monthly' | 'analytics_monthly' | 'analytics_daily';
  monthly: boolean;
  byDay: boolean;
  grouped: boolean;
}

/**
 * analytics_partner_monthly for whole months by partner or partner kind without a program or channel filter (by
 * partner its rows are the groups already: no GROUP BY), analytics_monthly for other whole-month reports, else
 * analytics_daily by day (a range starting or ending mid-month needs the days).
 */
function funnelSource(
  filter: FunnelQueryFilter,
  groupBy: FunnelGroupBy,
  byDay: boolean,
  from: string | undefined,
): FunnelSource {
  const monthly =
    !byDay &&
    (!from || from.endsWith('-01')) &&
    (!filter.submittedTo || filter.submittedTo === monthEnd(filter.submittedTo.slice(0, 7)));
  const byPartner =
    monthly &&
    (groupBy === FunnelGroupBy.PARTNER || groupBy === FunnelGroupBy.PARTNER_KIND) &&
    !filter.programIds?.length &&
    !filter.channelIds?.length;
  return {
    table: byPartner ? 'analytics_partner_monthly' : monthly ? 'analytics_monthly' : 'analytics_daily',
    monthly,
    byDay,
    grouped: !(byPartner && groupBy === FunnelGroupBy.PARTNER),
  };
}

/**
 * The analytics reports. Every figure reads the roll-ups (analytics_daily, analytics_customer_month,
 * analytics_customer_activity, analytics_card_month) plus the small dimension tables (attributions, programs),
 * every query scoped with applyPartnerScope: a partner user sees only its own numbers. Reads catch the roll-ups
 * up first (cheap when nothing is new), so a report sees the writes committed before it.
 */
@Injectable()
export class AnalyticsReportsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly maintenance: AnalyticsMaintenanceService,
    private readonly partners: PartnersService,
  ) {}

  // ---------- funnel ----------

  async funnel(
    actor: Actor,
    filter: FunnelQueryFilter,
    groupBy: FunnelGroupBy,
    interval: FunnelInterval,
    compare = false,
    medianPairs: readonly MedianPair[] = MEDIAN_PAIRS,
  ): Promise<ExtendedFunnelRow[]> {
    checkDate(filter.submittedFrom, 'filter.submittedFrom');
    checkDate(filter.submittedTo, 'filter.submittedTo');
    if (filter.submittedFrom && filter.submittedTo && filter.submittedFrom > filter.submittedTo)
      throw badInput('filter.submittedTo', 'BEFORE_FROM');
    await this.maintenance.catchUp('REFERRAL');
    // Period over period needs the bucket before the first one: read from its start, by day.
    let readFrom = filter.submittedFrom;
    if (compare && readFrom) {
      const first = bucketOf(interval, interval === FunnelInterval.MONTH ? readFrom.slice(0, 7) : readFrom).bucketStart;
      readFrom =
        interval === FunnelInterval.MONTH
          ? `${previousMonth(first.slice(0, 7))}-01`
          : addDays(first, interval === FunnelInterval.WEEK ? -7 : -1);
    }
    const byDay = compare || interval !== FunnelInterval.MONTH;
    const source = funnelSource(filter, groupBy, byDay, readFrom);
    // By partner over whole months each bucket's median is stored: no histogram rows to read and fold.
    const storedMedians = source.table === 'analytics_partner_monthly' && !source.grouped && medianPairs.length > 0;
    // Both reads at once (two pooled connections on MySQL).
    const [raw, medians] = await Promise.all([
      this.funnelRows(actor, filter, groupBy, source, readFrom, storedMedians ? [] : medianPairs),
      storedMedians ? this.storedMedianRows(actor, filter, readFrom, medianPairs) : [],
    ]);
    const from = byDay ? filter.submittedFrom : undefined;
    const folded = foldFunnel(interval, byDay, raw, from);
    addStoredMedians(folded, medians);
    const current = [...folded.values()].sort(compareFunnelRows).map((b) => b.row());
    if (!compare) return current;
    const all = foldFunnel(interval, byDay, raw, undefined);
    for (const row of current) {
      const prevStart =
        interval === FunnelInterval.MONTH
          ? `${previousMonth(row.bucketStart.slice(0, 7))}-01`
          : addDays(row.bucketStart, interval === FunnelInterval.WEEK ? -7 : -1);
      const prev = all.get(`${prevStart}\u0000${row.groupKey ?? ''}`)?.counts();
      row.periodOverPeriod = COUNT_KEYS.map((k) => ({
        stage: k.toUpperCase(),
        ...periodOverPeriod(row[k], prev?.[k] ?? 0),
      }));
    }
    return current;
  }

  /**
   * One read of the roll-up (see funnelSource). Rows come back as the driver gives them (group_key, bucket, measure,
   * bucket_value, n): foldFunnel reads each once, without an intermediate copy.
   */
  private async funnelRows(
    actor: Actor,
    filter: FunnelQueryFilter,
    groupBy: FunnelGroupBy,
    { table, monthly, byDay, grouped }: FunnelSource,
    from: string | undefined,
    medianPairs: readonly MedianPair[],
  ): Promise<Record<string, unknown>[]> {
    const group = GROUP_COLUMN[groupBy];
    const dateColumn = monthly ? 'd.month' : 'd.business_date';
    const bucket = byDay ? 'd.business_date' : monthly ? 'd.month' : 'SUBSTR(d.business_date, 1, 7)';
    const q = this.dataSource
      .createQueryBuilder()
      .select(group, 'group_key')
      .addSelect(bucket, 'bucket')
      .addSelect('d.measure', 'measure')
      .addSelect('d.bucket_value', 'bucket_value')
      .addSelect(grouped ? 'SUM(d.fact_count)' : 'd.fact_count', 'n')
      .from(table, 'd')
      .where('d.measure IN (:...measures)', { measures: funnelMeasures(medianPairs) });
    applyPartnerScope(q, actor, 'd.partner_id');
    inList(q, 'd.partner_id', 'partnerIds', filter.partnerIds);
    inList(q, 'd.program_id', 'programIds', filter.programIds);
    inList(q, 'd.channel_id', 'channelIds', filter.channelIds);
    if (from) q.andWhere(`${dateColumn} >= :from`, { from: monthly ? from.slice(0, 7) : from });
    if (filter.submittedTo)
      q.andWhere(`${dateColumn} <= :to`, { to: monthly ? filter.submittedTo.slice(0, 7) : filter.submittedTo });
    if (grouped) q.groupBy(group).addGroupBy(bucket).addGroupBy('d.measure').addGroupBy('d.bucket_value');
    return q.getRawMany<Record<string, unknown>>();
  }

  /** The stored median of each partner-month bucket and pair asked for (analytics_partner_month_medians). */
  private storedMedianRows(
    actor: Actor,
    filter: FunnelQueryFilter,
    from: string | undefined,
    medianPairs: readonly MedianPair[],
  ): Promise<Record<string, unknown>[]> {
    const q = this.dataSource
      .createQueryBuilder()
      .select('d.partner_id', 'partner_id')
      .addSelect('d.month', 'month')
      .addSelect('d.measure', 'measure')
      .addSelect('d.median_half_days', 'half_days')
      .from('analytics_partner_month_medians', 'd')
      .where('d.measure IN (:...measures)', { measures: medianPairs.map((pair) => MEDIAN_MEASURES[pair]) });
    applyPartnerScope(q, actor, 'd.partner_id');
    inList(q, 'd.partner_id', 'partnerIds', filter.partnerIds);
    if (from) q.andWhere('d.month >= :from', { from: from.slice(0, 7) });
    if (filter.submittedTo) q.andWhere('d.month <= :to', { to: filter.submittedTo.slice(0, 7) });
    return q.getRawMany<Record<string, unknown>>();
  }

  // ---------- cohorts ----------

  /**
   * Cohorts of brought-in customers (acquisition = the earliest attribution the partner/program WON for the
   * customer), as of the end of `asOfMonth`, computed by the pure rules from roll-up rows: activity days,
   * each product's latest event and each balance's latest snapshot per month, spend per month (the
   * acquisition month counts whole).
   */
  async cohorts(actor: Actor, filter: CohortFilter, groupBy: CohortGroupBy): Promise<CohortRow[]> {
    if (!MONTH_RE.test(filter.asOfMonth ?? '')) throw badInput('filter.asOfMonth', 'INVALID_MONTH');
    checkDate(filter.acquiredFrom, 'filter.acquiredFrom');
    checkDate(filter.acquiredTo, 'filter.acquiredTo');
    await this.maintenance.catchUpAll();
    const asOf = monthEnd(filter.asOfMonth);
    const q = this.dataSource
      .createQueryBuilder()
      .select('t.customer_id', 'customer_id')
      .addSelect(groupBy === CohortGroupBy.PARTNER ? 't.partner_id' : 't.program_id', 'group_key')
      .addSelect('MIN(a.converted_on)', 'acquired_on')
      .from('attribution_touches', 't')
      .innerJoin('attributions', 'a', 'a.id = t.attribution_id')
      .where('t.outcome = :won', { won: WON })
      .andWhere('a.converted_on <= :asOf', { asOf });
    applyPartnerScope(q, actor, 't.partner_id');
    inList(q, 't.partner_id', 'partnerIds', filter.partnerIds);
    inList(q, 't.program_id', 'programIds', filter.programIds);
    q.groupBy('t.customer_id').addGroupBy(groupBy === CohortGroupBy.PARTNER ? 't.partner_id' : 't.program_id');
    const customers = (await q.getRawMany<{ customer_id: string; group_key: string; acquired_on: string }>())
      .map((r) => ({ customerId: r.customer_id, groupKey: r.group_key, acquiredOn: String(r.acquired_on) }))
      .filter(
        (c) =>
          (!filter.acquiredFrom || c.acquiredOn >= filter.acquiredFrom) &&
          (!filter.acquiredTo || c.acquiredOn <= filter.acquiredTo),
      );
    const a = this.config.analytics;
    const events: CohortEvent[] = [];
    const ids = [...new Set(customers.map((c) => c.customerId))];
    let n = 0;
    for (const part of chunk(ids)) {
      const marks = part.map(() => '?').join(', ');
      const activity = await this.dataSource.query<
        { customer_id: string; event_type: string; business_date: string }[]
      >(
        `SELECT customer_id, event_type, business_date FROM analytics_customer_activity
          WHERE customer_id IN (${marks}) AND event_type IN (${a.activeEventTypes.map(() => '?').join(', ')}) AND business_date <= ?`,
        [...part, ...a.activeEventTypes, asOf],
      );
      for (const r of activity)
        events.push({ id: `a${n++}`, customerId: r.customer_id, type: r.event_type, businessDate: r.business_date });
      const months = await this.dataSource.query<Record<string, unknown>[]>(
        `SELECT customer_id, month, measure, currency, amount_minor, last_date, last_event_id, last_type, last_amount_minor
           FROM analytics_customer_month
          WHERE customer_id IN (${marks}) AND month <= ?
            AND (measure = 'TYPE:CARD_SPEND' OR measure LIKE 'PRODUCT:%' OR measure LIKE 'BALANCE:%')`,
        [...part, filter.asOfMonth],
      );
      for (const r of months) {
        const measure = String(r.measure);
        const customerId = String(r.customer_id);
        if (measure === 'TYPE:CARD_SPEND') {
          events.push({
            id: `s${n++}`,
            customerId,
            type: '~SPEND',
            businessDate: monthEnd(String(r.month)),
            amountMinor: big(r.amount_minor),
            currency: String(r.currency),
          });
        } else {
          const balance = measure.startsWith('BALANCE:');
          events.push({
            id: String(r.last_event_id),
            customerId,
            type: balance ? '~BALANCE' : String(r.last_type),
            businessDate: String(r.last_date),
            productKey: balance ? measure.slice('BALANCE:'.length) || null : measure.slice('PRODUCT:'.length),
            amountMinor: balance ? big(r.last_amount_minor) : null,
            currency: balance ? String(r.currency) : null,
          });
        }
      }
    }
    return computeCohorts(customers, events, {
      asOf,
      currency: this.config.defaultCurrency,
      activeEventTypes: a.activeEventTypes,
      milestones: a.milestones,
      activityWindowDays: a.activityWindowDays,
      spendEventTypes: ['~SPEND'],
      balanceEventTypes: ['~BALANCE'],
    });
  }

  // ---------- value ----------

  /**
   * Per partner over [from, to]: revenue of the customers it brought in (interchange on card spend, fees on
   * agency sales, margin on month-end balances held for the month's days), commission accrued net of
   * clawbacks → ROI, cost per acquired customer (attributions converted in the range) and per qualified
   * referral (by submission date), and the commission actually paid (PAID payouts, shown beside the cost: the
   * cost is what was earned, paid is its cash side). A customer brought in by two partners counts for each.
   */
  async partnerValue(actor: Actor, filter: ValueFilter): Promise<PartnerValueRow[]> {
    checkDate(filter.from, 'filter.from');
    checkDate(filter.to, 'filter.to');
    if (filter.from > filter.to) throw badInput('filter.to', 'BEFORE_FROM');
    await this.maintenance.catchUpAll();
    const currency = this.config.defaultCurrency;
    const [fromMonth, toMonth] = [filter.from.slice(0, 7), filter.to.slice(0, 7)];
    interface Acc {
      spend: bigint;
      agency: bigint;
      balances: { balanceMinor: bigint; days: number }[];
      accrued: bigint;
      clawback: bigint;
      paid: bigint;
      acquired: number;
      qualified: number;
    }
    const acc = new Map<string, Acc>();
    const get = (p: string): Acc => {
      let a = acc.get(p);
      if (!a)
        acc.set(
          p,
          (a = {
            spend: 0n,
            agency: 0n,
            balances: [],
            accrued: 0n,
            clawback: 0n,
            paid: 0n,
            acquired: 0,
            qualified: 0,
          }),
        );
      return a;
    };
    const winners = this.dataSource
      .createQueryBuilder()
      .select('DISTINCT w.customer_id', 'customer_id')
      .addSelect('w.partner_id', 'partner_id')
      .from('attribution_touches', 'w')
      .where('w.outcome = :won', { won: WON });
    const cm = this.dataSource
      .createQueryBuilder()
      .select('t.partner_id', 'partner_id')
      .addSelect('cm.month', 'month')
      .addSelect('cm.measure', 'measure')
      .addSelect('SUM(cm.amount_minor)', 'amount')
      .addSelect('SUM(cm.last_amount_minor)', 'last_amount')
      .from('analytics_customer_month', 'cm')
      .innerJoin(`(${winners.getQuery()})`, 't', 't.customer_id = cm.customer_id')
      .setParameters(winners.getParameters())
      .where('cm.month >= :fromMonth AND cm.month <= :toMonth', { fromMonth, toMonth })
      .andWhere('cm.currency = :currency', { currency })
      .andWhere(
        "(cm.measure IN ('TYPE:CARD_SPEND', 'TYPE:FUND_PURCHASE', 'TYPE:INSURANCE_PREMIUM') OR cm.measure LIKE 'BALANCE:%')",
      );
    applyPartnerScope(cm, actor, 't.partner_id');
    inList(cm, 't.partner_id', 'partnerIds', filter.partnerIds);
    cm.groupBy('t.partner_id').addGroupBy('cm.month').addGroupBy('cm.measure');
    for (const r of await cm.getRawMany<Record<string, unknown>>()) {
      const a = get(String(r.partner_id));
      const measure = String(r.measure);
      if (measure === 'TYPE:CARD_SPEND') a.spend += big(r.amount);
      else if (measure.startsWith('TYPE:')) a.agency += big(r.amount);
      else a.balances.push({ balanceMinor: big(r.last_amount), days: Number(monthEnd(String(r.month)).slice(8)) });
    }
    const d = this.dataSource
      .createQueryBuilder()
      .select('d.partner_id', 'partner_id')
      .addSelect('d.measure', 'measure')
      .addSelect('SUM(d.fact_count)', 'n')
      .addSelect('SUM(d.amount_minor)', 'amount')
      .from('analytics_daily', 'd')
      .where('d.business_date >= :from AND d.business_date <= :to', { from: filter.from, to: filter.to })
      .andWhere(
        "(d.measure = 'REFERRAL_QUALIFIED' OR ((d.measure LIKE 'ACCRUAL:%' OR d.measure LIKE 'CLAWBACK:%') AND d.currency = :currency))",
        { currency },
      );
    applyPartnerScope(d, actor, 'd.partner_id');
    inList(d, 'd.partner_id', 'partnerIds', filter.partnerIds);
    d.groupBy('d.partner_id').addGroupBy('d.measure');
    for (const r of await d.getRawMany<Record<string, unknown>>()) {
      const a = get(String(r.partner_id));
      const measure = String(r.measure);
      if (measure === 'REFERRAL_QUALIFIED') a.qualified += countOf(r.n);
      else if (measure.startsWith('ACCRUAL:')) a.accrued += big(r.amount);
      else a.clawback -= big(r.amount);
    }
    const acquired = this.dataSource
      .createQueryBuilder()
      .select('t.partner_id', 'partner_id')
      .addSelect('COUNT(DISTINCT t.customer_id)', 'n')
      .from('attribution_touches', 't')
      .innerJoin('attributions', 'a', 'a.id = t.attribution_id')
      .where('t.outcome = :won', { won: WON })
      .andWhere('a.converted_on >= :from AND a.converted_on <= :to', { from: filter.from, to: filter.to });
    applyPartnerScope(acquired, actor, 't.partner_id');
    inList(acquired, 't.partner_id', 'partnerIds', filter.partnerIds);
    acquired.groupBy('t.partner_id');
    for (const r of await acquired.getRawMany<Record<string, unknown>>())
      get(String(r.partner_id)).acquired = countOf(r.n);
    for (const [partnerId, minor] of await this.commissionPaid(actor, filter, currency)) get(partnerId).paid += minor;
    const rates = this.config.analytics;
    return [...acc.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([partnerId, a]) => ({
        partnerId,
        customersAcquired: a.acquired,
        qualifiedReferrals: a.qualified,
        ...partnerValue(
          {
            currency,
            spendMinor: a.spend,
            agencySalesMinor: a.agency,
            balances: a.balances,
            commissionAccruedMinor: a.accrued,
            commissionClawedBackMinor: a.clawback,
            commissionPaidMinor: a.paid,
            customersAcquired: a.acquired,
            qualifiedReferrals: a.qualified,
          },
          {
            interchangeRate: rates.interchangeRate,
            agencyFeeRate: rates.agencyFeeRate,
            annualMarginRate: rates.balanceMarginRate,
          },
        ),
      }));
  }

  /**
   * Commission actually paid per partner: PAID settlement payouts whose booking date (camt.053; else the
   * business date of the moment they were marked paid) falls in [from, to]. Payouts are few (one per statement),
   * so they are read directly rather than rolled up.
   */
  private async commissionPaid(actor: Actor, filter: ValueFilter, currency: string): Promise<Map<string, bigint>> {
    const zone = this.config.bankTimeZone;
    const q = this.dataSource
      .createQueryBuilder()
      .select('p.partner_id', 'partner_id')
      .addSelect('p.amount', 'amount')
      .addSelect('p.paid_booking_date', 'booking_date')
      .addSelect('p.paid_at', 'paid_at')
      .from('settlement_payouts', 'p')
      .where('p.status = :paid', { paid: PayoutStatus.PAID })
      .andWhere('p.currency = :currency', { currency })
      .andWhere(
        '(p.paid_booking_date >= :from AND p.paid_booking_date <= :to OR ' +
          '(p.paid_booking_date IS NULL AND p.paid_at >= :fromInstant AND p.paid_at < :toInstant))',
        {
          from: filter.from,
          to: filter.to,
          fromInstant: startOfBusinessDay(filter.from, zone),
          toInstant: startOfBusinessDay(addDays(filter.to, 1), zone),
        },
      );
    applyPartnerScope(q, actor, 'p.partner_id');
    inList(q, 'p.partner_id', 'partnerIds', filter.partnerIds);
    const out = new Map<string, bigint>();
    for (const r of await q.getRawMany<Record<string, unknown>>()) {
      const partnerId = String(r.partner_id);
      out.set(partnerId, (out.get(partnerId) ?? 0n) + big(r.amount));
    }
    return out;
  }

  // ---------- co-branded card program P&L ----------

  async programPnl(
    actor: Actor,
    programId: string,
    from: string,
    to: string,
  ): Promise<{ lines: CardProgramPnlLine[]; total: CardProgramPnlLine }> {
    if (!MONTH_RE.test(from ?? '')) throw badInput('from', 'INVALID_MONTH');
    if (!MONTH_RE.test(to ?? '')) throw badInput('to', 'INVALID_MONTH');
    if (from > to) throw badInput('to', 'BEFORE_FROM');
    const rows = await this.dataSource.query<Record<string, unknown>[]>(
      `SELECT g.partner_id, c.partner_share, c.funding, c.economics, c.currency
         FROM programs g LEFT JOIN co_branded_card_products c ON c.program_id = g.id WHERE g.id = ?`,
      [programId],
    );
    const program = rows[0];
    const [visible] = program ? await this.partners.findVisibleByIds(actor, [String(program.partner_id)]) : [null];
    if (!program || !visible) throw notFound('Program', programId);
    if (program.partner_share === null) throw badInput('programId', 'NOT_A_CO_BRANDED_CARD_PROGRAM');
    await this.maintenance.catchUpAll();
    const currency = String(program.currency);
    const economics =
      (JSON.parse(String((program.economics as string | null) ?? '[]')) as {
        category: string;
        rate: string | null;
        amountMinor: string | null;
      }[]) ?? [];
    const pointsRate = economics.find((e) => e.category === 'POINTS_PURCHASE' && e.rate !== null)?.rate ?? '0';
    const marketingFund = BigInt(economics.find((e) => e.category === 'MARKETING_FUND')?.amountMinor ?? '0');
    const funding = String(program.funding);
    const bankFundedShare = funding === 'BANK' ? '1' : funding === 'PARTNER' ? '0' : '0.5';

    const periods = new Map<string, CardProgramPeriodFacts>();
    for (let m = from; m <= to; m = nextMonth(m))
      periods.set(m, {
        period: m,
        currency,
        cardsApplied: 0,
        cardsApproved: 0,
        cardsActivated: 0,
        cardsWithFirstSpend: 0,
        cardsActive: 0,
        spendMinor: 0n,
        bountiesMinor: 0n,
        rewardsCostMinor: null,
        marketingFundMinor: marketingFund,
      });
    const daily = await this.dataSource.query<Record<string, unknown>[]>(
      `SELECT SUBSTR(d.business_date, 1, 7) AS month, d.measure, SUM(d.fact_count) AS n, SUM(d.amount_minor) AS amount
         FROM analytics_daily d
        WHERE d.program_id = ? AND d.business_date >= ? AND d.business_date <= ?
          AND d.measure IN ('CARD_APPLIED', 'CARD_APPROVED', 'CARD_ACTIVATED', 'CARD_SPEND',
                            'ACCRUAL:ACQUISITION_BOUNTY', 'CLAWBACK:ACQUISITION_BOUNTY')
        GROUP BY SUBSTR(d.business_date, 1, 7), d.measure`,
      [programId, `${from}-01`, monthEnd(to)],
    );
    for (const r of daily) {
      const p = periods.get(String(r.month));
      if (!p) continue;
      const measure = String(r.measure);
      if (measure === 'CARD_APPLIED') p.cardsApplied += countOf(r.n);
      else if (measure === 'CARD_APPROVED') p.cardsApproved += countOf(r.n);
      else if (measure === 'CARD_ACTIVATED') p.cardsActivated += countOf(r.n);
      else if (measure === 'CARD_SPEND') p.spendMinor += big(r.amount);
      else p.bountiesMinor += big(r.amount);
    }
    const cards = await this.dataSource.query<Record<string, unknown>[]>(
      `SELECT m.month, COUNT(*) AS active,
              SUM(CASE WHEN m.month = (SELECT MIN(f.month) FROM analytics_card_month f
                                        WHERE f.program_id = m.program_id AND f.card_ref = m.card_ref) THEN 1 ELSE 0 END) AS first_spend
         FROM analytics_card_month m
        WHERE m.program_id = ? AND m.month >= ? AND m.month <= ?
        GROUP BY m.month`,
      [programId, from, to],
    );
    for (const r of cards) {
      const p = periods.get(String(r.month));
      if (!p) continue;
      p.cardsActive = countOf(r.active);
      p.cardsWithFirstSpend = countOf(r.first_spend);
    }
    return cardProgramPnl(
      [...periods.values()],
      {
        interchangeRate: this.config.analytics.interchangeRate,
        partnerShareRate: typeof program.partner_share === 'string' ? program.partner_share : '0',
        rewardsCostRate: pointsRate,
        bankFundedShare,
      },
      currency,
    );
  }
}

function nextMonth(month: string): string {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
