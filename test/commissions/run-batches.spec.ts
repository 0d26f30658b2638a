import { CommissionsService } from '../../src/commissions/commissions.service';
import { PartnerKind } from '../../src/partners/partner.enums';
import { createPartner } from '../support/fixtures';
import { databases, TestApp } from '../support/harness';
import {
  accruals,
  createPlan,
  createProgram,
  customers,
  fen,
  openPeriod,
  record,
  rule,
  runAndWait,
  setupCommissions,
} from './support';

/**
 * Batches are cut by facts as well as by partners (COMMISSION_BATCH_FACTS): with a cap of 3 facts and room
 * for 10 partners, partners holding 4, 1, 2 and 3 January events never share a batch above 3 facts, the one
 * holding 4 is a batch of its own, and the ledger is the one a single batch gives.
 */
describe.each(databases())('commission run batches on %s', (db) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start(db, { COMMISSION_BATCH_PARTNERS: '10', COMMISSION_BATCH_FACTS: '3' });
  }, 60_000);
  afterAll(() => t.close());

  it('holds at most COMMISSION_BATCH_FACTS facts per batch (a bigger partner alone) and posts every line once', async () => {
    t.clock.set('2026-02-15T04:00:00Z');
    const fx = await setupCommissions(t);
    const jan = await openPeriod(t, '2026-01');
    const eventsOf = new Map<string, number>();
    const c = await customers(t, fx.bank, ['a']);
    for (const [i, n] of [4, 1, 2, 3].entries()) {
      const partnerId = await createPartner(t, {
        code: `P-BT-${i}`,
        orgUnitId: fx.bank.beijing,
        kind: PartnerKind.AIRLINE,
      });
      const programId = await createProgram(t, partnerId, '联名卡');
      await createPlan(t, {
        partnerId,
        programId,
        rules: [rule({ basis: { kind: 'FLAT_PER_EVENT', amount: '12.34' } })],
      });
      await record(
        t,
        Array.from({ length: n }, (_, d) => ({ customer: c.get('a') as string, at: `2026-01-1${d}T02:00:00Z` })),
        programId,
      );
      eventsOf.set(partnerId, n);
    }
    const svc = t.get(CommissionsService) as unknown as { prepareBatch: (batch: string[]) => Promise<unknown> };
    const original = svc.prepareBatch.bind(svc);
    const batches: string[][] = [];
    const spy = jest.spyOn(svc, 'prepareBatch').mockImplementation((...args: unknown[]) => {
      batches.push([...(args[0] as string[])]);
      return (original as (...a: unknown[]) => Promise<unknown>)(...args);
    });
    const partnerIds = [...eventsOf.keys()];
    let run: Awaited<ReturnType<typeof runAndWait>>;
    try {
      run = await runAndWait(t, jan, partnerIds);
    } finally {
      spy.mockRestore();
    }
    expect(run).toMatchObject({ status: 'SUCCEEDED', linesAdded: 10 });
    expect(batches.flat().sort()).toEqual([...partnerIds].sort());
    for (const batch of batches) {
      const facts = batch.reduce((n, p) => n + (eventsOf.get(p) ?? 0), 0);
      if (batch.length > 1) expect(facts).toBeLessThanOrEqual(3);
    }
    expect(batches.length).toBeGreaterThanOrEqual(3);
    const lines = await accruals(t, { periodId: jan, partnerIds });
    expect(fen(lines)).toEqual(Array.from({ length: 10 }, () => 1234n));
    expect(await t.get(CommissionsService).cleanHash(['2026-01'], partnerIds, '2026-02-15')).toBe(run.contentHash);
  });
});
