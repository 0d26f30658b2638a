import fc from 'fast-check';
import { DomainError } from '../../common/domain-error';
import {
  type CohortCustomer,
  type CohortEvent,
  computeCohorts,
  median,
  medianDaysBetween,
  medianFromHistogram,
  periodOverPeriod,
} from './cohorts';

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

const customers: CohortCustomer[] = [
  { customerId: 'c1', acquiredOn: '2026-01-10', groupKey: 'P1' },
  { customerId: 'c2', acquiredOn: '2026-01-20', groupKey: 'P1' },
  { customerId: 'c3', acquiredOn: '2026-02-15', groupKey: 'P1' },
  { customerId: 'c4', acquiredOn: '2026-06-20', groupKey: 'P2' },
  { customerId: 'c5', acquiredOn: '2026-07-05', groupKey: 'P2' }, // after asOf: in no cohort yet
];

const ev = (
  id: string,
  customerId: string,
  type: string,
  businessDate: string,
  productKey: string | null,
  amountMinor: bigint | null = null,
): CohortEvent => ({
  id,
  customerId,
  type,
  businessDate,
  productKey,
  amountMinor,
  currency: amountMinor === null ? null : 'CNY',
});

const events: CohortEvent[] = [
  ev('e01', 'c1', 'ACCOUNT_OPENED', '2026-01-10', 'DEP'),
  ev('e02', 'c1', 'CARD_SPEND', '2026-02-05', 'CARD', 10000n), // day 26 → active at 30
  ev('e03', 'c1', 'CARD_SPEND', '2026-04-05', 'CARD', 20000n), // day 85 → in the 90-day window (day 61–90)
  ev('e04', 'c1', 'DEPOSIT_BALANCE_SNAPSHOT', '2026-03-31', 'DEP', 500000n),
  ev('e05', 'c1', 'DEPOSIT_BALANCE_SNAPSHOT', '2026-05-31', 'DEP', 700000n), // latest ≤ asOf
  ev('e06', 'c1', 'DEPOSIT_BALANCE_SNAPSHOT', '2026-07-31', 'DEP', 900000n), // after asOf: ignored
  ev('e07', 'c2', 'CARD_SPEND', '2026-01-20', 'CARD', 5000n), // acquisition day: spend yes, activity no
  ev('e08', 'c2', 'CARD_CLOSED', '2026-03-01', 'CARD', null), // product no longer held
  ev('e09', 'c3', 'FUND_PURCHASE', '2026-03-10', 'FUND', 100000n), // day 23 → active at 30; not spend
  ev('e10', 'c3', 'DEPOSIT_BALANCE_SNAPSHOT', '2026-06-30', 'DEP', 200000n),
  ev('e11', 'c3', 'DEPOSIT_BALANCE_SNAPSHOT', '2026-06-30', 'DEP', 250000n), // same day, later id wins
  ev('e12', 'c4', 'CARD_SPEND', '2026-06-25', 'CARD', 3000n),
  ev('e13', 'c5', 'CARD_SPEND', '2026-07-06', 'CARD', 999n),
];

const options = { asOf: '2026-06-30', currency: 'CNY', activeEventTypes: ['CARD_SPEND', 'FUND_PURCHASE'] };

