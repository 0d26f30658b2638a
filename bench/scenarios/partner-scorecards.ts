import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { AnalyticsMaintenanceService } from '../../src/analytics/analytics-maintenance.service';
import { gatherScorecardFacts } from '../../src/analytics/scorecards/scorecard-facts';
import {
  PartnerComplaintEntity,
  PartnerExternalRatingEntity,
} from '../../src/analytics/scorecards/entities/scorecard.entities';
import { DEFAULT_WEIGHT_SET } from '../../src/analytics/scorecards/scorecard.enums';
import { AttributionEntity, AttributionTouchEntity } from '../../src/attribution/entities/attribution.entity';
import { CommissionsService } from '../../src/commissions/commissions.service';
import { CommissionPeriodEntity } from '../../src/commissions/entities/commission-period.entity';
import { CustomerEntity } from '../../src/customers/entities/customer.entity';
import { CustomerEventEntity } from '../../src/customers/entities/customer-event.entity';
import { newId } from '../../src/database/columns';
import { JobsService } from '../../src/jobs/jobs.service';
import { OrgUnitsService } from '../../src/org-units/org-units.service';
import { CooperationMode, PartnerKind, PartnerStatus, PartnerTier, RiskRating } from '../../src/partners/partner.enums';
import { PartnersService } from '../../src/partners/partners.service';
import { ProgramKind } from '../../src/programs/program.enums';
import { ProgramsService } from '../../src/programs/programs.service';
import { BenchContext, BenchRow, Scenario, benchInt, fmtMs, ratio } from '../harness';
import { SYSTEM_ACTOR_FOR_BENCH } from '../system-actor';
import { benchAgreement, benchPartner } from '../fixtures';
import { interleavedP95, p95 } from './analytics-funnel';

/** Partners scored together (BENCH_SCORECARD_PARTNERS) and the customers they brought in (BENCH_SCORECARD_CUSTOMERS). */
const PARTNERS = benchInt('BENCH_SCORECARD_PARTNERS', 200);
const CUSTOMERS = benchInt('BENCH_SCORECARD_CUSTOMERS', 10_000);
/** Monthly commission periods scored, 2026-01 on. */
const PERIODS = ['2026-01', '2026-02', '2026-03'];
const CONVERSION_MONTHS = ['2025-10', '2025-11', '2025-12', ...PERIODS];
const PAGE = 100;
const RUNS = 30;
const INSERT_ROWS = 500;
const RATINGS = ['AAA', 'AA', 'A', 'BBB', 'BB', 'B'];
const TIERS = [PartnerTier.STRATEGIC, PartnerTier.CORE, PartnerTier.GENERAL, PartnerTier.WATCH];
const RISKS = [RiskRating.LOW, RiskRating.MEDIUM, RiskRating.HIGH];

const SCORECARD_FIELDS = `id periodId partnerId rank tier composite populationSize weightSetId computedAt
  scores { contribution risk reputation relatedness } indicators { key dimension higherIsBetter raw score }`;
const PAGE_QUERY = `query($p: ID!) { partnerScorecards(periodId: $p, first: ${PAGE}) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${SCORECARD_FIELDS} } } } }`;
/** Each partner's scorecard under a page of partners: the batched Partner.scorecard field. */
const NESTED_QUERY = `query($p: ID!) { partners(first: ${PAGE}) { edges { node { id code
  scorecard(periodId: $p) { rank tier composite scores { contribution risk reputation relatedness } } } } } }`;
const CALCULATE = `mutation($i: CalculatePartnerScorecardsInput!) { calculatePartnerScorecards(input: $i) { id } }`;

interface Seeded {
  partnerIds: string[];
  programIds: string[];
}

async function insertChunks<T extends object>(dataSource: DataSource, entity: new () => T, rows: T[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_ROWS)
    await dataSource.getRepository(entity).insert(rows.slice(i, i + INSERT_ROWS));
}

