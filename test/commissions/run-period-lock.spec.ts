import { CommissionsService } from '../../src/commissions/commissions.service';
import { CommissionRunEntity } from '../../src/commissions/entities/commission-period.entity';
import { TransactionService } from '../../src/database/transaction.service';
import { JobEntity } from '../../src/jobs/entities/job.entity';
import { JobContext } from '../../src/jobs/jobs.service';
import { databases, ok, TestApp } from '../support/harness';
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
} from './support';

const GENERATE = `mutation($p: ID!) { generateStatements(periodId: $p) { id partnerId accrualCount linesTotal { amount } } }`;

interface StatementNode {
  id: string;
  partnerId: string;
  accrualCount: number;
  linesTotal: { amount: string };
}

/**
 * January CALCULATED for Beijing and Shanghai (one ¥12.34 line each), then one late January event each:
 * a run of both partners now appends one line per partner, in two batches (one partner per batch).
 * Returns the job of the finished run, whose work the tests execute again as a worker does when it
 * resumes a job another worker has meanwhile finished (a stalled lease): settlement then sees no live run.
 */
async function lateEventsAfterRun(t: TestApp): Promise<{ fx: CommissionFixture; jan: string; job: JobEntity }> {
  t.clock.set('2026-02-15T04:00:00Z');
  const fx = await setupCommissions(t);
  const jan = await openPeriod(t, '2026-01');
  const flat = rule({ basis: { kind: 'FLAT_PER_EVENT', amount: '12.34' } });
  await createPlan(t, { partnerId: fx.bank.partnerBj, programId: fx.progBj, rules: [flat] });
  await createPlan(t, { partnerId: fx.bank.partnerSh, programId: fx.progSh, rules: [flat] });
  const c = await customers(t, fx.bank, ['a', 'b', 'c', 'd']);
  const at = (k: string, day: number) => ({ customer: c.get(k) as string, at: `2026-01-0${day}T02:00:00Z` });
  await record(t, [at('a', 3)], fx.progBj);
  await record(t, [at('b', 3)], fx.progSh);
  const run = await runAndWait(t, jan, [fx.bank.partnerBj, fx.bank.partnerSh]);
  expect(run).toMatchObject({ status: 'SUCCEEDED', linesAdded: 2 });
  await record(t, [at('c', 5)], fx.progBj);
  await record(t, [at('d', 5)], fx.progSh);
  const { jobId } = await t.dataSource.getRepository(CommissionRunEntity).findOneByOrFail({ id: run.id });
  const job = await t.dataSource.getRepository(JobEntity).findOneByOrFail({ id: jobId });
  return { fx, jan, job };
}

/** A job context that reports progress nowhere: the job row already says SUCCEEDED. */
function contextOf(job: JobEntity, onProgress: (processed: number) => void = () => undefined): JobContext {
  return {
    job,
    progress: (_manager, processed) => {
      onProgress(processed);
      return Promise.resolve();
    },
    report: () => Promise.resolve(),
  };
}

/** Every ledger row posted in the period is in exactly one statement, to the fen. */
async function expectStatementsCoverLedger(t: TestApp, jan: string, statements: StatementNode[]): Promise<number> {
  const ledger = await accruals(t, { periodId: jan });
  expect(statements.reduce((n, s) => n + s.accrualCount, 0)).toBe(ledger.length);
  expect(statements.reduce((n, s) => n + fenOf(s.linesTotal.amount), 0n)).toBe(sum(ledger));
  return ledger.length;
}

describe.each(databases())('commission run against settlement of its period on %s', (db) => {
  let t: TestApp;

  beforeEach(async () => {
    t = await TestApp.start(db, { COMMISSION_BATCH_PARTNERS: '1' });
  }, 60_000);
  afterEach(() => t.close());

  it('stops with CONFLICT and writes no further batch once statements have been generated between two batches', async () => {
    const { jan, job } = await lateEventsAfterRun(t);
    const txs = t.get(TransactionService);
    const original = txs.run.bind(txs);
    let progressed = 0;
    let generated: StatementNode[] | null = null;
    let generating = false;
    // Right after the first batch commits, finance generates the period's statements (no run is live) — once:
    // another transaction (a roll-up drain) that began before that batch may also end after it.
    const spy = jest.spyOn(txs, 'run').mockImplementation(async (work) => {
      const before = progressed;
      const result = await original(work);
      if (before === 0 && progressed === 1 && !generating) {
        generating = true;
        generated = ok(
          await t.gql<{ generateStatements: StatementNode[] }>(GENERATE, { p: jan }, 'finance'),
        ).generateStatements;
      }
      return result;
    });
    try {
      const running = t.get(CommissionsService).executeRun(
        job.id,
        contextOf(job, (processed) => (progressed = processed)),
      );
      await expect(running).rejects.toMatchObject({ code: 'CONFLICT', details: { rule: 'PERIOD_NOT_OPEN' } });
    } finally {
      spy.mockRestore();
    }
    const statements = generated as StatementNode[] | null;
    expect(statements).toHaveLength(2);
    // The first batch's late line is in its statement; the second batch's was never written.
    expect(await expectStatementsCoverLedger(t, jan, statements ?? [])).toBe(3);
    expect((statements ?? []).map((s) => s.accrualCount).sort()).toEqual([1, 2]);
  });

  if (db === 'mysql')
    it('statements generated while a batch is being written wait for it and include its rows', async () => {
      const { jan, job } = await lateEventsAfterRun(t);
      const svc = t.get(CommissionsService) as unknown as {
        appendRows: (...args: unknown[]) => Promise<void>;
      };
      const original = svc.appendRows.bind(svc);
      let calls = 0;
      let generating: Promise<StatementNode[]> | null = null;
      // The second batch has checked its period and is about to append: finance asks for statements now.
      const spy = jest.spyOn(svc, 'appendRows').mockImplementation(async (...args: unknown[]) => {
        calls += 1;
        if (calls === 2) {
          generating = t
            .gql<{ generateStatements: StatementNode[] }>(GENERATE, { p: jan }, 'finance')
            .then((r) => ok(r).generateStatements);
          generating.catch(() => undefined);
          await waitUntilBlockedOrDone(t, generating);
        }
        return original(...args);
      });
      try {
        await expect(t.get(CommissionsService).executeRun(job.id, contextOf(job))).rejects.toMatchObject({
          code: 'CONFLICT',
          details: { rule: 'PERIOD_NOT_OPEN' },
        });
      } finally {
        spy.mockRestore();
      }
      expect(calls).toBe(2);
      const statements = await (generating as unknown as Promise<StatementNode[]>);
      // Both late lines were written before the statements were built, so both are in them.
      expect(await expectStatementsCoverLedger(t, jan, statements)).toBe(4);
      expect(statements.map((s) => s.accrualCount)).toEqual([2, 2]);
    });
});

/**
 * Polls (bounded: fails instead of hanging) until statement generation, on another connection of this
 * test's database, waits in its locking read of the period, or has finished (which it can only do
 * when nothing holds that lock).
 */
async function waitUntilBlockedOrDone(t: TestApp, generating: Promise<unknown>): Promise<void> {
  let done = false;
  void generating.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 3000 && !done; i++) {
    const rows: unknown[] = await t.dataSource.query(
      `SELECT id FROM information_schema.processlist
        WHERE db = DATABASE() AND id <> CONNECTION_ID() AND info LIKE '%commission_periods%FOR UPDATE%'`,
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (!done) throw new Error('statement generation never reached the period lock');
}
