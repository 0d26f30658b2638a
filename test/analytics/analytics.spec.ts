import fc from 'fast-check';
import { EntityManager } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { AnalyticsOutbox1764460800760 } from '../../migrations/1764460800760-analytics-outbox';
import { CommissionPeriodEntity } from '../../src/commissions/entities/commission-period.entity';
import { newId } from '../../src/database/columns';
import { SettlementStatementEntity } from '../../src/settlement/entities/settlement.entities';
import { PayoutBatchEntity, PayoutEntity } from '../../src/settlement/payouts/entities/payout.entities';
import { Clock } from '../../src/common/clock';
import { buildConfig } from '../../src/config/config';
import { TransactionService } from '../../src/database/transaction.service';
import { AnalyticsMaintenanceService } from '../../src/analytics/analytics-maintenance.service';
import { dailyKey, DailyDelta, emptyAggregate } from '../../src/analytics/facts';
import { CustomerEventsService } from '../../src/customers/customer-events.service';
import { ProgramKind } from '../../src/programs/program.enums';
import { ReferralStatus } from '../../src/referrals/referral.enums';
import { ReferralsService, SubmitResult } from '../../src/referrals/referrals.service';
import { addReferral, newCustomer, programWithRule, TestCustomer } from '../attribution/support';
import { channel, referralProgram } from '../referrals/support';
import { BankFixture, seedBank } from '../support/fixtures';
import { databases, errorOf, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';

const FUNNEL = `query($g: FunnelGroupBy!, $i: FunnelInterval!, $f: ReferralFunnelFilter, $c: Boolean) {
  referralFunnel(groupBy: $g, interval: $i, filter: $f, compare: $c) { groupKey bucket submitted converted expired
    medianDays { submittedToContacted contactedToApplied appliedToConverted submittedToConverted } periodOverPeriod { stage current previous delta change } } }`;
const COHORTS = `query($f: CohortFilterInput!, $g: CohortGroupBy!) { acquisitionCohorts(filter: $f, groupBy: $g) {
  groupKey cohort customers retention { days eligible active share } productsPerCustomer aum { amount }
  spend { amount } spendPerCustomer { amount } } }`;
const VALUE = `query($f: PartnerValueFilterInput!) { partnerValue(filter: $f) { partnerId customersAcquired qualifiedReferrals
  interchange { amount } revenue { amount } cost { amount } net { amount } roi costPerAcquiredCustomer { amount } } }`;
const PNL = `query($p: ID!, $from: String!, $to: String!) { coBrandedProgramPnl(programId: $p, from: $from, to: $to) {
  lines { period cardsApplied cardsApproved cardsActivated cardsWithFirstSpend cardsActive spend { amount }
    interchange { amount } partnerShare { amount } net { amount } }
  total { cardsActive spend { amount } interchange { amount } partnerShare { amount } net { amount } } } }`;

/** A Luhn-valid 16-digit card number starting with `prefix`. */
function pan(prefix: string, serial: number): string {
  const body = (prefix + String(serial).padStart(15 - prefix.length, '0')).slice(0, 15);
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    let d = Number(body[14 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

let eventSerial = 1;
async function events(
  t: TestApp,
  customer: TestCustomer,
  evs: { type: string; at: string; program?: string; amount?: string; cardRef?: string }[],
): Promise<void> {
  const rows = await t.get(CustomerEventsService).record(
    SYSTEM_ACTOR,
    evs.map((e) => ({
      eventId: `AN-${String(eventSerial++).padStart(8, '0')}`,
      customerNumber: customer.number,
      type: e.type,
      occurredAt: e.at,
      ...(e.program ? { programId: e.program } : {}),
      ...(e.cardRef ? { cardRef: e.cardRef } : {}),
      ...(e.amount ? { amount: e.amount, currency: 'CNY' } : {}),
    })),
  );
  for (const r of rows) if ((r.status as string) !== 'ACCEPTED') throw new Error(JSON.stringify(r));
}

/** Stored settlement payouts of one partner (the settlement flow that produces them is tested in test/settlement). */
async function paidPayouts(
  t: TestApp,
  partnerId: string,
  payouts: { amount: bigint; status: string; bookingDate: string | null; paidAt: string | null }[],
): Promise<void> {
  const now = t.clock.now();
  const periodId = newId();
  await t.dataSource.getRepository(CommissionPeriodEntity).insert({
    id: periodId,
    periodKey: '2026-02',
    fromDate: '2026-02-01',
    toDate: '2026-02-28',
    status: 'CLOSED',
    calculatedAt: now,
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
  const statementId = newId();
  await t.dataSource.getRepository(SettlementStatementEntity).insert({
    id: statementId,
    number: `ST-AN-${statementId.slice(-6)}`,
    periodId,
    partnerId,
    status: 'APPROVED',
    currency: 'CNY',
    linesTotal: 0n,
    net: 0n,
    tax: 0n,
    gross: 0n,
    taxRate: '0',
    pricesIncludeTax: true,
    accrualCount: 0,
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
  for (const p of payouts) {
    const batchId = newId();
    await t.dataSource.getRepository(PayoutBatchEntity).insert({
      id: batchId,
      status: 'APPROVED',
      currency: 'CNY',
      total: p.amount,
      payoutCount: 1,
      preparedById: newId(),
      preparedAt: now,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    await t.dataSource.getRepository(PayoutEntity).insert({
      id: newId(),
      batchId,
      statementId,
      liveStatementId: null,
      partnerId,
      statementNumber: 'ST',
      amount: p.amount,
      currency: 'CNY',
      creditorName: '合作机构',
      creditorAccountNumber: '6222000000000001',
      status: p.status,
      paidAt: p.paidAt === null ? null : new Date(p.paidAt),
      paidBookingDate: p.bookingDate,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  }
}

describe.each(databases())('analytics on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  let cardProgram: string;
  let customer: TestCustomer;

  /**
   * By hand (Shanghai dates; 02:00Z is 10:00 the same day):
   *  referral for C1 into the card program of P-BJ submitted 2026-01-05, moved by a manager to CONTACTED on 01-06
   *  and APPLIED on 01-08 (medians: 1.0 to contacted, 2.0 contacted → applied, 4.0 applied → converted);
   *  C1: CARD_APPLIED 01-10, CARD_APPROVED 01-12 (the conversion: acquired 2026-01-12, referral CONVERTED),
   *      CARD_ACTIVATED 01-15, CARD_SPEND ¥500.00 on 01-20 and ¥300.00 on 02-25, one card.
   */
  beforeAll(async () => {
    t = await TestApp.start(db, { ANALYTICS_BATCH_SIZE: '3' });
    t.clock.set('2026-04-01T04:00:00Z');
    bank = await seedBank(t);
    cardProgram = await programWithRule(t, bank.partnerBj, ProgramKind.CO_BRANDED_CARD, { windowDays: 60 });
    customer = await newCustomer(t, bank.beijing, '2026-01-12');
    const referralId = await addReferral(t, customer, bank.partnerBj, cardProgram, '2026-01-05T02:00:00Z');
    const referrals = t.get(ReferralsService);
    t.clock.set('2026-01-06T02:00:00Z');
    await referrals.transition(SYSTEM_ACTOR, {
      id: referralId,
      to: ReferralStatus.CONTACTED,
      reason: '电话联系',
      version: 1,
    });
    t.clock.set('2026-01-08T02:00:00Z');
    await referrals.transition(SYSTEM_ACTOR, {
      id: referralId,
      to: ReferralStatus.APPLIED,
      reason: '已递交申请',
      version: 2,
    });
    t.clock.set('2026-04-01T04:00:00Z');
    const bin = (
      await t.dataSource.query<{ prefix: string }[]>('SELECT prefix FROM card_bin_ranges WHERE program_id = ?', [
        cardProgram,
      ])
    )[0]?.prefix as string;
    const card = pan(bin, 1);
    await events(t, customer, [
      { type: 'CARD_APPLIED', at: '2026-01-10T02:00:00Z', program: cardProgram, cardRef: card },
      { type: 'CARD_APPROVED', at: '2026-01-12T02:00:00Z', program: cardProgram, cardRef: card },
      { type: 'CARD_ACTIVATED', at: '2026-01-15T02:00:00Z', program: cardProgram, cardRef: card },
    ]);
    // Out of order on purpose: February's spend arrives before January's.
    await events(t, customer, [
      { type: 'CARD_SPEND', at: '2026-02-25T02:00:00Z', program: cardProgram, cardRef: card, amount: '300.00' },
    ]);
    await events(t, customer, [
      { type: 'CARD_SPEND', at: '2026-01-20T02:00:00Z', program: cardProgram, cardRef: card, amount: '500.00' },
    ]);
  });
  afterAll(() => t.close());

  it('funnel from the roll-up: converted after 7 days, medians per stage; PARTNER_KIND groups; period over period', async () => {
    const rows = ok(
      await t.gql<{ referralFunnel: Record<string, unknown>[] }>(
        FUNNEL,
        { g: 'PARTNER', i: 'MONTH', f: null },
        'admin',
      ),
    ).referralFunnel;
    expect(rows).toEqual([
      {
        groupKey: bank.partnerBj,
        bucket: '2026-01',
        submitted: 1,
        converted: 1,
        expired: 0,
        medianDays: {
          submittedToContacted: '1.0',
          contactedToApplied: '2.0',
          appliedToConverted: '4.0',
          submittedToConverted: '7.0',
        },
        periodOverPeriod: null,
      },
    ]);
    const kinds = ok(
      await t.gql<{ referralFunnel: { groupKey: string }[] }>(FUNNEL, { g: 'PARTNER_KIND', i: 'MONTH' }, 'admin'),
    ).referralFunnel;
    expect(kinds.map((r) => r.groupKey)).toEqual(['AIRLINE']);
    const pop = ok(
      await t.gql<{
        referralFunnel: {
          bucket: string;
          periodOverPeriod: { stage: string; current: string; previous: string; change: string | null }[];
        }[];
      }>(FUNNEL, { g: 'PARTNER', i: 'MONTH', f: { submittedFrom: '2026-01-01' }, c: true }, 'admin'),
    ).referralFunnel;
    expect(pop[0]?.periodOverPeriod.find((d) => d.stage === 'SUBMITTED')).toEqual({
      stage: 'SUBMITTED',
      current: '1',
      previous: '0',
      delta: '1',
      change: null,
    });
  });

  it('reads the histograms of the median pairs a query selects — through aliases and fragments — and gives their values', async () => {
    const ask = async (query: string) => {
      const rows = ok(
        await t.gql<{ referralFunnel: Record<string, unknown>[] }>(query, { g: 'PARTNER', i: 'MONTH' }, 'admin'),
      ).referralFunnel;
      return rows.map((r) => r.medianDays);
    };
    const head = 'query($g: FunnelGroupBy!, $i: FunnelInterval!) { referralFunnel(groupBy: $g, interval: $i) {';
    expect(await ask(`${head} medianDays { toConverted: submittedToConverted } } }`)).toEqual([{ toConverted: '7.0' }]);
    expect(
      await ask(`${head} ...Medians } } fragment Medians on ReferralFunnelRow { medianDays { ...Applied ... on FunnelMedianDays { submittedToContacted } } }
        fragment Applied on FunnelMedianDays { appliedToConverted }`),
    ).toEqual([{ appliedToConverted: '4.0', submittedToContacted: '1.0' }]);
    // The same pair selected twice, once inside an inline fragment on the row.
    expect(
      await ask(
        `${head} medianDays { contactedToApplied } ... on ReferralFunnelRow { medianDays { submittedToConverted } } } }`,
      ),
    ).toEqual([{ contactedToApplied: '2.0', submittedToConverted: '7.0' }]);
  });

  it('acquisition cohorts computed by hand', async () => {
    const rows = ok(
      await t.gql<{ acquisitionCohorts: unknown[] }>(
        COHORTS,
        { f: { asOfMonth: '2026-03', programIds: [cardProgram] }, g: 'PROGRAM' },
        'admin',
      ),
    ).acquisitionCohorts;
    // Acquired 2026-01-12; day 30 = 02-11 ≤ 03-31 (eligible), window 01-13…02-11 holds the 01-20 spend: active.
    // Day 90 = 04-12 > 03-31: nobody eligible yet. One product (the card, last event a spend). Spend ¥800.00.
    expect(rows).toEqual([
      {
        groupKey: cardProgram,
        cohort: '2026-01',
        customers: 1,
        retention: [
          { days: 30, eligible: 1, active: 1, share: '1.0000' },
          { days: 90, eligible: 0, active: 0, share: null },
          { days: 180, eligible: 0, active: 0, share: null },
          { days: 365, eligible: 0, active: 0, share: null },
        ],
        productsPerCustomer: '1.0000',
        aum: { amount: '0.00' },
        spend: { amount: '800.00' },
        spendPerCustomer: { amount: '800.00' },
      },
    ]);
  });

  it('partner value computed by hand: interchange 0.6% of ¥800.00 = ¥4.80', async () => {
    const rows = ok(
      await t.gql<{ partnerValue: unknown[] }>(VALUE, { f: { from: '2026-01-01', to: '2026-03-31' } }, 'admin'),
    ).partnerValue;
    expect(rows).toEqual([
      {
        partnerId: bank.partnerBj,
        customersAcquired: 1,
        qualifiedReferrals: 0,
        interchange: { amount: '4.80' },
        revenue: { amount: '4.80' },
        cost: { amount: '0.00' },
        net: { amount: '4.80' },
        roi: null,
        costPerAcquiredCustomer: { amount: '0.00' },
      },
    ]);
  });

  it('commission paid = PAID payouts booked in the range (bank zone for payouts without a booking date)', async () => {
    await paidPayouts(t, bank.partnerBj, [
      // Booked 2026-02-10: in.
      { amount: 12000n, status: 'PAID', bookingDate: '2026-02-10', paidAt: '2026-02-10T03:00:00Z' },
      // No booking date: paid 2026-03-31 23:00 Shanghai: in.
      { amount: 3050n, status: 'PAID', bookingDate: null, paidAt: '2026-03-31T15:00:00Z' },
      // No booking date: paid 2026-04-01 00:30 Shanghai: out.
      { amount: 700n, status: 'PAID', bookingDate: null, paidAt: '2026-03-31T16:30:00Z' },
      // Booked 2025-12-31: out.
      { amount: 500n, status: 'PAID', bookingDate: '2025-12-31', paidAt: '2026-01-02T03:00:00Z' },
      // Released, not yet paid: out.
      { amount: 99900n, status: 'RELEASED', bookingDate: null, paidAt: null },
    ]);
    const query = `query($f: PartnerValueFilterInput!) { partnerValue(filter: $f) { partnerId commissionPaid { amount }
      cost { amount } net { amount } } }`;
    const f = { from: '2026-01-01', to: '2026-03-31' };
    // 120.00 + 30.50 = 150.50; the cost (accrued − clawed back) is unchanged: paid is its cash side.
    expect(ok(await t.gql<{ partnerValue: unknown[] }>(query, { f }, 'admin')).partnerValue).toEqual([
      {
        partnerId: bank.partnerBj,
        commissionPaid: { amount: '150.50' },
        cost: { amount: '0.00' },
        net: { amount: '4.80' },
      },
    ]);
    expect(ok(await t.gql<{ partnerValue: unknown[] }>(query, { f }, 'partner-bj')).partnerValue).toEqual([
      {
        partnerId: bank.partnerBj,
        commissionPaid: { amount: '150.50' },
        cost: { amount: '0.00' },
        net: { amount: '4.80' },
      },
    ]);
    // Another partner's user sees none of it.
    expect(ok(await t.gql<{ partnerValue: unknown[] }>(query, { f }, 'partner-sh')).partnerValue).toEqual([]);
  });

  it('co-branded card P&L computed by hand (partner share 40% of interchange)', async () => {
    const pnl = ok(
      await t.gql<{ coBrandedProgramPnl: { lines: unknown[]; total: unknown } }>(
        PNL,
        { p: cardProgram, from: '2026-01', to: '2026-02' },
        'admin',
      ),
    ).coBrandedProgramPnl;
    // January: ¥500.00 spend → interchange ¥3.00, partner share ¥1.20, net ¥1.80; February: ¥300.00 → ¥1.80, ¥0.72, ¥1.08.
    expect(pnl.lines).toEqual([
      {
        period: '2026-01',
        cardsApplied: 1,
        cardsApproved: 1,
        cardsActivated: 1,
        cardsWithFirstSpend: 1,
        cardsActive: 1,
        spend: { amount: '500.00' },
        interchange: { amount: '3.00' },
        partnerShare: { amount: '1.20' },
        net: { amount: '1.80' },
      },
      {
        period: '2026-02',
        cardsApplied: 0,
        cardsApproved: 0,
        cardsActivated: 0,
        cardsWithFirstSpend: 0,
        cardsActive: 1,
        spend: { amount: '300.00' },
        interchange: { amount: '1.80' },
        partnerShare: { amount: '0.72' },
        net: { amount: '1.08' },
      },
    ]);
    expect(pnl.total).toEqual({
      cardsActive: 1,
      spend: { amount: '800.00' },
      interchange: { amount: '4.80' },
      partnerShare: { amount: '1.92' },
      net: { amount: '2.88' },
    });
  });

  it('every report is scoped: a partner user of another partner sees nothing of P-BJ', async () => {
    expect(
      ok(await t.gql<{ referralFunnel: unknown[] }>(FUNNEL, { g: 'PARTNER', i: 'MONTH' }, 'partner-sh')).referralFunnel,
    ).toEqual([]);
    expect(
      ok(
        await t.gql<{ acquisitionCohorts: unknown[] }>(
          COHORTS,
          { f: { asOfMonth: '2026-03' }, g: 'PARTNER' },
          'partner-sh',
        ),
      ).acquisitionCohorts,
    ).toEqual([]);
    expect(
      ok(await t.gql<{ partnerValue: unknown[] }>(VALUE, { f: { from: '2026-01-01', to: '2026-03-31' } }, 'partner-sh'))
        .partnerValue,
    ).toEqual([]);
    expect(errorOf(await t.gql(PNL, { p: cardProgram, from: '2026-01', to: '2026-02' }, 'partner-sh'))).toMatchObject({
      code: 'NOT_FOUND',
    });
    // The owner's partner user sees its own numbers.
    const own = ok(
      await t.gql<{ partnerValue: { partnerId: string }[] }>(
        VALUE,
        { f: { from: '2026-01-01', to: '2026-03-31' } },
        'partner-bj',
      ),
    ).partnerValue;
    expect(own.map((r) => r.partnerId)).toEqual([bank.partnerBj]);
    expect(
      errorOf(
        await t.gql('mutation { rebuildAnalytics(from: "2026-01-01", to: "2026-01-31") { facts } }', {}, 'partner-bj'),
      ),
    ).toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('bad input names the field', async () => {
    expect(errorOf(await t.gql(COHORTS, { f: { asOfMonth: '2026-13' }, g: 'PARTNER' }, 'admin'))).toMatchObject({
      field: 'filter.asOfMonth',
    });
    expect(errorOf(await t.gql(VALUE, { f: { from: '2026-02-01', to: '2026-01-01' } }, 'admin'))).toMatchObject({
      field: 'filter.to',
    });
    expect(errorOf(await t.gql(PNL, { p: cardProgram, from: '2026-1', to: '2026-02' }, 'admin'))).toMatchObject({
      field: 'from',
    });
    expect(
      errorOf(
        await t.gql('mutation { rebuildAnalytics(from: "2026-02-01", to: "2026-01-01") { facts } }', {}, 'admin'),
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  // SQLite has one writer: no other drain can commit while a drain's transaction is open.
  (db === 'sqlite' ? it.skip : it)(
    'a drain stores the median of the histogram as committed by another process meanwhile, not as its snapshot saw it',
    async () => {
      const m = t.get(AnalyticsMaintenanceService);
      const write = (manager: EntityManager, bucketValue: number, count: bigint): Promise<void> => {
        const agg = emptyAggregate();
        const d: DailyDelta = {
          date: '2026-11',
          partnerId: bank.partnerSh,
          programId: '',
          channelId: '',
          orgUnitId: '',
          partnerKind: 'SECURITIES',
          measure: 'DAYS_SUBMITTED_TO_CONVERTED',
          bucketValue,
          currency: '',
          count,
          amountMinor: 0n,
        };
        agg.partnerMonthly.set(dailyKey(d), d);
        return m['writeAggregate'](manager, agg);
      };
      const stored = async (): Promise<number> =>
        Number(
          (
            await t.dataSource.query<{ h: unknown }[]>(
              "SELECT median_half_days AS h FROM analytics_partner_month_medians WHERE month = '2026-11' AND partner_id = ?",
              [bank.partnerSh],
            )
          )[0]?.h,
        );
      await t.dataSource.transaction((manager) => write(manager, 1, 1n));
      expect(await stored()).toBe(2);
      const b = t.dataSource.createQueryRunner();
      await b.connect();
      try {
        await b.startTransaction();
        // B's snapshot is taken here, before A commits.
        await b.query('SELECT COUNT(*) FROM analytics_partner_monthly');
        await t.dataSource.transaction((manager) => write(manager, 9, 2n));
        expect(await stored()).toBe(18);
        await write(b.manager, 5, 1n);
        await b.commitTransaction();
      } finally {
        await b.release();
      }
      // 1, 5, 9, 9: the median is 7 days (a snapshot read would have seen 1 and 5: 3 days).
      expect(await stored()).toBe(14);
      await t.dataSource.query("DELETE FROM analytics_partner_monthly WHERE month = '2026-11'");
      await t.dataSource.query("DELETE FROM analytics_partner_month_medians WHERE month = '2026-11'");
    },
  );

  it('two processes catching up the same rows at once apply each fact exactly once', async () => {
    const first = t.get(AnalyticsMaintenanceService);
    // A second instance has its own in-process serialisation: it stands for another API process or worker.
    const second = new AnalyticsMaintenanceService(t.config, t.dataSource, t.get(TransactionService), t.get(Clock));
    const program = await referralProgram(t, bank.partnerHd);
    const ch = (await channel(t, program)).id;
    for (let i = 0; i < 7; i++)
      await t.get(ReferralsService).submit(SYSTEM_ACTOR, {
        channelId: ch,
        idempotencyKey: `race-${i}`,
        prospect: { phone: `137${String(i).padStart(8, '0')}`, name: '王五' },
        submittedAt: '2026-03-03T02:00:00Z',
      });
    const results = await Promise.all([first.catchUp('REFERRAL'), second.catchUp('REFERRAL')]);
    expect(results.reduce((n, r) => n + r.applied, 0)).toBeGreaterThanOrEqual(7);
    expect((await first.verify('2026-03-01', '2026-03-31')).differences).toEqual([]);
    const submitted = await t.dataSource.query<{ n: unknown }[]>(
      "SELECT SUM(fact_count) AS n FROM analytics_daily WHERE program_id = ? AND measure = 'REFERRAL_SUBMITTED'",
      [program],
    );
    expect(Number(submitted[0]?.n)).toBe(7);
  });

  it('rebuild equals incremental maintenance over random referral and event streams (property)', async () => {
    const maintenance = t.get(AnalyticsMaintenanceService);
    const svc = t.get(ReferralsService);
    const program = await referralProgram(t, bank.partnerSh);
    const ch = (await channel(t, program)).id;
    let serial = 0;
    const day = fc.integer({ min: 1, max: 50 }).map((d) => new Date(Date.UTC(2026, 1, d, 2)).toISOString());
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('referral' as const),
        at: day,
        move: fc.constantFrom('none', 'CONTACTED', 'REJECTED', 'EXPIRED', 'QUALIFIED'),
      }),
      fc.record({ kind: fc.constant('event' as const), at: day, amount: fc.integer({ min: 1, max: 99999 }) }),
      fc.record({ kind: fc.constant('catchUp' as const), redeliver: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        for (const s of steps) {
          if (s.kind === 'referral') {
            const { referral } = await svc.submit(SYSTEM_ACTOR, {
              channelId: ch,
              idempotencyKey: `prop-${db}-${serial++}`,
              prospect: { phone: `139${String(serial).padStart(8, '0')}`, name: '李四' },
              submittedAt: s.at,
            });
            if (s.move === 'CONTACTED' || s.move === 'REJECTED')
              await svc.transition(SYSTEM_ACTOR, {
                id: referral.id,
                to: s.move as never,
                reason: 'p',
                version: referral.version,
              });
            if (s.move === 'EXPIRED' || s.move === 'QUALIFIED')
              await t.dataSource.transaction((m) =>
                svc.applyEngineOutcomes(m, [
                  { referralId: referral.id, to: s.move as never, at: new Date('2026-03-25T00:00:00Z'), reason: 'p' },
                ]),
              );
          } else if (s.kind === 'event') {
            await events(t, customer, [
              { type: 'CARD_SPEND', at: s.at, program: cardProgram, amount: `${s.amount / 100}` },
            ]);
          } else {
            // Re-delivery: every accrual (cursor forgotten) and referral (queued again) arrives again and must be
            // skipped by the ledger.
            if (s.redeliver) {
              await maintenance.resetCursor('ACCRUAL');
              const ids = (await t.dataSource.query<{ id: string }[]>('SELECT id FROM referrals')).map((r) => r.id);
              await t.dataSource.transaction((m) => maintenance.enqueue(m, 'REFERRAL', ids));
            }
            await maintenance.catchUpAll();
          }
        }
        const verified = await maintenance.verify('2026-01-01', '2026-07-31');
        expect(verified.differences).toEqual([]);
        const before = await maintenance.readLive('2026-01-01', '2026-07-31', '2026-01', '2026-07');
        await maintenance.rebuild('2026-02-01', '2026-03-31');
        expect(await maintenance.readLive('2026-01-01', '2026-07-31', '2026-01', '2026-07')).toEqual(before);
      }),
      { numRuns: 6 },
    );
  });

  it('the funnel by partner or partner kind over whole months reads the partner roll-up and answers as the program-level one', async () => {
    const programIds = (await t.dataSource.query<{ id: string }[]>('SELECT id FROM programs')).map((r) => r.id);
    for (const g of ['PARTNER', 'PARTNER_KIND']) {
      t.queries.reset();
      t.queries.recording = true;
      let byPartner: Record<string, unknown>[];
      try {
        byPartner = ok(
          await t.gql<{ referralFunnel: Record<string, unknown>[] }>(FUNNEL, { g, i: 'MONTH' }, 'admin'),
        ).referralFunnel;
      } finally {
        t.queries.recording = false;
      }
      expect(t.queries.statements.filter((q) => /analytics_partner_monthly/.test(q))).toHaveLength(1);
      expect(t.queries.statements.filter((q) => /analytics_monthly/.test(q))).toHaveLength(0);
      // By partner each bucket's median is stored; by partner kind it is folded from the histograms.
      expect(t.queries.statements.filter((q) => /analytics_partner_month_medians/.test(q))).toHaveLength(
        g === 'PARTNER' ? 1 : 0,
      );
      // Filtered to every program: the same report from analytics_monthly.
      const byProgram = ok(
        await t.gql<{ referralFunnel: Record<string, unknown>[] }>(
          FUNNEL,
          { g, i: 'MONTH', f: { programIds } },
          'admin',
        ),
      ).referralFunnel;
      expect(byPartner.length).toBeGreaterThan(1);
      expect(byPartner.some((r) => Object.values(r.medianDays as object).some((v) => v !== null))).toBe(true);
      expect(byPartner).toEqual(byProgram);
    }
  });

  it('referralFunnelColumns answers the funnel rows column by column, in their order and scope', async () => {
    const STAGES = ['submitted', 'contacted', 'applied', 'converted', 'qualified', 'rejected', 'expired', 'duplicate'];
    const rowsQuery = `query($g: FunnelGroupBy!, $i: FunnelInterval!) { referralFunnel(groupBy: $g, interval: $i) {
      groupKey bucket bucketStart ${STAGES.join(' ')} } }`;
    const columnsQuery = `query($g: FunnelGroupBy!, $i: FunnelInterval!) { referralFunnelColumns(groupBy: $g, interval: $i) {
      groupBy interval rows groupKey bucket bucketStart ${STAGES.join(' ')} } }`;
    type Columns = Record<string, unknown[]> & { rows: number };
    for (const [g, i] of [
      ['PARTNER', 'MONTH'],
      ['PROGRAM', 'WEEK'],
      ['PARTNER_KIND', 'DAY'],
    ]) {
      const rows = ok(
        await t.gql<{ referralFunnel: Record<string, unknown>[] }>(rowsQuery, { g, i }, 'admin'),
      ).referralFunnel;
      const columns = ok(
        await t.gql<{ referralFunnelColumns: Columns }>(columnsQuery, { g, i }, 'admin'),
      ).referralFunnelColumns;
      expect(rows.length).toBeGreaterThan(1);
      const transposed: Record<string, unknown> = { groupBy: g, interval: i, rows: rows.length };
      for (const field of ['groupKey', 'bucket', 'bucketStart', ...STAGES])
        transposed[field] = rows.map((r) => r[field]);
      expect(columns).toEqual(transposed);
    }
    const own = ok(
      await t.gql<{ referralFunnelColumns: Columns }>(columnsQuery, { g: 'PARTNER', i: 'MONTH' }, 'partner-bj'),
    ).referralFunnelColumns;
    expect(own.rows).toBeGreaterThan(0);
    expect(new Set(own.groupKey)).toEqual(new Set([bank.partnerBj]));
    const other = ok(
      await t.gql<{ referralFunnelColumns: Columns }>(columnsQuery, { g: 'PARTNER', i: 'MONTH' }, 'partner-sh'),
    ).referralFunnelColumns;
    expect(other.rows).toBeGreaterThan(0);
    expect(new Set(other.groupKey)).toEqual(new Set([bank.partnerSh]));
  });

  it('a catch-up of rows a rebuild already applied counts them once (the unlooked-up insert falls back to the look-up)', async () => {
    const maintenance = t.get(AnalyticsMaintenanceService);
    await maintenance.catchUpAll();
    const program = await referralProgram(t, bank.partnerHd);
    const ch = (await channel(t, program)).id;
    // Queued in their first version: the drain would insert their facts without looking them up.
    for (let i = 0; i < 3; i++)
      await t.get(ReferralsService).submit(SYSTEM_ACTOR, {
        channelId: ch,
        idempotencyKey: `rebuilt-first-${i}`,
        prospect: { phone: `136${String(i).padStart(8, '0')}`, name: '赵六' },
        submittedAt: '2026-03-24T02:00:00Z',
      });
    await maintenance.rebuild('2026-03-01', '2026-03-31');
    const caught = await maintenance.catchUp('REFERRAL');
    expect(caught.applied).toBe(0);
    const submitted = await t.dataSource.query<{ n: unknown }[]>(
      "SELECT SUM(fact_count) AS n FROM analytics_daily WHERE program_id = ? AND measure = 'REFERRAL_SUBMITTED'",
      [program],
    );
    expect(Number(submitted[0]?.n)).toBe(3);
    expect((await maintenance.verify('2026-03-01', '2026-03-31')).differences).toEqual([]);
  });

  it('events reach the roll-ups through the outbox exactly once: concurrent drains, a rebuild with events queued, a rolled-back recording', async () => {
    const maintenance = t.get(AnalyticsMaintenanceService);
    const second = new AnalyticsMaintenanceService(t.config, t.dataSource, t.get(TransactionService), t.get(Clock));
    await maintenance.catchUpAll();
    const outbox = async (): Promise<number> =>
      Number(
        (
          await t.dataSource.query<{ n: unknown }[]>(
            "SELECT COUNT(*) AS n FROM analytics_outbox WHERE source = 'EVENT'",
          )
        )[0]?.n,
      );
    // Spend rolled up on a day, in fen, as added by this test (other tests' random streams may use the same days).
    const spendOn = async (day: string): Promise<bigint> =>
      BigInt(
        (
          await t.dataSource.query<{ n: string | number | null }[]>(
            "SELECT SUM(amount_minor) AS n FROM analytics_daily WHERE program_id = ? AND measure = 'CARD_SPEND' AND business_date = ?",
            [cardProgram, day],
          )
        )[0]?.n ?? 0,
      );
    const [march0, february0] = [await spendOn('2026-03-29'), await spendOn('2026-02-26')];
    const spend = async (): Promise<string> => String((await spendOn('2026-03-29')) - march0);
    expect(await outbox()).toBe(0);
    // Recorded while no drain runs: each recording queues one row, committed with its events.
    const drains = [maintenance, second].map((m) => jest.spyOn(m, 'catchUp').mockResolvedValue(null as never));
    for (const amount of ['1.00', '2.00', '4.00'])
      await events(t, customer, [{ type: 'CARD_SPEND', at: '2026-03-29T02:00:00Z', program: cardProgram, amount }]);
    expect(await outbox()).toBe(3);
    drains.forEach((d) => d.mockRestore());
    const [a, b] = await Promise.all([maintenance.catchUp('EVENT'), second.catchUp('EVENT')]);
    expect(a.applied + b.applied).toBe(3);
    expect([await outbox(), await spend()]).toEqual([0, '700']);

    // Queued while a rebuild of their month runs: counted once, by the rebuild's re-derivation.
    const queued = jest.spyOn(maintenance, 'catchUp').mockResolvedValue(null as never);
    await events(t, customer, [
      { type: 'CARD_SPEND', at: '2026-03-29T03:00:00Z', program: cardProgram, amount: '8.00' },
      { type: 'CARD_SPEND', at: '2026-02-26T03:00:00Z', program: cardProgram, amount: '16.00' },
    ]);
    queued.mockRestore();
    expect(await outbox()).toBe(1);
    // As if the row arrived after the rebuild's own drain of events: the month's transaction takes it.
    const ownDrain = jest
      .spyOn(maintenance as unknown as { drainOutbox: (source: string) => Promise<unknown> }, 'drainOutbox')
      .mockResolvedValueOnce(null);
    await maintenance.rebuild('2026-03-01', '2026-03-31');
    expect(ownDrain.mock.calls).toEqual([['EVENT'], ['REFERRAL']]);
    ownDrain.mockRestore();
    expect([await outbox(), await spend()]).toEqual([0, '1500']);
    expect((await spendOn('2026-02-26')) - february0).toBe(1600n);
    expect((await maintenance.catchUp('EVENT')).applied).toBe(0);
    expect((await maintenance.verify('2026-01-01', '2026-07-31')).differences).toEqual([]);

    // A recording that fails after its rows are written leaves neither events nor an outbox row.
    const events0 = Number(
      (await t.dataSource.query<{ n: unknown }[]>('SELECT COUNT(*) AS n FROM customer_events'))[0]?.n,
    );
    await expect(
      t.get(CustomerEventsService).record(
        SYSTEM_ACTOR,
        [
          {
            eventId: 'AN-ROLLBACK-1',
            customerNumber: customer.number,
            type: 'CARD_SPEND',
            occurredAt: '2026-03-29T04:00:00Z',
            programId: cardProgram,
            amount: '32.00',
            currency: 'CNY',
          },
        ],
        () => Promise.reject(new Error('the batch report could not be written')),
      ),
    ).rejects.toThrow('the batch report');
    expect(
      Number((await t.dataSource.query<{ n: unknown }[]>('SELECT COUNT(*) AS n FROM customer_events'))[0]?.n),
    ).toBe(events0);
    expect([await outbox(), await spend()]).toEqual([0, '1500']);
    // Events never enter the de-duplication ledger.
    expect(
      Number(
        (
          await t.dataSource.query<{ n: unknown }[]>(
            "SELECT COUNT(*) AS n FROM analytics_applied_facts WHERE source = 'EVENT'",
          )
        )[0]?.n,
      ),
    ).toBe(0);
  });

  it('prunes accrual ledger rows below the cursor minus twice the overlap, in batches', async () => {
    const maintenance = t.get(AnalyticsMaintenanceService);
    await maintenance.catchUpAll();
    const ledger = async (source: string): Promise<number> =>
      Number(
        (
          await t.dataSource.query<{ n: unknown }[]>(
            'SELECT COUNT(*) AS n FROM analytics_applied_facts WHERE source = ?',
            [source],
          )
        )[0]?.n,
      );
    const referrals0 = await ledger('REFERRAL');
    const now = t.clock.now();
    const at = (d: Date): Date | string => (db === 'sqlite' ? d.toISOString().replace('T', ' ').replace('Z', '') : d);
    // Ledger rows of accruals (as the catch-up writes them): five marked 1,201 s before the cursor, one at it.
    const mark = async (id: string, sourceMark: Date): Promise<void> => {
      await t.dataSource.query(
        'INSERT INTO analytics_applied_facts (id, source, fact_id, fingerprint, business_date, source_mark, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [newId(), 'ACCRUAL', id, 'f', '2026-03-01', at(sourceMark), at(now)],
      );
    };
    for (let i = 0; i < 5; i++) await mark(`old-${i}`, new Date(now.getTime() - 1201_000));
    await mark('recent', now);
    await t.dataSource.query("DELETE FROM analytics_cursors WHERE source = 'ACCRUAL'");
    await t.dataSource.query(
      "INSERT INTO analytics_cursors (source, watermark, version, updated_at) VALUES ('ACCRUAL', ?, 1, ?)",
      [at(now), at(now)],
    );
    // Batches of 2: every older row goes, however many batches it takes; the recent one and referrals stay.
    expect(await maintenance.pruneLedger(2)).toEqual([{ source: 'ACCRUAL', deleted: 5 }]);
    expect([await ledger('ACCRUAL'), await ledger('REFERRAL')]).toEqual([1, referrals0]);
    expect(await maintenance.pruneLedger(2)).toEqual([{ source: 'ACCRUAL', deleted: 0 }]);
  });
  it('referrals reach the roll-ups through the outbox exactly once; after a load the report check reads only the outbox', async () => {
    const m = t.get(AnalyticsMaintenanceService);
    const second = new AnalyticsMaintenanceService(t.config, t.dataSource, t.get(TransactionService), t.get(Clock));
    await m.catchUpAll();
    // Near the end: it moves the clock past the other tests' dates.
    t.clock.set('2026-05-25T00:00:00Z');
    const program = await referralProgram(t, bank.partnerHd);
    const ch = (await channel(t, program)).id;
    const svc = t.get(ReferralsService);
    const submit = (key: string, phone: string) =>
      svc.submit(SYSTEM_ACTOR, {
        channelId: ch,
        idempotencyKey: key,
        prospect: { phone, name: '赵六' },
        submittedAt: '2026-05-01T02:00:00Z',
      });
    const count = async (measure: string): Promise<number> =>
      Number(
        (
          await t.dataSource.query<{ n: unknown }[]>(
            'SELECT SUM(fact_count) AS n FROM analytics_daily WHERE program_id = ? AND measure = ?',
            [program, measure],
          )
        )[0]?.n ?? 0,
      );
    const queued = async (): Promise<string[]> =>
      (
        await t.dataSource.query<{ row_ids: string }[]>(
          "SELECT row_ids FROM analytics_outbox WHERE source = 'REFERRAL' ORDER BY id",
        )
      ).flatMap((r) => JSON.parse(r.row_ids) as string[]);
    // A load: each submission queues its referral, committed with it.
    const loaded = [
      await submit('o-1', '13600000001'),
      await submit('o-2', '13600000002'),
      await submit('o-3', '13600000003'),
    ];
    expect(await queued()).toEqual(loaded.map((r) => r.referral.id));
    // Two processes drain at once: each referral counts once.
    const [a, b] = await Promise.all([m.catchUp('REFERRAL'), second.catchUp('REFERRAL')]);
    expect(a.applied + b.applied).toBe(3);
    expect([await queued(), await count('REFERRAL_SUBMITTED')]).toEqual([[], 3]);

    // The check before a report, the outbox empty: one statement, and none reads the referrals.
    t.queries.reset();
    t.queries.recording = true;
    try {
      expect((await m.catchUp('REFERRAL')).applied).toBe(0);
    } finally {
      t.queries.recording = false;
    }
    expect(t.queries.statements).toHaveLength(1);
    expect(t.queries.statements[0]).toMatch(/FROM analytics_outbox WHERE source = \?/);

    // A refused transition (stale version) queues nothing; an accepted one is queued and rolled up once.
    const first = (loaded[0] as SubmitResult).referral;
    await expect(
      svc.transition(SYSTEM_ACTOR, { id: first.id, to: ReferralStatus.CONTACTED, reason: '电话联系', version: 7 }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await queued()).toEqual([]);
    await svc.transition(SYSTEM_ACTOR, { id: first.id, to: ReferralStatus.CONTACTED, reason: '电话联系', version: 1 });
    await submit('o-4', '13600000004');
    expect(await queued()).toHaveLength(2);
    await m.catchUp('REFERRAL');
    await m.catchUp('REFERRAL');
    expect([await count('REFERRAL_SUBMITTED'), await count('REFERRAL_CONTACTED')]).toEqual([4, 1]);
    // Engine outcomes (the attribution engine's path) are queued too.
    await t.dataSource.transaction((manager) =>
      svc.applyEngineOutcomes(manager, [
        { referralId: first.id, to: ReferralStatus.QUALIFIED, at: new Date('2026-05-20T00:00:00Z'), reason: 'p' },
      ]),
    );
    expect(await queued()).toEqual([first.id]);
    await m.catchUp('REFERRAL');
    expect([await count('REFERRAL_CONTACTED'), await count('REFERRAL_QUALIFIED')]).toEqual([1, 1]);
    expect((await m.verify('2026-05-01', '2026-05-31')).differences).toEqual([]);
  });

  // Last: it takes the schema down one migration and up again.
  it('migrations 760, 770, 810 and 820: queued events move, the referrals the cursor catch-up could still deliver are queued, the partner roll-up and its medians are filled, the roll-ups keyed by bucket keep their rows', async () => {
    const ds = t.dataSource;
    const m = t.get(AnalyticsMaintenanceService);
    await m.catchUpAll();
    t.clock.set('2026-06-02T00:00:00Z');
    const program = await referralProgram(t, bank.partnerSh);
    const ch = (await channel(t, program)).id;
    const [older, recent] = [
      await t.get(ReferralsService).submit(SYSTEM_ACTOR, {
        channelId: ch,
        idempotencyKey: 'mig-old',
        prospect: { phone: '13500000001', name: '钱七' },
        submittedAt: '2026-06-01T02:00:00Z',
      }),
      await t.get(ReferralsService).submit(SYSTEM_ACTOR, {
        channelId: ch,
        idempotencyKey: 'mig-new',
        prospect: { phone: '13500000002', name: '钱七' },
        submittedAt: '2026-06-01T02:00:00Z',
      }),
    ].map((r) => r.referral.id);
    await m.catchUp('REFERRAL');
    await ds.transaction((manager) => m.enqueue(manager, 'EVENT', ['e-1', 'e-2']));
    // Down to before 760 (and back up through every later one below).
    const later = MIGRATIONS.length - MIGRATIONS.indexOf(AnalyticsOutbox1764460800760);
    for (let i = 0; i < later; i++) await ds.undoLastMigration({ transaction: 'each' });
    // 810 down: the roll-up rows are kept and get their surrogate ids back, one each.
    const ids = await ds.query<{ rows: unknown; ids: unknown }[]>(
      'SELECT COUNT(*) AS "rows", COUNT(DISTINCT id) AS "ids" FROM analytics_daily',
    );
    expect(Number(ids[0]?.rows)).toBeGreaterThan(10);
    expect(Number(ids[0]?.ids)).toBe(Number(ids[0]?.rows));
    // As the cursor catch-up left it: its cursor an hour ago, one referral changed before, one after it.
    const at = (d: Date): Date | string => (db === 'sqlite' ? d.toISOString().replace('T', ' ').replace('Z', '') : d);
    const now = t.clock.now().getTime();
    const windowStart = now - 3600_000 - t.config.analytics.overlapSeconds * 1000;
    await ds.query("DELETE FROM analytics_cursors WHERE source = 'REFERRAL'");
    await ds.query(
      "INSERT INTO analytics_cursors (source, watermark, version, updated_at) VALUES ('REFERRAL', ?, 1, ?)",
      [at(new Date(now - 3600_000)), at(new Date(now))],
    );
    await ds.query('UPDATE referrals SET updated_at = ?', [at(new Date(windowStart - 1000))]);
    await ds.query('UPDATE referrals SET updated_at = ? WHERE id = ?', [at(new Date(windowStart + 1000)), recent]);
    await ds.runMigrations({ transaction: 'each' });
    const rows = await ds.query<{ source: string; row_ids: string }[]>(
      'SELECT source, row_ids FROM analytics_outbox ORDER BY source, id',
    );
    expect(rows.map((r) => [r.source, JSON.parse(r.row_ids) as string[]])).toEqual([
      ['EVENT', ['e-1', 'e-2']],
      ['REFERRAL', [recent]],
    ]);
    expect(older).not.toBe(recent);
    expect(await ds.query("SELECT source FROM analytics_cursors WHERE source = 'REFERRAL'")).toEqual([]);
    await ds.query("DELETE FROM analytics_outbox WHERE source = 'EVENT'");
    // The queued referral was applied before: the ledger skips it.
    expect((await m.catchUp('REFERRAL')).applied).toBe(0);
    // 770 filled analytics_partner_monthly from analytics_monthly, 820 its medians: both equal every month's
    // re-derivation.
    const verified = await m.verify('2026-01-01', '2026-07-31');
    expect(verified.differences).toEqual([]);
    expect(
      Number((await ds.query<{ n: unknown }[]>('SELECT COUNT(*) AS n FROM analytics_partner_monthly'))[0]?.n),
    ).toBeGreaterThan(10);
    expect(
      await ds.query(
        "SELECT median_half_days AS h FROM analytics_partner_month_medians WHERE month = '2026-01' AND partner_id = ? AND measure = 'DAYS_SUBMITTED_TO_CONVERTED'",
        [bank.partnerBj],
      ),
    ).toEqual([{ h: 14 }]);
    // 810 keyed each roll-up by its bucket: a third referral that day adds to the migrated bucket, no second row.
    await t.get(ReferralsService).submit(SYSTEM_ACTOR, {
      channelId: ch,
      idempotencyKey: 'mig-third',
      prospect: { phone: '13500000003', name: '钱七' },
      submittedAt: '2026-06-01T02:00:00Z',
    });
    await m.catchUp('REFERRAL');
    for (const [table, date] of [
      ['analytics_daily', "business_date = '2026-06-01'"],
      ['analytics_monthly', "month = '2026-06'"],
    ])
      expect(
        await ds.query(
          `SELECT fact_count AS n FROM ${table} WHERE ${date} AND program_id = ? AND measure = 'REFERRAL_SUBMITTED'`,
          [program],
        ),
      ).toEqual([{ n: db === 'sqlite' ? 3 : '3' }]);
    expect((await m.verify('2026-06-01', '2026-06-30')).differences).toEqual([]);
  });
});

describe('analytics configuration', () => {
  const base = { NODE_ENV: 'test', DATABASE_URL: 'sqlite::memory:' };
  it('reads the rates, types and milestones, and names a bad variable', () => {
    const a = buildConfig({ ...base, ANALYTICS_INTERCHANGE_RATE: '0.0045', ANALYTICS_MILESTONES: '90,30' }).analytics;
    expect(a.interchangeRate).toBe('0.0045');
    expect(a.milestones).toEqual([30, 90]);
    expect(() => buildConfig({ ...base, ANALYTICS_INTERCHANGE_RATE: '1.5' })).toThrow(/ANALYTICS_INTERCHANGE_RATE/);
    expect(() => buildConfig({ ...base, ANALYTICS_ACTIVE_EVENT_TYPES: 'CARD_SPEND,NOPE' })).toThrow(
      /ANALYTICS_ACTIVE_EVENT_TYPES.*NOPE/,
    );
    expect(() => buildConfig({ ...base, ANALYTICS_MILESTONES: '30,30' })).toThrow(/ANALYTICS_MILESTONES/);
    expect(() => buildConfig({ ...base, ANALYTICS_BATCH_SIZE: '0' })).toThrow(/ANALYTICS_BATCH_SIZE/);
  });
});
