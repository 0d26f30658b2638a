import Decimal from 'decimal.js';
import { Money, RoundingMode, minorUnitsOf } from '../../common/money';
import type { Tier, TierMeasure } from './types';

/** High-precision Decimal: products of safe minor amounts and 8-decimal rates stay exact. */
export const D = Decimal.clone({ precision: 80, toExpNeg: -100, toExpPos: 100 });
export type Dec = InstanceType<typeof D>;

const DECIMAL_ROUNDING: Record<RoundingMode, Decimal.Rounding> = {
  HALF_UP: Decimal.ROUND_HALF_UP,
  HALF_EVEN: Decimal.ROUND_HALF_EVEN,
  DOWN: Decimal.ROUND_DOWN,
};

export const ROUNDING_WORDS: Record<RoundingMode, string> = {
  HALF_UP: 'rounded half-up',
  HALF_EVEN: 'rounded half-even',
  DOWN: 'rounded down',
};

/** The one rounding of a line: an exact amount in minor units → Money. */
export function roundMinor(exact: Dec, mode: RoundingMode, currency: string): Money {
  return Money.ofMinor(BigInt(exact.toDecimalPlaces(0, DECIMAL_ROUNDING[mode]).toFixed(0)), currency);
}

/** "0.005" → "0.5%". */
export function pct(rate: string): string {
  return `${new D(rate).times(100).toFixed()}%`;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * An exact (possibly fractional) amount of minor units in display form, with
 * at least the currency's decimals: 6.25 fen → "¥0.0625", 400000 → "¥4,000.00".
 */
export function formatExact(exactMinor: Dec, currency: string): string {
  if (exactMinor.isInteger()) return Money.ofMinor(BigInt(exactMinor.toFixed(0)), currency).format();
  const exp = minorUnitsOf(currency);
  const major = exactMinor.dividedBy(new D(10).pow(exp));
  const dp = Math.max(exp, major.decimalPlaces());
  const plain = major.abs().toFixed(dp);
  const [intPart = '0', frac = ''] = plain.split('.');
  const sample = Money.ofMinor(0n, currency).format(); // "¥0.00" / "CZK 0.00"
  const prefix = sample.slice(0, sample.search(/\d/));
  return `${major.isNegative() ? '-' : ''}${prefix}${groupThousands(intPart)}${frac ? `.${frac}` : ''}`;
}

export function tierLabel(
  tier: Tier,
  index: number,
  measure: TierMeasure,
  currency: string,
  unitLabel: string,
): string {
  const n = index + 1;
  if (measure === 'COUNT') {
    const first = (tier.from + 1n).toString();
    return tier.to === null ? `tier ${n} (${first}+ ${unitLabel})` : `tier ${n} (${first}–${tier.to} ${unitLabel})`;
  }
  const m = (v: bigint): string => Money.ofMinor(v, currency).format();
  if (tier.to === null) return `tier ${n} (above ${m(tier.from)})`;
  if (tier.from === 0n) return `tier ${n} (up to ${m(tier.to)})`;
  return `tier ${n} (${m(tier.from)}–${m(tier.to)})`;
}

/** "× ¥80.00" (per unit) or "× 2%" (of the amount). */
export function tierValue(tier: Tier): string {
  if (tier.amountPerUnit) return `× ${tier.amountPerUnit.format()}`;
  return `× ${pct(tier.rate ?? '0')}`;
}
