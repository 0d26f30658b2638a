import Decimal from 'decimal.js';
import fc from 'fast-check';
import { DomainError } from './domain-error';
import { MAX_SAFE_MINOR, Money, RoundingMode, minorUnitsOf, parseHumanAmount, splitByLargestRemainder } from './money';

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return `${e.details.field ?? ''}:${e.details.reason ?? ''}`;
    throw e;
  }
  return undefined;
}

const safeMinor = fc.bigInt({ min: -MAX_SAFE_MINOR, max: MAX_SAFE_MINOR });

describe('currencies', () => {
  it('minor units', () => {
    expect(minorUnitsOf('CNY')).toBe(2);
    expect(minorUnitsOf('JPY')).toBe(0);
    expect(reasonOf(() => minorUnitsOf('XXX'))).toBe('currency:UNSUPPORTED_CURRENCY');
    expect(reasonOf(() => minorUnitsOf('toString'))).toBe('currency:UNSUPPORTED_CURRENCY');
  });
});

describe('Money.parse / toDecimalString', () => {
  it.each([
    ['1234.56', 123456n, '1234.56'],
    ['-0.5', -50n, '-0.50'],
    ['100', 10000n, '100.00'],
    ['0.01', 1n, '0.01'],
    ['-0', 0n, '0.00'],
    ['007.10', 710n, '7.10'],
  ])('CNY %s', (s, minor, canonical) => {
    const m = Money.parse(s, 'CNY');
    expect(m.minor).toBe(minor);
    expect(m.toDecimalString()).toBe(canonical);
  });

  it('JPY has no decimals', () => {
    expect(Money.parse('1500', 'JPY').toDecimalString()).toBe('1500');
    expect(reasonOf(() => Money.parse('1500.0', 'JPY'))).toBe('amount:TOO_MANY_DECIMALS');
  });

  it('rejects bad input with field and reason', () => {
    expect(reasonOf(() => Money.parse('1.234', 'CNY', 'fee'))).toBe('fee:TOO_MANY_DECIMALS');
    for (const bad of ['', 'abc', '1e3', '1,000', '.5', '1.', '+1', ' 1', 'NaN', 'Infinity', '0x10']) {
      expect(reasonOf(() => Money.parse(bad, 'CNY'))).toBe('amount:INVALID_AMOUNT');
    }
    expect(reasonOf(() => Money.parse('90071992547409.92', 'CNY'))).toBe('amount:OUT_OF_RANGE');
    expect(Money.parse('90071992547409.91', 'CNY').minor).toBe(MAX_SAFE_MINOR);
    expect(Money.parse('-90071992547409.91', 'CNY').minor).toBe(-MAX_SAFE_MINOR);
  });

  it('property: parse(toDecimalString(x)) round-trips', () => {
    fc.assert(
      fc.property(safeMinor, fc.constantFrom('CNY', 'JPY', 'USD'), (minor, cur) => {
        const m = Money.ofMinor(minor, cur);
        expect(Money.parse(m.toDecimalString(), cur).equals(m)).toBe(true);
      }),
    );
  });
});

describe('Money.ofMinor', () => {
  it('accepts bigint, safe integers and integer strings', () => {
    expect(Money.ofMinor(5, 'CNY').minor).toBe(5n);
    expect(Money.ofMinor('-12', 'CNY').minor).toBe(-12n);
    expect(reasonOf(() => Money.ofMinor(1.5, 'CNY'))).toBe('amount:NOT_AN_INTEGER');
    expect(reasonOf(() => Money.ofMinor('1.5', 'CNY'))).toBe('amount:INVALID_AMOUNT');
    expect(reasonOf(() => Money.ofMinor(MAX_SAFE_MINOR + 1n, 'CNY'))).toBe('amount:OUT_OF_RANGE');
    expect(reasonOf(() => Money.ofMinor(1n, 'ABC'))).toBe('currency:UNSUPPORTED_CURRENCY');
  });
});

describe('arithmetic', () => {
  const a = Money.parse('10.50', 'CNY');
  const b = Money.parse('0.75', 'CNY');

  it('plus, minus, negate, predicates, compare, equals', () => {
    expect(a.plus(b).toDecimalString()).toBe('11.25');
    expect(b.minus(a).toDecimalString()).toBe('-9.75');
    expect(a.negate().isNegative()).toBe(true);
    expect(Money.zero('CNY').isZero()).toBe(true);
    expect(a.compare(b)).toBe(1);
    expect(b.compare(a)).toBe(-1);
    expect(a.compare(Money.parse('10.5', 'CNY'))).toBe(0);
    expect(a.equals(Money.parse('10.50', 'USD'))).toBe(false);
  });

  it('currency mismatch is rejected', () => {
    const usd = Money.parse('1', 'USD');
    expect(reasonOf(() => a.plus(usd))).toBe('currency:CURRENCY_MISMATCH');
    expect(reasonOf(() => a.minus(usd))).toBe('currency:CURRENCY_MISMATCH');
    expect(reasonOf(() => a.compare(usd))).toBe('currency:CURRENCY_MISMATCH');
  });

  it('overflow is rejected', () => {
    const max = Money.ofMinor(MAX_SAFE_MINOR, 'CNY');
    expect(reasonOf(() => max.plus(Money.ofMinor(1n, 'CNY')))).toBe('amount:OUT_OF_RANGE');
    expect(reasonOf(() => max.times('2', 'HALF_UP'))).toBe('amount:OUT_OF_RANGE');
    expect(reasonOf(() => max.times('1e300', 'HALF_UP'))).toBe('amount:OUT_OF_RANGE');
  });
});

