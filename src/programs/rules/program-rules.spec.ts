import { DomainError } from '../../common/domain-error';
import { CustomerEventType } from '../customer-event-type';
import {
  AttributionModel,
  AttributionScope,
  ProgramKind,
  ProgramStatus,
  programTransitionAllowed,
} from '../program.enums';
import { binPrefixesOverlap, checkBinPrefixes, coveringPrefixes } from './bin-ranges';
import { effectiveRule, parseAttributionRule, parseQualificationRule, qualificationRuleToJson } from './program-rules';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.details.field;
    throw error;
  }
  return undefined;
}

describe('effectiveRule', () => {
  const versions = [
    { version: 1, effectiveFrom: '2026-01-01' },
    { version: 2, effectiveFrom: '2026-07-01' },
    { version: 3, effectiveFrom: '2026-03-01' },
    { version: 4, effectiveFrom: '2026-07-01' },
  ];
  it.each([
    ['2025-12-31', null],
    ['2026-01-01', 1],
    ['2026-02-28', 1],
    ['2026-03-01', 3],
    ['2026-06-30', 3],
    ['2026-07-01', 4],
    ['2030-01-01', 4],
  ])('on %s picks version %s', (date, expected) => {
    expect(effectiveRule(versions, date)?.version ?? null).toBe(expected);
  });
  it('refuses a malformed date', () => {
    expect(() => effectiveRule(versions, '2026-02-30')).toThrow(DomainError);
  });
});

describe('parseAttributionRule', () => {
  const good = { windowDays: 30, model: 'LAST_TOUCH', scope: 'NEW_TO_BANK', precedenceRank: 1 };
  it('accepts a well-formed rule', () => {
    expect(parseAttributionRule({ ...good, splitShare: '0.50' })).toEqual({
      windowDays: 30,
      model: AttributionModel.LAST_TOUCH,
      scope: AttributionScope.NEW_TO_BANK,
      precedenceRank: 1,
      splitShare: '0.5',
    });
  });
  it.each([
    [{ windowDays: 0 }, 'windowDays'],
    [{ windowDays: 1.5 }, 'windowDays'],
    [{ model: 'MIDDLE_TOUCH' }, 'model'],
    [{ scope: 'SOMETIMES' }, 'scope'],
    [{ precedenceRank: -1 }, 'precedenceRank'],
    [{ splitShare: '0' }, 'splitShare'],
    [{ splitShare: '-0.1' }, 'splitShare'],
    [{ splitShare: '1.0001' }, 'splitShare'],
  ])('refuses %j naming %s', (override, field) => {
    expect(fieldOf(() => parseAttributionRule({ ...good, ...override }))).toBe(field);
  });
});

describe('parseQualificationRule', () => {
  it('round-trips through its JSON form with money in minor units', () => {
    const rule = parseQualificationRule({
      withinDays: 30,
      all: [
        { eventType: 'CARD_ACTIVATED', measure: 'COUNT', count: 1 },
        { eventType: 'CARD_SPEND', measure: 'SUM_AMOUNT', amount: { amount: '100.00', currency: 'CNY' } },
      ],
    });
    const json = qualificationRuleToJson(rule);
    expect(json).toEqual({
      withinDays: 30,
      all: [
        { eventType: 'CARD_ACTIVATED', measure: 'COUNT', operator: 'GTE', count: 1 },
        {
          eventType: 'CARD_SPEND',
          measure: 'SUM_AMOUNT',
          operator: 'GTE',
          amount: { minor: '10000', currency: 'CNY' },
        },
      ],
    });
    expect(parseQualificationRule(json)).toEqual(rule);
    expect(rule.all[0]?.eventType).toBe(CustomerEventType.CARD_ACTIVATED);
  });
  it.each([
    [{ withinDays: 30, all: [{ eventType: 'CARD_EXPLODED', measure: 'COUNT', count: 1 }] }, 'all.0.eventType'],
    [{ withinDays: 30, all: [{ eventType: 'CARD_SPEND', measure: 'MAX', count: 1 }] }, 'all.0.measure'],
    [
      { withinDays: 30, all: [{ eventType: 'CARD_SPEND', measure: 'COUNT', count: 1, operator: 'LT' }] },
      'all.0.operator',
    ],
    [{ withinDays: 30, all: [{ eventType: 'CARD_SPEND', measure: 'COUNT' }] }, 'all.0.count'],
    [{ withinDays: 30, all: [{ eventType: 'CARD_SPEND', measure: 'SUM_AMOUNT' }] }, 'all.0.amount'],
    [
      {
        withinDays: 30,
        all: [
          { eventType: 'CARD_SPEND', measure: 'COUNT', count: 1 },
          { eventType: 'CARD_SPEND', measure: 'COUNT', count: 2 },
        ],
      },
      'all.1',
    ],
    [{ withinDays: 3651, all: [{ eventType: 'CARD_SPEND', measure: 'COUNT', count: 1 }] }, 'withinDays'],
  ])('refuses %j naming %s', (raw, field) => {
    expect(fieldOf(() => parseQualificationRule(raw))).toBe(field);
  });
});

describe('BIN prefixes', () => {
  it('overlap when one is a prefix of the other', () => {
    expect(binPrefixesOverlap('622588', '62258812')).toBe(true);
    expect(binPrefixesOverlap('62258812', '622588')).toBe(true);
    expect(binPrefixesOverlap('622588', '622589')).toBe(false);
    expect(coveringPrefixes('62258812')).toEqual(['622588', '6225881', '62258812']);
  });
  it('normalises full-width digits and refuses non-digits and bad lengths', () => {
    expect(checkBinPrefixes(['６２２５８８'])).toEqual(['622588']);
    expect(fieldOf(() => checkBinPrefixes(['62258X']))).toBe('binPrefixes.0');
    expect(fieldOf(() => checkBinPrefixes(['622588', '12345']))).toBe('binPrefixes.1');
    expect(fieldOf(() => checkBinPrefixes([]))).toBe('binPrefixes');
  });
});

describe('programTransitionAllowed', () => {
  it('allows WINDING_DOWN only for co-branded card programs', () => {
    expect(
      programTransitionAllowed(ProgramKind.CO_BRANDED_CARD, ProgramStatus.ACTIVE, ProgramStatus.WINDING_DOWN),
    ).toBe(true);
    expect(programTransitionAllowed(ProgramKind.REFERRAL, ProgramStatus.ACTIVE, ProgramStatus.WINDING_DOWN)).toBe(
      false,
    );
  });
});
