import fc from 'fast-check';
import { Money } from '../../common/money';
import { calculate, planVersionResolver } from './engine';
import { diffAgainstLedger, ledgerContentHash, lineFingerprint } from './ledger';
import { JANUARY } from './spec-support';
import type {
  CalculationInput,
  ClawbackFact,
  CommissionLine,
  CommissionRule,
  PlanVersion,
  QualifyingFact,
  RuleBasis,
  RuleCaps,
  Tier,
} from './types';

const money = (max: number): fc.Arbitrary<Money> => fc.integer({ min: 0, max }).map((n) => Money.ofMinor(n, 'CNY'));
// "0.0000"–"1.0000", built from integers (no float math on rates)
const rate = fc.integer({ min: 0, max: 10000 }).map((n) => (n === 10000 ? '1' : `0.${String(n).padStart(4, '0')}`));
const modes = fc.constantFrom('HALF_UP' as const, 'HALF_EVEN' as const, 'DOWN' as const);

const tiersArb = (measure: 'COUNT' | 'AMOUNT') =>
  fc
    .array(fc.integer({ min: 1, max: measure === 'COUNT' ? 4 : 5_000_000 }), { minLength: 0, maxLength: 3 })
    .chain((widths) =>
      fc
        .array(measure === 'COUNT' ? fc.oneof(money(20000), rate) : rate, {
          minLength: widths.length + 1,
          maxLength: widths.length + 1,
        })
        .map((values) => {
          let from = 0n;
          return values.map((v, i) => {
            const w = widths[i];
            const to = w === undefined ? null : from + BigInt(w);
            const tier: Tier = { from, to, ...(typeof v === 'string' ? { rate: v } : { amountPerUnit: v }) };
            from = to ?? from;
            return tier;
          });
        }),
    )
    // one table uses either per-unit amounts or rates
    .filter((ts) => ts.every((t) => t.rate !== undefined) || ts.every((t) => t.amountPerUnit !== undefined));

const basisArb: fc.Arbitrary<RuleBasis> = fc.oneof(
  money(20000).map((amount) => ({ kind: 'FLAT_PER_EVENT' as const, amount })),
  money(20000).map((amount) => ({ kind: 'FLAT_PER_CUSTOMER' as const, amount })),
  rate.map((r) => ({ kind: 'PERCENT_OF_AMOUNT' as const, rate: r })),
  fc.tuple(rate, rate).map(([r, ir]) => ({ kind: 'PERCENT_OF_INTERCHANGE' as const, rate: r, interchangeRate: ir })),
  fc
    .tuple(
      fc.constantFrom('COUNT' as const, 'AMOUNT' as const),
      fc.constantFrom('GRADUATED' as const, 'VOLUME' as const),
    )
    .chain(([measure, mode]) => tiersArb(measure).map((tiers) => ({ kind: 'TIERED' as const, measure, mode, tiers }))),
);

const capsArb: fc.Arbitrary<RuleCaps> = fc.record(
  { perLine: money(30000), perCustomer: money(60000), perPeriod: money(200000), perProgramLifetime: money(300000) },
  { requiredKeys: [] },
);

const ruleArb = (id: string): fc.Arbitrary<CommissionRule> =>
  fc.record({
    id: fc.constant(id),
    trigger: fc.constantFrom(
      { kind: 'EVENT' as const, eventType: 'CARD_ACTIVATED' },
      { kind: 'EVENT' as const, eventType: 'SPEND' },
      { kind: 'REFERRAL_QUALIFIED' as const },
    ),
    basis: basisArb,
    caps: fc.option(capsArb, { nil: undefined }),
    holdingDays: fc.integer({ min: 0, max: 60 }),
    clawback: fc.option(
      fc.record({
        onEventTypes: fc.constantFrom(['CARD_CLOSED' as const], ['CARD_CLOSED' as const, 'DELINQUENT' as const]),
        withinDays: fc.integer({ min: 0, max: 90 }),
      }),
      { nil: undefined },
    ),
    currency: fc.constant('CNY'),
    rounding: modes,
    feeCategory: fc.constant('SERVICE_FEE'),
  });

const planArb = (version: number, effectiveFrom: string): fc.Arbitrary<PlanVersion> =>
  fc
    .tuple(ruleArb('r1'), ruleArb('r2'), fc.boolean())
    .map(([a, b, two]) => ({ planId: 'plan-1', version, effectiveFrom, rules: two ? [a, b] : [a] }));

