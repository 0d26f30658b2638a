import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR_FOR_BENCH } from '../system-actor';
import { benchAgreement, benchPartner } from '../fixtures';
import { BenchContext, BenchRow, fmtMs, ratio, Scenario } from '../harness';
import { AnalyticsMaintenanceService } from '../../src/analytics/analytics-maintenance.service';
import {
  AnalyticsReportsService,
  FUNNEL_COUNT_MEASURES,
  funnelMeasures,
  MEDIAN_PAIRS,
  MedianPair,
} from '../../src/analytics/analytics-reports.service';
import { MEDIAN_MEASURES } from '../../src/analytics/facts';
import { addDays } from '../../src/common/business-time';
import { newId } from '../../src/database/columns';
import { ChannelsService } from '../../src/channels/channels.service';
import { ChannelType } from '../../src/channels/channel.enums';
import { OrgUnitsService } from '../../src/org-units/org-units.service';
import { CooperationMode, PartnerKind } from '../../src/partners/partner.enums';
import { ProgramsService } from '../../src/programs/programs.service';
import { ProgramKind, ProgramStatus } from '../../src/programs/program.enums';
import { FUNNEL_SUMS } from '../../src/referrals/referrals.service';
import { countOf, EMPTY_COUNTS } from '../../src/referrals/rules/funnel';
import { FunnelGroupBy, FunnelInterval, LADDER_RANK, ReferralStatus } from '../../src/referrals/referral.enums';

const PARTNERS = 20;
const DAYS = 540; // 18 months from 2025-01-01
const ROWS_PER_INSERT = 500;
const RUNS = 30;

const QUERY = `query { referralFunnel(groupBy: PARTNER, interval: MONTH, filter: { submittedFrom: "2025-01-01", submittedTo: "2026-06-30" }) {
  groupKey bucket submitted contacted applied converted qualified rejected expired duplicate } }`;
/** The same stage counts column by column (one list per field instead of an object per row). */
const QUERY_COLUMNS = QUERY.replace('referralFunnel(', 'referralFunnelColumns(');
/** The same report with one median (the roll-up read then includes that pair's day-difference histograms). */
const QUERY_MEDIANS = QUERY.replace('duplicate }', 'duplicate medianDays { submittedToConverted } }');
/** With all six medians: six pairs' histograms. */
const QUERY_ALL_MEDIANS = QUERY.replace('duplicate }', `duplicate medianDays { ${MEDIAN_PAIRS.join(' ')} } }`);

/** The SQL over the roll-up that the GraphQL query runs (without HTTP, catch-up check and pivot). */
const rollupSql = (
  measures: readonly string[],
): string => `SELECT d.partner_id, d.month AS bucket, d.measure, d.bucket_value, d.fact_count AS n
  FROM analytics_partner_monthly d
 WHERE d.measure IN (${measures.map((m) => `'${m}'`).join(', ')})
   AND d.month >= '2025-01' AND d.month <= '2026-06'`;
/** QUERY selects no medians: the service reads the stage counts only. */
const ROLLUP_SQL = rollupSql(FUNNEL_COUNT_MEASURES);
/** The stored medians of the pairs asked for, which the service reads beside the stage counts (at once). */
const mediansSql = (
  pairs: readonly MedianPair[],
): string => `SELECT d.partner_id, d.month, d.measure, d.median_half_days
  FROM analytics_partner_month_medians d
 WHERE d.measure IN (${pairs.map((p) => `'${MEDIAN_MEASURES[p]}'`).join(', ')})
   AND d.month >= '2025-01' AND d.month <= '2026-06'`;
const MEDIANS_SQL = mediansSql(['submittedToConverted']);
const ALL_MEDIANS_SQL = mediansSql(MEDIAN_PAIRS);
/** Before the stored medians (migration 820): the stage counts with the pairs' day histograms, folded in Node. */
const HISTOGRAM_SQL_MEDIANS = rollupSql(funnelMeasures(['submittedToConverted']));
const HISTOGRAM_SQL_ALL_MEDIANS = rollupSql(funnelMeasures(MEDIAN_PAIRS));

