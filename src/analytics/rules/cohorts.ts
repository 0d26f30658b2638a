import Decimal from 'decimal.js';
import { addDays, daysBetween, isValidBusinessDate } from '../../common/business-time';
import { badInput } from '../../common/domain-error';
import { Money } from '../../common/money';
import { AD, SCORE_SCALE, fixed, moneyPer, ratio } from './numeric';

/**
 * Acquisition cohorts of brought-in customers.
 *
 * - Cohort: the month ('YYYY-MM') of the customer's acquisition date (the attribution's convertedOn), optionally
 *   split by a group key (partner, program, …).
 * - Active at D days (D in 30/90/180/365 by default): the customer has at least one event of a configured
 *   "active" type dated in the ACTIVITY WINDOW ending on day D: acquiredOn + D − (L − 1) … acquiredOn + D, with
 *   L = `activityWindowDays` (default 30; clipped so it never starts before acquiredOn + 1 — the acquisition
 *   day itself never counts, so the opening event cannot make a customer "active"). A customer is ELIGIBLE for
 *   milestone D only once asOf ≥ acquiredOn + D; the share is active ÷ eligible (4 decimals), null when nobody
 *   is eligible yet. Not-yet-eligible customers are left out of both numerator and denominator.
 * - Products per customer (penetration): distinct product keys a cohort customer holds on asOf — a product is held
 *   if it appears on any event dated ≤ asOf and its latest such event (by date, then event id) is not a closure
 *   type — summed over the cohort ÷ cohort size (4 decimals).
 * - Balances / AUM: per customer and product key, the latest balance snapshot dated ≤ asOf (by date, then event
 *   id); AUM = Σ of those; averageBalance = AUM ÷ cohort size (half-up at the minor unit).
 * - Spend: Σ amounts of spend-type events dated from acquiredOn to asOf inclusive; spendPerCustomer likewise.
 */

export interface CohortCustomer {
  customerId: string;
  acquiredOn: string;
  groupKey?: string | null;
}

export interface CohortEvent {
  id: string;
  customerId: string;
  type: string;
  businessDate: string;
  productKey?: string | null;
  amountMinor?: bigint | null;
  currency?: string | null;
}

export interface CohortOptions {
  asOf: string;
  currency: string;
  activeEventTypes: readonly string[];
  milestones?: readonly number[];
  activityWindowDays?: number;
  spendEventTypes?: readonly string[];
  balanceEventTypes?: readonly string[];
  closureEventTypes?: readonly string[];
}

export interface RetentionPoint {
  days: number;
  eligible: number;
  active: number;
  share: string | null;
}

export interface CohortRow {
  groupKey: string | null;
  cohort: string;
  customers: number;
  retention: RetentionPoint[];
  productsPerCustomer: string;
  aum: Money;
  averageBalance: Money;
  spend: Money;
  spendPerCustomer: Money;
}

export const DEFAULT_MILESTONES: readonly number[] = [30, 90, 180, 365];

function assertDate(d: string, field: string): void {
  if (!isValidBusinessDate(d)) throw badInput(field, 'INVALID_DATE');
}

/** Event order used for "latest": business date, then event id (ids are UUIDv7, so time-ordered). */
function later(a: CohortEvent, b: CohortEvent): boolean {
  return a.businessDate > b.businessDate || (a.businessDate === b.businessDate && a.id > b.id);
}

