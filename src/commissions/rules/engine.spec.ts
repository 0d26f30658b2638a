import { RoundingMode } from '../../common/money';
import { calculate, planVersionResolver, simulatePlan } from './engine';
import { JANUARY, cny, errorOf, fact, fen, plan, rule, run } from './spec-support';
import type { RuleBasis } from './types';

const tiers = {
  activations: {
    kind: 'TIERED',
    measure: 'COUNT',
    mode: 'GRADUATED',
    unitLabel: 'activations',
    tiers: [
      { from: 0n, to: 3n, amountPerUnit: cny('50.00') },
      { from: 3n, to: null, amountPerUnit: cny('80.00') },
    ],
  } satisfies RuleBasis,
  spendVolume: {
    kind: 'TIERED',
    measure: 'AMOUNT',
    mode: 'VOLUME',
    tiers: [
      { from: 0n, to: 1000000n, rate: '0.01' },
      { from: 1000000n, to: null, rate: '0.02' },
    ],
  } satisfies RuleBasis,
};

describe('FLAT_PER_EVENT', () => {
  it('pays the flat amount per qualifying event and nothing for other events or failed conditions', () => {
    const pv = plan([rule({ conditions: { cardLevels: ['GOLD', 'PLATINUM'] } })]);
    const r = run(pv, [
      fact({ id: 'a1', date: '2026-01-05', cardLevel: 'GOLD' }),
      fact({ id: 'a2', date: '2026-01-06', cardLevel: 'PLATINUM' }),
      fact({ id: 'a3', date: '2026-01-07', cardLevel: 'CLASSIC' }),
      fact({ id: 'a4', date: '2026-01-08' }), // no card level: condition not met
      fact({ id: 's1', date: '2026-01-09', type: 'SPEND', cardLevel: 'GOLD', amount: '100.00' }),
    ]);
    expect(r.lines.map((l) => l.sourceIds)).toEqual([['a1'], ['a2']]);
    expect(fen(r)).toEqual([5000n, 5000n]);
    expect(r.totals.map((m) => m.minor)).toEqual([10000n]);
    expect(r.lines[0]).toMatchObject({
      idempotencyKey: 'plan-1|r1|a1|v1',
      kind: 'ACCRUAL',
      ruleId: 'r1',
      planVersion: 1,
      periodKey: '2026-01',
      rateOrTier: '¥50.00 per event',
      feeCategory: 'REFERRAL_SERVICE_FEE',
    });
    expect(r.lines[0]?.explanation).toContain('flat ¥50.00 per event = ¥50.00');
  });

  it('ignores facts outside the period and refuses duplicate sources', () => {
    const pv = plan([rule()]);
    expect(
      fen(run(pv, [fact({ date: '2025-12-31' }), fact({ date: '2026-02-01' }), fact({ date: '2026-01-31' })])),
    ).toEqual([5000n]);
    expect(errorOf(() => run(pv, [fact({ id: 'x' }), fact({ id: 'x' })]))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'facts[1].sourceId',
      reason: 'DUPLICATE_SOURCE',
    });
  });
});

describe('FLAT_PER_CUSTOMER', () => {
  it('pays once per customer per rule, the earliest fact, never again after an earlier period', () => {
    const pv = plan([
      rule({ trigger: { kind: 'REFERRAL_QUALIFIED' }, basis: { kind: 'FLAT_PER_CUSTOMER', amount: cny('200.00') } }),
    ]);
    const r = run(
      pv,
      [
        fact({ id: 'q2', kind: 'REFERRAL_QUALIFIED', customer: 'c1', date: '2026-01-20' }),
        fact({ id: 'q1', kind: 'REFERRAL_QUALIFIED', customer: 'c1', date: '2026-01-03', referralId: 'ref-9' }),
        fact({ id: 'q3', kind: 'REFERRAL_QUALIFIED', customer: 'c2', date: '2026-01-04' }),
        fact({ id: 'q4', kind: 'REFERRAL_QUALIFIED', customer: 'c3', date: '2026-01-05' }),
        fact({ id: 'e1', customer: 'c4' }), // an event, not a qualified referral
      ],
      { priorCustomerTotals: [{ ruleId: 'r1', customerId: 'c3', amount: cny('200.00') }] },
    );
    expect(r.lines.map((l) => [l.customerId, l.sourceIds, l.amount.minor])).toEqual([
      ['c1', ['q1', 'ref-9'], 20000n],
      ['c2', ['q3'], 20000n],
    ]);
  });
});

