import fc from 'fast-check';
import { DomainError } from '../../common/domain-error';
import { type PartnerScorecardFacts, type ScorecardTier, scorePartners, weightsFromAhp } from './scorecard';

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

function facts(p: Partial<PartnerScorecardFacts> & { partnerId: string }): PartnerScorecardFacts {
  return {
    partnerCode: p.partnerId.toUpperCase(),
    valueBroughtInMinor: 0n,
    customersBroughtIn: 0,
    adverseCustomers: 0,
    commissionAccruedMinor: 0n,
    commissionClawedBackMinor: 0n,
    riskRating: null,
    tier: null,
    externalRating: null,
    complaints: 0,
    sharedCustomers: 0,
    supplyChainSize: 0,
    crossProgramLinks: 0,
    ...p,
  };
}

const WEIGHTS = { contribution: '0.4', risk: '0.3', reputation: '0.2', relatedness: '0.1' };

// The worked population (every number below is computed by hand in the comments).
const A = facts({
  partnerId: 'a',
  valueBroughtInMinor: 100000n, // contribution: max → 100
  customersBroughtIn: 100,
  adverseCustomers: 10, // 0.10
  commissionAccruedMinor: 10000n,
  commissionClawedBackMinor: 1000n, // 0.10
  riskRating: 'LOW', // 0
  tier: 'STRATEGIC', // 3
  externalRating: 'AAA', // 9
  complaints: 2, // 0.02 per customer
  sharedCustomers: 10,
  crossProgramLinks: 2,
});
const B = facts({
  partnerId: 'b',
  valueBroughtInMinor: 50000n, // 50
  customersBroughtIn: 50,
  adverseCustomers: 10, // 0.20
  commissionAccruedMinor: 10000n,
  commissionClawedBackMinor: 0n, // 0
  riskRating: 'HIGH', // 2
  tier: 'GENERAL', // 1
  externalRating: 'bbb', // 6 (case-insensitive)
  complaints: 5, // 0.10
  sharedCustomers: 30,
  crossProgramLinks: 4,
});
const C = facts({
  partnerId: 'c',
  valueBroughtInMinor: 0n, // 0
  customersBroughtIn: 20,
  adverseCustomers: 0, // 0
  riskRating: null, // unrated → MEDIUM = 1
  tier: null, // none → GENERAL = 1
  externalRating: null, // unrated → median of 1..9 = 5
  complaints: 0,
  sharedCustomers: 20,
  crossProgramLinks: 0,
});

