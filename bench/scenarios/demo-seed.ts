import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR_FOR_BENCH } from '../system-actor';
import { BenchContext, BenchRow, Scenario, emptyTable, mb, withPeakRss } from '../harness';
import { insertRaw, RawReferralChannel, RawReferralLine, rawReferralOf } from '../raw-insert';
import { ledgerWriteFloor } from './commissions';
import { timeScorecardCalculation } from './partner-scorecards';
import { AnalyticsMaintenanceService } from '../../src/analytics/analytics-maintenance.service';
import { CommissionsService } from '../../src/commissions/commissions.service';
import { CommissionAccrualEntity } from '../../src/commissions/entities/commission-accrual.entity';
import { businessDateOf } from '../../src/common/business-time';
import { CustomerImportsService } from '../../src/customers/customer-imports.service';
import { CustomerEventEntity } from '../../src/customers/entities/customer-event.entity';
import { CustomerEntity } from '../../src/customers/entities/customer.entity';
import { CustomerFields, normalizeCustomer } from '../../src/customers/rules/customer-input';
import { EventFields, normalizeEvent } from '../../src/customers/rules/event-input';
import { newId } from '../../src/database/columns';
import { CLOSED_MONTH, LATEST_MONTH, PAID_MONTH } from '../../src/demo/generator/finance';
import { DEFAULT_DEMO_SEED } from '../../src/demo/demo';
import { buildDemoWorld, writeDemoFiles } from '../../src/demo/generator/seed';
import { readRows } from '../../src/imports/records';
import { JobsService } from '../../src/jobs/jobs.service';
import { Scale, SCALES } from '../../src/demo/generator/world';
import { OrgUnitEntity } from '../../src/org-units/entities/org-unit.entity';
import { JobEntity } from '../../src/jobs/entities/job.entity';
import { ProgramsService } from '../../src/programs/programs.service';
import { RuleKind } from '../../src/programs/program.enums';
import { parseAttributionRule } from '../../src/programs/rules/program-rules';
import { ReferralEntity } from '../../src/referrals/entities/referral.entity';
import { ReferralImportsService } from '../../src/referrals/referral-imports.service';

/** A generated file's records, one at a time, read by the imports' own reader (the baselines parse as they do). */
async function* linesOf<T>(path: string): AsyncGenerator<T> {
  for await (const row of readRows(createReadStream(path), 'NDJSON')) if (row.record) yield row.record as T;
}

async function* mapped<A, B>(source: AsyncIterable<A>, map: (a: A) => B): AsyncGenerator<B> {
  for await (const a of source) yield map(a);
}

function scaleFromEnv(): Scale {
  const raw = process.env.BENCH_DEMO_SCALE ?? 'medium';
  if (!(raw in SCALES)) throw new Error(`BENCH_DEMO_SCALE must be one of ${Object.keys(SCALES).join(', ')}`);
  return raw as Scale;
}

interface Phase {
  name: string;
  rows: number;
  rawMs: number;
  importMs: number;
  /** Until the analytics roll-ups have caught up with what the import queued. */
  currentMs: number;
  rss: { start: number; peak: number };
  rawRss: { start: number; peak: number };
  outcome: string;
}

/**
 * The demo generator's bank at a scale (`BENCH_DEMO_SCALE`, default medium: ≈ 100,000 customers), phase by phase
 * as `npm run seed:demo` builds it: its files imported through the service's own jobs — each against a raw
 * multi-row INSERT of the same file's rows into the same emptied table, parsed and normalized by the same
 * functions (hashing, masking, validation) but with none of the jobs' look-ups, listeners, history or audit —
 * then the commission runs of the finance phase's three months against the database writing the same ledger
 * lines itself, and the partner scorecards of those months against their fact queries alone.
 */
