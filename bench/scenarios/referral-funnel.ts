import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR_FOR_BENCH } from '../system-actor';
import { benchAgreement, benchPartner } from '../fixtures';
import { BenchContext, BenchRow, fmtMs, medianMs, ratio, Scenario } from '../harness';
import { addDays } from '../../src/common/business-time';
import { newId } from '../../src/database/columns';
import { ChannelsService } from '../../src/channels/channels.service';
import { ChannelType } from '../../src/channels/channel.enums';
import { OrgUnitsService } from '../../src/org-units/org-units.service';
import { CooperationMode, PartnerKind } from '../../src/partners/partner.enums';
import { ProgramsService } from '../../src/programs/programs.service';
import { ProgramKind, ProgramStatus } from '../../src/programs/program.enums';
import { FUNNEL_SUMS, funnelBucketExpression, funnelGroupExpression } from '../../src/referrals/referrals.service';
import { FunnelGroupBy, FunnelInterval, LADDER_RANK, ReferralStatus } from '../../src/referrals/referral.enums';

const PARTNERS = 10;
const CHANNELS_PER_PROGRAM = 5;
const ROWS_PER_INSERT = 500;

const QUERY = `query($g: FunnelGroupBy!, $i: FunnelInterval!) { referralFunnel(groupBy: $g, interval: $i) {
  groupKey bucket submitted contacted applied converted qualified rejected expired duplicate conversionRate } }`;

/** A spread of statuses, deterministic by row number (roughly a real funnel's shape). */
const MIX: ReferralStatus[] = [
  ReferralStatus.SUBMITTED,
  ReferralStatus.SUBMITTED,
  ReferralStatus.CONTACTED,
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
  'masked_phone',
  'submitted_at',
  'submitted_on',
  'expires_on',
  'status',
  'reached_rank',
  'version',
  'created_at',
  'updated_at',
];

/** Bench setup only: bounded multi-row INSERTs straight into the table (the intake path is benched elsewhere). */
async function insertReferrals(
  dataSource: DataSource,
  n: number,
  channels: { id: string; programId: string; partnerId: string; orgUnitId: string }[],
): Promise<void> {
  const isSqlite = dataSource.options.type === 'better-sqlite3';
  const at = (d: Date): string | Date => (isSqlite ? d.toISOString().replace('T', ' ').replace('Z', '') : d);
  const placeholders = `(${COLUMNS.map(() => '?').join(', ')})`;
  for (let start = 0; start < n; start += ROWS_PER_INSERT * 20) {
    await dataSource.transaction(async (manager) => {
      for (let s = start; s < Math.min(n, start + ROWS_PER_INSERT * 20); s += ROWS_PER_INSERT) {
        const count = Math.min(ROWS_PER_INSERT, n - s);
        const values: unknown[] = [];
        for (let i = s; i < s + count; i++) {
          const c = channels[i % channels.length];
          if (!c) throw new Error('no channel');
          const day = addDays('2026-01-01', i % 365);
          const status = MIX[(i * 7) % MIX.length] ?? ReferralStatus.SUBMITTED;
          const rank =
            status === ReferralStatus.REJECTED || status === ReferralStatus.EXPIRED ? 1 + (i % 3) : LADDER_RANK[status];
          const submittedAt = new Date(`${day}T02:00:00.000Z`);
          values.push(
            newId(),
            c.partnerId,
            c.programId,
            c.id,
            c.orgUnitId,
            `bench-${i}`,
            'bench',
            'x'.repeat(64),
            '张*',
            '138****0000',
            at(submittedAt),
            day,
            addDays(day, 30),
            status,
            rank,
            1,
            at(submittedAt),
            at(submittedAt),
          );
        }
        await manager.query(
          `INSERT INTO referrals (${COLUMNS.join(', ')}) VALUES ${Array.from({ length: count }, () => placeholders).join(', ')}`,
          values,
        );
      }
    });
  }
}

function rawFunnelSql(groupBy: FunnelGroupBy, interval: FunnelInterval): string {
  const group = funnelGroupExpression(groupBy);
  const bucket = funnelBucketExpression(interval);
  return `SELECT ${group} AS group_key, ${bucket} AS bucket, ${FUNNEL_SUMS.join(', ')} FROM referrals r GROUP BY ${group}, ${bucket}`;
}