describe('scorePartners — worked population', () => {
  // Sub-indicator scores (min-max to 0–100; risk sub-indicators and complaints inverted):
  //   contribution valueBroughtIn 100000/50000/0             → A 100, B 50, C 0
  //   risk  adverseShare 0.1/0.2/0 (−)                         → A 50,  B 0,   C 100
  //         clawbackRatio 0.1/0/0 (−)                          → A 0,   B 100, C 100
  //         riskRatingPoints 0/2/1 (−)                         → A 100, B 0,   C 50
  //         risk = mean                                        → A 50,  B 33.3333, C 83.3333
  //   reputation tierPoints 3/1/1                              → A 100, B 0,   C 0
  //         ratingPoints 9/6/5                                 → A 100, B 25,  C 0
  //         complaintRate 0.02/0.1/0 (−)                       → A 80,  B 0,   C 100
  //         reputation = mean                                  → A 93.3333, B 8.3333, C 33.3333
  //   relatedness shared 10/30/20 → 0/100/50; supply chain all 0 → 50 each; links 2/4/0 → 50/100/0
  //         relatedness = mean                                 → A 33.3333, B 83.3333, C 33.3333
  // Composite with weights 0.4/0.3/0.2/0.1:
  //   A = 40 + 15 + 56/3 + 10/3 = 77;  B = 20 + 10 + 5/3 + 25/3 = 40;  C = 0 + 25 + 20/3 + 10/3 = 35.
  // Tiers (80/60/40): A CORE, B GENERAL (exactly on the threshold), C WATCH.
  const result = scorePartners([C, B, A], { weights: WEIGHTS });

  it('ranks by composite with the hand-computed scores', () => {
    expect(result.map((r) => [r.partnerId, r.rank, r.composite, r.tier])).toEqual([
      ['a', 1, '77.0000', 'CORE'],
      ['b', 2, '40.0000', 'GENERAL'],
      ['c', 3, '35.0000', 'WATCH'],
    ]);
  });

  it('publishes dimension scores and sub-indicators', () => {
    const [a, b, c] = result;
    expect(a!.scores).toEqual({
      contribution: '100.0000',
      risk: '50.0000',
      reputation: '93.3333',
      relatedness: '33.3333',
    });
    expect(b!.scores).toEqual({
      contribution: '50.0000',
      risk: '33.3333',
      reputation: '8.3333',
      relatedness: '83.3333',
    });
    expect(c!.scores).toEqual({
      contribution: '0.0000',
      risk: '83.3333',
      reputation: '33.3333',
      relatedness: '33.3333',
    });
    expect(a!.indicators.adverseShare).toEqual({ raw: '0.100000', score: '50.0000' });
    expect(b!.indicators.ratingPoints).toEqual({ raw: '6', score: '25.0000' });
    expect(c!.indicators.ratingPoints).toEqual({ raw: '5', score: '0.0000' });
    expect(a!.indicators.complaintRate).toEqual({ raw: '0.020000', score: '80.0000' });
    expect(c!.indicators.supplyChainSize).toEqual({ raw: '0', score: '50.0000' });
  });

  it('configurable thresholds move the tiers', () => {
    const r = scorePartners([A, B, C], {
      weights: WEIGHTS,
      thresholds: { strategic: '77', core: '40.0001', general: '35' },
    });
    expect(r.map((x) => x.tier)).toEqual(['STRATEGIC', 'GENERAL', 'GENERAL']);
  });

  it('weights from a consistent AHP matrix (0.4/0.3/0.2/0.1) give the same scorecard as direct weights', () => {
    const { weights, ahp } = weightsFromAhp([
      ['1', '4/3', '2', '4'],
      ['3/4', '1', '3/2', '3'],
      ['1/2', '2/3', '1', '2'],
      ['1/4', '1/3', '1/2', '1'],
    ]);
    expect(weights).toEqual({
      contribution: '0.400000',
      risk: '0.300000',
      reputation: '0.200000',
      relatedness: '0.100000',
    });
    expect(ahp.consistencyRatio).toBe('0.000000');
    expect(scorePartners([A, B, C], { weights })).toEqual(result);
  });

  it('a single partner (or an all-equal population) scores 50 everywhere', () => {
    const [only] = scorePartners([A], { weights: WEIGHTS });
    expect(only).toMatchObject({ rank: 1, composite: '50.0000', tier: 'GENERAL' });
    expect(Object.values(only!.scores)).toEqual(['50.0000', '50.0000', '50.0000', '50.0000']);
  });

  it('ties break by contribution, then risk (safety), then partner code', () => {
    const x = facts({
      partnerId: 'x',
      partnerCode: 'Z',
      valueBroughtInMinor: 100n,
      customersBroughtIn: 10,
      adverseCustomers: 5,
      riskRating: 'HIGH',
    });
    const y = facts({
      partnerId: 'y',
      partnerCode: 'A',
      valueBroughtInMinor: 0n,
      customersBroughtIn: 10,
      adverseCustomers: 0,
      riskRating: 'LOW',
    });
    x.commissionAccruedMinor = 100n;
    x.commissionClawedBackMinor = 50n;
    // x is worse on every risk sub-indicator (adverse 0.5 vs 0, clawback 0.5 vs 0, HIGH vs LOW) → risk x 0, y 100;
    // contribution x 100, y 0. With weights 0.5/0.5 both composites are exactly 50: contribution breaks the tie.
    const w = { contribution: '0.5', risk: '0.5', reputation: '0', relatedness: '0' };
    const r = scorePartners([y, x], { weights: w });
    expect(r.map((p) => [p.partnerId, p.composite])).toEqual([
      ['x', '50.0000'],
      ['y', '50.0000'],
    ]);
    // Equal composite and contribution: the safer partner first. p: risk (50+50+100)/3, reputation (0+50+50)/3;
    // q: risk (50+50+0)/3, reputation (100+50+50)/3 → both 0.5 × 200/3 + 0.5 × 100/3 = 50; p is safer (66.6667).
    const p = facts({ partnerId: 'p', partnerCode: 'Z', riskRating: 'LOW', tier: 'WATCH' });
    const q = facts({ partnerId: 'q', partnerCode: 'A', riskRating: 'HIGH', tier: 'STRATEGIC' });
    const byRisk = scorePartners([q, p], {
      weights: { contribution: '0', risk: '0.5', reputation: '0.5', relatedness: '0' },
    });
    expect(byRisk.map((z) => [z.partnerId, z.composite, z.scores.risk])).toEqual([
      ['p', '50.0000', '66.6667'],
      ['q', '50.0000', '33.3333'],
    ]);
    // Identical facts: partner code decides, then id.
    const p1 = facts({ partnerId: 'p1', partnerCode: 'B' });
    const p2 = facts({ partnerId: 'p2', partnerCode: 'A' });
    const p3 = facts({ partnerId: 'p0', partnerCode: 'B' });
    expect(scorePartners([p1, p2, p3], { weights: WEIGHTS }).map((p) => p.partnerId)).toEqual(['p2', 'p0', 'p1']);
  });

  it.each([
    [{ ...WEIGHTS, relatedness: '0.2' }, 'weights', 'WEIGHTS_MUST_SUM_TO_ONE'],
    [{ ...WEIGHTS, risk: '-0.3' }, 'weights.risk', 'INVALID_NUMBER'],
    [{ ...WEIGHTS, risk: 'abc' }, 'weights.risk', 'INVALID_NUMBER'],
  ])('rejects bad weights %#', (weights, field, reason) => {
    expect(errorOf(() => scorePartners([A], { weights })).details).toMatchObject({ field, reason });
  });

  it('rejects thresholds out of order, duplicates and impossible counts', () => {
    expect(
      errorOf(() =>
        scorePartners([A], { weights: WEIGHTS, thresholds: { strategic: '50', core: '60', general: '40' } }),
      ).details,
    ).toMatchObject({ field: 'thresholds.core', reason: 'THRESHOLDS_NOT_DESCENDING' });
    expect(errorOf(() => scorePartners([A, A], { weights: WEIGHTS })).details).toMatchObject({
      field: 'partners[1].partnerId',
      reason: 'DUPLICATE',
    });
    expect(errorOf(() => scorePartners([{ ...A, adverseCustomers: 101 }], { weights: WEIGHTS })).details).toMatchObject(
      {
        field: 'partners[0].adverseCustomers',
        reason: 'EXCEEDS_CUSTOMERS',
      },
    );
  });

  it('rejects a 4×4 AHP matrix that is inconsistent', () => {
    const e = errorOf(() =>
      weightsFromAhp([
        ['1', '5', '6', '7'],
        ['1/5', '1', '4', '6'],
        ['1/6', '1/4', '1', '4'],
        ['1/7', '1/6', '1/4', '1'],
      ]),
    );
    expect(e.details).toMatchObject({ field: 'matrix', reason: 'INCONSISTENT', consistencyRatio: '0.144715' });
  });
});