describe('PERCENT_OF_AMOUNT and PERCENT_OF_INTERCHANGE', () => {
  it('multiplies the event amount by the rate, rounding once', () => {
    const pv = plan([
      rule({ trigger: { kind: 'EVENT', eventType: 'SPEND' }, basis: { kind: 'PERCENT_OF_AMOUNT', rate: '0.005' } }),
    ]);
    const r = run(pv, [fact({ type: 'SPEND', amount: '1234.56' }), fact({ type: 'SPEND' /* no amount */ })]);
    // 123456 fen × 0.005 = 617.28 fen → 617
    expect(fen(r)).toEqual([617n]);
    expect(r.lines[0]?.basisAmount?.minor).toBe(123456n);
    expect(r.lines[0]?.rateOrTier).toBe('0.5%');
    expect(r.lines[0]?.explanation).toContain('0.5% × ¥1,234.56 = ¥6.1728, rounded half-up to ¥6.17');
  });

  it('pays a share of the interchange revenue', () => {
    const pv = plan([
      rule({
        trigger: { kind: 'EVENT', eventType: 'SPEND' },
        basis: { kind: 'PERCENT_OF_INTERCHANGE', rate: '0.3', interchangeRate: '0.006' },
      }),
    ]);
    const r = run(pv, [
      fact({ id: 's1', type: 'SPEND', amount: '10000.00', date: '2026-01-02' }),
      fact({ id: 's2', type: 'SPEND', amount: '333.33', date: '2026-01-03' }),
    ]);
    // ¥10,000 × 0.6% = ¥60.00 interchange × 30% = ¥18.00; 33333 × 0.006 = 199.998 × 0.3 = 59.9994 → 60 fen
    expect(fen(r)).toEqual([1800n, 60n]);
    expect(r.lines[0]?.explanation).toContain('interchange 0.6% × ¥10,000.00 = ¥60.00; partner share 30% = ¥18.00');
  });
});

