import { AttributionEntity, AttributionTouchEntity } from '../../src/attribution/entities/attribution.entity';
import { CommissionAccrualEntity } from '../../src/commissions/entities/commission-accrual.entity';
import { CustomerEventEntity } from '../../src/customers/entities/customer-event.entity';
import { newId } from '../../src/database/columns';
import { JobsService } from '../../src/jobs/jobs.service';
import { AnalyticsMaintenanceService } from '../../src/analytics/analytics-maintenance.service';
import { TransactionService } from '../../src/database/transaction.service';
import { PartnerStatus, PartnerTier, RiskRating } from '../../src/partners/partner.enums';
import { PartnersService } from '../../src/partners/partners.service';
import { CoreEnterpriseEntity } from '../../src/supply-chain/entities/core-enterprise.entity';
import { SupplyChainCompanyEntity } from '../../src/supply-chain/entities/supply-chain-company.entity';
import { SupplyChainLinkEntity } from '../../src/supply-chain/entities/supply-chain-link.entity';
import { createPlan, createProgram, customers, openPeriod, rule } from '../commissions/support';
import { BankFixture, createPartner, seedBank } from '../support/fixtures';
import { databases, errorOf, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';

const SCORECARD_FIELDS = `id periodId partnerId rank tier composite populationSize weightSetId
  scores { contribution risk reputation relatedness } indicators { key dimension higherIsBetter raw score }`;
const SCORECARDS = `query($p: ID!, $first: Int, $after: String, $f: PartnerScorecardsFilter) {
  partnerScorecards(periodId: $p, first: $first, after: $after, filter: $f) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${SCORECARD_FIELDS} } } } }`;
const SET_WEIGHTS = `mutation($i: SetScorecardWeightsInput!) { setScorecardWeights(input: $i) {
  id effectiveFrom mode weights { contribution risk reputation relatedness } ahpMatrix consistencyRatio lambdaMax
  thresholds { strategic core general } valuation { interchangeRate agencyFeeRate balanceMarginRate } earlyClosureDays } }`;
const CALCULATE = `mutation($i: CalculatePartnerScorecardsInput!) { calculatePartnerScorecards(input: $i) { id type status } }`;
const WEIGHTS = `query($k: String) { scorecardWeights(periodKey: $k) {
  current { id effectiveFrom mode weights { contribution risk reputation relatedness } earlyClosureDays }
  history { id effectiveFrom mode } } }`;

interface Card {
  id: string;
  periodId: string;
  partnerId: string;
  rank: number;
  tier: string;
  composite: string;
  populationSize: number;
  weightSetId: string;
  scores: { contribution: string; risk: string; reputation: string; relatedness: string };
  indicators: { key: string; dimension: string; higherIsBetter: boolean; raw: string; score: string }[];
}
interface Page {
  partnerScorecards: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: Card }[];
  };
}

/** The weights (0.4, 0.3, 0.2, 0.1) as a perfectly consistent pairwise matrix: a_ij = w_i / w_j. */
const CONSISTENT_AHP = [
  ['1', '4/3', '2', '4'],
  ['3/4', '1', '3/2', '3'],
  ['0.5', '2/3', '1', '2'],
  ['0.25', '1/3', '0.5', '1'],
];

/** Contribution ≫ risk ≫ reputation ≫ contribution: circular, hence inconsistent. */
const CIRCULAR_AHP = [
  ['1', '9', '1/9', '1'],
  ['1/9', '1', '9', '1'],
  ['9', '1/9', '1', '1'],
  ['1', '1', '1', '1'],
];

/** Independent oracle for CR: λmax by float power iteration, CI = (λ − n)/(n − 1), RI(4) = 0.90. */
function floatCr(cells: string[][]): number {
  const a = cells.map((row) =>
    row.map((c) => {
      const [num, den] = c.split('/');
      return den === undefined ? Number(num) : Number(num) / Number(den);
    }),
  );
  const n = a.length;
  let w = a.map(() => 1 / n);
  let lambda = n;
  for (let k = 0; k < 1000; k++) {
    const aw = a.map((row) => row.reduce((s, x, j) => s + x * (w[j] as number), 0));
    lambda = aw.reduce((s, x) => s + x, 0);
    w = aw.map((x) => x / lambda);
  }
  return (lambda - n) / (n - 1) / 0.9;
}

