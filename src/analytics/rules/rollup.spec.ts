import fc from 'fast-check';
import { DomainError } from '../../common/domain-error';
import {
  EMPTY_ROLLUP,
  ROLLUP_DIMENSIONS,
  type RollupFact,
  aggregateByMonth,
  applyIncrement,
  bucketsOf,
  factsAsRows,
  rollup,
} from './rollup';

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

const base = { partnerId: 'p1', programId: 'g1', channelId: null, orgUnitId: 'o1' };
const spend = (id: string, date: string, amount: bigint): RollupFact => ({
  ...base,
  id,
  date,
  measure: 'CARD_SPEND',
  amountMinor: amount,
  currency: 'CNY',
});
const submitted = (id: string, date: string): RollupFact => ({
  ...base,
  id,
  date,
  measure: 'REFERRAL_SUBMITTED',
  amountMinor: null,
  currency: null,
});

describe('roll-up — worked example', () => {
  it('groups facts into daily buckets; re-deliveries are skipped; reversals are negative facts', () => {
    const facts = [
      spend('e1', '2026-03-01', 10000n),
      spend('e2', '2026-03-01', 2550n),
      spend('e3', '2026-03-02', 700n),
      submitted('r1', '2026-03-01'),
      { ...spend('a1', '2026-03-02', 500n), measure: 'COMMISSION' },
      { ...spend('a1~R', '2026-03-02', -500n), measure: 'COMMISSION' },
    ];
    const state = applyIncrement(applyIncrement(EMPTY_ROLLUP, facts.slice(3)), [...facts.slice(0, 4), facts[0]!]);
    const rows = bucketsOf(state).map((b) => [b.date, b.measure, b.count, b.amountMinor]);
    expect(rows).toEqual([
      ['2026-03-01', 'CARD_SPEND', 2, 12550n],
      ['2026-03-01', 'REFERRAL_SUBMITTED', 1, 0n],
      ['2026-03-02', 'CARD_SPEND', 1, 700n],
      ['2026-03-02', 'COMMISSION', 2, 0n],
    ]);
    expect(bucketsOf(rollup(facts))).toEqual(bucketsOf(state));
    expect(
      aggregateByMonth(bucketsOf(state), ['partnerId']).map((m) => [
        m.month,
        m.group,
        m.measure,
        m.count,
        m.amountMinor,
      ]),
    ).toEqual([
      ['2026-03', { partnerId: 'p1' }, 'CARD_SPEND', 3, 13250n],
      ['2026-03', { partnerId: 'p1' }, 'COMMISSION', 2, 0n],
      ['2026-03', { partnerId: 'p1' }, 'REFERRAL_SUBMITTED', 1, 0n],
    ]);
  });

  it('a re-delivered id with different content is CONFLICT on both paths', () => {
    const a = spend('e1', '2026-03-01', 100n);
    const b = spend('e1', '2026-03-01', 101n);
    expect(errorOf(() => rollup([a, b])).details).toMatchObject({ rule: 'ROLLUP_FACT_CHANGED' });
    expect(errorOf(() => applyIncrement(rollup([a]), [b])).code).toBe('CONFLICT');
  });

  it('does not mutate the state it is given', () => {
    const s1 = rollup([spend('e1', '2026-03-01', 100n)]);
    const before = bucketsOf(s1);
    applyIncrement(s1, [spend('e2', '2026-03-01', 5n)]);
    expect(bucketsOf(s1)).toEqual(before);
    expect(s1.applied.size).toBe(1);
  });

  it('rejects malformed facts', () => {
    expect(errorOf(() => rollup([spend('e1', '2026-02-30', 1n)])).details).toMatchObject({ field: 'facts[0].date' });
    expect(errorOf(() => rollup([{ ...spend('e1', '2026-02-03', 1n), currency: null }])).details).toMatchObject({
      field: 'facts[0].currency',
    });
  });
});