describe('TIERED', () => {
  it('GRADUATED by count: each activation at its own tier, the tier crossed mid-period', () => {
    const pv = plan([rule({ basis: tiers.activations })]);
    const facts = ['2026-01-20', '2026-01-02', '2026-01-11', '2026-01-05', '2026-01-25'].map((date, i) =>
      fact({ id: `a${i}`, date }),
    );
    const r = run(pv, facts);
    expect(r.lines.map((l) => l.businessDate)).toEqual([
      '2026-01-02',
      '2026-01-05',
      '2026-01-11',
      '2026-01-20',
      '2026-01-25',
    ]);
    expect(fen(r)).toEqual([5000n, 5000n, 5000n, 8000n, 8000n]);
    expect(r.totals[0]?.minor).toBe(31000n);
    expect(r.lines[3]?.rateOrTier).toBe('tier 2 (4+ activations) × ¥80.00');
    expect(r.lines[3]?.explanation).toContain('is no. 4 of the period: tier 2 (4+ activations) × ¥80.00 = ¥80.00');
    // Before the crossing (period cut on the 11th) every activation is in tier 1.
    expect(fen(run(pv, facts, { period: { key: '2026-01', from: '2026-01-01', to: '2026-01-11' } }))).toEqual([
      5000n,
      5000n,
      5000n,
    ]);
  });

  it('VOLUME by amount: all spend at the reached tier once the period total crosses it', () => {
    const pv = plan([rule({ trigger: { kind: 'EVENT', eventType: 'SPEND' }, basis: tiers.spendVolume })]);
    const first = fact({ id: 's1', type: 'SPEND', amount: '6000.00', date: '2026-01-03' });
    const second = fact({ id: 's2', type: 'SPEND', amount: '5000.00', date: '2026-01-10' });
    expect(fen(run(pv, [first]))).toEqual([6000n]); // ¥6,000 × 1%
    const r = run(pv, [second, first]);
    // ¥11,000 reached tier 2: ¥11,000 × 2% = ¥220.00, split 6000 : 5000
    expect(fen(r)).toEqual([12000n, 10000n]);
    expect(r.ruleTotals[0]?.gross.minor).toBe(22000n);
    expect(r.lines[0]?.explanation).toContain(
      'period volume ¥11,000.00 reached tier 2 (above ¥10,000.00): ¥11,000.00 × 2% = ¥220.00',
    );
  });

  it('GRADUATED by amount: a fact straddling the boundary pays each part at its tier', () => {
    const pv = plan([
      rule({ trigger: { kind: 'EVENT', eventType: 'SPEND' }, basis: { ...tiers.spendVolume, mode: 'GRADUATED' } }),
    ]);
    const r = run(pv, [
      fact({ id: 's1', type: 'SPEND', amount: '6000.00', date: '2026-01-03' }),
      fact({ id: 's2', type: 'SPEND', amount: '5000.00', date: '2026-01-10' }),
    ]);
    // ¥6,000 × 1% = 60; ¥4,000 × 1% + ¥1,000 × 2% = 40 + 20
    expect(fen(r)).toEqual([6000n, 6000n]);
    expect(r.lines[1]?.explanation).toContain('¥4,000.00 in tier 1 (up to ¥10,000.00) × 1%');
  });

  it('splits a tier total back onto the facts by largest remainder (¥100.00 over 3 → 33.34/33.33/33.33)', () => {
    const pv = plan([
      rule({
        trigger: { kind: 'EVENT', eventType: 'SPEND' },
        basis: { kind: 'TIERED', measure: 'AMOUNT', mode: 'VOLUME', tiers: [{ from: 0n, to: null, rate: '0.02' }] },
      }),
    ]);
    const r = run(pv, [
      fact({ id: 's1', type: 'SPEND', amount: '1666.67', date: '2026-01-03' }),
      fact({ id: 's2', type: 'SPEND', amount: '1666.67', date: '2026-01-04' }),
      fact({ id: 's3', type: 'SPEND', amount: '1666.66', date: '2026-01-05' }),
    ]);
    // exact shares 33.3334 / 33.3334 / 33.3332: the leftover fen goes to the largest remainder, ties to the first
    expect(fen(r)).toEqual([3334n, 3333n, 3333n]);
    expect(r.totals[0]?.minor).toBe(10000n);
    expect(r.lines[0]?.explanation).toContain("this line's share by largest remainder ¥33.34");
  });
});

