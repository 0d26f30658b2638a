import { createHash } from 'node:crypto';
import { daysBetween } from '../common/business-time';
import { ReferralStatus } from '../referrals/referral.enums';
import { medianHalfDays } from './rules/cohorts';

/**
 * Source rows → roll-up facts (docs/analytics-design.md §4). The catch-up, the rebuild and the verify all
 * derive facts through these functions only, so the three cannot drift.
 *
 * A LEDGER FACT is what the de-duplication ledger records once per (source, id); applying it adds its deltas
 * to the roll-up tables. Every delta of a fact carries the fact's business date (a rebuild of a date range
 * replaces exactly the range's deltas and ledger rows).
 */

export const SOURCES = ['REFERRAL', 'EVENT', 'ACCRUAL'] as const;
export type AnalyticsSource = (typeof SOURCES)[number];

export interface DailyDelta {
  date: string;
  partnerId: string;
  programId: string;
  channelId: string;
  orgUnitId: string;
  partnerKind: string;
  measure: string;
  bucketValue: number;
  currency: string;
  count: bigint;
  amountMinor: bigint;
}

export interface CustomerMonthDelta {
  customerId: string;
  month: string;
  measure: string;
  currency: string;
  count: bigint;
  amountMinor: bigint;
  lastDate: string;
  lastEventId: string;
  lastType: string;
  lastAmountMinor: bigint | null;
}

export interface ActivityRow {
  customerId: string;
  eventType: string;
  date: string;
}

export interface CardMonthDelta {
  programId: string;
  cardRef: string;
  month: string;
  currency: string;
  count: bigint;
  amountMinor: bigint;
}

export interface LedgerFact {
  source: AnalyticsSource;
  id: string;
  date: string;
  fingerprint: string;
  daily: DailyDelta[];
  customerMonth: CustomerMonthDelta[];
  activity: ActivityRow[];
  cardMonth: CardMonthDelta[];
}

function sha(parts: readonly unknown[]): string {
  return createHash('sha256')
    .update(parts.map((p) => (p === null || p === undefined ? '\u0000' : String(p as string))).join('\u0001'))
    .digest('hex');
}

function ledgerFact(
  source: AnalyticsSource,
  id: string,
  date: string,
  parts: Partial<Pick<LedgerFact, 'daily' | 'customerMonth' | 'activity' | 'cardMonth'>>,
  content: readonly unknown[],
): LedgerFact {
  return {
    source,
    id,
    date,
    fingerprint: sha(content),
    daily: parts.daily ?? [],
    customerMonth: parts.customerMonth ?? [],
    activity: parts.activity ?? [],
    cardMonth: parts.cardMonth ?? [],
  };
}

/** Dimensions every daily delta carries. */
export interface Dims {
  partnerId: string;
  programId: string;
  channelId: string | null;
  orgUnitId: string;
  partnerKind: string;
}

function dailyFact(
  source: AnalyticsSource,
  id: string,
  date: string,
  dims: Dims,
  measure: string,
  bucketValue = -1,
  amount: { minor: bigint; currency: string } | null = null,
): LedgerFact {
  const delta: DailyDelta = {
    date,
    partnerId: dims.partnerId,
    programId: dims.programId,
    channelId: dims.channelId ?? '',
    orgUnitId: dims.orgUnitId,
    partnerKind: dims.partnerKind,
    measure,
    bucketValue,
    currency: amount?.currency ?? '',
    count: 1n,
    amountMinor: amount?.minor ?? 0n,
  };
  return ledgerFact(source, id, date, { daily: [delta] }, [
    date,
    delta.partnerId,
    delta.programId,
    delta.channelId,
    delta.orgUnitId,
    measure,
    bucketValue,
    delta.currency,
    delta.amountMinor,
  ]);
}

// ---------------------------------------------------------------------------
// Referrals → funnel
// ---------------------------------------------------------------------------

/** The funnel stages in ladder order (rank 1…5, see LADDER_RANK). */
export const FUNNEL_STAGES = ['SUBMITTED', 'CONTACTED', 'APPLIED', 'CONVERTED', 'QUALIFIED'] as const;

/**
 * Day-difference histograms kept for the funnel medians: between set-once instants on the referral (converted,
 * qualified) and the first move to CONTACTED / APPLIED in its append-only status history.
 */