export const referralFunnel: Scenario = {
  name: 'referral-funnel',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const dataSource = ctx.app.get(DataSource);
    const isSqlite = dataSource.options.type === 'better-sqlite3';
    const raw = process.env.BENCH_FUNNEL_REFERRALS;
    const n = raw && /^\d+$/.test(raw) ? Number.parseInt(raw, 10) : isSqlite ? 200_000 : 1_000_000;
    const orgUnits = ctx.app.get(OrgUnitsService);
    const programs = ctx.app.get(ProgramsService);
    const channelsService = ctx.app.get(ChannelsService);
    const head = await orgUnits.create(SYSTEM_ACTOR_FOR_BENCH, { code: 'HO', name: 'Head office' });
    const channels: { id: string; programId: string; partnerId: string; orgUnitId: string }[] = [];
    for (let i = 0; i < PARTNERS; i++) {
      const p = await benchPartner(ctx.app, {
        code: `FP-${i}`,
        kind: PartnerKind.ECOMMERCE,
        nameZh: `漏斗合作机构${i}`,
        usccSerial: 70000 + i,
        orgUnitId: head.id,
      });
      const a = await benchAgreement(ctx.app, {
        partnerId: p.id,
        code: `FA-${i}`,
        mode: CooperationMode.REFERRAL,
        validFrom: '2026-01-01',
      });
      const program = await programs.createProgram(SYSTEM_ACTOR_FOR_BENCH, {
        agreementId: a.id,
        kind: ProgramKind.REFERRAL,
        nameZh: '推荐',
        targets: [],
      });
      await programs.transitionProgram(SYSTEM_ACTOR_FOR_BENCH, { id: program.id, to: ProgramStatus.ACTIVE });
      for (let c = 0; c < CHANNELS_PER_PROGRAM; c++) {
        const ch = await channelsService.create(SYSTEM_ACTOR_FOR_BENCH, {
          programId: program.id,
          type: ChannelType.PARTNER_API,
          name: `渠道${c}`,
          landingUrl: 'https://card.example.cn/apply',
        });
        channels.push({ id: ch.id, programId: program.id, partnerId: p.id, orgUnitId: program.orgUnitId });
      }
    }
    const loadStart = performance.now();
    await insertReferrals(dataSource, n, channels);
    const loadMs = performance.now() - loadStart;

    const label = `referralFunnel over ${n.toLocaleString('en-US')} referrals, ${PARTNERS * CHANNELS_PER_PROGRAM} channels, 365 days (${ctx.dbLabel})`;
    return [
      {
        scenario: label,
        metric: 'fixture load (bounded multi-row INSERTs, setup only)',
        gongying: fmtMs(loadMs),
        baseline: '—',
        ratio: '—',
      },
      ...(await measureCases(ctx, n, label)),
    ];
  },
};

/**
 * The same cases over a bank the demo generator seeded (`npm run seed:demo -- --scale …`): its referrals as the
 * service's own imports left them. BENCH_DEMO_DATABASE_URL names the database.
 */
export const demoReferralFunnel: Scenario = {
  name: 'demo-referral-funnel',
  existingDatabaseEnv: 'BENCH_DEMO_DATABASE_URL',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const dataSource = ctx.app.get(DataSource);
    const count = async (sql: string): Promise<number> =>
      Number((await dataSource.query<{ n: unknown }[]>(sql))[0]?.n ?? 0);
    const n = await count('SELECT COUNT(*) AS n FROM referrals');
    const channels = await count('SELECT COUNT(DISTINCT channel_id) AS n FROM referrals');
    const label = `demo bank (generator): referralFunnel over ${n.toLocaleString('en-US')} referrals, ${channels} channels (${ctx.dbLabel})`;
    return measureCases(ctx, n, label);
  },
};

/** CHANNEL × WEEK and PARTNER × MONTH over every referral: GraphQL (one statement) against the raw GROUP BY. */
async function measureCases(ctx: BenchContext, n: number, label: string): Promise<BenchRow[]> {
  const dataSource = ctx.app.get(DataSource);
  const rows: BenchRow[] = [];
  const cases: [FunnelGroupBy, FunnelInterval][] = [
    [FunnelGroupBy.CHANNEL, FunnelInterval.WEEK],
    [FunnelGroupBy.PARTNER, FunnelInterval.MONTH],
  ];
  for (const [groupBy, interval] of cases) {
    ctx.queries.reset();
    const answer = await ctx.gql<{ referralFunnel: { submitted: number; duplicate: number }[] }>(QUERY, {
      g: groupBy,
      i: interval,
    });
    const statements = ctx.queries.count;
    const counted = answer.referralFunnel.reduce((sum, r) => sum + r.submitted + r.duplicate, 0);
    if (counted !== n) throw new Error(`funnel counted ${counted} referrals, expected ${n}`);
    const sql = rawFunnelSql(groupBy, interval);
    const gqlMs = await medianMs(5, () => ctx.gql(QUERY, { g: groupBy, i: interval }));
    const sqlMs = await medianMs(5, () => dataSource.query(sql));
    rows.push({
      scenario: label,
      metric: `${groupBy} × ${interval}: ${answer.referralFunnel.length} rows, ${statements} SQL statement(s) (median of 5)`,
      gongying: `${fmtMs(gqlMs)} (GraphQL over HTTP)`,
      baseline: `${fmtMs(sqlMs)} (raw GROUP BY SQL)`,
      ratio: ratio(gqlMs, sqlMs),
    });
  }
  return rows;
}