export function computeCohorts(
  customers: readonly CohortCustomer[],
  events: readonly CohortEvent[],
  options: CohortOptions,
): CohortRow[] {
  const {
    asOf,
    currency,
    activeEventTypes,
    milestones = DEFAULT_MILESTONES,
    activityWindowDays = 30,
    spendEventTypes = ['CARD_SPEND'],
    balanceEventTypes = ['DEPOSIT_BALANCE_SNAPSHOT'],
    closureEventTypes = ['ACCOUNT_CLOSED', 'CARD_CLOSED'],
  } = options;
  assertDate(asOf, 'asOf');
  Money.zero(currency);
  if (activeEventTypes.length === 0) throw badInput('activeEventTypes', 'REQUIRED');
  if (!Number.isSafeInteger(activityWindowDays) || activityWindowDays < 1)
    throw badInput('activityWindowDays', 'OUT_OF_RANGE');
  milestones.forEach((m, i) => {
    if (!Number.isSafeInteger(m) || m < 1) throw badInput(`milestones[${i}]`, 'OUT_OF_RANGE');
  });
  const active = new Set(activeEventTypes);
  const spendTypes = new Set(spendEventTypes);
  const balanceTypes = new Set(balanceEventTypes);
  const closureTypes = new Set(closureEventTypes);

  const byCustomer = new Map<string, CohortEvent[]>();
  for (const e of events) {
    assertDate(e.businessDate, 'events.businessDate');
    let list = byCustomer.get(e.customerId);
    if (!list) byCustomer.set(e.customerId, (list = []));
    list.push(e);
  }

  interface Acc {
    groupKey: string | null;
    cohort: string;
    customers: number;
    eligible: number[];
    active: number[];
    products: number;
    aum: bigint;
    spend: bigint;
  }
  const groups = new Map<string, Acc>();
  const seenCustomers = new Set<string>();

  customers.forEach((c, idx) => {
    assertDate(c.acquiredOn, `customers[${idx}].acquiredOn`);
    const gk = c.groupKey ?? null;
    const dedupe = `${gk ?? ''}\u0000${c.customerId}`;
    if (seenCustomers.has(dedupe)) throw badInput(`customers[${idx}].customerId`, 'DUPLICATE');
    seenCustomers.add(dedupe);
    if (c.acquiredOn > asOf) return; // acquired after the reporting date: not in any cohort yet
    const cohort = c.acquiredOn.slice(0, 7);
    const key = `${cohort}\u0000${gk ?? ''}`;
    let acc = groups.get(key);
    if (!acc) {
      acc = {
        groupKey: gk,
        cohort,
        customers: 0,
        eligible: milestones.map(() => 0),
        active: milestones.map(() => 0),
        products: 0,
        aum: 0n,
        spend: 0n,
      };
      groups.set(key, acc);
    }
    acc.customers++;
    const evs = (byCustomer.get(c.customerId) ?? []).filter((e) => e.businessDate <= asOf);

    milestones.forEach((d, k) => {
      const milestoneDate = addDays(c.acquiredOn, d);
      if (milestoneDate > asOf) return;
      acc.eligible[k] = (acc.eligible[k] ?? 0) + 1;
      const startOffset = Math.max(1, d - activityWindowDays + 1);
      const windowStart = addDays(c.acquiredOn, startOffset);
      if (evs.some((e) => active.has(e.type) && e.businessDate >= windowStart && e.businessDate <= milestoneDate)) {
        acc.active[k] = (acc.active[k] ?? 0) + 1;
      }
    });

    const latestByProduct = new Map<string, CohortEvent>();
    const latestBalance = new Map<string, CohortEvent>();
    for (const e of evs) {
      if (e.productKey) {
        const cur = latestByProduct.get(e.productKey);
        if (!cur || later(e, cur)) latestByProduct.set(e.productKey, e);
      }
      if (balanceTypes.has(e.type) && e.amountMinor !== null && e.amountMinor !== undefined) {
        if ((e.currency ?? currency) !== currency) throw badInput('events.currency', 'CURRENCY_MISMATCH');
        const pk = e.productKey ?? '';
        const cur = latestBalance.get(pk);
        if (!cur || later(e, cur)) latestBalance.set(pk, e);
      }
      if (
        spendTypes.has(e.type) &&
        e.amountMinor !== null &&
        e.amountMinor !== undefined &&
        e.businessDate >= c.acquiredOn
      ) {
        if ((e.currency ?? currency) !== currency) throw badInput('events.currency', 'CURRENCY_MISMATCH');
        acc.spend += e.amountMinor;
      }
    }
    for (const e of latestByProduct.values()) if (!closureTypes.has(e.type)) acc.products++;
    for (const e of latestBalance.values()) acc.aum += e.amountMinor ?? 0n;
  });

  return [...groups.values()]
    .sort((a, b) =>
      a.cohort < b.cohort ? -1 : a.cohort > b.cohort ? 1 : (a.groupKey ?? '') < (b.groupKey ?? '') ? -1 : 1,
    )
    .map((acc) => {
      const aum = Money.ofMinor(acc.aum, currency);
      const spend = Money.ofMinor(acc.spend, currency);
      return {
        groupKey: acc.groupKey,
        cohort: acc.cohort,
        customers: acc.customers,
        retention: milestones.map((d, k) => ({
          days: d,
          eligible: acc.eligible[k] ?? 0,
          active: acc.active[k] ?? 0,
          share: ratio(acc.active[k] ?? 0, acc.eligible[k] ?? 0),
        })),
        productsPerCustomer: ratio(acc.products, acc.customers) ?? fixed(new AD(0), SCORE_SCALE),
        aum,
        averageBalance: moneyPer(aum, acc.customers) ?? Money.zero(currency),
        spend,
        spendPerCustomer: moneyPer(spend, acc.customers) ?? Money.zero(currency),
      };
    });
}