describe('roll-up — incremental maintenance equals rebuild (fast-check)', () => {
  const factArb = fc.record({
    day: fc.integer({ min: 0, max: 70 }),
    partnerId: fc.constantFrom('p1', 'p2', 'p3'),
    programId: fc.constantFrom('g1', 'g2'),
    channelId: fc.constantFrom(null, 'ch1', 'ch2'),
    orgUnitId: fc.constantFrom('o1', 'o2'),
    measure: fc.constantFrom('REFERRAL_SUBMITTED', 'REFERRAL_QUALIFIED', 'CARD_SPEND', 'COMMISSION'),
    amount: fc.bigInt({ min: -100000n, max: 10000000n }),
    currency: fc.constantFrom('CNY', 'USD'),
  });
  const streamArb = fc.array(factArb, { maxLength: 120 }).map((raw) =>
    raw.map((r, i): RollupFact => {
      const counted = r.measure.startsWith('REFERRAL_');
      return {
        id: `f${i}`,
        date: new Date(Date.UTC(2026, 0, 25) + r.day * 86_400_000).toISOString().slice(0, 10),
        partnerId: r.partnerId,
        programId: r.programId,
        channelId: r.channelId,
        orgUnitId: r.orgUnitId,
        measure: r.measure,
        amountMinor: counted ? null : r.amount,
        currency: counted ? null : r.currency,
      };
    }),
  );
  // Arrival: a random permutation, plus re-deliveries of random facts, cut into random batches.
  const scenarioArb = streamArb.chain((facts) =>
    fc.record({
      facts: fc.constant(facts),
      order: fc.shuffledSubarray(facts, { minLength: facts.length, maxLength: facts.length }),
      redeliveries: fc.array(fc.nat({ max: Math.max(0, facts.length - 1) }), {
        maxLength: facts.length === 0 ? 0 : 20,
      }),
      cuts: fc.array(fc.nat(), { maxLength: 10 }),
      prefix: fc.nat({ max: facts.length }),
    }),
  );

  function batches<T>(items: readonly T[], cuts: readonly number[]): T[][] {
    const points = [...new Set(cuts.map((c) => (items.length === 0 ? 0 : c % (items.length + 1))))].sort(
      (a, b) => a - b,
    );
    const out: T[][] = [];
    let from = 0;
    for (const p of [...points, items.length]) {
      out.push(items.slice(from, p));
      from = p;
    }
    return out;
  }

  it('any arrival order, batching and re-delivery gives the rebuild-from-scratch buckets', () => {
    fc.assert(
      fc.property(scenarioArb, ({ facts, order, redeliveries, cuts }) => {
        const arrivals = [...order];
        redeliveries.forEach((k, j) => arrivals.splice((k * 7 + j) % (arrivals.length + 1), 0, facts[k]!));
        let state = EMPTY_ROLLUP;
        for (const batch of batches(arrivals, cuts)) state = applyIncrement(state, batch);
        const rebuilt = rollup(facts);
        expect(bucketsOf(state)).toEqual(bucketsOf(rebuilt));
        expect(new Map(state.applied)).toEqual(new Map(rebuilt.applied));
      }),
      { numRuns: 200 },
    );
  });

  it('rebuilding a prefix and resuming incrementally equals one rebuild of everything', () => {
    fc.assert(
      fc.property(scenarioArb, ({ facts, order, prefix }) => {
        const resumed = applyIncrement(rollup(order.slice(0, prefix)), order.slice(prefix));
        expect(bucketsOf(resumed)).toEqual(bucketsOf(rollup(facts)));
      }),
      { numRuns: 100 },
    );
  });

  it('monthly figures read from daily buckets equal the same GROUP BY over raw facts, for any dimensions', () => {
    fc.assert(
      fc.property(scenarioArb, fc.subarray([...ROLLUP_DIMENSIONS]), ({ facts, order }, dims) => {
        const state = applyIncrement(EMPTY_ROLLUP, order);
        expect(aggregateByMonth(bucketsOf(state), dims)).toEqual(aggregateByMonth(factsAsRows(facts), dims));
      }),
      { numRuns: 100 },
    );
  });
});
