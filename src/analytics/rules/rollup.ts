import { conflict, badInput } from '../../common/domain-error';
import { isValidBusinessDate } from '../../common/business-time';

/**
 * The contract the daily roll-up tables implement (see docs/analytics-design.md).
 *
 * A roll-up FACT is one immutable source row seen by analytics: a customer event, a referral reaching a funnel
 * stage, a commission ledger line. It has a stable unique `id` (the source row's unique key), a business date, the
 * dimensions reports group by, a measure name and an optional signed amount (reversals/clawbacks are negative
 * facts of their own, never edits). A DAILY BUCKET is keyed by (date, partnerId, programId, channelId, orgUnitId,
 * measure, currency) and holds count = number of facts and amountMinor = Σ amounts.
 *
 * Guarantees (checked by property tests):
 * - `rollup(facts)` (rebuild from scratch: one GROUP BY over the distinct facts) equals any sequence of
 *   `applyIncrement` calls that together deliver the same facts, in any order, in any batching, with any
 *   re-deliveries (at-least-once arrival): a fact already applied is skipped by id.
 * - A re-delivered id whose content differs is CONFLICT (rule ROLLUP_FACT_CHANGED): sources are immutable.
 * - Monthly (or any coarser) figures read from the daily buckets equal the same aggregation over the raw facts.
 */

export const ROLLUP_DIMENSIONS = ['partnerId', 'programId', 'channelId', 'orgUnitId'] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

export interface RollupFact {
  id: string;
  date: string;
  partnerId: string;
  programId: string;
  channelId: string | null;
  orgUnitId: string;
  measure: string;
  amountMinor: bigint | null;
  currency: string | null;
}

export interface DailyBucket {
  date: string;
  partnerId: string;
  programId: string;
  channelId: string | null;
  orgUnitId: string;
  measure: string;
  currency: string | null;
  count: number;
  amountMinor: bigint;
}

export interface RollupState {
  readonly buckets: ReadonlyMap<string, DailyBucket>;
  /** Ids already applied, with their content fingerprint (the DB keeps this as a unique applied-ids ledger). */
  readonly applied: ReadonlyMap<string, string>;
}

export const EMPTY_ROLLUP: RollupState = { buckets: new Map(), applied: new Map() };

const SEP = '\u0001';

export function bucketKeyOf(f: Omit<RollupFact, 'id' | 'amountMinor'>): string {
  return [f.date, f.partnerId, f.programId, f.channelId ?? '', f.orgUnitId, f.measure, f.currency ?? ''].join(SEP);
}

function fingerprint(f: RollupFact): string {
  return [bucketKeyOf(f), f.amountMinor === null ? '' : f.amountMinor.toString()].join(SEP);
}

function validate(f: RollupFact, i: number): void {
  if (!f.id) throw badInput(`facts[${i}].id`, 'REQUIRED');
  if (!isValidBusinessDate(f.date)) throw badInput(`facts[${i}].date`, 'INVALID_DATE');
  if (!f.measure) throw badInput(`facts[${i}].measure`, 'REQUIRED');
  if (f.amountMinor !== null && f.currency === null) throw badInput(`facts[${i}].currency`, 'REQUIRED');
}

/**
 * Rebuild from scratch: de-duplicate by id (first-seen content must match any re-delivery), then GROUP BY the
 * bucket key — what `INSERT … SELECT … GROUP BY` over the source tables does.
 */
export function rollup(facts: readonly RollupFact[]): RollupState {
  const distinct = new Map<string, RollupFact>();
  const applied = new Map<string, string>();
  facts.forEach((f, i) => {
    validate(f, i);
    const fp = fingerprint(f);
    const prev = applied.get(f.id);
    if (prev !== undefined) {
      if (prev !== fp)
        throw conflict('ROLLUP_FACT_CHANGED', `Fact ${f.id} arrived twice with different content`, { id: f.id });
      return;
    }
    applied.set(f.id, fp);
    distinct.set(f.id, f);
  });
  const groups = new Map<string, RollupFact[]>();
  for (const f of distinct.values()) {
    const k = bucketKeyOf(f);
    const g = groups.get(k);
    if (g) g.push(f);
    else groups.set(k, [f]);
  }
  const buckets = new Map<string, DailyBucket>();
  for (const [k, fs] of groups) {
    const first = fs[0] as RollupFact;
    buckets.set(k, {
      date: first.date,
      partnerId: first.partnerId,
      programId: first.programId,
      channelId: first.channelId,
      orgUnitId: first.orgUnitId,
      measure: first.measure,
      currency: first.currency,
      count: fs.length,
      amountMinor: fs.reduce((s, f) => s + (f.amountMinor ?? 0n), 0n),
    });
  }
  return { buckets, applied };
}