/** Active partners, each with a program; tiers, risk ratings, external ratings and complaints that differ. */
async function seedPartners(ctx: BenchContext): Promise<Seeded> {
  const orgUnits = ctx.app.get(OrgUnitsService);
  const partners = ctx.app.get(PartnersService);
  const programs = ctx.app.get(ProgramsService);
  const head = await orgUnits.create(SYSTEM_ACTOR_FOR_BENCH, { code: 'HO', name: 'Head office' });
  const seeded: Seeded = { partnerIds: [], programIds: [] };
  for (let i = 0; i < PARTNERS; i++) {
    const p = await benchPartner(ctx.app, {
      code: `SP-${String(i).padStart(4, '0')}`,
      kind: i % 3 === 0 ? PartnerKind.ECOMMERCE : PartnerKind.AIRLINE,
      nameZh: `评价合作机构${i}`,
      usccSerial: 72000 + i,
      orgUnitId: head.id,
    });
    await partners.transition(SYSTEM_ACTOR_FOR_BENCH, { id: p.id, to: PartnerStatus.NEGOTIATING });
    const active = await partners.transition(SYSTEM_ACTOR_FOR_BENCH, { id: p.id, to: PartnerStatus.ACTIVE });
    await partners.update(SYSTEM_ACTOR_FOR_BENCH, {
      id: p.id,
      version: active.version,
      tier: TIERS[i % TIERS.length],
      riskRating: RISKS[i % RISKS.length],
    });
    const a = await benchAgreement(ctx.app, {
      partnerId: p.id,
      code: `SA-${i}`,
      mode: CooperationMode.CO_BRANDED_CARD,
    });
    const program = await programs.createProgram(SYSTEM_ACTOR_FOR_BENCH, {
      agreementId: a.id,
      kind: ProgramKind.CO_BRANDED_CARD,
      nameZh: `联名卡${i}`,
      targets: [],
    });
    seeded.partnerIds.push(p.id);
    seeded.programIds.push(program.id);
  }
  const dataSource = ctx.app.get(DataSource);
  const now = new Date('2026-01-01T00:00:00Z');
  const ratings: PartnerExternalRatingEntity[] = [];
  const complaints: PartnerComplaintEntity[] = [];
  seeded.partnerIds.forEach((partnerId, i) => {
    if (i % 2 === 0)
      ratings.push({
        id: newId(),
        partnerId,
        rating: RATINGS[i % RATINGS.length] as string,
        agency: 'bench',
        ratedOn: '2025-12-01',
        recordedById: null,
        createdAt: now,
      });
    for (const month of PERIODS)
      for (let k = 0; k < i % 4; k++)
        complaints.push({
          id: newId(),
          partnerId,
          receivedOn: `${month}-${String(10 + k).padStart(2, '0')}`,
          category: 'SERVICE',
          summary: 'bench',
          recordedById: null,
          createdAt: now,
        });
  });
  await insertChunks(dataSource, PartnerExternalRatingEntity, ratings);
  await insertChunks(dataSource, PartnerComplaintEntity, complaints);
  return seeded;
}

/**
 * Customers brought in (one WON touch each, every seventh also won by a second partner), with card spend and
 * a balance snapshot per month of the scored periods, and a few delinquencies and early closures (no commission
 * lines: R2 is 0 for every partner). Setup only: multi-row INSERTs, not what is measured.
 */