describe('computeCohorts — worked fixture (asOf 2026-06-30, 30-day activity window)', () => {
  const rows = computeCohorts(customers, events, options);

  it('one row per acquisition month and group, in order', () => {
    expect(rows.map((r) => [r.cohort, r.groupKey, r.customers])).toEqual([
      ['2026-01', 'P1', 2],
      ['2026-02', 'P1', 1],
      ['2026-06', 'P2', 1],
    ]);
  });

  it('2026-01/P1: retention, penetration, AUM and spend by hand', () => {
    const r = rows[0]!;
    // 30 d: c1 active (spend on day 26), c2 not (only the acquisition-day spend) → 1/2.
    // 90 d: window day 61–90 — c1 Mar 12..Apr 10 has Apr 5 → active; c2 Mar 22..Apr 20 nothing → 1/2.
    // 180 d: c1's milestone is Jul 9 and c2's Jul 19, both after asOf → nobody eligible → null.
    expect(r.retention).toEqual([
      { days: 30, eligible: 2, active: 1, share: '0.5000' },
      { days: 90, eligible: 2, active: 1, share: '0.5000' },
      { days: 180, eligible: 0, active: 0, share: null },
      { days: 365, eligible: 0, active: 0, share: null },
    ]);
    // c1 holds DEP and CARD, c2 closed its card → 2 products / 2 customers.
    expect(r.productsPerCustomer).toBe('1.0000');
    // AUM: c1's latest snapshot on or before asOf is 7,000.00 (the July one is ignored).
    expect(r.aum.toDecimalString()).toBe('7000.00');
    expect(r.averageBalance.toDecimalString()).toBe('3500.00');
    // Spend: 100.00 + 200.00 (c1) + 50.00 (c2, on the acquisition day) = 350.00.
    expect(r.spend.toDecimalString()).toBe('350.00');
    expect(r.spendPerCustomer.toDecimalString()).toBe('175.00');
  });

  it('2026-02/P1 and 2026-06/P2', () => {
    const [, feb, jun] = rows;
    expect(feb!.retention.slice(0, 3)).toEqual([
      { days: 30, eligible: 1, active: 1, share: '1.0000' },
      { days: 90, eligible: 1, active: 0, share: '0.0000' },
      { days: 180, eligible: 0, active: 0, share: null },
    ]);
    expect(feb!.productsPerCustomer).toBe('2.0000'); // FUND and DEP
    expect(feb!.aum.toDecimalString()).toBe('2500.00'); // the later of two same-day snapshots
    expect(feb!.spend.toDecimalString()).toBe('0.00'); // a fund purchase is not card spend
    expect(jun!.retention[0]).toEqual({ days: 30, eligible: 0, active: 0, share: null });
    expect(jun!.spend.toDecimalString()).toBe('30.00');
    expect(jun!.productsPerCustomer).toBe('1.0000');
  });

  it('a longer activity window widens "active" (90 days: c3 active at 90)', () => {
    const r = computeCohorts(customers, events, { ...options, activityWindowDays: 90 });
    expect(r[1]!.retention[1]).toEqual({ days: 90, eligible: 1, active: 1, share: '1.0000' });
    // The window is clipped at day 1: c2's acquisition-day spend still does not make it active at 30.
    expect(r[0]!.retention[0]).toEqual({ days: 30, eligible: 2, active: 1, share: '0.5000' });
  });

  it('custom milestones and active types', () => {
    const r = computeCohorts(customers, events, { ...options, activeEventTypes: ['FUND_PURCHASE'], milestones: [30] });
    expect(r[0]!.retention).toEqual([{ days: 30, eligible: 2, active: 0, share: '0.0000' }]);
  });

  it('rejects bad input', () => {
    expect(errorOf(() => computeCohorts(customers, events, { ...options, asOf: '2026-02-30' })).details).toMatchObject({
      field: 'asOf',
      reason: 'INVALID_DATE',
    });
    expect(
      errorOf(() => computeCohorts(customers, events, { ...options, activeEventTypes: [] })).details,
    ).toMatchObject({
      field: 'activeEventTypes',
    });
    expect(errorOf(() => computeCohorts([customers[0]!, customers[0]!], [], options)).details).toMatchObject({
      field: 'customers[1].customerId',
      reason: 'DUPLICATE',
    });
    const usd = { ...events[1]!, currency: 'USD' };
    expect(errorOf(() => computeCohorts(customers, [usd], options)).details).toMatchObject({
      reason: 'CURRENCY_MISMATCH',
    });
  });

  it('property: shares are active ÷ eligible with active ≤ eligible ≤ customers, and splitting by group never changes totals', () => {
    const day = fc.integer({ min: 0, max: 500 }).map((n) => {
      const d = new Date(Date.UTC(2025, 0, 1) + n * 86_400_000);
      return d.toISOString().slice(0, 10);
    });
    const arb = fc.record({
      cs: fc.uniqueArray(fc.record({ id: fc.integer({ min: 0, max: 30 }), on: day, g: fc.constantFrom('A', 'B') }), {
        selector: (c) => c.id,
        maxLength: 25,
      }),
      es: fc.array(
        fc.record({
          c: fc.integer({ min: 0, max: 30 }),
          on: day,
          t: fc.constantFrom('CARD_SPEND', 'ACCOUNT_OPENED'),
          a: fc.bigInt({ min: 0n, max: 100000n }),
        }),
        { maxLength: 80 },
      ),
    });
    fc.assert(
      fc.property(arb, ({ cs, es }) => {
        const custs = cs.map((c) => ({ customerId: `c${c.id}`, acquiredOn: c.on, groupKey: c.g }));
        const evs = es.map((e, i) => ({
          id: `e${String(i).padStart(3, '0')}`,
          customerId: `c${e.c}`,
          type: e.t,
          businessDate: e.on,
          productKey: null,
          amountMinor: e.a,
          currency: 'CNY',
        }));
        const opts = { asOf: '2026-03-01', currency: 'CNY', activeEventTypes: ['CARD_SPEND'] };
        const grouped = computeCohorts(custs, evs, opts);
        const flat = computeCohorts(
          custs.map((c) => ({ ...c, groupKey: null })),
          evs,
          opts,
        );
        for (const r of grouped) {
          for (const p of r.retention) {
            expect(p.active).toBeLessThanOrEqual(p.eligible);
            expect(p.eligible).toBeLessThanOrEqual(r.customers);
          }
        }
        const byMonth = (rs: typeof grouped): Map<string, [number, bigint, number[]]> => {
          const m = new Map<string, [number, bigint, number[]]>();
          for (const r of rs) {
            const cur = m.get(r.cohort) ?? [0, 0n, [0, 0, 0, 0]];
            m.set(r.cohort, [
              cur[0] + r.customers,
              cur[1] + r.spend.minor,
              cur[2].map((x, k) => x + r.retention[k]!.active),
            ]);
          }
          return m;
        };
        expect(byMonth(grouped)).toEqual(byMonth(flat));
      }),
      { numRuns: 60 },
    );
  });
});