const stage = (key: string): string =>
  `SUM(CASE WHEN d.measure = 'REFERRAL_${key.toUpperCase()}' THEN d.fact_count ELSE 0 END)`;
/** The funnel's eight stage counts, in its field order. */
const STAGES = Object.keys(EMPTY_COUNTS);
/**
 * The report's answer itself in SQL over the roll-up, as one would write it by hand: a row per partner and month
 * with its stage counts (expiries net of their reversals), in the report's order. The service reads ROLLUP_SQL
 * instead and pivots in Node, which spares the database the grouping and sorting.
 */
const PIVOT_SQL = `SELECT d.partner_id AS group_key, d.month AS bucket,
  ${STAGES.map((k) => `${stage(k)}${k === 'expired' ? ` - ${stage('expired_reversed')}` : ''} AS ${k}`).join(',\n  ')}
  FROM analytics_partner_monthly d
 WHERE d.measure IN (${FUNNEL_COUNT_MEASURES.map((m) => `'${m}'`).join(', ')})
   AND d.month >= '2025-01' AND d.month <= '2026-06'
 GROUP BY d.month, d.partner_id
 ORDER BY d.month, d.partner_id`;

/** The same GROUP BY over the raw referrals. */
const RAW_SQL = `SELECT r.partner_id, SUBSTR(r.submitted_on, 1, 7) AS bucket, ${FUNNEL_SUMS.join(', ')}
  FROM referrals r WHERE r.submitted_on >= '2025-01-01' AND r.submitted_on <= '2026-06-30'
 GROUP BY r.partner_id, SUBSTR(r.submitted_on, 1, 7)`;

const MIX: ReferralStatus[] = [
  ReferralStatus.SUBMITTED,
  ReferralStatus.SUBMITTED,
  ReferralStatus.CONTACTED,
  ReferralStatus.APPLIED,
  ReferralStatus.CONVERTED,
  ReferralStatus.QUALIFIED,
  ReferralStatus.REJECTED,
  ReferralStatus.EXPIRED,
  ReferralStatus.DUPLICATE,
];

const COLUMNS = [
  'id',
  'partner_id',
  'program_id',
  'channel_id',
  'org_unit_id',
  'idempotency_key',
  'idempotency_scope',
  'payload_hash',
  'masked_name',
  'submitted_at',
  'submitted_on',
  'expires_on',
  'status',
  'reached_rank',
  'converted_at',
  'version',
  'created_at',
  'updated_at',
];

interface Channel {
  id: string;
  programId: string;
  partnerId: string;
  orgUnitId: string;
}

/** Bench setup only: bounded multi-row INSERTs of referrals spread over 18 months (the intake is benched elsewhere). */
/** Raw multi-row INSERTs, each queued in the analytics outbox in its transaction as the referral service does. */
async function insertReferrals(
  dataSource: DataSource,
  maintenance: AnalyticsMaintenanceService,
  n: number,
  channels: Channel[],
): Promise<void> {
  const sqlite = dataSource.options.type === 'better-sqlite3';
  const at = (d: Date): string | Date => (sqlite ? d.toISOString().replace('T', ' ').replace('Z', '') : d);
  const placeholders = `(${COLUMNS.map(() => '?').join(', ')})`;
  for (let start = 0; start < n; start += ROWS_PER_INSERT * 20) {
    await dataSource.transaction(async (manager) => {
      for (let s = start; s < Math.min(n, start + ROWS_PER_INSERT * 20); s += ROWS_PER_INSERT) {
        const count = Math.min(ROWS_PER_INSERT, n - s);
        const values: unknown[] = [];
        const ids: string[] = [];
        for (let i = s; i < s + count; i++) {
          const c = channels[i % channels.length] as Channel;
          const day = addDays('2025-01-01', (Math.floor(i / channels.length) * 7) % DAYS);
          const status = MIX[(i * 7) % MIX.length] ?? ReferralStatus.SUBMITTED;
          const rank =
            status === ReferralStatus.REJECTED || status === ReferralStatus.EXPIRED ? 1 + (i % 3) : LADDER_RANK[status];
          const submittedAt = new Date(`${day}T02:00:00.000Z`);
          const converted = rank >= 4 ? new Date(submittedAt.getTime() + (1 + (i % 20)) * 86_400_000) : null;
          const id = newId();
          ids.push(id);
          values.push(
            id,
            c.partnerId,
            c.programId,
            c.id,
            c.orgUnitId,
            `abench-${i}`,
            'bench',
            'x'.repeat(64),
            '张*',
            at(submittedAt),
            day,
            addDays(day, 30),
            status,
            rank,
            converted ? at(converted) : null,
            1,
            at(submittedAt),
            // Last changed when converted (or submitted).
            at(converted ?? submittedAt),
          );
        }
        await manager.query(
          `INSERT INTO referrals (${COLUMNS.join(', ')}) VALUES ${Array.from({ length: count }, () => placeholders).join(', ')}`,
          values,
        );
        await maintenance.enqueue(manager, 'REFERRAL', ids);
      }
    });
  }
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))] ?? 0;
}