describe('times', () => {
  const fen = (n: bigint): Money => Money.ofMinor(n, 'CNY');

  it('worked examples (rate applied to 1 yuan = 100 fen, result in yuan)', () => {
    // 0.125 yuan = 12.5 fen
    expect(fen(100n).times('0.125', 'HALF_UP').toDecimalString()).toBe('0.13');
    expect(fen(100n).times('0.125', 'HALF_EVEN').toDecimalString()).toBe('0.12');
    expect(fen(100n).times('0.135', 'HALF_EVEN').toDecimalString()).toBe('0.14');
    // DOWN truncates toward zero, it does not floor: -0.129 → -0.12, not -0.13.
    expect(fen(-100n).times('0.129', 'DOWN').toDecimalString()).toBe('-0.12');
    expect(fen(100n).times('0.129', 'DOWN').toDecimalString()).toBe('0.12');
    // HALF_UP is symmetric (ties away from zero).
    expect(fen(-100n).times('0.125', 'HALF_UP').toDecimalString()).toBe('-0.13');
  });

  it('VAT example: 6% of ¥4,000.00', () => {
    expect(Money.parse('4000', 'CNY').times('0.06', 'HALF_UP').format()).toBe('¥240.00');
  });

  it('accepts Decimal rates, rejects invalid ones', () => {
    expect(fen(1000n).times(new Decimal('0.5'), 'HALF_UP').minor).toBe(500n);
    expect(reasonOf(() => fen(1n).times('abc', 'HALF_UP'))).toBe('rate:INVALID_RATE');
    expect(reasonOf(() => fen(1n).times('Infinity', 'HALF_UP'))).toBe('rate:INVALID_RATE');
  });

  // The default Decimal precision (20 digits) would itself round the oracle.
  const Exact = Decimal.clone({ precision: 60 });

  /** Independent bigint reference: minor × (r / 10^k), rounded per mode. */
  function reference(minor: bigint, rScaled: bigint, k: number, mode: RoundingMode): bigint {
    const den = 10n ** BigInt(k);
    const num = minor * rScaled;
    const neg = num < 0n;
    const n = neg ? -num : num;
    let q = n / den;
    const r = n % den;
    if (mode === 'HALF_UP' && r * 2n >= den) q += 1n;
    if (mode === 'HALF_EVEN' && (r * 2n > den || (r * 2n === den && q % 2n === 1n))) q += 1n;
    return neg ? -q : q;
  }

  it('property: matches exact rounding for every mode', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.integer({ min: 0, max: 8 }),
        fc.constantFrom<RoundingMode>('HALF_UP', 'HALF_EVEN', 'DOWN'),
        (minor, rScaled, k, mode) => {
          const rate = new Decimal(rScaled.toString()).dividedBy(new Decimal(10).pow(k)).toFixed();
          const expected = reference(minor, rScaled, k, mode);
          fc.pre(expected <= MAX_SAFE_MINOR && expected >= -MAX_SAFE_MINOR);
          expect(Money.ofMinor(minor, 'CNY').times(rate, mode).minor).toBe(expected);
          // and against decimal.js used directly as an oracle
          const viaDecimal = new Exact(minor.toString())
            .times(rate)
            .toDecimalPlaces(
              0,
              { HALF_UP: Decimal.ROUND_HALF_UP, HALF_EVEN: Decimal.ROUND_HALF_EVEN, DOWN: Decimal.ROUND_DOWN }[mode],
            );
          expect(expected.toString()).toBe(viaDecimal.toFixed(0));
        },
      ),
    );
  });
});

describe('format / toJSON', () => {
  it.each([
    ['4000', 'CNY', '¥4,000.00'],
    ['-1234567.8', 'CNY', '-¥1,234,567.80'],
    ['0.05', 'USD', '$0.05'],
    ['999', 'EUR', '€999.00'],
    ['1234.5', 'HKD', 'HKD 1,234.50'],
    ['1234', 'JPY', 'JPY 1,234'],
  ])('%s %s → %s', (s, cur, out) => {
    expect(Money.parse(s, cur).format()).toBe(out);
  });

  it('toJSON carries an exact decimal string', () => {
    expect(JSON.stringify({ fee: Money.parse('12.3', 'CNY') })).toBe('{"fee":{"amount":"12.30","currency":"CNY"}}');
  });
});