const day = fc.integer({ min: 1, max: 31 }).map((d) => `2026-01-${String(d).padStart(2, '0')}`);

const factsArb: fc.Arbitrary<QualifyingFact[]> = fc
  .array(
    fc.record({
      kind: fc.constantFrom('CARD_ACTIVATED', 'SPEND', 'REFERRAL_QUALIFIED'),
      customer: fc.constantFrom('c1', 'c2', 'c3', 'c4'),
      program: fc.constantFrom('p1', 'p2'),
      date: day,
      second: fc.integer({ min: 0, max: 3 }),
      amount: fc.option(money(2_000_000), { nil: undefined }),
    }),
    { maxLength: 25 },
  )
  .map((specs) =>
    specs.map((s, i): QualifyingFact => ({
      sourceId: `s${String(i).padStart(3, '0')}`,
      kind: s.kind === 'REFERRAL_QUALIFIED' ? 'REFERRAL_QUALIFIED' : 'EVENT',
      ...(s.kind === 'REFERRAL_QUALIFIED' ? {} : { eventType: s.kind }),
      customerId: s.customer,
      partnerId: 'partner-1',
      programId: s.program,
      // Same instant for many facts on purpose: the source id must break the tie.
      occurredAt: new Date(`${s.date}T00:00:0${s.second}Z`),
      businessDate: s.date,
      ...(s.amount ? { amount: s.amount } : {}),
    })),
  );

const clawbacksArb: fc.Arbitrary<ClawbackFact[]> = fc.array(
  fc.record({
    customerId: fc.constantFrom('c1', 'c2', 'c3', 'c4'),
    eventType: fc.constantFrom('CARD_CLOSED', 'DELINQUENT', 'ACCOUNT_CLOSED'),
    businessDate: fc.integer({ min: 1, max: 28 }).map((d) => `2026-02-${String(d).padStart(2, '0')}`),
  }),
  { maxLength: 3 },
);

