import fc from 'fast-check';
import { CommissionsService } from '../../src/commissions/commissions.service';
import { CommissionAccrualEntity } from '../../src/commissions/entities/commission-accrual.entity';
import { entryOf } from '../../src/commissions/commissions.service';
import { netLedgerLines } from '../../src/commissions/rules';
import { JobsService } from '../../src/jobs/jobs.service';
import { PartnerKind } from '../../src/partners/partner.enums';
import { createPartner } from '../support/fixtures';
import { databases, SYSTEM_ACTOR, TestApp } from '../support/harness';
import {
  CommissionFixture,
  createPlan,
  createProgram,
  customers,
  openPeriod,
  record,
  rule,
  setupCommissions,
} from './support';

interface LogicalEvent {
  day: number;
  hour: number;
  customer: number;
  spendFen: number | null;
}

const RULES = [
  rule({
    id: 'act',
    basis: {
      kind: 'TIERED',
      measure: 'COUNT',
      mode: 'GRADUATED',
      tiers: [
        { from: 0, to: 2, amountPerUnit: '10.00' },
        { from: 2, to: null, amountPerUnit: '20.00' },
      ],
    },
  }),
  rule({
    id: 'spend',
    trigger: { kind: 'EVENT', eventType: 'CARD_SPEND' },
    feeCategory: 'SPEND_REBATE',
    basis: { kind: 'PERCENT_OF_AMOUNT', rate: '0.0125' },
    caps: { perPeriod: '30.00' },
  }),
];

function yuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

const eventArb = fc.record({
  day: fc.integer({ min: 1, max: 28 }),
  hour: fc.integer({ min: 0, max: 23 }),
  customer: fc.integer({ min: 0, max: 2 }),
  spendFen: fc.option(fc.integer({ min: 1, max: 500_000 }), { nil: null }),
});

const scenarioArb = fc.array(eventArb, { minLength: 1, maxLength: 8 }).chain((events) =>
  fc.tuple(
    fc.constant(events),
    fc.shuffledSubarray(
      events.map((_, i) => i),
      { minLength: events.length, maxLength: events.length },
    ),
    fc.integer({ min: 0, max: events.length }),
  ),
);

describe.each(databases())('commission ledger invariants (model-based) on %s', (db) => {
  let t: TestApp;
  let fx: CommissionFixture;
  let jan: string;
  let customerIds: string[];
  let serial = 1;

  beforeAll(async () => {
    t = await TestApp.start(db);
    t.clock.set('2026-02-15T04:00:00Z');
    fx = await setupCommissions(t);
    jan = await openPeriod(t, '2026-01');
    const c = await customers(t, fx.bank, ['a', 'b', 'c']);
    customerIds = ['a', 'b', 'c'].map((k) => c.get(k) as string);
  }, 120_000);
  afterAll(() => t.close());

  async function run(partnerId: string): Promise<{ linesAdded: number; contentHash: string }> {
    const svc = t.get(CommissionsService);
    const r = await svc.startRun(SYSTEM_ACTOR, { periodId: jan, partnerIds: [partnerId] });
    const job = await t.get(JobsService).waitFor(r.jobId);
    expect(job.status).toBe('SUCCEEDED');
    return job.result as { linesAdded: number; contentHash: string };
  }

  async function fresh(): Promise<{ partnerId: string; programId: string }> {
    const partnerId = await createPartner(t, {
      code: `P-MB-${serial++}`,
      orgUnitId: fx.bank.beijing,
      kind: PartnerKind.MALL,
    });
    const programId = await createProgram(t, partnerId, '联名卡');
    await createPlan(t, { partnerId, programId, rules: RULES }, 'admin');
    return { partnerId, programId };
  }

  function evs(events: readonly LogicalEvent[], order: readonly number[]) {
    return order.map((i) => {
      const e = events[i] as LogicalEvent;
      return {
        customer: customerIds[e.customer] as string,
        at: `2026-01-${String(e.day).padStart(2, '0')}T${String(e.hour).padStart(2, '0')}:00:00Z`,
        ...(e.spendFen === null ? {} : { type: 'CARD_SPEND', amount: yuan(e.spendFen) }),
      };
    });
  }

  /** The live ledger with event ids replaced by the logical index, so two partners' ledgers compare. */
  async function normalized(partnerId: string, indexOf: Map<string, number>) {
    const rows = await t.dataSource.getRepository(CommissionAccrualEntity).findBy({ partnerId });
    const live = netLedgerLines(rows.map(entryOf));
    return {
      rows,
      live: live
        .map((l) =>
          JSON.stringify([
            indexOf.get(l.sourceIds[0] ?? ''),
            l.ruleId,
            l.kind,
            l.amount.minor.toString(),
            l.rateOrTier,
            l.payableOn,
          ]),
        )
        .sort(),
      liveSum: live.reduce((s, l) => s + l.amount.minor, 0n),
    };
  }

  it('a re-run adds nothing; any arrival order gives the same ledger; reversals net to zero; hashes agree', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ([events, order, split]) => {
        const natural = events.map((_, i) => i);
        // Partner A: all events, one clean run.
        const a = await fresh();
        const idsA = await record(t, evs(events, natural), a.programId);
        const runA = await run(a.partnerId);
        // Partner B: the same events in another order, in two batches with a run in between.
        const b = await fresh();
        const first = order.slice(0, split);
        const rest = order.slice(split);
        const idsB1 = first.length ? await record(t, evs(events, first), b.programId) : [];
        if (first.length) await run(b.partnerId);
        const idsB2 = rest.length ? await record(t, evs(events, rest), b.programId) : [];
        const runB = await run(b.partnerId);
        const rerun = await run(b.partnerId);
        expect(rerun.linesAdded).toBe(0);
        expect(rerun.contentHash).toBe(runB.contentHash);

        const indexA = new Map(idsA.map((id, i) => [id, i]));
        const indexB = new Map([...idsB1, ...idsB2].map((id, k) => [id, [...first, ...rest][k] as number]));
        const la = await normalized(a.partnerId, indexA);
        const lb = await normalized(b.partnerId, indexB);
        expect(lb.live).toEqual(la.live);

        const svc = t.get(CommissionsService);
        expect(await svc.storedHash(['2026-01'], [b.partnerId])).toBe(runB.contentHash);
        expect(await svc.cleanHash(['2026-01'], [b.partnerId], '2026-02-15')).toBe(runB.contentHash);
        expect(await svc.storedHash(['2026-01'], [a.partnerId])).toBe(runA.contentHash);

        for (const l of [la, lb]) {
          // No line without a source; the ledger total (all rows) equals the sum of live lines.
          expect(l.rows.every((r) => r.sourceIds.length > 0)).toBe(true);
          expect(l.rows.reduce((s, r) => s + r.amount, 0n)).toBe(l.liveSum);
          // Each reversal is the exact negative of the row it reverses.
          for (const r of l.rows.filter((x) => x.reversal)) {
            const orig = l.rows.find(
              (x) => !x.reversal && x.idempotencyKey === r.idempotencyKey && x.revision === r.revision,
            );
            expect(orig?.amount).toBe(-r.amount);
          }
        }
      }),
      { numRuns: 15 },
    );
  }, 300_000);
});
