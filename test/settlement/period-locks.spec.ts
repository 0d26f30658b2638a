import { CommissionRunEntity } from '../../src/commissions/entities/commission-period.entity';
import { newId } from '../../src/database/columns';
import { JobEntity } from '../../src/jobs/entities/job.entity';
import { ReconciliationService } from '../../src/settlement/reconciliation/reconciliation.service';
import { databases, errorOf, ok, TestApp } from '../support/harness';
import {
  accruals,
  CommissionFixture,
  createPlan,
  customers,
  fenOf,
  openPeriod,
  record,
  rule,
  runAndWait,
  setupCommissions,
  sum,
} from '../commissions/support';

const GENERATE = `mutation($p: ID!) { generateStatements(periodId: $p) { id partnerId accrualCount linesTotal { amount } } }`;
const PREPARE_ADJ = `mutation($i: PrepareAdjustmentInput!) { prepareAdjustment(input: $i) { id } }`;
const APPROVE_ADJ = `mutation($id: ID!) { approveAdjustment(id: $id) { id status postedPeriodId accrualId } }`;

interface StatementNode {
  id: string;
  partnerId: string;
  accrualCount: number;
  linesTotal: { amount: string };
}

/** January CALCULATED: Beijing earns 3 × 12.34. */
async function calculatedPeriod(t: TestApp): Promise<{ fx: CommissionFixture; jan: string }> {
  t.clock.set('2026-02-15T04:00:00Z');
  const fx = await setupCommissions(t);
  const jan = await openPeriod(t, '2026-01');
  await createPlan(t, {
    partnerId: fx.bank.partnerBj,
    programId: fx.progBj,
    rules: [rule({ basis: { kind: 'FLAT_PER_EVENT', amount: '12.34' } })],
  });
  const c = await customers(t, fx.bank, ['a', 'b', 'c']);
  await record(
    t,
    ['a', 'b', 'c'].map((k, i) => ({ customer: c.get(k) as string, at: `2026-01-0${i + 3}T02:00:00Z` })),
    fx.progBj,
  );
  await runAndWait(t, jan, [fx.bank.partnerBj]);
  return { fx, jan };
}

describe.each(databases())('settlement period locks on %s', (db) => {
  let t: TestApp;

  beforeEach(async () => {
    t = await TestApp.start(db);
  }, 60_000);
  afterEach(() => t.close());

  it('statements are not generated while a commission run of the period has not finished', async () => {
    const { fx, jan } = await calculatedPeriod(t);
    // A run whose batches are still being written (its job RUNNING): its rows would miss the statements.
    const now = t.clock.now();
    const jobId = newId();
    await t.dataSource.getRepository(JobEntity).insert({
      id: jobId,
      type: 'commission-run',
      status: 'RUNNING',
      idempotencyKey: null,
      processed: 0,
      total: 1,
      error: null,
      createdById: null,
      createdAt: now,
      startedAt: now,
      finishedAt: null,
    });
    await t.dataSource.getRepository(CommissionRunEntity).insert({
      id: newId(),
      jobId,
      periodId: jan,
      partnerIds: [fx.bank.partnerBj],
      asOf: '2026-02-15',
      linesAdded: 0,
      contentHash: null,
      factPeriodKeys: null,
      createdById: null,
      createdAt: now,
      finishedAt: null,
    });
    expect(errorOf(await t.gql(GENERATE, { p: jan }, 'finance'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'COMMISSION_RUN_IN_PROGRESS',
    });
    await t.dataSource.getRepository(JobEntity).update({ id: jobId }, { status: 'FAILED', finishedAt: now });
    const [bj] = ok(await t.gql<{ generateStatements: StatementNode[] }>(GENERATE, { p: jan }, 'finance'))
      .generateStatements as [StatementNode];
    expect(fenOf(bj.linesTotal.amount)).toBe(3n * 1234n);
  });

  if (db === 'mysql')
    it('an adjustment being approved into the period while its statements are generated is in the statement', async () => {
      const { fx, jan } = await calculatedPeriod(t);
      const adjustment = ok(
        await t.gql<{ prepareAdjustment: { id: string } }>(
          PREPARE_ADJ,
          { i: { partnerId: fx.bank.partnerBj, programId: fx.progBj, amount: { amount: '5.55' }, reason: '补差' } },
          'finance',
        ),
      ).prepareAdjustment;

      // Hold the approval right after it has locked its posting period (January), before it posts.
      const reconciliation = t.get(ReconciliationService) as unknown as {
        postingPeriod: (...args: unknown[]) => Promise<unknown>;
      };
      const original = reconciliation.postingPeriod.bind(reconciliation);
      let locked = (): void => undefined;
      const periodLocked = new Promise<void>((resolve) => (locked = resolve));
      let post = (): void => undefined;
      const mayPost = new Promise<void>((resolve) => (post = resolve));
      const spy = jest.spyOn(reconciliation, 'postingPeriod').mockImplementation(async (...args: unknown[]) => {
        const period = await original(...args);
        locked();
        await mayPost;
        return period;
      });
      try {
        const approving = t.gql<{ approveAdjustment: { postedPeriodId: string } }>(
          APPROVE_ADJ,
          { id: adjustment.id },
          'approver',
        );
        await periodLocked;
        const generating = t.gql<{ generateStatements: StatementNode[] }>(GENERATE, { p: jan }, 'finance');
        await waitForGeneration(t);
        post();
        const approved = ok(await approving).approveAdjustment;
        expect(approved.postedPeriodId).toBe(jan);
        const [bj] = ok(await generating).generateStatements as [StatementNode];
        // The statement is the whole ledger of the period, adjustment included.
        const ledger = sum(await accruals(t, { periodId: jan, partnerIds: [fx.bank.partnerBj] }));
        expect(ledger).toBe(3n * 1234n + 555n);
        expect([fenOf(bj.linesTotal.amount), bj.accrualCount]).toEqual([ledger, 4]);
      } finally {
        spy.mockRestore();
      }
    });
});

/**
 * Polls (bounded: fails instead of hanging) until statement generation, on a connection of this test's
 * database, is executing a statement on the period or its statements. The approval's connection is idle
 * while it holds its lock, so what is seen is generation — blocked there when it takes the period lock
 * first; without that lock its read snapshot has begun before the adjustment commits either way.
 */
async function waitForGeneration(t: TestApp): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    const rows: unknown[] = await t.dataSource.query(
      `SELECT id FROM information_schema.processlist
        WHERE db = DATABASE() AND id <> CONNECTION_ID()
          AND (info LIKE '%commission_periods%' OR info LIKE '%settlement_statements%')`,
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('statement generation never reached the period');
}