const scenarioArb = fc.record({
  v1: planArb(1, '2026-01-01'),
  v2: fc.option(planArb(2, '2026-01-16'), { nil: undefined }),
  facts: factsArb,
  clawbacks: clawbacksArb,
  priorCustomer: fc.option(money(50000), { nil: undefined }),
  priorLifetime: fc.option(money(200000), { nil: undefined }),
  shuffle: fc.array(fc.nat(), { minLength: 25, maxLength: 25 }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function inputOf(s: Scenario, facts = s.facts, versions?: PlanVersion[]): CalculationInput {
  return {
    planVersionAt: planVersionResolver(versions ?? (s.v2 ? [s.v1, s.v2] : [s.v1])),
    facts,
    clawbackFacts: s.clawbacks,
    period: JANUARY,
    asOf: '2026-02-10',
    priorCustomerTotals: s.priorCustomer ? [{ ruleId: 'r1', customerId: 'c1', amount: s.priorCustomer }] : [],
    priorLifetimeTotals: s.priorLifetime ? [{ ruleId: 'r2', programId: 'p1', amount: s.priorLifetime }] : [],
  };
}

function permute<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items
    .map((item, i) => ({ item, k: keys[i] ?? 0, i }))
    .sort((a, b) => a.k - b.k || b.i - a.i)
    .map((x) => x.item);
}

/** Everything a line says, explanation and status included. */
const full = (lines: readonly CommissionLine[]): string[] =>
  lines.map((l) => `${lineFingerprint(l)}|${l.status}|${l.explanation}`);

const sumOf = (lines: readonly { amount: Money }[]): bigint => lines.reduce((s, l) => s + l.amount.minor, 0n);

const params = { numRuns: 150 };

describe('commission engine invariants (fast-check)', () => {
  it('any order of the same facts gives the same lines', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const a = calculate(inputOf(s)).lines;
        const b = calculate(inputOf(s, permute(s.facts, s.shuffle))).lines;
        expect(full(b)).toEqual(full(a));
      }),
      params,
    );
  });

  it('every line has a source among the facts; the sum of lines is the reported total; caps hold', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const r = calculate(inputOf(s));
        const ids = new Set(s.facts.map((f) => f.sourceId));
        for (const l of r.lines) {
          expect(l.sourceIds.length).toBeGreaterThanOrEqual(1);
          expect(ids.has(l.sourceIds[0] ?? '')).toBe(true);
          if (l.kind === 'ACCRUAL') expect(l.amount.isNegative()).toBe(false);
          expect(l.explanation.length).toBeGreaterThan(0);
        }
        expect(r.totals.map((m) => m.minor)).toEqual(r.lines.length === 0 ? [] : [sumOf(r.lines)]);
        for (const t of r.ruleTotals) {
          const own = r.lines.filter((l) => l.ruleId === t.ruleId && l.planVersion === t.planVersion);
          expect(t.accrued.minor + t.clawedBack.minor).toBe(sumOf(own));
          expect(t.lineCount).toBe(own.length);
          expect(t.accrued.minor <= t.gross.minor).toBe(true);
        }
        for (const v of s.v2 ? [s.v1, s.v2] : [s.v1]) {
          for (const rule of v.rules) {
            const accruals = r.lines.filter(
              (l) => l.ruleId === rule.id && l.planVersion === v.version && l.kind === 'ACCRUAL',
            );
            const perLine = rule.caps?.perLine;
            if (perLine) expect(accruals.every((l) => l.amount.minor <= perLine.minor)).toBe(true);
            const perPeriod = rule.caps?.perPeriod;
            if (perPeriod) expect(sumOf(accruals) <= perPeriod.minor).toBe(true);
          }
        }
      }),
      params,
    );
  });

  it('clawbacks and reversals net to zero against the line they reverse', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const r = calculate(inputOf(s));
        const byKey = new Map(r.lines.map((l) => [l.idempotencyKey, l]));
        for (const l of r.lines.filter((x) => x.kind === 'CLAWBACK')) {
          const original = byKey.get(l.idempotencyKey.replace(/\|CLAWBACK$/, ''));
          expect(original).toBeDefined();
          expect(l.amount.minor + (original?.amount.minor ?? 0n)).toBe(0n);
        }
        // Posting, then recomputing with half the facts: every reversal cancels the revision it names.
        const ledger = diffAgainstLedger([], r.lines);
        const delta = diffAgainstLedger(
          ledger,
          calculate(
            inputOf(
              s,
              s.facts.filter((_, i) => i % 2 === 0),
            ),
          ).lines,
        );
        const rows = new Map([...ledger, ...delta].map((e) => [e.ledgerKey, e]));
        for (const rev of delta.filter((e) => e.reversal)) {
          const target = rows.get(rev.ledgerKey.replace(/~R$/, ''));
          expect(target).toBeDefined();
          expect(rev.amount.minor + (target?.amount.minor ?? 0n)).toBe(0n);
        }
      }),
      params,
    );
  });

  it('a re-run adds nothing; a changed input adds only the difference; hashes equal a clean run', () => {
    fc.assert(
      fc.property(scenarioArb, factsArb, (s, late) => {
        const first = calculate(inputOf(s)).lines;
        const ledger = diffAgainstLedger([], first);
        expect(diffAgainstLedger(ledger, first)).toEqual([]);
        expect(ledgerContentHash(ledger)).toBe(ledgerContentHash(first));

        // Late events (and, when drawn, a back-dated version) change the recomputation.
        const moreFacts = [...s.facts, ...late.map((f) => ({ ...f, sourceId: `late-${f.sourceId}` }))];
        const second = calculate(inputOf(s, moreFacts)).lines;
        const delta = diffAgainstLedger(ledger, second);
        const after = [...ledger, ...delta];
        expect(diffAgainstLedger(after, second)).toEqual([]);
        expect(ledgerContentHash(after)).toBe(ledgerContentHash(second));
        expect(sumOf(after)).toBe(sumOf(second));
      }),
      params,
    );
  });

  it('the content hash does not depend on the order of ledger rows', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const ledger = diffAgainstLedger([], calculate(inputOf(s)).lines);
        const after = [...ledger, ...diffAgainstLedger(ledger, calculate(inputOf(s, s.facts.slice(1))).lines)];
        const keys = after.map((_, i) => s.shuffle[i % s.shuffle.length] ?? i);
        expect(ledgerContentHash(permute(after, keys))).toBe(ledgerContentHash(after));
      }),
      params,
    );
  });
});