describe('scorePartners — properties (fast-check)', () => {
  const partnerArb = fc
    .record({
      value: fc.bigInt({ min: 0n, max: 10n ** 12n }),
      customers: fc.integer({ min: 0, max: 1000 }),
      adverseFrac: fc.integer({ min: 0, max: 100 }),
      accrued: fc.bigInt({ min: 0n, max: 10n ** 9n }),
      clawFrac: fc.integer({ min: 0, max: 150 }),
      riskRating: fc.constantFrom('LOW' as const, 'MEDIUM' as const, 'HIGH' as const, null),
      tier: fc.constantFrom<ScorecardTier | null>('STRATEGIC', 'CORE', 'GENERAL', 'WATCH', null),
      externalRating: fc.constantFrom('AAA', 'BB', 'C', 'unknown', null),
      complaints: fc.integer({ min: 0, max: 50 }),
      shared: fc.integer({ min: 0, max: 500 }),
      chain: fc.integer({ min: 0, max: 5000 }),
      links: fc.integer({ min: 0, max: 20 }),
    })
    .map((r) => ({
      valueBroughtInMinor: r.value,
      customersBroughtIn: r.customers,
      adverseCustomers: Math.floor((r.customers * r.adverseFrac) / 100),
      commissionAccruedMinor: r.accrued,
      commissionClawedBackMinor: (r.accrued * BigInt(r.clawFrac)) / 100n,
      riskRating: r.riskRating,
      tier: r.tier,
      externalRating: r.externalRating,
      complaints: r.complaints,
      sharedCustomers: r.shared,
      supplyChainSize: r.chain,
      crossProgramLinks: r.links,
    }));
  const population = fc
    .array(partnerArb, { minLength: 1, maxLength: 12 })
    .map((ps) => ps.map((p, i) => facts({ ...p, partnerId: `p${String(i).padStart(2, '0')}` })));
  const weightsArb = fc
    .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }))
    .filter(([a, b, c]) => a + b + c <= 100)
    .map(([a, b, c]) => ({
      contribution: (a / 100).toFixed(2),
      risk: (b / 100).toFixed(2),
      reputation: (c / 100).toFixed(2),
      relatedness: ((100 - a - b - c) / 100).toFixed(2),
    }));

  it('scores lie in 0–100, ranks are 1..n, tiers never invert the composite order, order of input is irrelevant', () => {
    fc.assert(
      fc.property(population, weightsArb, fc.integer(), (ps, weights, seed) => {
        const r = scorePartners(ps, { weights });
        expect(r.map((x) => x.rank)).toEqual(ps.map((_, i) => i + 1));
        const order: Record<ScorecardTier, number> = { STRATEGIC: 3, CORE: 2, GENERAL: 1, WATCH: 0 };
        for (let i = 0; i < r.length; i++) {
          const c = Number(r[i]!.composite);
          expect(c).toBeGreaterThanOrEqual(0);
          expect(c).toBeLessThanOrEqual(100);
          for (const s of Object.values(r[i]!.scores)) expect(Number(s) >= 0 && Number(s) <= 100).toBe(true);
          if (i > 0) {
            expect(Number(r[i - 1]!.composite)).toBeGreaterThanOrEqual(c);
            expect(order[r[i - 1]!.tier]).toBeGreaterThanOrEqual(order[r[i]!.tier]);
          }
        }
        const shuffled = [...ps].sort(
          (a, b) => ((a.partnerId.charCodeAt(2) * 31 + seed) % 7) - ((b.partnerId.charCodeAt(2) * 31 + seed) % 7),
        );
        expect(scorePartners(shuffled, { weights })).toEqual(r);
      }),
      { numRuns: 100 },
    );
  });

  it('scaling every money amount by the same factor changes no score (min-max is scale-free)', () => {
    fc.assert(
      fc.property(population, fc.bigInt({ min: 2n, max: 1000n }), (ps, k) => {
        const scaled = ps.map((p) => ({
          ...p,
          valueBroughtInMinor: p.valueBroughtInMinor * k,
          commissionAccruedMinor: p.commissionAccruedMinor * k,
          commissionClawedBackMinor: p.commissionClawedBackMinor * k,
        }));
        const strip = (xs: ReturnType<typeof scorePartners>): unknown =>
          xs.map((x) => ({ id: x.partnerId, composite: x.composite, scores: x.scores }));
        expect(strip(scorePartners(scaled, { weights: WEIGHTS }))).toEqual(
          strip(scorePartners(ps, { weights: WEIGHTS })),
        );
      }),
      { numRuns: 60 },
    );
  });
});