describe('caps', () => {
  const spend = { trigger: { kind: 'EVENT', eventType: 'SPEND' } } as const;

  it('per line', () => {
    const pv = plan([
      rule({ ...spend, basis: { kind: 'PERCENT_OF_AMOUNT', rate: '0.01' }, caps: { perLine: cny('150.00') } }),
    ]);
    const r = run(pv, [
      fact({ type: 'SPEND', amount: '20000.00', date: '2026-01-02' }),
      fact({ type: 'SPEND', amount: '5000.00', date: '2026-01-03' }),
    ]);
    expect(fen(r)).toEqual([15000n, 5000n]);
    expect(r.lines[0]?.explanation).toContain('capped at ¥150.00 per line (was ¥200.00)');
    expect(r.ruleTotals[0]).toMatchObject({ gross: cny('250.00'), accrued: cny('200.00') });
  });

  it('per customer, counting what earlier periods paid', () => {
    const pv = plan([
      rule({ basis: { kind: 'FLAT_PER_EVENT', amount: cny('100.00') }, caps: { perCustomer: cny('250.00') } }),
    ]);
    const r = run(
      pv,
      [
        fact({ customer: 'c1', date: '2026-01-02' }),
        fact({ customer: 'c1', date: '2026-01-03' }),
        fact({ customer: 'c1', date: '2026-01-04' }),
        fact({ customer: 'c2', date: '2026-01-05' }),
        fact({ customer: 'c2', date: '2026-01-06' }),
      ],
      { priorCustomerTotals: [{ ruleId: 'r1', customerId: 'c1', amount: cny('100.00') }] },
    );
    // c1: ¥100 earlier, ¥300 now → ¥150 headroom split evenly; c2: ¥200 ≤ ¥250
    expect(fen(r)).toEqual([5000n, 5000n, 5000n, 10000n, 10000n]);
    expect(r.lines[0]?.explanation).toContain(
      'capped at ¥250.00 per customer (¥100.00 earlier, this period ¥300.00 → ¥150.00): this line ¥50.00',
    );
  });

  it('per period: "tier 2 (51–200 activations) × ¥80.00 = ¥4,800.00, capped at ¥3,000.00"', () => {
    const pv = plan([
      rule({
        basis: {
          kind: 'TIERED',
          measure: 'COUNT',
          mode: 'VOLUME',
          unitLabel: 'activations',
          tiers: [
            { from: 0n, to: 50n, amountPerUnit: cny('50.00') },
            { from: 50n, to: 200n, amountPerUnit: cny('80.00') },
            { from: 200n, to: null, amountPerUnit: cny('100.00') },
          ],
        },
        caps: { perPeriod: cny('3000.00') },
      }),
    ]);
    const facts = Array.from({ length: 60 }, (_, i) =>
      fact({ id: `a${String(i).padStart(2, '0')}`, date: `2026-01-${String((i % 28) + 1).padStart(2, '0')}` }),
    );
    const r = run(pv, facts);
    expect(r.lines).toHaveLength(60);
    expect(r.lines.every((l) => l.amount.minor === 5000n)).toBe(true);
    expect(r.totals[0]?.minor).toBe(300000n);
    expect(r.ruleTotals[0]).toMatchObject({ gross: cny('4800.00'), accrued: cny('3000.00'), lineCount: 60 });
    expect(r.lines[0]?.explanation).toContain(
      'period volume 60 activations reached tier 2 (51–200 activations): 60 × ¥80.00 = ¥4,800.00',
    );
    expect(r.lines[0]?.explanation).toContain('capped at ¥3,000.00 per period (rule total ¥4,800.00 → ¥3,000.00)');
  });

  it('per period re-splits by largest remainder: 3 × ¥50.00 capped at ¥100.00 → 33.34/33.33/33.33', () => {
    const pv = plan([rule({ caps: { perPeriod: cny('100.00') } })]);
    const r = run(pv, [fact({ date: '2026-01-03' }), fact({ date: '2026-01-04' }), fact({ date: '2026-01-05' })]);
    expect(fen(r)).toEqual([3334n, 3333n, 3333n]);
  });

  it('per program lifetime, counting earlier periods, per program', () => {
    const pv = plan([
      rule({ basis: { kind: 'FLAT_PER_EVENT', amount: cny('100.00') }, caps: { perProgramLifetime: cny('1000.00') } }),
    ]);
    const r = run(
      pv,
      [
        fact({ program: 'prog-1', date: '2026-01-03' }),
        fact({ program: 'prog-1', date: '2026-01-04' }),
        fact({ program: 'prog-1', date: '2026-01-05' }),
        fact({ program: 'prog-2', date: '2026-01-06' }),
      ],
      { priorLifetimeTotals: [{ ruleId: 'r1', programId: 'prog-1', amount: cny('900.00') }] },
    );
    expect(fen(r)).toEqual([3334n, 3333n, 3333n, 10000n]);
    expect(r.lines[0]?.explanation).toContain('capped at ¥1,000.00 program lifetime (¥900.00 earlier');
  });

  it('applies caps in the order line → customer → period → lifetime', () => {
    const pv = plan([
      rule({
        ...spend,
        basis: { kind: 'PERCENT_OF_AMOUNT', rate: '0.01' },
        caps: { perLine: cny('100.00'), perPeriod: cny('150.00') },
      }),
    ]);
    const r = run(pv, [
      fact({ type: 'SPEND', amount: '20000.00', date: '2026-01-02' }),
      fact({ type: 'SPEND', amount: '5000.00', date: '2026-01-03' }),
      fact({ type: 'SPEND', amount: '5000.00', date: '2026-01-04' }),
    ]);
    // line cap first: 200 → 100, then ¥200 total → ¥150 in proportion 100:50:50 (period-first would give 100/25/25)
    expect(fen(r)).toEqual([7500n, 3750n, 3750n]);
  });
});