async function seedCustomers(ctx: BenchContext, seeded: Seeded): Promise<number> {
  const dataSource = ctx.app.get(DataSource);
  const currency = ctx.config.defaultCurrency;
  const orgUnitId = (await dataSource.query<{ id: string }[]>(`SELECT id FROM org_units WHERE code = 'HO'`))[0]?.id;
  if (!orgUnitId) throw new Error('head office missing');
  const now = new Date('2025-09-01T00:00:00Z');
  let events = 0;
  for (let start = 0; start < CUSTOMERS; start += INSERT_ROWS) {
    const customers: CustomerEntity[] = [];
    const attributions: AttributionEntity[] = [];
    const touches: AttributionTouchEntity[] = [];
    const rows: CustomerEventEntity[] = [];
    const event = (customerId: string, type: string, date: string, amount: bigint | null): void => {
      rows.push({
        id: newId(),
        externalId: `SE${String(events++).padStart(10, '0')}`,
        customerId,
        type,
        occurredAt: new Date(`${date}T02:00:00Z`),
        businessDate: date,
        productCode: null,
        programId: null,
        cardRef: null,
        merchantCategory: null,
        counterpartyUscc: null,
        counterpartyName: null,
        employerUscc: null,
        amount,
        currency: amount === null ? null : currency,
        recordedAt: now,
      });
    };
    for (let i = start; i < Math.min(CUSTOMERS, start + INSERT_ROWS); i++) {
      const customerId = newId();
      customers.push({
        id: customerId,
        customerNumber: `SC${String(i).padStart(8, '0')}`,
        type: 'INDIVIDUAL',
        name: '评价客户',
        idType: null,
        identityHash: null,
        idNumberMasked: null,
        phoneHash: null,
        phoneMasked: null,
        uscc: null,
        industry: null,
        size: null,
        orgUnitId,
        onboardedOn: '2025-09-01',
        status: 'ACTIVE',
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      // Brought in from October to March, so each period sees a larger population.
      const convertedOn = `${CONVERSION_MONTHS[i % CONVERSION_MONTHS.length]}-${String(1 + (i % 28)).padStart(2, '0')}`;
      const winners = [i % PARTNERS];
      if (i % 7 === 0) winners.push((i * 13 + 5) % PARTNERS);
      for (const w of new Set(winners)) {
        const attributionId = newId();
        const at = new Date(`${convertedOn}T04:00:00Z`);
        const programId = seeded.programIds[w] as string;
        attributions.push({
          id: attributionId,
          customerId,
          productKey: `CARD:${programId}`,
          convertedAt: at,
          convertedOn,
          conversionEventId: newId(),
          ruleSnapshot: {},
          reason: 'bench',
          decidedAt: at,
          inputsHash: 'x',
          overridden: false,
          overriddenById: null,
          overrideReason: null,
          overriddenAt: null,
          version: 1,
          createdAt: at,
          updatedAt: at,
        });
        touches.push({
          id: newId(),
          attributionId,
          customerId,
          productKey: `CARD:${programId}`,
          convertedOn,
          source: 'REFERRAL',
          sourceRef: newId(),
          partnerId: seeded.partnerIds[w] as string,
          programId,
          channelId: null,
          referralId: null,
          touchedAt: at,
          touchedOn: convertedOn,
          rank: null,
          ruleVersion: null,
          outcome: 'WON',
          share: '1',
          qualificationStatus: null,
          qualifiedAt: null,
          qualifiedOn: null,
          qualifyingEvents: null,
        });
      }
      for (const month of PERIODS) {
        event(customerId, 'CARD_SPEND', `${month}-05`, BigInt(10_000 + (i % 50) * 1_000));
        event(customerId, 'CARD_SPEND', `${month}-20`, BigInt(5_000 + (i % 30) * 700));
        event(customerId, 'DEPOSIT_BALANCE_SNAPSHOT', `${month}-28`, BigInt(1_000_000 + (i % 90) * 10_000));
      }
      if (i % 53 === 0) event(customerId, 'DELINQUENT', '2026-02-14', null);
      if (i % 41 === 0) event(customerId, 'CARD_CLOSED', '2026-03-03', null);
    }
    await insertChunks(dataSource, CustomerEntity, customers);
    await insertChunks(dataSource, AttributionEntity, attributions);
    await insertChunks(dataSource, AttributionTouchEntity, touches);
    await insertChunks(dataSource, CustomerEventEntity, rows);
  }
  return events;
}

/**
 * Each period's scorecard calculation (the GraphQL mutation, its job waited for) and, after it, the same fact
 * queries alone (`gatherScorecardFacts`): their summed times, and how many partners the last facts cover.
 */
export async function timeScorecardCalculation(
  ctx: BenchContext,
  periods: readonly CommissionPeriodEntity[],
): Promise<{ jobMs: number; factsMs: number; partners: number }> {
  const jobs = ctx.app.get(JobsService);
  const dataSource = ctx.app.get(DataSource);
  const rates = ctx.config.analytics;
  let jobMs = 0;
  let factsMs = 0;
  let partners = 0;
  for (const period of periods) {
    const start = performance.now();
    const { calculatePartnerScorecards: job } = await ctx.gql<{ calculatePartnerScorecards: { id: string } }>(
      CALCULATE,
      { i: { periodId: period.id } },
    );
    const done = await jobs.waitFor(job.id);
    jobMs += performance.now() - start;
    if (done.status !== 'SUCCEEDED') throw new Error(`scorecard job ${done.status}: ${done.error ?? ''}`);
    const factsStart = performance.now();
    const facts = await gatherScorecardFacts(dataSource.manager, {
      periodId: period.id,
      from: period.fromDate,
      to: period.toDate,
      currency: ctx.config.defaultCurrency,
      interchangeRate: rates.interchangeRate,
      agencyFeeRate: rates.agencyFeeRate,
      balanceMarginRate: rates.balanceMarginRate,
      earlyClosureDays: DEFAULT_WEIGHT_SET.earlyClosureDays,
    });
    factsMs += performance.now() - factsStart;
    partners = facts.length;
  }
  return { jobMs, factsMs, partners };
}

/**
 * Partner scorecards: the calculation job per period (set-based fact queries, scoring, one writing transaction)
 * against the fact queries alone, then the reads — a page of `partnerScorecards` over GraphQL against the SQL it
 * runs, and `partners { scorecard }` (batched) against one query per partner — p95 with GraphQL and baseline
 * runs interleaved. Size: BENCH_SCORECARD_PARTNERS (200), BENCH_SCORECARD_CUSTOMERS (10,000), 3 monthly periods.
 */
export const partnerScorecards: Scenario = {
  name: 'partner-scorecards',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const dataSource = ctx.app.get(DataSource);
    // Rows are inserted directly: keep the periodic roll-up catch-up from running during the timed reads.
    ctx.app.get(AnalyticsMaintenanceService).stopPeriodicCatchUp();
    const loadStart = performance.now();
    const seeded = await seedPartners(ctx);
    const events = await seedCustomers(ctx, seeded);
    const loadMs = performance.now() - loadStart;
    const commissions = ctx.app.get(CommissionsService);
    const periods = [];
    for (const key of PERIODS) periods.push(await commissions.ensurePeriod(SYSTEM_ACTOR_FOR_BENCH, key));

    const { jobMs, factsMs, partners } = await timeScorecardCalculation(ctx, periods);
    if (partners !== PARTNERS) throw new Error(`facts for ${partners} partners, expected ${PARTNERS}`);
    const scored = Number(
      (await dataSource.query<{ n: unknown }[]>('SELECT COUNT(*) AS n FROM partner_scorecards'))[0]?.n ?? 0,
    );
    if (scored !== PARTNERS * PERIODS.length)
      throw new Error(`${scored} scorecards, expected ${PARTNERS * PERIODS.length}`);

    const period = periods[periods.length - 1] as (typeof periods)[number];
    const rank = dataSource.driver.escape('rank');
    // What the page needs from the database: the rows by rank (one more, for hasNextPage) and the count.
    const pageSql = async (): Promise<void> => {
      await dataSource.query(
        `SELECT * FROM partner_scorecards WHERE period_id = ? ORDER BY ${rank} LIMIT ${PAGE + 1}`,
        [period.id],
      );
      await dataSource.query('SELECT COUNT(*) AS n FROM partner_scorecards WHERE period_id = ?', [period.id]);
    };
    const answer = await ctx.gql<{ partnerScorecards: { totalCount: number; edges: { node: { rank: number } }[] } }>(
      PAGE_QUERY,
      { p: period.id },
    );
    if (answer.partnerScorecards.totalCount !== PARTNERS || answer.partnerScorecards.edges[0]?.node.rank !== 1)
      throw new Error('unexpected scorecard page');
    const statements = async (work: () => Promise<unknown>): Promise<number> => {
      const before = ctx.queries.count;
      await work();
      return ctx.queries.count - before;
    };
    const pageStatements = await statements(() => ctx.gql(PAGE_QUERY, { p: period.id }));
    const page = await interleavedP95(RUNS, () => ctx.gql(PAGE_QUERY, { p: period.id }), pageSql);

    // The naive way to show each partner's scorecard: the partners page, then one query per partner.
    const partnerIds = seeded.partnerIds.slice(0, PAGE);
    const naiveNested = async (): Promise<void> => {
      await dataSource.query(`SELECT * FROM partners ORDER BY id LIMIT ${PAGE + 1}`);
      for (const partnerId of partnerIds)
        await dataSource.query('SELECT * FROM partner_scorecards WHERE period_id = ? AND partner_id = ?', [
          period.id,
          partnerId,
        ]);
    };
    const nestedStatements = await statements(() => ctx.gql(NESTED_QUERY, { p: period.id }));
    const naiveStatements = await statements(naiveNested);
    const nested = await interleavedP95(RUNS, () => ctx.gql(NESTED_QUERY, { p: period.id }), naiveNested);
    const pingMs = await p95(RUNS, () => ctx.gql('query { __typename }'));

    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ');
    const label = `partner scorecards, ${PARTNERS} partners × ${PERIODS.length} monthly periods, ${CUSTOMERS.toLocaleString('en-US')} brought-in customers, ${events.toLocaleString('en-US')} events (${ctx.dbLabel}; load avg ${load} at the end)`;
    return [
      {
        scenario: label,
        metric: 'fixture load (services for partners, multi-row INSERTs for customers, touches and events; setup only)',
        gongying: fmtMs(loadMs),
        baseline: '—',
        ratio: '—',
      },
      {
        scenario: label,
        metric: `calculatePartnerScorecards, ${PERIODS.length} periods (GraphQL, job: weight set, fact queries, scoring, one writing transaction) vs the fact queries alone`,
        gongying: `${fmtMs(jobMs)} (${fmtMs(jobMs / PERIODS.length)} per period)`,
        baseline: `${fmtMs(factsMs)} (gatherScorecardFacts)`,
        ratio: ratio(jobMs, factsMs),
      },
      {
        scenario: label,
        metric: `p95 of ${RUNS}, interleaved: GraphQL partnerScorecards(first: ${PAGE}), every field, totalCount (${pageStatements} statements incl. the caller's identity) vs the page SELECT + COUNT it runs`,
        gongying: `${fmtMs(page.a)} (GraphQL)`,
        baseline: `${fmtMs(page.b)} (SQL)`,
        ratio: ratio(page.a, page.b),
      },
      {
        scenario: label,
        metric: `p95 of ${RUNS}, interleaved: partners(first: ${PAGE}) { scorecard } batched (${nestedStatements} statements) vs the partners page + one query per partner (${naiveStatements} statements, SQL only)`,
        gongying: `${fmtMs(nested.a)} (GraphQL)`,
        baseline: `${fmtMs(nested.b)} (naive SQL)`,
        ratio: ratio(nested.a, nested.b),
      },
      {
        scenario: label,
        metric: `p95 of ${RUNS}: an empty GraphQL request (HTTP, identity, validation)`,
        gongying: fmtMs(pingMs),
        baseline: '—',
        ratio: '—',
      },
    ];
  },
};