describe.each(databases())('partner scorecards (%s)', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  let feb: string;
  let mar: string;
  let pA: string; // P-BJ (Beijing)
  let pB: string; // P-SH (Shanghai)
  let pC: string; // P-HD (Haidian, under Beijing)
  let prospect: string;

  async function calculate(periodId: string, force?: boolean, as = 'manager'): Promise<void> {
    const job = ok(
      await t.gql<{ calculatePartnerScorecards: { id: string } }>(
        CALCULATE,
        { i: { periodId, ...(force === undefined ? {} : { force }) } },
        as,
      ),
    ).calculatePartnerScorecards;
    const done = await t.get(JobsService).waitFor(job.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.processed).toBe(done.total);
  }

  /** Plan per partner, for the commission ledger rows the fixture writes. */
  const plans = new Map<string, string>();

  /** One commission ledger row as the engine writes it; `createdAt` is its catch-up mark. */
  async function accrue(a: {
    partnerId: string;
    programId: string;
    kind: string;
    amount: bigint;
    periodId: string;
    customerId: string;
    createdAt?: Date;
  }): Promise<void> {
    const key = `fixture|${newId()}`;
    await t.dataSource.getRepository(CommissionAccrualEntity).insert({
      id: newId(),
      ledgerKey: `${key}#1`,
      idempotencyKey: key,
      accrualKey: key,
      revision: 1,
      reversal: false,
      kind: a.kind,
      planId: plans.get(a.partnerId) as string,
      planVersion: 1,
      ruleId: 'r1',
      partnerId: a.partnerId,
      programId: a.programId,
      customerId: a.customerId,
      periodId: a.periodId,
      factPeriodKey: a.periodId === mar ? '2026-03' : '2026-02',
      businessDate: a.periodId === mar ? '2026-03-20' : '2026-02-20',
      sourceIds: ['x'],
      basisAmount: null,
      basisCurrency: null,
      rateOrTier: 'flat',
      sourceKind: 'EVENT',
      amount: a.amount,
      currency: 'CNY',
      payableOn: '2026-04-01',
      feeCategory: 'ACQUISITION_BOUNTY',
      explanation: 'fixture',
      runId: null,
      createdAt: a.createdAt ?? new Date(),
    });
  }

  async function page(periodId: string, as = 'analyst', vars: Record<string, unknown> = {}): Promise<Card[]> {
    return ok(await t.gql<Page>(SCORECARDS, { p: periodId, ...vars }, as)).partnerScorecards.edges.map((e) => e.node);
  }

  beforeAll(async () => {
    t = await TestApp.start(db);
    t.clock.set('2026-04-15T04:00:00Z');
    bank = await seedBank(t);
    pA = bank.partnerBj;
    pB = bank.partnerSh;
    pC = bank.partnerHd;
    prospect = await createPartner(t, { code: 'P-PROSPECT', orgUnitId: bank.beijing });
    const partners = t.get(PartnersService);
    for (const id of [pA, pB, pC]) {
      await partners.transition(SYSTEM_ACTOR, { id, to: PartnerStatus.NEGOTIATING });
      await partners.transition(SYSTEM_ACTOR, { id, to: PartnerStatus.ACTIVE });
    }
    // Recorded tier and risk rating (R3, P1): A STRATEGIC/HIGH, B GENERAL/LOW, C unset (counts GENERAL/MEDIUM).
    for (const [id, tier, risk] of [
      [pA, PartnerTier.STRATEGIC, RiskRating.HIGH],
      [pB, PartnerTier.GENERAL, RiskRating.LOW],
    ] as const) {
      const p = await partners.get(SYSTEM_ACTOR, id);
      await partners.update(SYSTEM_ACTOR, { id, version: p.version, tier, riskRating: risk });
    }
    const progA = await createProgram(t, pA, 'A 联名卡');
    const progB = await createProgram(t, pB, 'B 联名卡');
    const progC = await createProgram(t, pC, 'C 联名卡');
    feb = await openPeriod(t, '2026-02');
    mar = await openPeriod(t, '2026-03');
    const c = await customers(t, bank, ['c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    const cid = (n: string): string => c.get(n) as string;
    const ds = t.dataSource;

    // Who brought in whom (WON touches): A {c1, c2, c3, c4}, B {c4, c5}, C {c5, c6}; c7-like late wins ignored.
    const wins: [string, string, string, string][] = [
      ['c1', pA, progA, '2026-01-10'],
      ['c2', pA, progA, '2026-02-01'],
      ['c3', pA, progA, '2026-03-05'],
      ['c4', pA, progA, '2026-02-10'],
      ['c4', pB, progB, '2026-02-15'],
      ['c5', pB, progB, '2026-03-02'],
      ['c5', pC, progC, '2026-03-10'],
      ['c6', pC, progC, '2026-03-20'],
      ['c2', pB, progB, '2026-04-02'], // after the March period end: not B's customer yet
    ];
    for (const [name, partnerId, programId, on] of wins) {
      const attributionId = newId();
      const at = new Date(`${on}T04:00:00Z`);
      await ds.getRepository(AttributionEntity).insert({
        id: attributionId,
        customerId: cid(name),
        productKey: `CARD:${programId}`,
        convertedAt: at,
        convertedOn: on,
        conversionEventId: newId(),
        ruleSnapshot: {},
        reason: 'fixture',
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
      await ds.getRepository(AttributionTouchEntity).insert({
        id: newId(),
        attributionId,
        customerId: cid(name),
        productKey: `CARD:${programId}`,
        convertedOn: on,
        source: 'REFERRAL',
        sourceRef: newId(),
        partnerId,
        programId,
        channelId: null,
        referralId: null,
        touchedAt: at,
        touchedOn: on,
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

    // The bank's events (amounts in fen).
    const events: [string, string, string, bigint | null][] = [
      ['c1', 'CARD_SPEND', '2026-03-10', 1_000_000n],
      ['c2', 'CARD_SPEND', '2026-02-20', 500_000n], // February: not in March's value
      ['c3', 'CARD_SPEND', '2026-03-03', 200_000n], // before A brought c3 in (03-05): not counted
      ['c3', 'CARD_SPEND', '2026-03-15', 300_000n],
      ['c4', 'FUND_PURCHASE', '2026-03-12', 5_000_000n], // counts for A and B
      ['c5', 'DEPOSIT_BALANCE_SNAPSHOT', '2026-03-05', 10_000_000n],
      ['c5', 'DEPOSIT_BALANCE_SNAPSHOT', '2026-03-31', 20_000_000n], // latest in March: B and C
      ['c6', 'CARD_SPEND', '2026-03-25', 100_000n],
      ['c2', 'DELINQUENT', '2026-03-08', null], // A adverse
      ['c1', 'CARD_CLOSED', '2026-03-20', null], // 69 days after 01-10: not early with a 60-day window
      ['c3', 'CARD_CLOSED', '2026-03-30', null], // 25 days: early → A adverse
      ['c6', 'CARD_CLOSED', '2026-03-28', null], // 8 days: early → C adverse
      ['c5', 'DELINQUENT', '2026-04-03', null], // after the period end
    ];
    let serial = 0;
    for (const [name, type, on, amount] of events)
      await ds.getRepository(CustomerEventEntity).insert({
        id: newId(),
        externalId: `SC-EV-${serial++}`,
        customerId: cid(name),
        type,
        occurredAt: new Date(`${on}T04:00:00Z`),
        businessDate: on,
        productCode: null,
        programId: null,
        cardRef: null,
        merchantCategory: null,
        counterpartyUscc: null,
        counterpartyName: null,
        employerUscc: null,
        amount,
        currency: amount === null ? null : 'CNY',
        recordedAt: new Date(`${on}T04:00:00Z`),
      });

    // Commission ledger: A accrues 60.00 + 40.00 and loses 20.00 (0.2); B 50.00 (0); C 40.00 all clawed back (1).
    for (const [partnerId, programId] of [
      [pA, progA],
      [pB, progB],
      [pC, progC],
    ] as const)
      plans.set(partnerId, await createPlan(t, { partnerId, programId, rules: [rule()] }));
    const ledger: [string, string, string, bigint, string][] = [
      [pA, progA, 'ACCRUAL', 6000n, mar],
      [pA, progA, 'ACCRUAL', 4000n, mar],
      [pA, progA, 'CLAWBACK', -2000n, mar],
      [pB, progB, 'ACCRUAL', 5000n, mar],
      [pB, progB, 'ACCRUAL', 9999n, feb], // February: not March's
      [pB, progB, 'CLAWBACK', -9999n, feb],
      [pC, progC, 'ACCRUAL', 4000n, mar],
      [pC, progC, 'CLAWBACK', -4000n, mar],
    ];
    for (const [partnerId, programId, kind, amount, periodId] of ledger)
      await accrue({ partnerId, programId, kind, amount, periodId, customerId: cid('c1') });

    // Supply chain: A is the core enterprise of 3 ACTIVE members (+1 ENDED), C of 1.
    const company = async (name: string): Promise<string> => {
      const id = newId();
      await ds.getRepository(SupplyChainCompanyEntity).insert({
        id,
        uscc: null,
        externalId: `SC-${name}`,
        name,
        customerId: null,
        version: 1,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      return id;
    };
    for (const [partnerId, members] of [
      [pA, ['m1', 'm2', 'm3', 'ended']],
      [pC, ['n1']],
    ] as const) {
      const coreCompany = await company(`core-${partnerId}`);
      const coreId = newId();
      await ds.getRepository(CoreEnterpriseEntity).insert({
        id: coreId,
        companyId: coreCompany,
        partnerId,
        programId: null,
        orgUnitId: bank.beijing,
        version: 1,
        createdAt: new Date(),
      });
      for (const m of members)
        await ds.getRepository(SupplyChainLinkEntity).insert({
          id: newId(),
          coreId,
          parentCompanyId: coreCompany,
          memberCompanyId: await company(`${m}-${partnerId}`),
          direction: 'UPSTREAM',
          tier: 1,
          annualVolume: null,
          currency: 'CNY',
          since: '2025-06-01',
          source: 'DECLARED',
          status: m === 'ended' ? 'ENDED' : 'ACTIVE',
          endedOn: m === 'ended' ? '2026-01-31' : null,
          version: 1,
          createdAt: new Date(),
          updatedAt: new Date(),
        });
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('records complaints and external ratings through GraphQL, scoped to managers of the partner', async () => {
    const COMPLAINT = `mutation($i: RecordPartnerComplaintInput!) { recordPartnerComplaint(input: $i) { id partnerId receivedOn category } }`;
    const RATING = `mutation($i: RecordPartnerExternalRatingInput!) { recordPartnerExternalRating(input: $i) { id rating ratedOn } }`;
    const complaints: [string, string][] = [
      [pA, '2026-03-15'],
      [pA, '2026-04-01'], // April: not March's
      [pC, '2026-03-05'],
      [pC, '2026-03-31'],
    ];
    for (const [partnerId, receivedOn] of complaints)
      ok(
        await t.gql(
          COMPLAINT,
          { i: { partnerId, receivedOn, category: 'SERVICE', summary: '客户投诉服务态度' } },
          'manager-bj',
        ),
      );
    // P-SH sits outside Beijing: a Beijing manager cannot see it, a partner user may not record at all.
    expect(
      errorOf(
        await t.gql(
          COMPLAINT,
          { i: { partnerId: pB, receivedOn: '2026-03-01', category: 'OTHER', summary: 'x' } },
          'manager-bj',
        ),
      ),
    ).toMatchObject({ code: 'NOT_FOUND', field: 'partnerId' });
    expect(
      errorOf(
        await t.gql(
          COMPLAINT,
          { i: { partnerId: pA, receivedOn: '2026-03-01', category: 'OTHER', summary: 'x' } },
          'partner-bj',
        ),
      ).code,
    ).toBe('FORBIDDEN');
    expect(
      errorOf(
        await t.gql(
          COMPLAINT,
          { i: { partnerId: pA, receivedOn: '2026-02-30', category: 'OTHER', summary: 'x' } },
          'manager',
        ),
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'receivedOn' });

    for (const [partnerId, rating, ratedOn] of [
      [pA, 'AA', '2026-01-05'],
      [pA, 'BBB', '2026-04-10'], // after the period end: March still sees AA
      [pB, 'a', '2026-03-01'], // normalised to A
    ])
      ok(await t.gql(RATING, { i: { partnerId, rating, agency: '中诚信', ratedOn } }, 'manager'));
    expect(
      errorOf(
        await t.gql(RATING, { i: { partnerId: pC, rating: 'ZZZ', agency: 'x', ratedOn: '2026-03-01' } }, 'manager'),
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rating', reason: 'UNKNOWN_GRADE' });
    expect(
      errorOf(
        await t.gql(RATING, { i: { partnerId: pA, rating: 'AA', agency: 'x', ratedOn: '2026-01-05' } }, 'manager'),
      ).code,
    ).toBe('CONFLICT');
  });

  it('scores February with the built-in default weights (stored, so the period names its set)', async () => {
    await calculate(feb);
    const rows = await page(feb);
    expect(rows.map((r) => r.partnerId).sort()).toEqual([pA, pB, pC].sort()); // the prospect is not scored
    expect(rows.map((r) => r.rank)).toEqual([1, 2, 3]);
    expect(rows.every((r) => r.populationSize === 3)).toBe(true);
    const settings = ok(
      await t.gql<{ scorecardWeights: { current: { id: string; mode: string; weights: Record<string, string> } } }>(
        WEIGHTS,
        { k: '2026-02' },
        'analyst',
      ),
    ).scorecardWeights.current;
    expect(settings).toMatchObject({
      mode: 'DIRECT',
      weights: { contribution: '0.25', risk: '0.25', reputation: '0.25', relatedness: '0.25' },
    });
    expect(rows.every((r) => r.weightSetId === settings.id)).toBe(true);
    // February facts: c2 (A since 02-01) spent 5,000.00 in February → A has the only value brought in.
    const value = (r: Card): string | undefined => r.indicators.find((i) => i.key === 'valueBroughtIn')?.raw;
    expect(value(rows.find((r) => r.partnerId === pA) as Card)).toBe('3000'); // 500,000 × 0.006 (ANALYTICS default)
    expect(value(rows.find((r) => r.partnerId === pB) as Card)).toBe('0');
  });

  it('sets AHP weights from a consistent matrix: exact weights, CR 0', async () => {
    const set = ok(
      await t.gql<{ setScorecardWeights: Record<string, unknown> }>(
        SET_WEIGHTS,
        {
          i: {
            effectiveFrom: '2026-03',
            ahpMatrix: CONSISTENT_AHP,
            thresholds: { strategic: '85', core: '50', general: '20' },
            valuation: { interchangeRate: '0.005', agencyFeeRate: '0.01', balanceMarginRate: '0.0365' },
            earlyClosureDays: 60,
          },
        },
        'manager',
      ),
    ).setScorecardWeights;
    expect(set).toMatchObject({
      effectiveFrom: '2026-03',
      mode: 'AHP',
      weights: { contribution: '0.400000', risk: '0.300000', reputation: '0.200000', relatedness: '0.100000' },
      consistencyRatio: '0.000000',
      lambdaMax: '4.000000',
      thresholds: { strategic: '85', core: '50', general: '20' },
      valuation: { interchangeRate: '0.005', agencyFeeRate: '0.01', balanceMarginRate: '0.0365' },
      earlyClosureDays: 60,
    });
    expect(set.ahpMatrix).toEqual(CONSISTENT_AHP);
    const audit = await t.dataSource.query<{ n: number | string }[]>(
      `SELECT COUNT(*) AS n FROM audit_records WHERE action = 'scorecardWeights.set' AND entity_id = ?`,
      [set.id],
    );
    expect(Number(audit[0]?.n)).toBe(1);
  });

  it('rejects an inconsistent AHP matrix with its consistency ratio, and bad weights naming the field', async () => {
    const res = await t.gql(SET_WEIGHTS, { i: { ahpMatrix: CIRCULAR_AHP } }, 'manager');
    const e = errorOf(res);
    expect(e).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ahpMatrix', reason: 'INCONSISTENT' });
    const cr = Number(e.consistencyRatio);
    expect(cr).toBeGreaterThanOrEqual(0.1);
    expect(Math.abs(cr - floatCr(CIRCULAR_AHP))).toBeLessThan(1e-6);

    const bad: [Record<string, unknown>, string, string?][] = [
      [
        { weights: { contribution: '0.4', risk: '0.3', reputation: '0.2', relatedness: '0.05' } },
        'weights',
        'WEIGHTS_MUST_SUM_TO_ONE',
      ],
      [
        { weights: { contribution: '0.4', risk: '1.5', reputation: '0.2', relatedness: '0.1' } },
        'weights.risk',
        'OUT_OF_RANGE',
      ],
      [
        { weights: { contribution: '-0.1', risk: '0.5', reputation: '0.5', relatedness: '0.1' } },
        'weights.contribution',
        'INVALID_NUMBER',
      ],
      [
        { weights: { contribution: '1', risk: '0', reputation: '0', relatedness: '0' }, ahpMatrix: CONSISTENT_AHP },
        'weights',
      ],
      [{}, 'weights', 'EXACTLY_ONE_OF_WEIGHTS_OR_AHP_MATRIX'],
      [
        { ahpMatrix: CONSISTENT_AHP.map((r, i) => (i === 1 ? ['0.5', ...r.slice(1)] : r)) },
        'ahpMatrix[1][0]',
        'NOT_RECIPROCAL',
      ],
      [{ ahpMatrix: CONSISTENT_AHP.slice(0, 3).map((r) => r.slice(0, 3)) }, 'ahpMatrix', 'SIZE_OUT_OF_RANGE'],
      [
        {
          weights: { contribution: '1', risk: '0', reputation: '0', relatedness: '0' },
          thresholds: { strategic: '50', core: '60', general: '10' },
        },
        'thresholds.core',
        'THRESHOLDS_NOT_DESCENDING',
      ],
      [
        {
          weights: { contribution: '1', risk: '0', reputation: '0', relatedness: '0' },
          valuation: { interchangeRate: '2', agencyFeeRate: '0', balanceMarginRate: '0' },
        },
        'valuation.interchangeRate',
        'OUT_OF_RANGE',
      ],
      [
        { weights: { contribution: '1', risk: '0', reputation: '0', relatedness: '0' }, effectiveFrom: '2026-13' },
        'effectiveFrom',
      ],
    ];
    for (const [input, field, reason] of bad) {
      const err = errorOf(await t.gql(SET_WEIGHTS, { i: input }, 'manager'));
      expect({ input, code: err.code, field: err.field }).toEqual({ input, code: 'BAD_USER_INPUT', field });
      if (reason) expect(err.reason).toBe(reason);
    }
    // Bank-wide settings: a branch manager and an analyst may not change them.
    const direct = { weights: { contribution: '1', risk: '0', reputation: '0', relatedness: '0' } };
    expect(errorOf(await t.gql(SET_WEIGHTS, { i: direct }, 'manager-bj')).code).toBe('FORBIDDEN');
    expect(errorOf(await t.gql(SET_WEIGHTS, { i: direct }, 'analyst')).code).toBe('FORBIDDEN');
  });

  it('computes March by hand: raw values, normalised scores, composite, ranks and tiers', async () => {
    await calculate(mar);
    const rows = await page(mar);
    expect(rows.map((r) => [r.partnerId, r.rank, r.tier, r.composite])).toEqual([
      // B: 0.4·100 + 0.3·100 + 0.2·(500/9) + 0.1·(200/3) = 70 + 160/9
      [pB, 1, 'STRATEGIC', '87.7778'],
      // A: 0.3·(80/3) + 0.2·(275/3) + 0.1·(100/3) = 89/3
      [pA, 2, 'GENERAL', '29.6667'],
      // C: 0.4·(1200/111) + 0.3·(50/3) + 0.1·(100/9)
      [pC, 3, 'WATCH', '10.4354'],
    ]);
    const byPartner = new Map(rows.map((r) => [r.partnerId, r]));
    const ind = (p: string): Record<string, [string, string]> =>
      Object.fromEntries((byPartner.get(p) as Card).indicators.map((i) => [i.key, [i.raw, i.score]]));
    // A: spend 1,000,000 (c1) + 300,000 (c3 after 03-05) × 0.005 = 6,500; c4's fund 5,000,000 × 0.01 = 50,000.
    // B: c4's fund 50,000; c5's latest March balance 20,000,000 × 31 days × 0.0365 / 365 = 62,000.
    // C: c6's spend 100,000 × 0.005 = 500; c5's balance 62,000.
    expect(ind(pA)).toEqual({
      valueBroughtIn: ['56500', '0.0000'],
      adverseShare: ['0.500000', '0.0000'], // c2 delinquent, c3 closed 25 days in; c1's closure (69 days) is not early
      clawbackRatio: ['0.200000', '80.0000'],
      riskRatingPoints: ['2', '0.0000'],
      tierPoints: ['3', '100.0000'],
      ratingPoints: ['8', '100.0000'],
      complaintRate: ['0.250000', '75.0000'],
      sharedCustomers: ['1', '0.0000'],
      supplyChainSize: ['3', '100.0000'],
      crossProgramLinks: ['1', '0.0000'],
    });
    expect(ind(pB)).toEqual({
      valueBroughtIn: ['112000', '100.0000'],
      adverseShare: ['0', '100.0000'],
      clawbackRatio: ['0', '100.0000'],
      riskRatingPoints: ['0', '100.0000'],
      tierPoints: ['1', '0.0000'],
      ratingPoints: ['7', '66.6667'],
      complaintRate: ['0', '100.0000'],
      sharedCustomers: ['2', '100.0000'],
      supplyChainSize: ['0', '0.0000'],
      crossProgramLinks: ['2', '100.0000'],
    });
    expect(ind(pC)).toEqual({
      valueBroughtIn: ['62500', '10.8108'],
      adverseShare: ['0.500000', '0.0000'],
      clawbackRatio: ['1', '0.0000'],
      riskRatingPoints: ['1', '50.0000'], // unrated counts MEDIUM
      tierPoints: ['1', '0.0000'], // no tier counts GENERAL
      ratingPoints: ['5', '0.0000'], // unrated: the table's median point
      complaintRate: ['1', '0.0000'],
      sharedCustomers: ['1', '0.0000'],
      supplyChainSize: ['1', '33.3333'],
      crossProgramLinks: ['1', '0.0000'],
    });
    expect(rows.map((r) => r.scores)).toEqual([
      { contribution: '100.0000', risk: '100.0000', reputation: '55.5556', relatedness: '66.6667' },
      { contribution: '0.0000', risk: '26.6667', reputation: '91.6667', relatedness: '33.3333' },
      { contribution: '10.8108', risk: '16.6667', reputation: '0.0000', relatedness: '11.1111' },
    ]);
    expect((byPartner.get(pA) as Card).indicators.find((i) => i.key === 'adverseShare')).toMatchObject({
      dimension: 'RISK',
      higherIsBetter: false,
    });
  });

  it('pages by rank with a keyset cursor, filters by tier, and reads Partner.scorecard without N+1', async () => {
    const first = ok(await t.gql<Page>(SCORECARDS, { p: mar, first: 2 }, 'admin')).partnerScorecards;
    expect(first.edges.map((e) => e.node.rank)).toEqual([1, 2]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.totalCount).toBe(3);
    const second = ok(
      await t.gql<Page>(SCORECARDS, { p: mar, first: 2, after: first.pageInfo.endCursor }, 'admin'),
    ).partnerScorecards;
    expect(second.edges.map((e) => e.node.rank)).toEqual([3]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect((await page(mar, 'admin', { f: { tiers: ['WATCH', 'STRATEGIC'] } })).map((r) => r.partnerId)).toEqual([
      pB,
      pC,
    ]);
    expect(errorOf(await t.gql(SCORECARDS, { p: mar, after: 'nonsense' }, 'admin'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
    expect(errorOf(await t.gql(SCORECARDS, { p: newId() }, 'admin'))).toMatchObject({
      code: 'NOT_FOUND',
      field: 'periodId',
    });

    const NESTED = `query($p: ID!, $q: ID!) { partners(first: 20) { edges { node { id
      march: scorecard(periodId: $p) { rank composite } february: scorecard(periodId: $q) { rank } } } } }`;
    t.queries.recording = true;
    t.queries.reset();
    const data = ok(
      await t.gql<{
        partners: {
          edges: { node: { id: string; march: { rank: number } | null; february: { rank: number } | null } }[];
        };
      }>(NESTED, { p: mar, q: feb }, 'admin'),
    );
    const scorecardStatements = t.queries.statements.filter((s) => /partner_scorecards/.test(s)).length;
    t.queries.recording = false;
    // One statement per period asked, however many partners are on the page.
    expect(scorecardStatements).toBe(2);
    const nodes = new Map(data.partners.edges.map((e) => [e.node.id, e.node]));
    expect(nodes.get(pB)?.march?.rank).toBe(1);
    expect(nodes.get(prospect)?.march).toBeNull();
  });

  it('keeps history per period, and a closed period is only recomputed when forced', async () => {
    const febBefore = await page(feb);
    const marBefore = await page(mar);
    expect(new Set(febBefore.map((r) => r.weightSetId)).size).toBe(1);
    expect(febBefore[0]?.weightSetId).not.toBe(marBefore[0]?.weightSetId); // each period names the set it used

    // Recomputing an open period replaces its rows with the same figures (idempotent).
    await calculate(mar);
    const marAgain = await page(mar);
    const figures = (rows: Card[]): unknown => rows.map(({ id: _id, ...rest }) => rest);
    expect(figures(marAgain)).toEqual(figures(marBefore));
    expect(marAgain[0]?.id).not.toBe(marBefore[0]?.id);

    // February closes: its scorecards are history. A new complaint against B in February changes nothing…
    await t.dataSource.query(`UPDATE commission_periods SET status = 'CLOSED' WHERE id = ?`, [feb]);
    ok(
      await t.gql(
        `mutation($i: RecordPartnerComplaintInput!) { recordPartnerComplaint(input: $i) { id } }`,
        { i: { partnerId: pB, receivedOn: '2026-02-10', category: 'MIS_SELLING', summary: '误导销售' } },
        'manager',
      ),
    );
    expect(errorOf(await t.gql(CALCULATE, { i: { periodId: feb } }, 'manager'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'SCORECARDS_KEPT_AS_HISTORY',
    });
    expect(await page(feb)).toEqual(febBefore);
    // … until someone forces the recomputation.
    await calculate(feb, true, 'admin');
    const febForced = await page(feb);
    const complaintsOf = (rows: Card[]): string | undefined =>
      rows.find((r) => r.partnerId === pB)?.indicators.find((i) => i.key === 'complaintRate')?.raw;
    expect(complaintsOf(febBefore)).toBe('0');
    expect(complaintsOf(febForced)).toBe('1'); // 1 complaint, B had brought in 1 customer (c4) by February's end
    expect(febForced[0]?.weightSetId).toBe(febBefore[0]?.weightSetId);

    const history = ok(
      await t.gql<{ scorecardWeights: { history: { effectiveFrom: string; mode: string }[] } }>(WEIGHTS, {}, 'auditor'),
    ).scorecardWeights.history;
    expect(history.map((h) => [h.effectiveFrom, h.mode])).toEqual([
      ['2026-03', 'AHP'],
      ['2026-02', 'DIRECT'],
    ]);
    const audits = await t.dataSource.query<{ n: number | string }[]>(
      `SELECT COUNT(*) AS n FROM audit_records WHERE action = 'partnerScorecards.calculate' AND entity_id = ?`,
      [feb],
    );
    expect(Number(audits[0]?.n)).toBe(2);
  });

  it('shows a partner user only its own scorecard, by every path', async () => {
    const own = await page(mar, 'partner-bj');
    expect(own.map((r) => [r.partnerId, r.rank])).toEqual([[pA, 2]]);
    expect(errorOf(await t.gql(SCORECARDS, { p: mar, f: { partnerIds: [pB] } }, 'partner-bj'))).toMatchObject({
      code: 'NOT_FOUND',
      field: 'filter.partnerIds[0]',
    });
    expect(
      ok(await t.gql<Page>(SCORECARDS, { p: mar, f: { tiers: ['STRATEGIC'] } }, 'partner-bj')).partnerScorecards,
    ).toMatchObject({ edges: [] });
    const ONE = `query($id: ID!, $p: ID!) { partner(id: $id) { id scorecard(periodId: $p) { rank composite } } }`;
    expect(
      ok(await t.gql<{ partner: { scorecard: { rank: number } } }>(ONE, { id: pA, p: mar }, 'partner-bj')).partner
        .scorecard,
    ).toEqual({ rank: 2, composite: '29.6667' });
    expect(errorOf(await t.gql(ONE, { id: pB, p: mar }, 'partner-bj')).code).toBe('NOT_FOUND');
    expect(errorOf(await t.gql(WEIGHTS, {}, 'partner-bj')).code).toBe('FORBIDDEN');
    expect(errorOf(await t.gql(CALCULATE, { i: { periodId: mar } }, 'partner-bj')).code).toBe('FORBIDDEN');

    // A Beijing manager sees Beijing and Haidian partners with their bank-wide ranks, not Shanghai's.
    expect((await page(mar, 'manager-bj')).map((r) => [r.partnerId, r.rank])).toEqual([
      [pA, 2],
      [pC, 3],
    ]);
    expect(errorOf(await t.gql(CALCULATE, { i: { periodId: mar } }, 'manager-bj')).code).toBe('FORBIDDEN');
    expect(errorOf(await t.gql(CALCULATE, { i: { periodId: 'not-a-uuid' } }, 'manager'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'periodId',
    });
  });

  it('gathers the facts with the same statements however many partners are scored (no per-partner loop)', async () => {
    t.queries.reset();
    await calculate(mar);
    const withThree = t.queries.count;
    for (let i = 0; i < 5; i++)
      await createPartner(t, { code: `P-EXTRA-${i}`, orgUnitId: bank.shanghai, status: PartnerStatus.ACTIVE });
    t.queries.reset();
    await calculate(mar);
    expect(t.queries.count).toBe(withThree);
    expect((await page(mar, 'admin', { first: 100 })).map((r) => r.populationSize)).toEqual(Array(8).fill(8));
  });

  /** A ledger line of ¥1.00 for partner A in March, marked `createdAt` (as a late commit would be). */
  async function accrueAt(createdAt: Date): Promise<void> {
    const [row] = await t.dataSource.query<{ program_id: string; customer_id: string }[]>(
      'SELECT program_id, customer_id FROM commission_accruals WHERE partner_id = ? LIMIT 1',
      [pA],
    );
    await accrue({
      partnerId: pA,
      programId: row?.program_id as string,
      kind: 'ACCRUAL',
      amount: 100n,
      periodId: mar,
      customerId: row?.customer_id as string,
      createdAt,
    });
  }
  /** A maintenance service of a process of its own (its memo starts empty), on the test's clock. */
  const startProcess = () =>
    new AnalyticsMaintenanceService(t.config, t.dataSource, t.get(TransactionService), t.clock);
  /** The work's result and the statements it sent that read commission_accruals. */
  async function accrualStatementsOf(work: () => Promise<unknown>): Promise<{ result: unknown; accruals: string[] }> {
    t.queries.reset();
    t.queries.recording = true;
    try {
      const result = await work();
      return { result, accruals: t.queries.statements.filter((q) => /commission_accruals/.test(q)) };
    } finally {
      t.queries.recording = false;
    }
  }

  it('the accrual check narrows its window to the last overlap once that is settled, and still sees a late commit there', async () => {
    const overlapMs = t.config.analytics.overlapSeconds * 1000;
    // Ten overlaps after every mark so far; a process of its own, so its memo starts empty.
    const now = new Date(Date.now() + 10 * overlapMs);
    const restore = t.clock.now();
    t.clock.set(now);
    const m = startProcess();
    try {
      await m.catchUp('ACCRUAL'); // reads from the cursor − overlap and remembers that window
      // Nothing new: one count over the remembered window, which then narrows to [now − overlap, ∞) …
      expect((await accrualStatementsOf(() => m.catchUp('ACCRUAL'))).accruals).toHaveLength(1);
      // … and stays one count (the narrowed window's own count is what the next check compares).
      expect((await accrualStatementsOf(() => m.catchUp('ACCRUAL'))).accruals).toHaveLength(1);
      // A row committed late with a mark inside the last overlap is seen and applied.
      await accrueAt(new Date(now.getTime() - overlapMs / 2));
      expect(await m.catchUp('ACCRUAL')).toMatchObject({ applied: 1, conflicts: 0 });
      // The window is now [now − overlap, ∞): a mark older than that (no uncommitted row can carry one) is not
      // re-read, which is what makes the check after a bulk load cheap.
      await m.catchUp('ACCRUAL');
      await accrueAt(new Date(now.getTime() - overlapMs * 1.2));
      expect(await m.catchUp('ACCRUAL')).toMatchObject({ read: 0, applied: 0 });
    } finally {
      t.clock.set(restore);
    }
  });

  it('a process that starts counts the window the last whole read left with the cursor instead of re-reading it, and still applies what came since', async () => {
    const overlapMs = t.config.analytics.overlapSeconds * 1000;
    // Past every mark so far (the test before moved the cursor ten overlaps ahead).
    const now = new Date(Date.now() + 20 * overlapMs);
    const restore = t.clock.now();
    t.clock.set(now);
    try {
      await startProcess().catchUp('ACCRUAL');
      // Two ledger lines inside the overlap, applied by a whole read of the window.
      await accrueAt(new Date(now.getTime() - 2000));
      await accrueAt(new Date(now.getTime() - 1000));
      expect(await startProcess().catchUp('ACCRUAL')).toMatchObject({ applied: 2 });
      // A restarted process: one count over the kept window, nothing read.
      const restarted = await accrualStatementsOf(() => startProcess().catchUp('ACCRUAL'));
      expect(restarted.result).toMatchObject({ read: 0, applied: 0 });
      expect(restarted.accruals).toHaveLength(1);
      expect(restarted.accruals[0]).toMatch(/COUNT\(\*\)/);
      // A line written since: the count differs, so the next process to start reads the window and applies it.
      await accrueAt(new Date(now.getTime() - 500));
      expect(await startProcess().catchUp('ACCRUAL')).toMatchObject({ applied: 1, conflicts: 0 });
      // A reset cursor forgets the kept check with it.
      const maintenance = t.get(AnalyticsMaintenanceService);
      await maintenance.resetCursor('ACCRUAL');
      expect((await accrualStatementsOf(() => startProcess().catchUp('ACCRUAL'))).accruals.length).toBeGreaterThan(1);
    } finally {
      t.clock.set(restore);
    }
  });
});