export async function p95(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return percentile(times, 0.95);
}

export interface PairedTimes {
  /** p95 and median of `a`, of `b`, in ms. */
  a: number;
  b: number;
  aMedian: number;
  bMedian: number;
}

/**
 * p95 of `a` and of `b`, run alternately (a b, b a, …) after one warm-up each: on a shared machine whose load
 * drifts, both sides of a ratio then see the same load, which timing one block after the other does not give.
 */
export async function interleavedP95(
  runs: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<PairedTimes> {
  await a();
  await b();
  const ta: number[] = [];
  const tb: number[] = [];
  const timed = async (work: () => Promise<unknown>, into: number[]): Promise<void> => {
    const start = performance.now();
    await work();
    into.push(performance.now() - start);
  };
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      await timed(a, ta);
      await timed(b, tb);
    } else {
      await timed(b, tb);
      await timed(a, ta);
    }
  }
  ta.sort((x, y) => x - y);
  tb.sort((x, y) => x - y);
  return {
    a: percentile(ta, 0.95),
    b: percentile(tb, 0.95),
    aMedian: percentile(ta, 0.5),
    bMedian: percentile(tb, 0.5),
  };
}

async function setUp(ctx: BenchContext): Promise<Channel[]> {
  const orgUnits = ctx.app.get(OrgUnitsService);
  const programs = ctx.app.get(ProgramsService);
  const channelsService = ctx.app.get(ChannelsService);
  const head = await orgUnits.create(SYSTEM_ACTOR_FOR_BENCH, { code: 'HO', name: 'Head office' });
  const channels: Channel[] = [];
  for (let i = 0; i < PARTNERS; i++) {
    const p = await benchPartner(ctx.app, {
      code: `AP-${i}`,
      kind: i % 2 === 0 ? PartnerKind.ECOMMERCE : PartnerKind.AIRLINE,
      nameZh: `分析合作机构${i}`,
      usccSerial: 71000 + i,
      orgUnitId: head.id,
    });
    const a = await benchAgreement(ctx.app, {
      partnerId: p.id,
      code: `AA-${i}`,
      mode: CooperationMode.REFERRAL,
    });
    const program = await programs.createProgram(SYSTEM_ACTOR_FOR_BENCH, {
      agreementId: a.id,
      kind: ProgramKind.REFERRAL,
      nameZh: '推荐',
      targets: [],
    });
    await programs.transitionProgram(SYSTEM_ACTOR_FOR_BENCH, { id: program.id, to: ProgramStatus.ACTIVE });
    for (let c = 0; c < 3; c++) {
      const ch = await channelsService.create(SYSTEM_ACTOR_FOR_BENCH, {
        programId: program.id,
        type: ChannelType.PARTNER_API,
        name: `渠道${c}`,
        landingUrl: 'https://card.example.cn/apply',
      });
      channels.push({ id: ch.id, programId: program.id, partnerId: p.id, orgUnitId: program.orgUnitId });
    }
  }
  return channels;
}

/**
 * Funnel by partner by month over 18 months: from the daily roll-up (GraphQL and its raw SQL) against the same
 * GROUP BY over the raw referrals, p95 of repeated runs in the same process. Size: BENCH_ANALYTICS_REFERRALS
 * (default 100,000 on SQLite, 1,000,000 on MySQL/MariaDB).
 */
