import { badInput } from '../../src/common/domain-error';
import { JobEntity } from '../../src/jobs/entities/job.entity';
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

  it('fails a RUNNING job whose process stopped once its heartbeat lapses, audited; jobs of this process stay', async () => {
    const jobs = t.get(JobsService);
    const repo = t.dataSource.getRepository(JobEntity);
    const at = (iso: string): Date => new Date(iso);
    t.clock.set('2026-03-01T00:00:00Z');
    // Started by another process that then died: RUNNING with its last heartbeat now; and a row from before
    // heartbeats existed (none, started long ago).
    const { job: orphan } = await jobs.create(SYSTEM_ACTOR, { type: 'test.orphan' });
    await repo.update({ id: orphan.id }, { status: 'RUNNING', startedAt: t.clock.now(), heartbeatAt: t.clock.now() });
    const { job: old } = await jobs.create(SYSTEM_ACTOR, { type: 'test.old' });
    await repo.update({ id: old.id }, { status: 'RUNNING', startedAt: at('2026-02-28T00:00:00Z') });
    // Running here, held open until released.
    let release: ((value: string) => void) | null = null;
    const { job: live } = await jobs.create(SYSTEM_ACTOR, { type: 'test.live' });
    const finished = jobs.run(live.id, () => new Promise<string>((resolve) => (release = resolve)));
    while (release === null) await new Promise((resolve) => setTimeout(resolve, 5));

    t.clock.set('2026-03-01T00:04:00Z');
    expect(await jobs.failInterrupted()).toEqual([old.id]);
    await jobs.beat();
    expect((await repo.findOneByOrFail({ id: live.id })).heartbeatAt).toEqual(at('2026-03-01T00:04:00Z'));
    expect((await repo.findOneByOrFail({ id: orphan.id })).status).toBe('RUNNING');

    // Five minutes (JOB_STALE_AFTER_MS) after the orphan's last heartbeat; this process's own job is alive.
    t.clock.set('2026-03-01T00:05:01Z');
    expect(await jobs.failInterrupted()).toEqual([orphan.id]);
    const view = ok(
      await t.gql<{ job: { status: string; error: string } }>(
        `{ job(id: "${orphan.id}") { status error } }`,
        {},
        'admin',
      ),
    ).job;
    expect(view.status).toBe('FAILED');
    expect(view.error).toMatch(/^INTERRUPTED: no heartbeat since 2026-03-01T00:00:01.000Z/);
    const audited = await t.dataSource.query<{ n: number | string }[]>(
      `SELECT COUNT(*) AS n FROM audit_records WHERE action = 'job.interrupted' AND entity_id IN (?, ?)`,
      [orphan.id, old.id],
    );
    expect(Number(audited[0]?.n)).toBe(2);
    t.clock.set('2026-03-01T02:00:00Z');
    expect(await jobs.failInterrupted()).toEqual([]);
    (release as unknown as (value: string) => void)('done');
    expect((await finished).status).toBe('SUCCEEDED');
  });
});