export const MEDIAN_MEASURES = {
  submittedToContacted: 'DAYS_SUBMITTED_TO_CONTACTED',
  contactedToApplied: 'DAYS_CONTACTED_TO_APPLIED',
  appliedToConverted: 'DAYS_APPLIED_TO_CONVERTED',
  submittedToConverted: 'DAYS_SUBMITTED_TO_CONVERTED',
  convertedToQualified: 'DAYS_CONVERTED_TO_QUALIFIED',
  submittedToQualified: 'DAYS_SUBMITTED_TO_QUALIFIED',
} as const;

export interface ReferralSourceRow extends Dims {
  id: string;
  submittedOn: string;
  status: string;
  reachedRank: number;
  /** Business dates (bank zone) of the set-once conversion / qualification instants. */
  convertedOn: string | null;
  qualifiedOn: string | null;
  /** Business dates of the first moves to CONTACTED / APPLIED in the status history (null: never, or skipped). */
  contactedOn: string | null;
  appliedOn: string | null;
  /** The status history contains a move to EXPIRED. */
  everExpired: boolean;
}

/**
 * Every fact is set-once per id and only ever added as a referral moves on (reached rank only rises, terminal
 * REJECTED/DUPLICATE are final, EXPIRED may be left once — then its reversal fact nets it out), so re-reading a
 * referral after each update emits only the new facts past the ledger.
 */