/**
 * Incremental maintenance: for each new fact not yet applied, `count += 1, amount += amount` on its bucket
 * (created on first use) — what `INSERT … ON DUPLICATE KEY UPDATE` / `ON CONFLICT DO UPDATE` does, guarded by
 * an insert into the applied-ids ledger in the same transaction. Pure: returns a new state.
 */
export function applyIncrement(state: RollupState, newFacts: readonly RollupFact[]): RollupState {
  const buckets = new Map(state.buckets);
  const applied = new Map(state.applied);
  newFacts.forEach((f, i) => {
    validate(f, i);
    const fp = fingerprint(f);
    const prev = applied.get(f.id);
    if (prev !== undefined) {
      if (prev !== fp)
        throw conflict('ROLLUP_FACT_CHANGED', `Fact ${f.id} arrived twice with different content`, { id: f.id });
      return;
    }
    applied.set(f.id, fp);
    const k = bucketKeyOf(f);
    const cur = buckets.get(k);
    buckets.set(k, {
      date: f.date,
      partnerId: f.partnerId,
      programId: f.programId,
      channelId: f.channelId,
      orgUnitId: f.orgUnitId,
      measure: f.measure,
      currency: f.currency,
      count: (cur?.count ?? 0) + 1,
      amountMinor: (cur?.amountMinor ?? 0n) + (f.amountMinor ?? 0n),
    });
  });
  return { buckets, applied };
}

/** The buckets in canonical (key) order: the form two states are compared in. */
export function bucketsOf(state: RollupState): DailyBucket[] {
  return [...state.buckets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

export interface MonthlyFigure {
  month: string;
  group: Partial<Record<RollupDimension, string | null>>;
  measure: string;
  currency: string | null;
  count: number;
  amountMinor: bigint;
}

/**
 * Re-aggregates rows (daily buckets, or raw facts counted one each) by month, the chosen dimensions, measure and
 * currency — the report query `SELECT LEFT(date,7), dims…, SUM(count), SUM(amount) … GROUP BY …`.
 */
export function aggregateByMonth(
  rows: readonly (Omit<DailyBucket, 'count'> & { count?: number })[],
  dims: readonly RollupDimension[],
): MonthlyFigure[] {
  const out = new Map<string, MonthlyFigure>();
  for (const r of rows) {
    const month = r.date.slice(0, 7);
    const group: Partial<Record<RollupDimension, string | null>> = {};
    for (const d of dims) group[d] = r[d];
    const key = [month, ...dims.map((d) => r[d] ?? ''), r.measure, r.currency ?? ''].join(SEP);
    const cur = out.get(key);
    const count = r.count ?? 1;
    if (cur) {
      cur.count += count;
      cur.amountMinor += r.amountMinor;
    } else {
      out.set(key, { month, group, measure: r.measure, currency: r.currency, count, amountMinor: r.amountMinor });
    }
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/** Raw facts in the shape aggregateByMonth reads (each fact counts once; distinct by id). */
export function factsAsRows(facts: readonly RollupFact[]): (Omit<DailyBucket, 'count'> & { count: number })[] {
  const seen = new Set<string>();
  const rows: (Omit<DailyBucket, 'count'> & { count: number })[] = [];
  for (const f of facts) {
    if (seen.has(f.id)) continue;
    seen.add(f.id);
    rows.push({
      date: f.date,
      partnerId: f.partnerId,
      programId: f.programId,
      channelId: f.channelId,
      orgUnitId: f.orgUnitId,
      measure: f.measure,
      currency: f.currency,
      count: 1,
      amountMinor: f.amountMinor ?? 0n,
    });
  }
  return rows;
}