describe('holding and clawback', () => {
  it('holds a line for holdingDays, then it is payable', () => {
    const pv = plan([rule({ holdingDays: 30 })]);
    const f = fact({ date: '2026-01-10' });
    const held = run(pv, [f], { asOf: '2026-02-08' }).lines[0];
    expect(held).toMatchObject({ status: 'HELD', payableOn: '2026-02-09' });
    expect(held?.explanation).toContain('held 30 days, payable on 2026-02-09');
    expect(run(pv, [f], { asOf: '2026-02-09' }).lines[0]).toMatchObject({ status: 'PAYABLE', payableOn: '2026-02-09' });
  });

  it('reverses a line when a clawback event follows within the window, not outside it', () => {
    const pv = plan([rule({ holdingDays: 30, clawback: { onEventTypes: ['CARD_CLOSED'], withinDays: 90 } })]);
    const facts = [
      fact({ id: 'a1', customer: 'c1', date: '2026-01-10' }),
      fact({ id: 'a2', customer: 'c2', date: '2026-01-10' }),
      fact({ id: 'a3', customer: 'c3', date: '2026-01-10' }),
      fact({ id: 'a4', customer: 'c4', date: '2026-01-10' }),
    ];
    const r = run(pv, facts, {
      clawbackFacts: [
        { customerId: 'c1', eventType: 'CARD_CLOSED', businessDate: '2026-04-10' }, // day 90: inside
        { customerId: 'c2', eventType: 'CARD_CLOSED', businessDate: '2026-04-11' }, // day 91: outside
        { customerId: 'c3', eventType: 'DELINQUENT', businessDate: '2026-02-01' }, // not a clawback event of this rule
        { customerId: 'c4', eventType: 'CARD_CLOSED', businessDate: '2026-01-09' }, // before the trigger
      ],
    });
    expect(r.lines.map((l) => [l.sourceIds[0], l.kind, l.status, l.amount.minor])).toEqual([
      ['a1', 'ACCRUAL', 'PAYABLE', 5000n],
      ['a1', 'CLAWBACK', 'REVERSED', -5000n],
      ['a2', 'ACCRUAL', 'PAYABLE', 5000n],
      ['a3', 'ACCRUAL', 'PAYABLE', 5000n],
      ['a4', 'ACCRUAL', 'PAYABLE', 5000n],
    ]);
    expect(r.lines[1]).toMatchObject({ idempotencyKey: 'plan-1|r1|a1|v1|CLAWBACK', payableOn: '2026-04-10' });
    expect(r.lines[1]?.explanation).toContain('clawed back: CARD_CLOSED on 2026-04-10, 90 days after 2026-01-10');
    expect(r.totals[0]?.minor).toBe(15000n);
    expect(r.ruleTotals[0]).toMatchObject({ accrued: cny('200.00'), clawedBack: cny('-50.00'), lineCount: 5 });
  });
});

