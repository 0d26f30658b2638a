import Decimal from 'decimal.js';
import { badInput } from './domain-error';
import { toHalfWidth } from './text';

/** Rates carry at most 8 decimals (e.g. 0.00012345 = 1.2345 bp). */
export const MAX_RATE_DECIMALS = 8;

const RATE_RE = /^-?\d{1,20}(?:\.(\d+))?$/;

export interface RateBounds {
  min?: string;
  max?: string;
}

/**
 * Validates a decimal rate string within [min, max] (inclusive) and returns it
 * in canonical form (Decimal.toFixed(): "0.060" → "0.06", "1.0" → "1").
 * Rates stay strings end to end so they never pass through a float.
 */
export function parseRate(raw: string, field = 'rate', { min = '0', max = '1' }: RateBounds = {}): string {
  const s = toHalfWidth(raw).trim();
  if (s === '') throw badInput(field, 'REQUIRED');
  const m = RATE_RE.exec(s);
  if (!m) throw badInput(field, 'INVALID_RATE');
  if ((m[1] ?? '').length > MAX_RATE_DECIMALS) throw badInput(field, 'TOO_MANY_DECIMALS');
  const value = new Decimal(s);
  if (value.lessThan(min) || value.greaterThan(max)) throw badInput(field, 'OUT_OF_RANGE');
  // Avoid "-0" for inputs like "-0.00".
  return value.isZero() ? '0' : value.toFixed();
}