export const analyticsFunnel: Scenario = {
  name: 'analytics-funnel',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const dataSource = ctx.app.get(DataSource);
    const sqlite = dataSource.options.type === 'better-sqlite3';
    const raw = process.env.BENCH_ANALYTICS_REFERRALS;
    const n = raw && /^\d+$/.test(raw) ? Number.parseInt(raw, 10) : sqlite ? 100_000 : 1_000_000;
    const maintenance = ctx.app.get(AnalyticsMaintenanceService);
    // The periodic catch-up would start during a long load and leave only a remainder to the timed run.
    maintenance.stopPeriodicCatchUp();
    const channels = await setUp(ctx);
    const loadStart = performance.now();
    await insertReferrals(dataSource, maintenance, n, channels);
    const loadMs = performance.now() - loadStart;
    const label = `analytics funnel PARTNER × MONTH, 18 months, ${n.toLocaleString('en-US')} referrals, ${PARTNERS} partners (${ctx.dbLabel}`;
    const rows = await measureFunnel(ctx, n, label);
    return [
      {
        scenario: rows[0]?.scenario ?? label,
        metric: 'fixture load (multi-row INSERTs, setup only)',
        gongying: fmtMs(loadMs),
        baseline: '—',
        ratio: '—',
      },
      ...rows,
    ];
  },
};

/**
 * The same measurement over a bank the demo generator seeded (`npm run seed:demo -- --scale large`): its referrals,
 * events and roll-ups as the service's own imports left them. BENCH_DEMO_DATABASE_URL names the database.
 */
export const demoAnalyticsFunnel: Scenario = {
  name: 'demo-analytics-funnel',
  existingDatabaseEnv: 'BENCH_DEMO_DATABASE_URL',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const dataSource = ctx.app.get(DataSource);
    ctx.app.get(AnalyticsMaintenanceService).stopPeriodicCatchUp();
    const count = async (sql: string): Promise<number> =>
      countOf((await dataSource.query<{ n: unknown }[]>(sql))[0]?.n);
    const n = await count(
      `SELECT COUNT(*) AS n FROM referrals WHERE submitted_on >= '2025-01-01' AND submitted_on <= '2026-06-30'`,
    );
    const all = await count('SELECT COUNT(*) AS n FROM referrals');
    const partners = await count('SELECT COUNT(*) AS n FROM partners');
    const customers = await count('SELECT COUNT(*) AS n FROM customers');
    const events = await count('SELECT COUNT(*) AS n FROM customer_events');
    const label = `demo bank (generator): funnel PARTNER × MONTH, 18 months, ${n.toLocaleString('en-US')} of ${all.toLocaleString('en-US')} referrals, ${partners} partners, ${customers.toLocaleString('en-US')} customers, ${events.toLocaleString('en-US')} events (${ctx.dbLabel}`;
    return measureFunnel(ctx, n, label);
  },
};

