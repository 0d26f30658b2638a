import Decimal from 'decimal.js';
import { badInput } from './domain-error';
import { toHalfWidth } from './text';

export type RoundingMode = 'HALF_UP' | 'HALF_EVEN' | 'DOWN';

/** 2^53 − 1: keeps minor amounts exactly representable in JSON numbers and DB drivers. */
export const MAX_SAFE_MINOR = 9007199254740991n;

/** ISO 4217 minor-unit exponents of the currencies we handle. */
export const CURRENCY_MINOR_UNITS: Readonly<Record<string, number>> = Object.freeze({
  CNY: 2,
  USD: 2,
  EUR: 2,
  HKD: 2,
  JPY: 0,
  CZK: 2,
  // Seen in real ISO 20022 bank statements (camt.053) that must parse exactly.
  GBP: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
});

const CURRENCY_SYMBOLS: Readonly<Record<string, string>> = Object.freeze({
  CNY: '¥',
  USD: '$',
  EUR: '€',
});

export function minorUnitsOf(currency: string): number {
  const exp = Object.prototype.hasOwnProperty.call(CURRENCY_MINOR_UNITS, currency)
    ? CURRENCY_MINOR_UNITS[currency]
    : undefined;
  if (exp === undefined) {
    throw badInput('currency', 'UNSUPPORTED_CURRENCY', `Unsupported currency: ${currency}`);
  }
  return exp;
}

/**
 * Private Decimal constructor with enough precision that multiplying any safe
 * minor amount by any sane rate is exact; the only rounding is the final one.
 */
const D = Decimal.clone({ precision: 80, toExpNeg: -100, toExpPos: 100 });

const DECIMAL_ROUNDING: Record<RoundingMode, Decimal.Rounding> = {
  HALF_UP: Decimal.ROUND_HALF_UP, // ties away from zero (四舍五入): -0.125 → -0.13
  HALF_EVEN: Decimal.ROUND_HALF_EVEN, // banker's rounding
  DOWN: Decimal.ROUND_DOWN, // truncates toward zero: -0.129 → -0.12
};

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