export function referralFacts(r: ReferralSourceRow): LedgerFact[] {
  const out: LedgerFact[] = [];
  const fact = (suffix: string, measure: string, bucketValue = -1): void => {
    out.push(dailyFact('REFERRAL', `${r.id}#${suffix}`, r.submittedOn, r, measure, bucketValue));
  };
  FUNNEL_STAGES.forEach((stage, i) => {
    if (r.reachedRank >= i + 1) fact(stage, `REFERRAL_${stage}`);
  });
  const status = r.status as ReferralStatus;
  if (status === ReferralStatus.REJECTED) fact('REJECTED', 'REFERRAL_REJECTED');
  if (status === ReferralStatus.DUPLICATE) fact('DUPLICATE', 'REFERRAL_DUPLICATE');
  if (r.everExpired || status === ReferralStatus.EXPIRED) {
    fact('EXPIRED', 'REFERRAL_EXPIRED');
    if (status !== ReferralStatus.EXPIRED) fact('EXPIRED~R', 'REFERRAL_EXPIRED_REVERSED');
  }
  const days = (from: string, to: string): number => Math.max(0, daysBetween(from, to));
  if (r.contactedOn !== null) {
    fact('DAYS_TO_CONTACTED', MEDIAN_MEASURES.submittedToContacted, days(r.submittedOn, r.contactedOn));
    if (r.appliedOn !== null)
      fact('DAYS_CONTACTED_TO_APPLIED', MEDIAN_MEASURES.contactedToApplied, days(r.contactedOn, r.appliedOn));
  }
  if (r.appliedOn !== null && r.convertedOn !== null)
    fact('DAYS_APPLIED_TO_CONVERTED', MEDIAN_MEASURES.appliedToConverted, days(r.appliedOn, r.convertedOn));
  if (r.convertedOn !== null)
    fact('DAYS_TO_CONVERTED', MEDIAN_MEASURES.submittedToConverted, days(r.submittedOn, r.convertedOn));
  if (r.qualifiedOn !== null) {
    fact('DAYS_TO_QUALIFIED', MEDIAN_MEASURES.submittedToQualified, days(r.submittedOn, r.qualifiedOn));
    if (r.convertedOn !== null)
      fact('DAYS_CONVERTED_TO_QUALIFIED', MEDIAN_MEASURES.convertedToQualified, days(r.convertedOn, r.qualifiedOn));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Commission ledger → cost
// ---------------------------------------------------------------------------

export interface AccrualSourceRow extends Dims {
  ledgerKey: string;
  kind: string;
  feeCategory: string;
  businessDate: string;
  amount: bigint;
  currency: string;
}

/** Measure `ACCRUAL:<feeCategory>` or `CLAWBACK:<feeCategory>`, signed amount (reversals are negative rows). */
export function accrualMeasure(kind: string, feeCategory: string): string {
  return `${kind === 'CLAWBACK' ? 'CLAWBACK' : 'ACCRUAL'}:${feeCategory}`;
}

export function accrualFacts(a: AccrualSourceRow): LedgerFact[] {
  return [
    dailyFact('ACCRUAL', a.ledgerKey, a.businessDate, a, accrualMeasure(a.kind, a.feeCategory), -1, {
      minor: a.amount,
      currency: a.currency,
    }),
  ];
}

// ---------------------------------------------------------------------------
// Customer events → per-customer months, activity days, card programs
// ---------------------------------------------------------------------------

export interface EventSourceRow {
  id: string;
  customerId: string;
  type: string;
  businessDate: string;
  productCode: string | null;
  programId: string | null;
  cardRef: string | null;
  amount: bigint | null;
  currency: string | null;
}

/** Card program dimensions of an event's program (null when the event names none or an unknown one). */
export type ProgramDims = Omit<Dims, 'channelId'>;

/** Program-level card measures (counted per program in analytics_daily). */
export const CARD_MEASURES = ['CARD_APPLIED', 'CARD_APPROVED', 'CARD_ACTIVATED', 'CARD_SPEND'] as const;
export const BALANCE_TYPE = 'DEPOSIT_BALANCE_SNAPSHOT';

/** A product an event is about: its product code, or the card program for CARD_* events (as attribution keys it). */
export function productKeyOf(e: Pick<EventSourceRow, 'type' | 'productCode' | 'programId'>): string | null {
  if (e.productCode) return e.productCode;
  if (e.type.startsWith('CARD_')) return `CARD:${e.programId ?? '-'}`;
  return null;
}

export function eventFacts(e: EventSourceRow, program: ProgramDims | null): LedgerFact[] {
  const month = e.businessDate.slice(0, 7);
  const currency = e.currency ?? '';
  const amount = e.amount ?? 0n;
  const cm = (measure: string): CustomerMonthDelta => ({
    customerId: e.customerId,
    month,
    measure,
    currency,
    count: 1n,
    amountMinor: amount,
    lastDate: e.businessDate,
    lastEventId: e.id,
    lastType: e.type,
    lastAmountMinor: e.amount,
  });
  const customerMonth = [cm(`TYPE:${e.type}`)];
  const product = productKeyOf(e);
  if (product !== null) customerMonth.push(cm(`PRODUCT:${product}`.slice(0, 80)));
  if (e.type === BALANCE_TYPE) customerMonth.push(cm(`BALANCE:${product ?? ''}`.slice(0, 80)));
  const daily: DailyDelta[] = [];
  const cardMonth: CardMonthDelta[] = [];
  if (program !== null && e.programId !== null && (CARD_MEASURES as readonly string[]).includes(e.type)) {
    daily.push({
      date: e.businessDate,
      partnerId: program.partnerId,
      programId: e.programId,
      channelId: '',
      orgUnitId: program.orgUnitId,
      partnerKind: program.partnerKind,
      measure: e.type,
      bucketValue: -1,
      currency,
      count: 1n,
      amountMinor: amount,
    });
    if (e.type === 'CARD_SPEND' && e.cardRef)
      cardMonth.push({ programId: e.programId, cardRef: e.cardRef, month, currency, count: 1n, amountMinor: amount });
  }
  return [
    ledgerFact(
      'EVENT',
      e.id,
      e.businessDate,
      {
        customerMonth,
        daily,
        cardMonth,
        activity: [{ customerId: e.customerId, eventType: e.type, date: e.businessDate }],
      },
      [e.customerId, e.type, e.businessDate, e.productCode, e.programId, e.cardRef, e.amount, e.currency],
    ),
  ];
}

// ---------------------------------------------------------------------------
// Pre-aggregation (what one upsert statement writes)
// ---------------------------------------------------------------------------

export function dailyKey(d: DailyDelta): string {
  return [d.date, d.partnerId, d.programId, d.channelId, d.orgUnitId, d.measure, d.bucketValue, d.currency].join(
    '\u0001',
  );
}

export function customerMonthKey(d: CustomerMonthDelta): string {
  return [d.customerId, d.month, d.measure, d.currency].join('\u0001');
}

export function cardMonthKey(d: CardMonthDelta): string {
  return [d.programId, d.cardRef, d.month, d.currency].join('\u0001');
}

export function activityKey(a: ActivityRow): string {
  return [a.customerId, a.eventType, a.date].join('\u0001');
}

/** (date, id) order of "latest": business date, then event id (UUIDv7, time-ordered). */
export function isLater(aDate: string, aId: string, bDate: string, bId: string): boolean {
  return aDate > bDate || (aDate === bDate && aId > bId);
}

export interface Aggregated {
  daily: Map<string, DailyDelta>;
  /** The daily deltas with the date cut to its month ('YYYY-MM'): analytics_monthly. */
  monthly: Map<string, DailyDelta>;
  /** The referral facts' monthly deltas summed over programs, channels and org units: analytics_partner_monthly. */
  partnerMonthly: Map<string, DailyDelta>;
  customerMonth: Map<string, CustomerMonthDelta>;
  activity: Map<string, ActivityRow>;
  cardMonth: Map<string, CardMonthDelta>;
}

export function emptyAggregate(): Aggregated {
  return {
    daily: new Map(),
    monthly: new Map(),
    partnerMonthly: new Map(),
    customerMonth: new Map(),
    activity: new Map(),
    cardMonth: new Map(),
  };
}

const MEDIAN_MEASURE_NAMES: ReadonlySet<string> = new Set(Object.values(MEDIAN_MEASURES));

/** A day histogram's measure (DAYS_…), whose partner-month medians are stored. */
export function isMedianMeasure(measure: string): boolean {
  return MEDIAN_MEASURE_NAMES.has(measure);
}

/** One bucket of a partner-month day histogram (an analytics_partner_monthly row or its delta). */
export interface PartnerHistogramRow {
  month: string;
  partnerId: string;
  measure: string;
  bucketValue: number;
  count: bigint | number;
}

export function partnerMonthMedianKey(month: string, partnerId: string, measure: string): string {
  return [month, partnerId, measure].join('\u0001');
}

/**
 * Twice the median (medianHalfDays) of each (month, partner, DAYS_ measure) histogram among the rows, keyed by
 * partnerMonthMedianKey; a histogram that counts nothing has none. The maintenance stores these, verify and the
 * migration that filled the table compute them the same way.
 */
export function partnerMonthMedians(rows: Iterable<PartnerHistogramRow>): Map<string, number> {
  const histograms = new Map<string, Map<number, number>>();
  for (const r of rows) {
    if (!isMedianMeasure(r.measure)) continue;
    const key = partnerMonthMedianKey(r.month, r.partnerId, r.measure);
    let h = histograms.get(key);
    if (!h) histograms.set(key, (h = new Map<number, number>()));
    h.set(r.bucketValue, (h.get(r.bucketValue) ?? 0) + Number(r.count));
  }
  const out = new Map<string, number>();
  for (const [key, h] of histograms) {
    const half = medianHalfDays(h);
    if (half !== null) out.set(key, half);
  }
  return out;
}

/** partnerMonthMedians of one month's analytics_partner_monthly rows as a driver returns them (snake_case columns). */
export function partnerMonthMediansOfRows(
  month: string,
  rows: readonly Record<string, unknown>[],
): Map<string, number> {
  return partnerMonthMedians(
    rows.map((r) => ({
      month,
      partnerId: String(r.partner_id),
      measure: String(r.measure),
      bucketValue: Number(r.bucket_value),
      // A decimal string on MySQL; a day histogram's counts are far below 2^53.
      count: Number(r.fact_count),
    })),
  );
}

/** Adds facts' deltas into `into` (the same merge the upserts do in SQL). */
export function aggregate(facts: Iterable<LedgerFact>, into: Aggregated = emptyAggregate()): Aggregated {
  for (const f of facts) {
    for (const d of f.daily) {
      const month = d.date.slice(0, 7);
      const targets: [Map<string, DailyDelta>, DailyDelta][] = [
        [into.daily, d],
        [into.monthly, { ...d, date: month }],
      ];
      // Only the funnel reads the partner level: a card swipe need not pay for a third upsert.
      if (f.source === 'REFERRAL')
        targets.push([into.partnerMonthly, { ...d, date: month, programId: '', channelId: '', orgUnitId: '' }]);
      for (const [target, delta] of targets) {
        const k = dailyKey(delta);
        const cur = target.get(k);
        if (cur) {
          cur.count += delta.count;
          cur.amountMinor += delta.amountMinor;
        } else target.set(k, { ...delta });
      }
    }
    for (const d of f.customerMonth) {
      const k = customerMonthKey(d);
      const cur = into.customerMonth.get(k);
      if (!cur) into.customerMonth.set(k, { ...d });
      else {
        cur.count += d.count;
        cur.amountMinor += d.amountMinor;
        if (isLater(d.lastDate, d.lastEventId, cur.lastDate, cur.lastEventId)) {
          cur.lastDate = d.lastDate;
          cur.lastEventId = d.lastEventId;
          cur.lastType = d.lastType;
          cur.lastAmountMinor = d.lastAmountMinor;
        }
      }
    }
    for (const a of f.activity) into.activity.set(activityKey(a), a);
    for (const d of f.cardMonth) {
      const k = cardMonthKey(d);
      const cur = into.cardMonth.get(k);
      if (cur) {
        cur.count += d.count;
        cur.amountMinor += d.amountMinor;
      } else into.cardMonth.set(k, { ...d });
    }
  }
  return into;
}
