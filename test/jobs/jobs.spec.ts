import { badInput } from '../../src/common/domain-error';
import { JobsService } from '../../src/jobs/jobs.service';
import { databases, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import { seedBank } from '../support/fixtures';

describe.each(databases())('jobs runner on %s', (db) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start(db);
    await seedBank(t);
  });
  afterAll(() => t.close());

  it('moves QUEUED → RUNNING → SUCCEEDED with progress, report rows and a result', async () => {
    const jobs = t.get(JobsService);
    const { job } = await jobs.create(SYSTEM_ACTOR, { type: 'test.work' });
    expect(job.status).toBe('QUEUED');
    let seenRunning = '';
    const done = await jobs.run(job.id, async (ctx) => {
      seenRunning =
        (await t.dataSource.query<{ status: string }[]>(`SELECT status FROM jobs WHERE id = '${job.id}'`))[0]?.status ??
        '';
      await t.dataSource.transaction(async (m) => {
        await ctx.report(m, [{ line: 7, status: 'REJECTED', field: 'x', reason: 'WHY', ref: 'R-7' }]);
        await ctx.progress(m, 3, 10);
      });
      return { answer: 42 };
    });
    expect(seenRunning).toBe('RUNNING');
    expect(done).toMatchObject({ status: 'SUCCEEDED', processed: 3, total: 10, result: { answer: 42 }, error: null });
  });

  it('records a failure with its code, field and reason, and is visible to its creator only', async () => {
    const jobs = t.get(JobsService);
    const { job } = await jobs.create(SYSTEM_ACTOR, { type: 'test.fail' });
    const done = await jobs.run(job.id, () => Promise.reject(badInput('file', 'EMPTY')));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('BAD_USER_INPUT file: EMPTY');
    const asAdmin = ok(await t.gql<{ job: { status: string } }>(`{ job(id: "${job.id}") { status } }`, {}, 'admin'));
    expect(asAdmin.job.status).toBe('FAILED');
    const asManager = await t.gql(`{ job(id: "${job.id}") { status } }`, {}, 'manager');
    expect(asManager.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('returns the same job for the same idempotency key', async () => {
    const jobs = t.get(JobsService);
    const a = await jobs.create(SYSTEM_ACTOR, { type: 'test.key', idempotencyKey: 'k-1' });
    const b = await jobs.create(SYSTEM_ACTOR, { type: 'test.key', idempotencyKey: 'k-1' });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.job.id).toBe(a.job.id);
  });
});