function assertSafe(minor: bigint, field: string): bigint {
  if (abs(minor) > MAX_SAFE_MINOR) throw badInput(field, 'OUT_OF_RANGE');
  return minor;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Immutable amount in integer minor units (fen for CNY) of one currency. */
export class Money {
  private constructor(
    readonly minor: bigint,
    readonly currency: string,
  ) {}

  static ofMinor(minor: bigint | number | string, currency: string): Money {
    minorUnitsOf(currency);
    let value: bigint;
    if (typeof minor === 'bigint') {
      value = minor;
    } else if (typeof minor === 'number') {
      if (!Number.isSafeInteger(minor)) throw badInput('amount', 'NOT_AN_INTEGER');
      value = BigInt(minor);
    } else {
      if (!/^-?\d{1,20}$/.test(minor)) throw badInput('amount', 'INVALID_AMOUNT');
      value = BigInt(minor);
    }
    return new Money(assertSafe(value, 'amount'), currency);
  }

  static zero(currency: string): Money {
    return Money.ofMinor(0n, currency);
  }

  /**
   * Parses a canonical decimal string ("1234.56", "-0.5", "100"). Machine
   * format only: no separators, symbols or exponent — see parseHumanAmount.
   */
  static parse(decimalString: string, currency: string, field = 'amount'): Money {
    const exp = minorUnitsOf(currency);
    const m = /^(-?)(\d{1,20})(?:\.(\d{1,20}))?$/.exec(decimalString);
    if (!m) throw badInput(field, 'INVALID_AMOUNT');
    const sign = m[1] ?? '';
    const intPart = m[2] ?? '0';
    const frac = m[3] ?? '';
    if (frac.length > exp) throw badInput(field, 'TOO_MANY_DECIMALS');
    const minor = BigInt(intPart + frac.padEnd(exp, '0')) * (sign === '-' ? -1n : 1n);
    return new Money(assertSafe(minor, field), currency);
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) {
      throw badInput('currency', 'CURRENCY_MISMATCH', `Currency mismatch: ${this.currency} vs ${other.currency}`);
    }
  }

  private with(minor: bigint): Money {
    return new Money(assertSafe(minor, 'amount'), this.currency);
  }

  plus(other: Money): Money {
    this.assertSameCurrency(other);
    return this.with(this.minor + other.minor);
  }

  minus(other: Money): Money {
    this.assertSameCurrency(other);
    return this.with(this.minor - other.minor);
  }

  negate(): Money {
    return this.with(-this.minor);
  }

  abs(): Money {
    return this.with(abs(this.minor));
  }

  isZero(): boolean {
    return this.minor === 0n;
  }

  isNegative(): boolean {
    return this.minor < 0n;
  }

  isPositive(): boolean {
    return this.minor > 0n;
  }

  compare(other: Money): -1 | 0 | 1 {
    this.assertSameCurrency(other);
    return this.minor < other.minor ? -1 : this.minor > other.minor ? 1 : 0;
  }

  /** Value equality; different currencies are simply not equal (no throw). */
  equals(other: Money): boolean {
    return this.currency === other.currency && this.minor === other.minor;
  }

  /**
   * Multiplies by a decimal rate, rounding exactly once at the minor unit.
   * DOWN truncates toward zero (so -0.129 → -0.12), HALF_UP rounds ties away
   * from zero, HALF_EVEN rounds ties to the even neighbour.
   */
  times(rate: string | Decimal, mode: RoundingMode): Money {
    let r: Decimal;
    try {
      r = new D(rate);
    } catch {
      throw badInput('rate', 'INVALID_RATE');
    }
    if (!r.isFinite()) throw badInput('rate', 'INVALID_RATE');
    const product = new D(this.minor.toString()).times(r);
    const rounded = product.toDecimalPlaces(0, DECIMAL_ROUNDING[mode]);
    // Guard before BigInt(): a huge rate would otherwise build a huge string.
    if (rounded.abs().greaterThan(MAX_SAFE_MINOR.toString())) throw badInput('amount', 'OUT_OF_RANGE');
    return this.with(BigInt(rounded.toFixed(0)));
  }

  /** Splits into parts proportional to `weights` that sum exactly to this amount. */
  allocate(weights: readonly bigint[]): Money[] {
    return splitByLargestRemainder(this.minor, weights).map((m) => this.with(m));
  }

  /** Plain decimal with exactly the currency's decimals: "1234.56", "-0.50". */
  toDecimalString(): string {
    const exp = minorUnitsOf(this.currency);
    const digits = abs(this.minor)
      .toString()
      .padStart(exp + 1, '0');
    const sign = this.minor < 0n ? '-' : '';
    if (exp === 0) return sign + digits;
    return `${sign}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
  }

  /** Display form: "¥4,000.00", "-$1.50", "CZK 1,234.00". */
  format(): string {
    const plain = this.toDecimalString();
    const negative = plain.startsWith('-');
    const unsigned = negative ? plain.slice(1) : plain;
    const [intPart = '0', frac] = unsigned.split('.');
    const body = groupThousands(intPart) + (frac !== undefined ? `.${frac}` : '');
    const symbol = CURRENCY_SYMBOLS[this.currency];
    const prefix = symbol ?? `${this.currency} `;
    return `${negative ? '-' : ''}${prefix}${body}`;
  }

  /** JSON never carries bigint or floats: amount is the exact decimal string. */
  toJSON(): { amount: string; currency: string } {
    return { amount: this.toDecimalString(), currency: this.currency };
  }

  toString(): string {
    return `${this.toDecimalString()} ${this.currency}`;
  }
}

// ---------------------------------------------------------------------------
// Amounts typed by people or found in partner files
// ---------------------------------------------------------------------------

/** Symbols people put in front of amounts, by currency. */
// Longest first within each list so "US$" is tried before "$"-like prefixes.
const HUMAN_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  CNY: ['RMB', 'CNY', '¥', '￥'],
  JPY: ['JPY', '¥', '￥'],
  USD: ['US$', 'USD', '$'],
  EUR: ['EUR', '€'],
  HKD: ['HK$', 'HKD'],
  CZK: ['CZK', 'Kč'],
};

/** Every known prefix, longest first, used to spot a symbol of another currency. */
const ALL_PREFIXES: readonly string[] = Object.values(HUMAN_PREFIXES)
  .flat()
  .concat(['£', 'GBP'])
  .sort((a, b) => b.length - a.length);

const PLAIN_NUMBER_RE = /^\d+(?:\.\d+)?$/;
const GROUPED_NUMBER_RE = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/**
 * Parses an amount as people write it: "1,234.50", "１２３４.５０", "¥1,234.50",
 * "CNY 100", "(100.00)" or "-100" for negatives, "100元". Rejects anything
 * ambiguous ("1.234,50", "1,23", "1.2.3", "") rather than guessing.
 */
export function parseHumanAmount(raw: string, currency: string, field = 'amount'): Money {
  minorUnitsOf(currency);
  // U+2212 MINUS SIGN and NBSP come from spreadsheets and Word.
  let s = toHalfWidth(raw)
    .replace(/\u2212/g, '-')
    .replace(/\u00a0/g, ' ')
    .trim();
  if (s === '') throw badInput(field, 'REQUIRED');

  let negative = false;
  let signs = 0; // more than one sign marker ("(-5)", "-¥-5") is ambiguous
  if (s.startsWith('(') && s.endsWith(')')) {
    negative = true;
    signs++;
    s = s.slice(1, -1).trim();
  }
  const readSign = (): void => {
    const c = s.charAt(0);
    if (c === '-' || c === '+') {
      negative = negative || c === '-';
      signs++;
      s = s.slice(1).trim();
    }
  };
  readSign();

  const upper = s.toUpperCase();
  const prefix = (HUMAN_PREFIXES[currency] ?? [currency]).find((p) => upper.startsWith(p.toUpperCase()));
  if (prefix !== undefined) {
    s = s.slice(prefix.length).trim();
    readSign(); // the sign may also follow the symbol: "¥-100"
  } else if (ALL_PREFIXES.some((p) => upper.startsWith(p.toUpperCase()))) {
    throw badInput(field, 'CURRENCY_MISMATCH');
  }
  if (signs > 1) throw badInput(field, 'INVALID_AMOUNT');

  if (currency === 'CNY' && s.endsWith('元')) s = s.slice(0, -1).trim();

  let plain: string;
  if (PLAIN_NUMBER_RE.test(s)) {
    plain = s;
  } else if (GROUPED_NUMBER_RE.test(s)) {
    plain = s.replace(/,/g, '');
  } else if (/[,.]/.test(s) && /^[\d,.]+$/.test(s)) {
    // Digits with separators in an unexpected arrangement: could be European
    // notation or a typo; refusing is safer than guessing a factor of 1000.
    throw badInput(field, 'AMBIGUOUS_AMOUNT');
  } else {
    throw badInput(field, 'INVALID_AMOUNT');
  }
  return Money.parse((negative ? '-' : '') + plain, currency, field);
}

// ---------------------------------------------------------------------------
// Allocation
// ---------------------------------------------------------------------------

/**
 * Splits `total` (minor units) in proportion to non-negative `weights` so the
 * parts sum exactly to `total` (Hamilton / largest remainder). Leftover units
 * go to the largest remainders, ties to the lowest index, so results are
 * deterministic. Negative totals are split as −split(|total|). All-zero
 * weights mean an equal split.
 */
export function splitByLargestRemainder(total: bigint, weights: readonly bigint[]): bigint[] {
  if (weights.length === 0) {
    if (total === 0n) return [];
    throw badInput('weights', 'EMPTY_WEIGHTS');
  }
  if (weights.some((w) => w < 0n)) throw badInput('weights', 'NEGATIVE_WEIGHT');
  const ws = weights.every((w) => w === 0n) ? weights.map(() => 1n) : [...weights];
  const sumW = ws.reduce((a, b) => a + b, 0n);
  const t = abs(total);

  const parts: bigint[] = [];
  const remainders: bigint[] = [];
  let allocated = 0n;
  for (const w of ws) {
    const scaled = t * w;
    const q = scaled / sumW; // bigint division floors for non-negative operands
    parts.push(q);
    remainders.push(scaled % sumW);
    allocated += q;
  }

  let leftover = t - allocated; // always < weights.length
  const order = remainders.map((r, i) => ({ r, i })).sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of order) {
    if (leftover === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    leftover -= 1n;
  }
  return total < 0n ? parts.map((p) => -p) : parts;
}