describe('rounding modes (once per line, at fen)', () => {
  const cases: [string, Record<RoundingMode, bigint>][] = [
    ['12.50', { HALF_UP: 6n, HALF_EVEN: 6n, DOWN: 6n }], // 6.25 fen
    ['13.50', { HALF_UP: 7n, HALF_EVEN: 7n, DOWN: 6n }], // 6.75 fen
    ['13.00', { HALF_UP: 7n, HALF_EVEN: 6n, DOWN: 6n }], // 6.5 fen: ties differ
    ['15.00', { HALF_UP: 8n, HALF_EVEN: 8n, DOWN: 7n }], // 7.5 fen
  ];
  it.each(cases)('0.5%% of ¥%s', (amount, expected) => {
    for (const mode of ['HALF_UP', 'HALF_EVEN', 'DOWN'] as const) {
      const pv = plan([
        rule({
          trigger: { kind: 'EVENT', eventType: 'SPEND' },
          basis: { kind: 'PERCENT_OF_AMOUNT', rate: '0.005' },
          rounding: mode,
        }),
      ]);
      expect(fen(run(pv, [fact({ type: 'SPEND', amount })]))).toEqual([expected[mode]]);
    }
  });

  it('defaults to HALF_UP', () => {
    const pv = plan([
      rule({ trigger: { kind: 'EVENT', eventType: 'SPEND' }, basis: { kind: 'PERCENT_OF_AMOUNT', rate: '0.005' } }),
    ]);
    expect(fen(run(pv, [fact({ type: 'SPEND', amount: '13.00' })]))).toEqual([7n]);
  });
});

describe('plan versions and simulation', () => {
  it('uses the version in force on each fact date; a later version wins the same date', () => {
    const v1 = plan([rule()], 1, '2026-01-01');
    const v2 = plan([rule({ basis: { kind: 'FLAT_PER_EVENT', amount: cny('60.00') } })], 2, '2026-01-15');
    const v3 = plan([rule({ basis: { kind: 'FLAT_PER_EVENT', amount: cny('70.00') } })], 3, '2026-01-15');
    const r = calculate({
      planVersionAt: planVersionResolver([v2, v1, v3]),
      facts: [fact({ date: '2025-12-31' }), fact({ date: '2026-01-14' }), fact({ date: '2026-01-15' })],
      period: JANUARY,
      asOf: '2026-01-31',
    });
    expect(r.lines.map((l) => [l.planVersion, l.amount.minor])).toEqual([
      [1, 5000n],
      [3, 7000n],
    ]);
  });

  it('simulates a draft with the same engine and refuses an invalid one', () => {
    const draft = plan([rule({ basis: { kind: 'FLAT_PER_EVENT', amount: cny('12.34') } })]);
    const r = simulatePlan(draft, { facts: [fact(), fact()], period: JANUARY, asOf: '2026-01-31' });
    expect(r.totals[0]?.minor).toBe(2468n);
    const bad = plan([rule({ basis: { kind: 'PERCENT_OF_AMOUNT', rate: '1.5' } })]);
    expect(errorOf(() => simulatePlan(bad, { facts: [fact()], period: JANUARY, asOf: '2026-01-31' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'rules[0].basis.rate',
      reason: 'OUT_OF_RANGE',
    });
  });

  it('one fact may earn under several rules, each its own line', () => {
    const pv = plan([
      rule({ id: 'bounty' }),
      rule({
        id: 'bonus',
        basis: { kind: 'FLAT_PER_EVENT', amount: cny('5.00') },
        conditions: { productCodes: ['CB-GOLD'] },
      }),
    ]);
    const r = run(pv, [fact({ id: 'a1', productCode: 'CB-GOLD' }), fact({ id: 'a2', productCode: 'CB-STD' })]);
    expect(r.lines.map((l) => [l.sourceIds[0], l.ruleId, l.amount.minor])).toEqual([
      ['a1', 'bonus', 500n],
      ['a1', 'bounty', 5000n],
      ['a2', 'bounty', 5000n],
    ]);
  });
});