// ---------------------------------------------------------------------------
// Funnel helpers
// ---------------------------------------------------------------------------

export interface StagePair {
  /** Business date the earlier stage was reached ('YYYY-MM-DD'). */
  from: string;
  /** Business date the later stage was reached, or null when it has not been (left out). */
  to: string | null;
}

/**
 * Median number of calendar days between two funnel stages over the pairs that reached both. Median: sort
 * the day counts; odd count → the middle value; EVEN count → the arithmetic mean of the two middle values
 * (so it may end in .5). Published with 1 decimal ("3.0", "4.5"); null when no pair reached the later stage.
 * A later stage dated before the earlier one is BAD_USER_INPUT (reason STAGE_BEFORE_PREVIOUS).
 */
export function medianDaysBetween(pairs: readonly StagePair[]): string | null {
  const days: number[] = [];
  pairs.forEach((p, i) => {
    if (p.to === null) return;
    assertDate(p.from, `pairs[${i}].from`);
    assertDate(p.to, `pairs[${i}].to`);
    const d = daysBetween(p.from, p.to);
    if (d < 0) throw badInput(`pairs[${i}].to`, 'STAGE_BEFORE_PREVIOUS');
    days.push(d);
  });
  return median(days);
}

/** Median of integers (see medianDaysBetween), 1 decimal; null for an empty list. */
export function median(values: readonly number[]): string | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const m = s.length % 2 === 1 ? new AD(s[mid] ?? 0) : new AD(s[mid - 1] ?? 0).plus(s[mid] ?? 0).div(2);
  return fixed(m, 1);
}

/**
 * The same median from a histogram {days → count} (what an additive roll-up can store: one counter per
 * day-difference), so that the roll-up answer equals the median of the raw list exactly.
 */
export function medianFromHistogram(histogram: ReadonlyMap<number, number>): string | null {
  const half = medianHalfDays(histogram);
  return half === null ? null : formatHalfDays(half);
}

/**
 * Twice the median of a day histogram: the sum of the two middle values (or twice the middle one), an integer,
 * so a stored median (analytics_partner_month_medians) is exact in any database; null when it counts nothing.
 */
export function medianHalfDays(histogram: ReadonlyMap<number, number>): number | null {
  const entries = [...histogram.entries()].filter(([, c]) => c > 0).sort(([a], [b]) => a - b);
  const n = entries.reduce((s, [, c]) => s + c, 0);
  if (n === 0) return null;
  const at = (rank: number): number => {
    let seen = 0;
    for (const [days, c] of entries) {
      seen += c;
      if (rank < seen) return days;
    }
    throw new Error('unreachable: rank beyond histogram');
  };
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? 2 * at(mid) : at(mid - 1) + at(mid);
}

/** A median kept as twice its value (medianHalfDays), in the funnel's form: one decimal. */
export function formatHalfDays(halfDays: number): string {
  return fixed(new AD(halfDays).div(2), 1);
}

export interface PeriodDelta {
  current: string;
  previous: string;
  /** current − previous. */
  delta: string;
  /** (current − previous) ÷ |previous|, 4 decimals; null when previous is 0. */
  change: string | null;
}

/**
 * Period-over-period comparison of one figure (counts, minor amounts or decimal strings). `scale` fixes the
 * decimals of current/previous/delta (0 for counts and minor units).
 */
export function periodOverPeriod(
  current: Decimal.Value | bigint,
  previous: Decimal.Value | bigint,
  scale = 0,
): PeriodDelta {
  const c = new AD(typeof current === 'bigint' ? current.toString() : current);
  const p = new AD(typeof previous === 'bigint' ? previous.toString() : previous);
  const delta = c.minus(p);
  return {
    current: fixed(c, scale),
    previous: fixed(p, scale),
    delta: fixed(delta, scale),
    change: p.isZero() ? null : fixed(delta.div(p.abs()), SCORE_SCALE),
  };
}

/** Period-over-period for every numeric field of two rows with the same keys. */
export function periodOverPeriodRow<K extends string>(
  current: Readonly<Record<K, number | bigint>>,
  previous: Readonly<Record<K, number | bigint>>,
  keys: readonly K[],
): Record<K, PeriodDelta> {
  const out = {} as Record<K, PeriodDelta>;
  for (const k of keys) out[k] = periodOverPeriod(current[k], previous[k]);
  return out;
}