describe('funnel helpers', () => {
  it('median days between stages: odd count → middle, even count → mean of the two middle values', () => {
    const from = '2026-01-01';
    const pairs = [
      { from, to: '2026-01-04' }, // 3
      { from, to: '2026-01-02' }, // 1
      { from, to: '2026-01-10' }, // 9
      { from, to: null }, // never reached: left out
      { from, to: '2026-01-06' }, // 5
    ];
    expect(medianDaysBetween(pairs)).toBe('4.0'); // [1, 3, 5, 9] → (3 + 5) / 2
    expect(medianDaysBetween([...pairs, { from, to: '2026-01-09' }])).toBe('5.0'); // [1, 3, 5, 8, 9]
    expect(
      medianDaysBetween([
        { from, to: '2026-01-02' },
        { from, to: '2026-01-03' },
      ]),
    ).toBe('1.5');
    expect(medianDaysBetween([{ from, to: null }])).toBeNull();
    expect(errorOf(() => medianDaysBetween([{ from, to: '2025-12-31' }])).details).toMatchObject({
      field: 'pairs[0].to',
      reason: 'STAGE_BEFORE_PREVIOUS',
    });
  });

  it('property: at least half the values are ≤ the median and at least half ≥', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 50 }), (xs) => {
        const m = Number(median(xs));
        expect(xs.filter((x) => x <= m).length * 2).toBeGreaterThanOrEqual(xs.length);
        expect(xs.filter((x) => x >= m).length * 2).toBeGreaterThanOrEqual(xs.length);
      }),
    );
  });

  it('property: the median from a day histogram (roll-up form) equals the median of the raw list', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 60 }), (xs) => {
        const h = new Map<number, number>();
        for (const x of xs) h.set(x, (h.get(x) ?? 0) + 1);
        expect(medianFromHistogram(h)).toBe(median(xs));
      }),
    );
    expect(
      medianFromHistogram(
        new Map([
          [2, 1],
          [7, 1],
        ]),
      ),
    ).toBe('4.5');
  });

  it('period over period', () => {
    expect(periodOverPeriod(120, 100)).toEqual({ current: '120', previous: '100', delta: '20', change: '0.2000' });
    expect(periodOverPeriod(50n, 100n)).toEqual({ current: '50', previous: '100', delta: '-50', change: '-0.5000' });
    expect(periodOverPeriod(-50, -100)).toEqual({ current: '-50', previous: '-100', delta: '50', change: '0.5000' });
    expect(periodOverPeriod(7, 0).change).toBeNull();
    expect(periodOverPeriod('12.50', '10.00', 2)).toEqual({
      current: '12.50',
      previous: '10.00',
      delta: '2.50',
      change: '0.2500',
    });
    expect(periodOverPeriod(2, 3).change).toBe('-0.3333');
  });
});