export const demoSeed: Scenario = {
  name: 'demo-seed',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const scale = scaleFromEnv();
    const ds = ctx.app.get(DataSource);
    const actor = SYSTEM_ACTOR_FOR_BENCH;
    const progress = (message: string): void => void process.stderr.write(`demo-seed: ${message}\n`);
    const world = await buildDemoWorld(ctx.app, { scale, seed: DEFAULT_DEMO_SEED, actor, progress });
    const dir = await mkdtemp(join(tmpdir(), 'gongying-bench-demo-'));
    const phases: Phase[] = [];
    const analytics = ctx.app.get(AnalyticsMaintenanceService);
    /** Baseline first into the empty table, then emptied again for the import; both timed with their peak RSS. */
    const measure = async (
      name: string,
      rows: number,
      table: typeof ReferralEntity | typeof CustomerEntity | typeof CustomerEventEntity,
      raw: () => Promise<number>,
      importJob: () => Promise<JobEntity>,
      outcomeOf: (result: Record<string, unknown>) => string,
    ): Promise<void> => {
      const t0 = performance.now();
      const rawRun = await withPeakRss(raw);
      const rawMs = performance.now() - t0;
      if (rawRun.value !== rows) throw new Error(`${name}: the baseline wrote ${rawRun.value} of ${rows} rows`);
      await emptyTable(ds, table);
      const t1 = performance.now();
      const run = await withPeakRss(importJob);
      const importMs = performance.now() - t1;
      await analytics.catchUpAll();
      const currentMs = performance.now() - t1;
      const result = (run.value.result ?? {}) as Record<string, unknown>;
      if (run.value.status !== 'SUCCEEDED' || result.processed !== rows)
        throw new Error(`${name}: ${run.value.status} ${run.value.error ?? ''} ${JSON.stringify(result)}`);
      phases.push({
        name,
        rows,
        rawMs,
        importMs,
        currentMs,
        rss: run,
        rawRss: rawRun,
        outcome: outcomeOf(result),
      });
      progress(
        `${name}: import ${((rows * 1000) / importMs).toFixed(0)} rows/s, raw ${((rows * 1000) / rawMs).toFixed(0)} rows/s`,
      );
    };
    try {
      const w0 = performance.now();
      const written = await withPeakRss(() => writeDemoFiles(world.context, dir, progress));
      const writeMs = performance.now() - w0;
      const files = written.value;
      const now = new Date();
      const { config } = ctx;

      // Referrals: the window each program's attribution rule gives, as the intake takes it.
      const channels = new Map<string, RawReferralChannel>();
      for (const c of await ds.query<Record<string, string>[]>(
        'SELECT c.id, c.tracking_code, c.partner_id, c.program_id, p.org_unit_id FROM channels c JOIN programs p ON p.id = c.program_id',
      ))
        channels.set(String(c.tracking_code), {
          id: String(c.id),
          partnerId: String(c.partner_id),
          programId: String(c.program_id),
          orgUnitId: String(c.org_unit_id),
        });
      const windowDays = new Map<string, number>();
      for (const v of await ctx.app.get(ProgramsService).ruleVersionsOf(world.context.programs.map((p) => p.id)))
        if (v.kind === (RuleKind.ATTRIBUTION as string))
          windowDays.set(v.programId, parseAttributionRule(v.body).windowDays);
      await measure(
        'referrals',
        files.referrals.rows,
        ReferralEntity,
        () =>
          insertRaw(
            ds,
            ReferralEntity,
            mapped(linesOf<RawReferralLine & { trackingCode: string }>(files.referrals.path), (line) => {
              const channel = channels.get(line.trackingCode) as RawReferralChannel;
              return rawReferralOf(line, channel, {
                identityHashKey: config.identityHashKey,
                timeZone: config.bankTimeZone,
                windowDays: windowDays.get(channel.programId) ?? 30,
                submittedById: actor.id,
                now,
              });
            }),
          ),
        () =>
          ctx.app.get(ReferralImportsService).importFromStream(createReadStream(files.referrals.path), 'NDJSON', actor),
        (r) => `${String(r.created)} created, ${String(r.duplicates)} DUPLICATE, ${String(r.rejected)} rejected`,
      );

      // Customers: org units named by code, as the import resolves them.
      const unitIdOf = new Map(
        (await ds.getRepository(OrgUnitEntity).find({ select: ['id', 'code'] })).map((u) => [u.code, u.id]),
      );
      const today = businessDateOf(now, config.bankTimeZone);
      const imports = ctx.app.get(CustomerImportsService);
      await measure(
        'customers',
        files.customers.rows,
        CustomerEntity,
        () =>
          insertRaw(
            ds,
            CustomerEntity,
            mapped(
              linesOf<CustomerFields & { orgUnitCode?: string }>(files.customers.path),
              ({ orgUnitCode, ...fields }): CustomerEntity => ({
                id: newId(),
                ...normalizeCustomer(
                  { ...fields, orgUnitId: unitIdOf.get(orgUnitCode ?? '') },
                  { hashKey: config.identityHashKey, now, today },
                ),
                version: 1,
                createdAt: now,
                updatedAt: now,
              }),
            ),
          ),
        () => imports.importCustomersFromStream(createReadStream(files.customers.path), 'NDJSON', actor),
        (r) => `${String(r.created)} created, ${String(r.rejected)} rejected`,
      );

      // Events: customer numbers resolved from the imported customers (the baseline holds them all in a map).
      const customerIdOf = new Map(
        (await ds.getRepository(CustomerEntity).find({ select: ['id', 'customerNumber'] })).map((c) => [
          c.customerNumber,
          c.id,
        ]),
      );
      await measure(
        'events',
        files.events.rows,
        CustomerEventEntity,
        () =>
          insertRaw(
            ds,
            CustomerEventEntity,
            mapped(linesOf<EventFields>(files.events.path), (fields): CustomerEventEntity => {
              const { customerNumber, ...event } = normalizeEvent(fields, {
                timeZone: config.bankTimeZone,
                defaultCurrency: 'CNY',
                now,
              });
              return { id: newId(), customerId: customerIdOf.get(customerNumber) as string, ...event, recordedAt: now };
            }),
          ),
        () => imports.importCustomerEventsFromStream(createReadStream(files.events.path), 'NDJSON', actor),
        (r) => `${String(r.accepted)} accepted, ${String(r.duplicates)} duplicates, ${String(r.rejected)} rejected`,
      );

      // Commissions: the three months the finance phase calculates, each a job over every partner with a plan.
      const commissions = ctx.app.get(CommissionsService);
      const jobs = ctx.app.get(JobsService);
      const periods: Awaited<ReturnType<CommissionsService['ensurePeriod']>>[] = [];
      for (const key of [PAID_MONTH, CLOSED_MONTH, LATEST_MONTH])
        periods.push(await commissions.ensurePeriod(actor, key));
      const c0 = performance.now();
      const commissionRun = await withPeakRss(async () => {
        for (const period of periods) {
          const job = await jobs.waitFor((await commissions.startRun(actor, { periodId: period.id })).jobId);
          if (job.status !== 'SUCCEEDED')
            throw new Error(`commission run ${period.periodKey}: ${job.error ?? job.status}`);
        }
      });
      const commissionMs = performance.now() - c0;
      const accrualLines = await ds.getRepository(CommissionAccrualEntity).count();
      const r0 = performance.now();
      for (const period of periods) {
        const job = await jobs.waitFor((await commissions.startRun(actor, { periodId: period.id })).jobId);
        if ((job.result as { linesAdded?: number } | null)?.linesAdded !== 0)
          throw new Error(`a re-run of ${period.periodKey} added lines`);
      }
      const rerunMs = performance.now() - r0;
      progress(`commissions: ${accrualLines} lines in ${(commissionMs / 1000).toFixed(1)} s`);

      // Partner scorecards of the same months.
      const scorecards = await timeScorecardCalculation(ctx, periods);
      // Last: the floor's copies of the ledger lines would count twice in the scorecards' commission costs.
      const floorMs = await ledgerWriteFloor(ds, ctx.dbLabel === 'SQLite');

      const label = `demo-seed (${ctx.dbLabel}, generator scale ${scale}: ${files.referrals.rows.toLocaleString('en')} referrals, ${files.customers.rows.toLocaleString('en')} customers, ${files.events.rows.toLocaleString('en')} events)`;
      const rate = (rows: number, ms: number): string => `${((rows * 1000) / ms).toFixed(0)} rows/s`;
      const seconds = (ms: number): string => (ms < 10_000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`);
      const totalRows = files.referrals.rows + files.customers.rows + files.events.rows;
      return [
        {
          scenario: label,
          metric: 'files written in one pass over the profiles (rows/s; peak RSS start → peak)',
          gongying: `${rate(totalRows, writeMs)} (${seconds(writeMs)}); ${mb(written.start)} → ${mb(written.peak)}`,
          baseline: '—',
          ratio: '—',
        },
        ...phases.flatMap((p): BenchRow[] => [
          {
            scenario: label,
            metric: `${p.name}: import job vs raw multi-row INSERT of 1,000 (same rows, normalized alike); until the roll-ups are current`,
            gongying: `${rate(p.rows, p.importMs)} (${seconds(p.importMs)}); ${rate(p.rows, p.currentMs)}`,
            baseline: `${rate(p.rows, p.rawMs)} (${seconds(p.rawMs)})`,
            ratio: `${((p.rawMs / p.importMs) * 100).toFixed(0)}% of raw; ${((p.rawMs / p.currentMs) * 100).toFixed(0)}%`,
          },
          {
            scenario: label,
            metric: `${p.name}: outcome; peak RSS (start → peak)`,
            gongying: `${p.outcome}; ${mb(p.rss.start)} → ${mb(p.rss.peak)}`,
            baseline: `${mb(p.rawRss.start)} → ${mb(p.rawRss.peak)}`,
            ratio: `+${mb(p.rss.peak - p.rss.start)} vs +${mb(p.rawRss.peak - p.rawRss.start)}`,
          },
        ]),
        {
          scenario: label,
          metric: `commission runs of ${PAID_MONTH}, ${CLOSED_MONTH} and ${LATEST_MONTH} (jobs over every partner with a plan; peak RSS start → peak) vs the database INSERT … SELECTing the same ${accrualLines.toLocaleString('en')} ledger lines into the ledger`,
          gongying: `${seconds(commissionMs)}; ${mb(commissionRun.start)} → ${mb(commissionRun.peak)}`,
          baseline: seconds(floorMs),
          ratio: `${(commissionMs / floorMs).toFixed(2)}×`,
        },
        {
          scenario: label,
          metric: 'the same three runs again (idempotent: 0 lines added) vs the same floor',
          gongying: seconds(rerunMs),
          baseline: seconds(floorMs),
          ratio: `${(rerunMs / floorMs).toFixed(2)}×`,
        },
        {
          scenario: label,
          metric: `calculatePartnerScorecards of the three months, ${scorecards.partners} partners (GraphQL, job: fact queries, scoring, one writing transaction) vs the fact queries alone`,
          gongying: seconds(scorecards.jobMs),
          baseline: seconds(scorecards.factsMs),
          ratio: `${(scorecards.jobMs / scorecards.factsMs).toFixed(2)}×`,
        },
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
