import Decimal from 'decimal.js';
import { compareOrdinal } from '../../common/text';
import { FunnelInterval } from '../referral.enums';

/** Counts of one group and bucket; "reached" counts (see LADDER_RANK) plus the terminal statuses. */
export interface FunnelCounts {
  submitted: number;
  contacted: number;
  applied: number;
  converted: number;
  qualified: number;
  rejected: number;
  expired: number;
  duplicate: number;
}

export interface FunnelRow extends FunnelCounts {
  groupKey: string | null;
  bucket: string;
  bucketStart: string;
}

export const EMPTY_COUNTS: FunnelCounts = {
  submitted: 0,
  contacted: 0,
  applied: 0,
  converted: 0,
  qualified: 0,
  rejected: 0,
  expired: 0,
  duplicate: 0,
};

const COUNT_KEYS = Object.keys(EMPTY_COUNTS) as (keyof FunnelCounts)[];

function utcDate(date: string): Date {
  return new Date(`${date}T00:00:00.000Z`);
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** ISO 8601 week of a calendar date: { key: '2026-W01', monday: '2025-12-29' } (weeks start on Monday). */
export function isoWeekOf(date: string): { key: string; monday: string } {
  const d = utcDate(date);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday = 0
  const monday = new Date(d.getTime() - weekday * 86_400_000);
  const thursday = new Date(monday.getTime() + 3 * 86_400_000);
  const year = thursday.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const week = Math.floor((thursday.getTime() - jan1) / 86_400_000 / 7) + 1;
  return { key: `${year}-W${String(week).padStart(2, '0')}`, monday: iso(monday) };
}

/** Bucket key and first day for a DAY row ('YYYY-MM-DD') or MONTH row ('YYYY-MM') from the SQL. */
export function bucketOf(interval: FunnelInterval, sqlBucket: string): { bucket: string; bucketStart: string } {
  if (interval === FunnelInterval.MONTH) return { bucket: sqlBucket, bucketStart: `${sqlBucket}-01` };
  if (interval === FunnelInterval.WEEK) {
    const w = isoWeekOf(sqlBucket);
    return { bucket: w.key, bucketStart: w.monday };
  }
  return { bucket: sqlBucket, bucketStart: sqlBucket };
}

/** Merges SQL rows (per group and day/month) into buckets of the interval, sorted by bucket then group. */
export function mergeBuckets(
  interval: FunnelInterval,
  rows: readonly (FunnelCounts & { groupKey: string | null; sqlBucket: string })[],
): FunnelRow[] {
  const merged = new Map<string, FunnelRow>();
  for (const row of rows) {
    const { bucket, bucketStart } = bucketOf(interval, row.sqlBucket);
    const key = `${bucket}\u0000${row.groupKey ?? ''}`;
    let target = merged.get(key);
    if (!target) {
      target = { groupKey: row.groupKey, bucket, bucketStart, ...EMPTY_COUNTS };
      merged.set(key, target);
    }
    for (const k of COUNT_KEYS) target[k] += row[k];
  }
  return [...merged.values()].sort(compareFunnelRows);
}

/** Rows by bucket start, then group key: the order both funnels (raw and roll-up) answer in. */
export function compareFunnelRows(
  a: { bucketStart: string; groupKey: string | null },
  b: { bucketStart: string; groupKey: string | null },
): number {
  return compareOrdinal(a.bucketStart, b.bucketStart) || compareOrdinal(a.groupKey ?? '', b.groupKey ?? '');
}

/** part / whole as an exact decimal string rounded half-up to 4 places ("0.3333"); 0 when whole is 0. */
export function rate(part: number, whole: number): string {
  if (whole === 0) return '0';
  return new Decimal(part).div(whole).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toString();
}

/** SQL values arrive as number (SQLite), string or bigint (MySQL SUM → DECIMAL). */
export function countOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    // A report folds thousands of these: up to 15 digits (always safe) are read in place, without a conversion to
    // check; anything else goes to the strict pattern.
    if (value.length > 0 && value.length <= 15) {
      let n = 0;
      for (let i = 0; i < value.length && n >= 0; i++) {
        const digit = value.charCodeAt(i) - 48;
        n = digit >= 0 && digit <= 9 ? n * 10 + digit : -1;
      }
      if (n >= 0) return n;
    }
    const n = Number(value);
    if (Number.isSafeInteger(n) && n >= 0 && String(n) === value) return n;
    if (/^\d+(\.0+)?$/.test(value)) return Number.parseInt(value, 10);
  }
  if (value === null || value === undefined) return 0;
  throw new Error('unexpected count value from SQL');
}
