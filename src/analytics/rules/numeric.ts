import Decimal from 'decimal.js';
import { badInput } from '../../common/domain-error';
import { Money } from '../../common/money';

/**
 * The analytics rules compute with their own Decimal clone: 50 significant digits, so that every
 * intermediate ratio is exact for the magnitudes we handle and the only rounding is the final one,
 * half-up (四舍五入), at the scale named on each output.
 */
export const AD = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -60, toExpPos: 60 });

/** What callers may hand in where a number is expected: exact decimal strings, Decimals, bigints or integers. */
export type DecimalLike = string | number | bigint | Decimal;

/** Scale of every score, ratio and share the rules publish ("83.3333", "0.2500"). */
export const SCORE_SCALE = 4;

/** Parses a decimal-like value; a malformed one is BAD_USER_INPUT naming `field`. */
export function dec(value: DecimalLike, field = 'value'): Decimal {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    // Non-integer JS numbers would smuggle floats into the arithmetic.
    throw badInput(field, 'NOT_AN_INTEGER');
  }
  let d: Decimal;
  try {
    d = new AD(typeof value === 'bigint' ? value.toString() : value);
  } catch {
    throw badInput(field, 'INVALID_NUMBER');
  }
  if (!d.isFinite()) throw badInput(field, 'INVALID_NUMBER');
  return d;
}

/** Fixed-scale half-up string; never "-0.0000". */
export function fixed(value: Decimal, scale = SCORE_SCALE): string {
  const s = value.toFixed(scale, Decimal.ROUND_HALF_UP);
  return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s;
}

/** part / whole at `scale`, or null when whole is zero (a ratio of nothing is unknown, not 0). */
export function ratio(part: DecimalLike, whole: DecimalLike, scale = SCORE_SCALE): string | null {
  const w = dec(whole, 'whole');
  if (w.isZero()) return null;
  return fixed(dec(part, 'part').div(w), scale);
}

/** Money × exact decimal, rounded half-up once at the minor unit. */
export function moneyTimes(m: Money, factor: Decimal): Money {
  const v = new AD(m.minor.toString()).times(factor).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  return Money.ofMinor(BigInt(v.toFixed(0)), m.currency);
}

/** Money ÷ a count, half-up at the minor unit; null when the count is zero. */
export function moneyPer(m: Money, count: DecimalLike): Money | null {
  const c = dec(count, 'count');
  if (c.isZero()) return null;
  // An exact quotient of two integers: ties (k + 0.5) are represented exactly, so half-up is honest.
  const q = new AD(m.minor.toString()).div(c).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  return Money.ofMinor(BigInt(q.toFixed(0)), m.currency);
}

/** Sum of minor amounts as Money of `currency`. */
export function sumMoney(amounts: Iterable<bigint>, currency: string): Money {
  let total = 0n;
  for (const a of amounts) total += a;
  return Money.ofMinor(total, currency);
}

/** Validates a non-negative safe integer count. */
export function assertCount(n: number, field: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw badInput(field, 'NOT_A_COUNT');
  return n;
}
