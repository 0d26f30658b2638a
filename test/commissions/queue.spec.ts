import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { CommissionsService } from '../../src/commissions/commissions.service';
import { CommissionAccrualEntity } from '../../src/commissions/entities/commission-accrual.entity';
import { JobEntity } from '../../src/jobs/entities/job.entity';
import { JobDispatcher } from '../../src/jobs/queue/job-dispatcher';
import { PartnerKind } from '../../src/partners/partner.enums';
import { createPartner } from '../support/fixtures';
import { databases, SYSTEM_ACTOR, TEST_PASSWORD, TestApp } from '../support/harness';
import { createPlan, createProgram, customers, openPeriod, record, rule, setupCommissions } from './support';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PARTNERS = 5;
const EVENTS_PER_PARTNER = 4;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * A tiny launcher for src/worker.ts compiled on the fly by @swc/core (the options of jest.config.js), so
 * the test needs no build step; written to a temporary file because the repository keeps no .js sources.
 */
function writeLauncher(file: string): void {
  const swc = require.resolve('@swc/core');
  const worker = join(__dirname, '..', '..', 'src', 'worker.ts');
  writeFileSync(
    file,
    `const fs = require('node:fs');
const swc = require(${JSON.stringify(swc)});
require.extensions['.ts'] = function (module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022', keepClassNames: true },
    module: { type: 'commonjs' },
    sourceMaps: false,
  });
  module._compile(code, filename);
};
require(${JSON.stringify(worker)});
`,
  );
}

/**
 * With REDIS_URL set, runs go through BullMQ to `npm run worker` processes. A real worker process
 * (src/worker.ts, compiled on the fly) is killed with SIGKILL after the first batch commits; a second
 * worker process takes the stalled job and completes it with the hash a clean calculation gives.
 */
describe.each(databases())('commission runs through BullMQ worker processes on %s', (db) => {
  const prefix = `gy-test-${randomBytes(4).toString('hex')}`;
  const sqliteFile = join(tmpdir(), `gy-queue-${randomBytes(4).toString('hex')}.sqlite`);
  const launcher = join(tmpdir(), `gy-worker-${randomBytes(4).toString('hex')}.js`);
  let t: TestApp;
  let databaseUrl: string;
  const children: ChildProcess[] = [];

  function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [launcher], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: databaseUrl,
        REDIS_URL,
        JOB_QUEUE_PREFIX: prefix,
        JOB_LOCK_MS: '2000',
        JOB_STALLED_INTERVAL_MS: '1000',
        COMMISSION_RUN_PAUSE_MS: '700',
        COMMISSION_BATCH_PARTNERS: '1',
        MIGRATE_ON_START: 'false',
        SEED_DEMO: 'false',
        JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
        IDENTITY_HASH_KEY: 'test-identity-hash-key-long-enough-0123456789',
        DEMO_PASSWORD: TEST_PASSWORD,
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      let err = '';
      child.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')));
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString('utf8').includes('worker ready')) resolve(child);
      });
      child.once('exit', (code) => reject(new Error(`worker exited early (${String(code)}): ${err.slice(0, 2000)}`)));
    });
  }

  beforeAll(async () => {
    writeLauncher(launcher);
    const overrides: Record<string, string> = { REDIS_URL, JOB_QUEUE_PREFIX: prefix };
    if (db === 'sqlite') overrides.DATABASE_URL = `sqlite:${sqliteFile}`;
    t = await TestApp.start(db, overrides);
    const cfg = t.config.database;
    databaseUrl = cfg.type === 'mysql' ? cfg.url : `sqlite:${sqliteFile}`;
    t.clock.set('2026-02-15T04:00:00Z');
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('jobs', { connection, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
    await t.close();
    if (db === 'sqlite') rmSync(sqliteFile, { force: true });
    rmSync(launcher, { force: true });
  });

  it('a worker killed mid-job: another worker completes the job with the same ledger hash as a clean run', async () => {
    expect(t.get(JobDispatcher).mode).toBe('bullmq');
    const fx = await setupCommissions(t);
    const jan = await openPeriod(t, '2026-01');
    const c = await customers(t, fx.bank, ['a', 'b']);
    const partnerIds: string[] = [];
    for (let p = 0; p < PARTNERS; p++) {
      const partnerId = await createPartner(t, {
        code: `P-Q-${p}`,
        orgUnitId: fx.bank.beijing,
        kind: PartnerKind.MALL,
      });
      const programId = await createProgram(t, partnerId, '联名卡');
      await createPlan(t, { partnerId, programId, rules: [rule({ caps: { perPeriod: '120.00' } })] }, 'admin');
      await record(
        t,
        Array.from({ length: EVENTS_PER_PARTNER }, (_, i) => ({
          customer: c.get(i % 2 ? 'a' : 'b') as string,
          at: `2026-01-${String(10 + i).padStart(2, '0')}T02:00:00Z`,
        })),
        programId,
      );
      partnerIds.push(partnerId);
    }
    partnerIds.sort();
    const svc = t.get(CommissionsService);
    const expectedHash = await svc.cleanHash(['2026-01'], partnerIds, '2026-02-15');

    const first = await startWorker();
    const run = await svc.startRun(SYSTEM_ACTOR, { periodId: jan, partnerIds });
    const jobs = t.dataSource.getRepository(JobEntity);
    await until('the first batch to commit', async () => {
      const job = await jobs.findOneByOrFail({ id: run.jobId });
      return job.processed >= 1 ? job : undefined;
    });
    first.kill('SIGKILL');
    await until('the first worker to die', () =>
      Promise.resolve(first.exitCode !== null || first.signalCode ? true : undefined),
    );
    const midway = await jobs.findOneByOrFail({ id: run.jobId });
    expect(midway.status).toBe('RUNNING');
    expect(midway.processed).toBeLessThan(PARTNERS);
    const rowsMidway = await t.dataSource.getRepository(CommissionAccrualEntity).count();
    expect(rowsMidway).toBeGreaterThan(0);
    expect(rowsMidway).toBeLessThan(PARTNERS * EVENTS_PER_PARTNER);

    const second = await startWorker();
    const done = await until('the second worker to finish the job', async () => {
      const job = await jobs.findOneByOrFail({ id: run.jobId });
      return job.status === 'SUCCEEDED' || job.status === 'FAILED' ? job : undefined;
    });
    expect(done.status).toBe('SUCCEEDED');
    expect((done.result as { contentHash: string }).contentHash).toBe(expectedHash);
    expect(await svc.storedHash(['2026-01'], partnerIds)).toBe(expectedHash);
    // Every line exactly once: 4 × ¥50 capped at ¥120 per partner → 4 lines each.
    expect(await t.dataSource.getRepository(CommissionAccrualEntity).count()).toBe(PARTNERS * EVENTS_PER_PARTNER);

    // A re-run through the queue appends nothing.
    const again = await svc.startRun(SYSTEM_ACTOR, { periodId: jan, partnerIds });
    const rerun = await until('the re-run', async () => {
      const job = await jobs.findOneByOrFail({ id: again.jobId });
      return job.status === 'SUCCEEDED' || job.status === 'FAILED' ? job : undefined;
    });
    expect(rerun.result).toMatchObject({ linesAdded: 0, contentHash: expectedHash });
    second.kill('SIGTERM');
  }, 180_000);
});