describe('parseHumanAmount', () => {
  it.each([
    ['1,234.50', '1234.50'],
    ['１２３４.５０', '1234.50'],
    ['１，２３４．５０', '1234.50'],
    ['¥1,234.50', '1234.50'],
    ['￥ 100', '100.00'],
    ['CNY 100.1', '100.10'],
    ['cny100', '100.00'],
    ['RMB 5', '5.00'],
    ['  42  ', '42.00'],
    ['(1,000.00)', '-1000.00'],
    ['-¥3.50', '-3.50'],
    ['¥-3.50', '-3.50'],
    ['−7', '-7.00'],
    ['100元', '100.00'],
    ['1,234,567', '1234567.00'],
    ['0.5', '0.50'],
  ])('%s → %s', (raw, expected) => {
    expect(parseHumanAmount(raw, 'CNY').toDecimalString()).toBe(expected);
  });

  it.each([
    ['1.234,50', 'AMBIGUOUS_AMOUNT'],
    ['1,23', 'AMBIGUOUS_AMOUNT'],
    ['1,2345', 'AMBIGUOUS_AMOUNT'],
    ['12,34.5', 'AMBIGUOUS_AMOUNT'],
    ['1.2.3', 'AMBIGUOUS_AMOUNT'],
    ['', 'REQUIRED'],
    ['   ', 'REQUIRED'],
    ['abc', 'INVALID_AMOUNT'],
    ['(-5)', 'INVALID_AMOUNT'],
    ['--5', 'INVALID_AMOUNT'],
    ['-¥-5', 'INVALID_AMOUNT'],
    ['1 234', 'INVALID_AMOUNT'],
    ['1.234', 'TOO_MANY_DECIMALS'],
    ['$5', 'CURRENCY_MISMATCH'],
    ['USD 5', 'CURRENCY_MISMATCH'],
  ])('rejects %s (%s)', (raw, reason) => {
    expect(reasonOf(() => parseHumanAmount(raw, 'CNY', 'grossAmount'))).toBe(`grossAmount:${reason}`);
  });

  it('other currencies', () => {
    expect(parseHumanAmount('US$1,000', 'USD').toDecimalString()).toBe('1000.00');
    expect(parseHumanAmount('¥1,000', 'JPY').toDecimalString()).toBe('1000');
  });

  it('property: formatted money parses back', () => {
    fc.assert(
      fc.property(safeMinor, (minor) => {
        const m = Money.ofMinor(minor, 'CNY');
        expect(parseHumanAmount(m.format(), 'CNY').equals(m)).toBe(true);
      }),
    );
  });
});

describe('splitByLargestRemainder', () => {
  it('examples', () => {
    expect(splitByLargestRemainder(100n, [1n, 1n, 1n])).toEqual([34n, 33n, 33n]);
    expect(splitByLargestRemainder(-100n, [1n, 1n, 1n])).toEqual([-34n, -33n, -33n]);
    expect(splitByLargestRemainder(10n, [0n, 0n])).toEqual([5n, 5n]);
    expect(splitByLargestRemainder(7n, [0n, 0n, 0n])).toEqual([3n, 2n, 2n]);
    expect(splitByLargestRemainder(1000n, [3n, 0n, 7n])).toEqual([300n, 0n, 700n]);
    expect(splitByLargestRemainder(5n, [1n, 2n])).toEqual([2n, 3n]); // 1.67 / 3.33
    expect(splitByLargestRemainder(0n, [])).toEqual([]);
    expect(reasonOf(() => splitByLargestRemainder(1n, []))).toBe('weights:EMPTY_WEIGHTS');
    expect(reasonOf(() => splitByLargestRemainder(1n, [1n, -1n]))).toBe('weights:NEGATIVE_WEIGHT');
  });

  it('Money.allocate', () => {
    const parts = Money.parse('0.10', 'CNY').allocate([1n, 1n, 1n]);
    expect(parts.map((p) => p.toDecimalString())).toEqual(['0.04', '0.03', '0.03']);
  });

  it('property: sums to total, each part within 1 of its exact share, symmetric in sign', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 6n }), { minLength: 1, maxLength: 12 }),
        (total, weights) => {
          const parts = splitByLargestRemainder(total, weights);
          expect(parts).toHaveLength(weights.length);
          expect(parts.reduce((x, y) => x + y, 0n)).toBe(total);
          const ws = weights.every((w) => w === 0n) ? weights.map(() => 1n) : weights;
          const sumW = ws.reduce((x, y) => x + y, 0n);
          parts.forEach((p, i) => {
            // |p − total·w/W| < 1  ⇔  |p·W − total·w| < W
            const diff = p * sumW - total * (ws[i] ?? 0n);
            expect(diff < 0n ? -diff : diff).toBeLessThan(sumW);
          });
          expect(splitByLargestRemainder(-total, weights)).toEqual(parts.map((p) => -p));
        },
      ),
    );
  });
});