/** Catch-up, then the funnel from the roll-up (GraphQL, service, SQL) against the GROUP BY over raw referrals. */
async function measureFunnel(ctx: BenchContext, n: number, label: string): Promise<BenchRow[]> {
  const dataSource = ctx.app.get(DataSource);
  const maintenance = ctx.app.get(AnalyticsMaintenanceService);
  const catchUpStart = performance.now();
  const caught = await maintenance.catchUp('REFERRAL');
  const catchUpMs = performance.now() - catchUpStart;
  const count = async (table: string): Promise<number> =>
    countOf((await dataSource.query<{ n: unknown }[]>(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n);
  const buckets = await count('analytics_daily');
  const monthlyBuckets = await count('analytics_monthly');
  const partnerBuckets = await count('analytics_partner_monthly');

  const answer = await ctx.gql<{ referralFunnel: { submitted: number; duplicate: number }[] }>(QUERY);
  const counted = answer.referralFunnel.reduce((s, r) => s + r.submitted + r.duplicate, 0);
  if (counted !== n) throw new Error(`funnel counted ${counted} referrals, expected ${n}`);
  const answerColumns = await ctx.gqlInProcess<{ referralFunnelColumns: { submitted: number[]; duplicate: number[] } }>(
    QUERY_COLUMNS,
  );
  const countedColumns = [
    ...answerColumns.referralFunnelColumns.submitted,
    ...answerColumns.referralFunnelColumns.duplicate,
  ].reduce((s, v) => s + v, 0);
  if (countedColumns !== n) throw new Error(`funnel columns counted ${countedColumns} referrals, expected ${n}`);
  await samePivot(dataSource, answer.referralFunnel);

  const counts = await interleavedP95(
    RUNS,
    () => ctx.gql(QUERY),
    () => dataSource.query(ROLLUP_SQL),
  );
  const medians = await interleavedP95(
    RUNS,
    () => ctx.gql(QUERY_MEDIANS),
    () => Promise.all([dataSource.query(ROLLUP_SQL), dataSource.query(MEDIANS_SQL)]),
  );
  const allMedians = await interleavedP95(
    RUNS,
    () => ctx.gql(QUERY_ALL_MEDIANS),
    () => Promise.all([dataSource.query(ROLLUP_SQL), dataSource.query(ALL_MEDIANS_SQL)]),
  );
  const histogramMs = await p95(RUNS, () => dataSource.query(HISTOGRAM_SQL_MEDIANS));
  const allHistogramsMs = await p95(RUNS, () => dataSource.query(HISTOGRAM_SQL_ALL_MEDIANS));
  const columns = await interleavedP95(
    RUNS,
    () => ctx.gql(QUERY_COLUMNS),
    () => dataSource.query(ROLLUP_SQL),
  );
  const inProcess = await interleavedP95(
    RUNS,
    () => ctx.gqlInProcess(QUERY_COLUMNS),
    () => dataSource.query(ROLLUP_SQL),
  );
  const inProcessRows = await interleavedP95(
    RUNS,
    () => ctx.gqlInProcess(QUERY),
    () => dataSource.query(ROLLUP_SQL),
  );
  const [gqlMs, rollupMs] = [counts.a, counts.b];
  const reports = ctx.app.get(AnalyticsReportsService);
  const service = (): ReturnType<AnalyticsReportsService['funnel']> =>
    reports.funnel(
      SYSTEM_ACTOR_FOR_BENCH,
      { submittedFrom: '2025-01-01', submittedTo: '2026-06-30' },
      FunnelGroupBy.PARTNER,
      FunnelInterval.MONTH,
      false,
      [],
    );
  const serviceMs = await p95(RUNS, service);
  const pingMs = await p95(RUNS, () => ctx.gql('query { __typename }'));
  const floor = await answeredFromMemory(ctx, reports, await service());
  const pivotRows = await interleavedP95(
    RUNS,
    () => ctx.gql(QUERY),
    () => dataSource.query(PIVOT_SQL),
  );
  const pivotColumns = await interleavedP95(
    RUNS,
    () => ctx.gql(QUERY_COLUMNS),
    () => dataSource.query(PIVOT_SQL),
  );
  const rawMs = await p95(Math.min(RUNS, 10), () => dataSource.query(RAW_SQL));
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
  const scenario = `${label}; load avg ${load} at the end)`;
  return [
    {
      scenario,
      metric: `incremental catch-up of every referral (${caught.applied.toLocaleString('en-US')} facts → ${buckets.toLocaleString('en-US')} daily / ${monthlyBuckets.toLocaleString('en-US')} monthly / ${partnerBuckets.toLocaleString('en-US')} partner-monthly buckets; ${Math.round(caught.applied / (catchUpMs / 1000)).toLocaleString('en-US')} facts/s)`,
      gongying: fmtMs(catchUpMs),
      baseline: '—',
      ratio: '—',
    },
    {
      scenario,
      metric: `p95 of ${RUNS}: SQL over the roll-up vs the same GROUP BY over raw referrals (${(rawMs / rollupMs).toFixed(1)}× faster)`,
      gongying: `${fmtMs(rollupMs)} (roll-up SQL)`,
      baseline: `${fmtMs(rawMs)} (raw GROUP BY, p95 of ${Math.min(RUNS, 10)})`,
      ratio: ratio(rollupMs, rawMs),
    },
    {
      scenario,
      metric: `p95 of ${RUNS}, interleaved: GraphQL referralFunnel (HTTP, catch-up check, pivot) vs its SQL over the roll-up`,
      gongying: `${fmtMs(gqlMs)} (GraphQL; median ${fmtMs(counts.aMedian)})`,
      baseline: `${fmtMs(rollupMs)} (roll-up SQL; median ${fmtMs(counts.bMedian)})`,
      ratio: ratio(gqlMs, rollupMs),
    },
    {
      scenario,
      metric: `p95 of ${RUNS}, interleaved: GraphQL referralFunnelColumns (the same counts, one list per field; HTTP) vs its SQL over the roll-up`,
      gongying: `${fmtMs(columns.a)} (GraphQL; median ${fmtMs(columns.aMedian)})`,
      baseline: `${fmtMs(columns.b)} (roll-up SQL; median ${fmtMs(columns.bMedian)})`,
      ratio: ratio(columns.a, columns.b),
    },
    {
      scenario,
      metric: `p95 of ${RUNS}, interleaved: referralFunnelColumns in process (Apollo pipeline, resolver, catch-up check, pivot, JSON body; no socket or token check) vs its SQL`,
      gongying: `${fmtMs(inProcess.a)} (GraphQL in process; median ${fmtMs(inProcess.aMedian)})`,
      baseline: `${fmtMs(inProcess.b)} (roll-up SQL; median ${fmtMs(inProcess.bMedian)})`,
      ratio: ratio(inProcess.a, inProcess.b),
    },
    {
      scenario,
      metric: `p95 of ${RUNS}, interleaved: referralFunnel (an object per row) in process vs its SQL`,
      gongying: `${fmtMs(inProcessRows.a)} (GraphQL in process; median ${fmtMs(inProcessRows.aMedian)})`,
      baseline: `${fmtMs(inProcessRows.b)} (roll-up SQL; median ${fmtMs(inProcessRows.bMedian)})`,
      ratio: ratio(inProcessRows.a, inProcessRows.b),
    },
    {
      scenario,
      metric: `p95 of ${RUNS}, interleaved: GraphQL referralFunnel with medianDays { submittedToConverted } vs its SQL over the roll-ups (the stage counts and that pair's stored medians, at once); in brackets the SQL reading that pair's histograms instead (before migration 820)`,
      gongying: `${fmtMs(medians.a)} (GraphQL; median ${fmtMs(medians.aMedian)})`,
      baseline: `${fmtMs(medians.b)} (roll-up SQL; median ${fmtMs(medians.bMedian)}) [histograms: ${fmtMs(histogramMs)}]`,
      ratio: ratio(medians.a, medians.b),
    },
    {
      scenario,
      metric: `p95 of ${RUNS}, interleaved: GraphQL referralFunnel with all six medianDays vs its SQL over the roll-ups (the stage counts and six pairs' stored medians, at once); in brackets the SQL reading six pairs' histograms instead`,
      gongying: `${fmtMs(allMedians.a)} (GraphQL; median ${fmtMs(allMedians.aMedian)})`,
      baseline: `${fmtMs(allMedians.b)} (roll-up SQL; median ${fmtMs(allMedians.bMedian)}) [histograms: ${fmtMs(allHistogramsMs)}]`,
      ratio: ratio(allMedians.a, allMedians.b),
    },
    {
      scenario,
      metric: `p95 of ${RUNS}: the report service without HTTP (catch-up check, SQL, pivot) / an empty GraphQL request`,
      gongying: `${fmtMs(serviceMs)} (service)`,
      baseline: `${fmtMs(pingMs)} (query { __typename } over HTTP)`,
      ratio: '—',
    },
    {
      scenario,
      metric: `p95 (median) of ${RUNS}, interleaved: the floor of this answer — referralFunnel / referralFunnelColumns over HTTP with the report service answering from memory (token check, Apollo, graphql-js, JSON on both ends; no SQL, no fold) vs the roll-up SQL: GraphQL within 1.5× of the SQL needs all of that within half the SQL`,
      gongying: `${fmtMs(floor.rows.a)} (${fmtMs(floor.rows.aMedian)}) / ${fmtMs(floor.columns.a)} (${fmtMs(floor.columns.aMedian)})`,
      baseline: `${fmtMs(floor.rows.b)} (${fmtMs(floor.rows.bMedian)}) / ${fmtMs(floor.columns.b)} (${fmtMs(floor.columns.bMedian)}) (roll-up SQL)`,
      ratio: `${ratio(floor.rows.a, floor.rows.b)} / ${ratio(floor.columns.a, floor.columns.b)} of the SQL (medians ${ratio(floor.rows.aMedian, floor.rows.bMedian)} / ${ratio(floor.columns.aMedian, floor.columns.bMedian)})`,
    },
    {
      scenario,
      metric: `p95 (median) of ${RUNS}, interleaved: GraphQL referralFunnel / referralFunnelColumns over HTTP vs the answer in SQL over the roll-up (a row per partner and month with its eight stage counts, GROUP BY and ORDER BY month and partner — the same rows, checked)`,
      gongying: `${fmtMs(pivotRows.a)} (${fmtMs(pivotRows.aMedian)}) / ${fmtMs(pivotColumns.a)} (${fmtMs(pivotColumns.aMedian)})`,
      baseline: `${fmtMs(pivotRows.b)} (${fmtMs(pivotRows.bMedian)}) / ${fmtMs(pivotColumns.b)} (${fmtMs(pivotColumns.bMedian)}) (pivot SQL)`,
      ratio: `${ratio(pivotRows.a, pivotRows.b)} / ${ratio(pivotColumns.a, pivotColumns.b)} (medians ${ratio(pivotRows.aMedian, pivotRows.bMedian)} / ${ratio(pivotColumns.aMedian, pivotColumns.bMedian)})`,
    },
    {
      scenario,
      metric: 'p95: GraphQL over the roll-up vs raw GROUP BY over referrals',
      gongying: `${fmtMs(gqlMs)} (GraphQL)`,
      baseline: `${fmtMs(rawMs)} (raw GROUP BY)`,
      ratio: ratio(gqlMs, rawMs),
    },
  ];
}

/**
 * The same requests with the report service answering from memory (`answer`, its answer taken once): what the rest of the
 * request costs for this answer — the floor under any report service — each interleaved with the roll-up SQL.
 */
async function answeredFromMemory(
  ctx: BenchContext,
  reports: AnalyticsReportsService,
  answer: Awaited<ReturnType<AnalyticsReportsService['funnel']>>,
): Promise<{ rows: PairedTimes; columns: PairedTimes }> {
  const dataSource = ctx.app.get(DataSource);
  const service = reports.funnel.bind(reports);
  reports.funnel = () => Promise.resolve(answer);
  try {
    const rows = await interleavedP95(
      RUNS,
      () => ctx.gql(QUERY),
      () => dataSource.query(ROLLUP_SQL),
    );
    const columns = await interleavedP95(
      RUNS,
      () => ctx.gql(QUERY_COLUMNS),
      () => dataSource.query(ROLLUP_SQL),
    );
    return { rows, columns };
  } finally {
    reports.funnel = service;
  }
}

/** Throws unless PIVOT_SQL gives the GraphQL answer's rows: the same groups, buckets and counts, in its order. */
async function samePivot(dataSource: DataSource, answer: readonly Record<string, unknown>[]): Promise<void> {
  const pivot = await dataSource.query<Record<string, unknown>[]>(PIVOT_SQL);
  const line = (r: Record<string, unknown>): string =>
    [r.group_key ?? r.groupKey, r.bucket, ...STAGES.map((k) => countOf(r[k]))].join(' ');
  const [sql, gql] = [pivot.map(line), answer.map(line)];
  const differ = sql.findIndex((l, i) => l !== gql[i]);
  if (sql.length !== gql.length || differ >= 0)
    throw new Error(`the pivot SQL differs from the GraphQL answer at row ${differ}: ${sql[differ]} / ${gql[differ]}`);
}
