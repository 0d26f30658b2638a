import { Money, RoundingMode } from '../../common/money';
import { cny, errorOf, plan, rule } from './spec-support';
import type { CommissionRule, Tier } from './index';
import { assertValidPlanVersion, validatePlanVersion } from './validate';

function errorsFor(r: Partial<CommissionRule>): string[] {
  return validatePlanVersion(plan([rule(r)])).map((e) => `${e.field}:${e.reason}`);
}

function tiered(tiers: Tier[], measure: 'COUNT' | 'AMOUNT' = 'COUNT'): Partial<CommissionRule> {
  return { basis: { kind: 'TIERED', measure, mode: 'GRADUATED', tiers } };
}

describe('validatePlanVersion', () => {
  it('accepts a well-formed plan', () => {
    expect(
      errorsFor({
        conditions: { productCodes: ['CB-GOLD'], minAmount: cny('100.00') },
        caps: { perLine: cny('10.00'), perPeriod: cny('1000.00') },
        clawback: { onEventTypes: ['CARD_CLOSED', 'DELINQUENT'], withinDays: 90 },
        rounding: 'HALF_EVEN',
        holdingDays: 30,
      }),
    ).toEqual([]);
    expect(
      errorsFor(
        tiered([
          { from: 0n, to: 50n, amountPerUnit: cny('50.00') },
          { from: 50n, to: null, amountPerUnit: cny('80.00') },
        ]),
      ),
    ).toEqual([]);
  });

  it.each<[string, Partial<CommissionRule>, string]>([
    [
      'gapped tiers',
      tiered([
        { from: 0n, to: 50n, amountPerUnit: cny('1.00') },
        { from: 60n, to: null, amountPerUnit: cny('2.00') },
      ]),
      'rules[0].basis.tiers[1].from:TIER_GAP',
    ],
    [
      'overlapping tiers',
      tiered([
        { from: 0n, to: 50n, amountPerUnit: cny('1.00') },
        { from: 40n, to: null, amountPerUnit: cny('2.00') },
      ]),
      'rules[0].basis.tiers[1].from:TIER_OVERLAP',
    ],
    [
      'tiers not from zero',
      tiered([{ from: 1n, to: null, amountPerUnit: cny('1.00') }]),
      'rules[0].basis.tiers[0].from:TIER_NOT_FROM_ZERO',
    ],
    [
      'an open tier before the last',
      tiered([
        { from: 0n, to: null, amountPerUnit: cny('1.00') },
        { from: 0n, to: null, amountPerUnit: cny('2.00') },
      ]),
      'rules[0].basis.tiers[0].to:OPEN_TIER_NOT_LAST',
    ],
    [
      'a closed last tier',
      tiered([{ from: 0n, to: 10n, amountPerUnit: cny('1.00') }]),
      'rules[0].basis.tiers[0].to:LAST_TIER_MUST_BE_OPEN',
    ],
    ['no tiers', tiered([]), 'rules[0].basis.tiers:REQUIRED'],
    [
      'per-unit amounts on an amount measure',
      tiered([{ from: 0n, to: null, amountPerUnit: cny('1.00') }], 'AMOUNT'),
      'rules[0].basis.tiers[0].amountPerUnit:NOT_ALLOWED_FOR_AMOUNT_MEASURE',
    ],
    [
      'a tier with neither rate nor amount',
      tiered([{ from: 0n, to: null }]),
      'rules[0].basis.tiers[0]:RATE_OR_AMOUNT_REQUIRED',
    ],
    ['a rate above 1', { basis: { kind: 'PERCENT_OF_AMOUNT', rate: '1.01' } }, 'rules[0].basis.rate:OUT_OF_RANGE'],
    ['a negative rate', { basis: { kind: 'PERCENT_OF_AMOUNT', rate: '-0.01' } }, 'rules[0].basis.rate:OUT_OF_RANGE'],
    ['a malformed rate', { basis: { kind: 'PERCENT_OF_AMOUNT', rate: '1e-3' } }, 'rules[0].basis.rate:INVALID_RATE'],
    [
      'an interchange rate above 1',
      { basis: { kind: 'PERCENT_OF_INTERCHANGE', rate: '0.3', interchangeRate: '2' } },
      'rules[0].basis.interchangeRate:OUT_OF_RANGE',
    ],
    [
      'negative money',
      { basis: { kind: 'FLAT_PER_EVENT', amount: cny('-1.00') } },
      'rules[0].basis.amount:NEGATIVE_AMOUNT',
    ],
    ['a negative cap', { caps: { perPeriod: cny('-5.00') } }, 'rules[0].caps.perPeriod:NEGATIVE_AMOUNT'],
    [
      'money in another currency',
      { basis: { kind: 'FLAT_PER_EVENT', amount: Money.parse('1.00', 'USD') } },
      'rules[0].basis.amount:CURRENCY_MISMATCH',
    ],
    ['an unknown currency', { currency: 'XXX' }, 'rules[0].currency:UNSUPPORTED_CURRENCY'],
    ['an unknown rounding mode', { rounding: 'CEILING' as RoundingMode }, 'rules[0].rounding:INVALID_ROUNDING_MODE'],
    ['negative holding days', { holdingDays: -1 }, 'rules[0].holdingDays:INVALID_DAYS'],
    [
      'an unknown clawback event',
      { clawback: { onEventTypes: ['CARD_LOST' as 'CARD_CLOSED'], withinDays: 30 } },
      'rules[0].clawback.onEventTypes:UNKNOWN_EVENT_TYPE',
    ],
    ['no fee category', { feeCategory: '' }, 'rules[0].feeCategory:REQUIRED'],
    ['an empty condition list', { conditions: { cardLevels: [] } }, 'rules[0].conditions.cardLevels:INVALID_LIST'],
  ])('refuses %s', (_name, r, expected) => {
    expect(errorsFor(r)).toContain(expected);
  });

  it('refuses duplicate rule ids, bad dates and empty plans', () => {
    const pv = { ...plan([rule(), rule()]), effectiveFrom: '2026-02-30' };
    expect(validatePlanVersion(pv)).toEqual(
      expect.arrayContaining([
        { field: 'effectiveFrom', reason: 'INVALID_DATE' },
        { field: 'rules[1].id', reason: 'DUPLICATE_RULE_ID' },
      ]),
    );
    expect(validatePlanVersion(plan([]))).toEqual([{ field: 'rules', reason: 'REQUIRED' }]);
  });

  it('assertValidPlanVersion throws BAD_USER_INPUT naming the first field', () => {
    expect(errorOf(() => assertValidPlanVersion(plan([rule({ currency: 'XXX' })])))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'rules[0].currency',
      reason: 'UNSUPPORTED_CURRENCY',
    });
    expect(errorOf(() => assertValidPlanVersion(plan([rule()])))).toBeUndefined();
  });
});
