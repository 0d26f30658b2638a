import { CommissionPeriodEntity } from '../../src/commissions/entities/commission-period.entity';
import { CommissionAccrualEntity } from '../../src/commissions/entities/commission-accrual.entity';
import { JobsService } from '../../src/jobs/jobs.service';
import { PartnerKind } from '../../src/partners/partner.enums';
import { createPartner } from '../support/fixtures';
import { databases, errorOf, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import {
  accruals,
  ADD_VERSION,
  AccrualNode,
  body,
  CommissionFixture,
  CREATE_PLAN,
  createPlan,
  createProgram,
  customers,
  fen,
  openPeriod,
  record,
  RUN_STATUS,
  rule,
  runAndWait,
  service,
  setupCommissions,
  sum,
} from './support';

const SIMULATE = `mutation($i: SimulateCommissionPlanInput!) { simulateCommissionPlan(input: $i) {
  totals { amount currency } lines { ruleId kind amount { amount } status explanation } } }`;

/** Lines in a stable order for exact comparisons: business date, then rule, then ledger key. */
function ordered(lines: AccrualNode[]): AccrualNode[] {
  return [...lines].sort(
    (a, b) =>
      a.businessDate.localeCompare(b.businessDate) ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.ledgerKey.localeCompare(b.ledgerKey),
  );
}

describe.each(databases())('commission engine on %s', (db) => {
  let t: TestApp;
  let fx: CommissionFixture;
  let jan: string;
  let partnerSerial = 1;

  beforeAll(async () => {
    t = await TestApp.start(db);
    t.clock.set('2026-02-15T04:00:00Z');
    fx = await setupCommissions(t);
    jan = await openPeriod(t, '2026-01');
  }, 120_000);
  afterAll(() => t.close());

  /** A fresh partner (Beijing) with one program, so each scenario owns its ledger. */
  async function scenario(): Promise<{ partnerId: string; programId: string }> {
    const partnerId = await createPartner(t, {
      code: `P-CM-${partnerSerial++}`,
      orgUnitId: fx.bank.beijing,
      kind: PartnerKind.AIRLINE,
    });
    const programId = await createProgram(t, partnerId, '联名卡');
    return { partnerId, programId };
  }

  it('maps entities to exactly the migrated schema', async () => {
    const sql = await t.dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('flat per event: exact fen, the bank-time-zone month edge, holding then payable, and a re-run adds nothing', async () => {
    const { partnerId, programId } = await scenario();
    await createPlan(t, { partnerId, programId, rules: [rule({ holdingDays: 30 })] });
    const c = await customers(t, fx.bank, ['a', 'b', 'c']);
    const [e1, e2] = await record(
      t,
      [
        { customer: c.get('a') as string, at: '2026-01-05T02:00:00Z' },
        // 2026-01-31 23:30 in Shanghai is 15:30 UTC: still January.
        { customer: c.get('b') as string, at: '2026-01-31T15:30:00Z' },
        // 2026-02-01 00:30 in Shanghai: February, not in this run.
        { customer: c.get('c') as string, at: '2026-01-31T16:30:00Z' },
        // An event of another program of another partner: not this partner's.
        { customer: c.get('a') as string, at: '2026-01-06T02:00:00Z', program: fx.progSh },
      ],
      programId,
    );
    const run = await runAndWait(t, jan, [partnerId]);
    expect(run).toMatchObject({ status: 'SUCCEEDED', linesAdded: 2, error: null });
    expect(run.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const lines = ordered(await accruals(t, { periodId: jan, partnerIds: [partnerId] }));
    expect(fen(lines)).toEqual([5000n, 5000n]);
    expect(lines.map((l) => l.sources)).toEqual([[{ kind: 'EVENT', id: e1 }], [{ kind: 'EVENT', id: e2 }]]);
    expect(lines.map((l) => [l.businessDate, l.payableOn, l.status])).toEqual([
      ['2026-01-05', '2026-02-04', 'PAYABLE'],
      ['2026-01-31', '2026-03-02', 'HELD'],
    ]);
    expect(lines[0]).toMatchObject({
      kind: 'ACCRUAL',
      revision: 0,
      reversal: false,
      factPeriodKey: '2026-01',
      feeCategory: 'ACQUISITION_BOUNTY',
      rateOrTier: '¥50.00 per event',
      amount: { currency: 'CNY', formatted: '¥50.00' },
    });
    expect(lines[0]?.explanation).toContain('flat ¥50.00 per event = ¥50.00');
    expect(lines[0]?.explanation).toContain('held 30 days, payable on 2026-02-04');
    const held = await accruals(t, { periodId: jan, partnerIds: [partnerId], statuses: ['HELD'] });
    expect(held.map((l) => l.id)).toEqual([lines[1]?.id]);

    const again = await runAndWait(t, jan, [partnerId]);
    expect(again).toMatchObject({ status: 'SUCCEEDED', linesAdded: 0, contentHash: run.contentHash });
    expect(await accruals(t, { periodId: jan, partnerIds: [partnerId] })).toHaveLength(2);
    // Later the held line becomes payable without any write.
    t.clock.set('2026-03-05T04:00:00Z');
    const later = await accruals(t, { periodId: jan, partnerIds: [partnerId], statuses: ['PAYABLE'] });
    expect(later).toHaveLength(2);
    t.clock.set('2026-02-15T04:00:00Z');
    expect(await t.dataSource.getRepository(CommissionPeriodEntity).findOneByOrFail({ id: jan })).toMatchObject({
      status: 'CALCULATED',
    });
  });

  it('tiered GRADUATED by count crossing a tier mid-period, and VOLUME by amount', async () => {
    const { partnerId, programId } = await scenario();
    await createPlan(t, {
      partnerId,
      programId,
      rules: [
        rule({
          basis: {
            kind: 'TIERED',
            measure: 'COUNT',
            mode: 'GRADUATED',
            unitLabel: 'activations',
            tiers: [
              { from: 0, to: 3, amountPerUnit: '50.00' },
              { from: 3, to: null, amountPerUnit: '80.00' },
            ],
          },
        }),
        rule({
          id: 'spend',
          trigger: { kind: 'EVENT', eventType: 'CARD_SPEND' },
          feeCategory: 'SPEND_REBATE',
          basis: {
            kind: 'TIERED',
            measure: 'AMOUNT',
            mode: 'VOLUME',
            tiers: [
              { from: '0.00', to: '10000.00', rate: '0.01' },
              { from: '10000.00', to: null, rate: '0.02' },
            ],
          },
        }),
      ],
    });
    const c = await customers(t, fx.bank, ['a']);
    const a = c.get('a') as string;
    await record(
      t,
      [
        ...[1, 2, 3, 4, 5].map((d) => ({ customer: a, at: `2026-01-0${d}T02:00:00Z` })),
        { customer: a, type: 'CARD_SPEND', at: '2026-01-10T02:00:00Z', amount: '6000.00' },
        { customer: a, type: 'CARD_SPEND', at: '2026-01-11T02:00:00Z', amount: '5000.00' },
      ],
      programId,
    );
    expect((await runAndWait(t, jan, [partnerId])).linesAdded).toBe(7);
    const lines = ordered(await accruals(t, { periodId: jan, partnerIds: [partnerId] }));
    expect(lines.filter((l) => l.ruleId === 'r1').map((l) => l.amount.amount)).toEqual([
      '50.00',
      '50.00',
      '50.00',
      '80.00',
      '80.00',
    ]);
    expect(lines.find((l) => l.ruleId === 'r1' && l.businessDate === '2026-01-04')?.explanation).toContain(
      'is no. 4 of the period: tier 2 (4+ activations) × ¥80.00 = ¥80.00',
    );
    // ¥11,000 reached tier 2: all of it at 2% (volume).
    expect(fen(lines.filter((l) => l.ruleId === 'spend'))).toEqual([12000n, 10000n]);
    expect(sum(lines)).toBe(53000n);
  });

  it('caps: per period re-split by largest remainder, per line', async () => {
    const { partnerId, programId } = await scenario();
    await createPlan(t, {
      partnerId,
      programId,
      rules: [
        rule({ caps: { perPeriod: '100.00' } }),
        rule({
          id: 'pct',
          trigger: { kind: 'EVENT', eventType: 'CARD_SPEND' },
          feeCategory: 'SPEND_REBATE',
          basis: { kind: 'PERCENT_OF_AMOUNT', rate: '0.1' },
          caps: { perLine: '30.00' },
        }),
      ],
    });
    const c = await customers(t, fx.bank, ['a', 'b']);
    await record(
      t,
      [
        { customer: c.get('a') as string, at: '2026-01-03T02:00:00Z' },
        { customer: c.get('b') as string, at: '2026-01-04T02:00:00Z' },
        { customer: c.get('a') as string, at: '2026-01-05T02:00:00Z' },
        { customer: c.get('a') as string, type: 'CARD_SPEND', at: '2026-01-06T02:00:00Z', amount: '500.00' },
        { customer: c.get('b') as string, type: 'CARD_SPEND', at: '2026-01-07T02:00:00Z', amount: '100.00' },
      ],
      programId,
    );
    await runAndWait(t, jan, [partnerId]);
    const lines = ordered(await accruals(t, { periodId: jan, partnerIds: [partnerId] }));
    // 3 × ¥50 = ¥150 capped at ¥100: 3334 + 3333 + 3333 fen.
    expect(fen(lines.filter((l) => l.ruleId === 'r1'))).toEqual([3334n, 3333n, 3333n]);
    expect(lines.find((l) => l.ruleId === 'r1')?.explanation).toContain('capped at ¥100.00 per period');
    // 10% of ¥500 = ¥50 capped at ¥30 per line; 10% of ¥100 = ¥10.
    expect(fen(lines.filter((l) => l.ruleId === 'pct'))).toEqual([3000n, 1000n]);
  });

  it('rounding modes applied once per line, in fen', async () => {
    const { partnerId, programId } = await scenario();
    const pct = (id: string, rounding: string) =>
      rule({
        id,
        trigger: { kind: 'EVENT', eventType: 'CARD_SPEND' },
        feeCategory: 'SPEND_REBATE',
        basis: { kind: 'PERCENT_OF_AMOUNT', rate: '0.005' },
        rounding,
      });
    await createPlan(t, {
      partnerId,
      programId,
      rules: [pct('up', 'HALF_UP'), pct('even', 'HALF_EVEN'), pct('down', 'DOWN')],
    });
    const c = await customers(t, fx.bank, ['a']);
    await record(
      t,
      [
        // 0.5% of ¥13.00 = 6.5 fen; of ¥15.00 = 7.5 fen.
        { customer: c.get('a') as string, type: 'CARD_SPEND', at: '2026-01-03T02:00:00Z', amount: '13.00' },
        { customer: c.get('a') as string, type: 'CARD_SPEND', at: '2026-01-04T02:00:00Z', amount: '15.00' },
      ],
      programId,
    );
    await runAndWait(t, jan, [partnerId]);
    const lines = ordered(await accruals(t, { periodId: jan, partnerIds: [partnerId] }));
    const by = (id: string): bigint[] => fen(lines.filter((l) => l.ruleId === id));
    expect(by('up')).toEqual([7n, 8n]);
    expect(by('even')).toEqual([6n, 8n]);
    expect(by('down')).toEqual([6n, 7n]);
    expect(lines.find((l) => l.ruleId === 'up')?.explanation).toContain('rounded half-up to ¥0.07');
  });

  it('clawback inside its window reverses the line; outside it does not', async () => {
    t.clock.set('2026-03-31T04:00:00Z');
    const { partnerId, programId } = await scenario();
    await createPlan(t, {
      partnerId,
      programId,
      rules: [rule({ holdingDays: 90, clawback: { onEventTypes: ['CARD_CLOSED'], withinDays: 30 } })],
    });
    const c = await customers(t, fx.bank, ['in', 'out']);
    await record(
      t,
      [
        { customer: c.get('in') as string, at: '2026-01-05T02:00:00Z' },
        { customer: c.get('out') as string, at: '2026-01-06T02:00:00Z' },
        { customer: c.get('in') as string, type: 'CARD_CLOSED', at: '2026-01-20T02:00:00Z', program: null },
        { customer: c.get('out') as string, type: 'CARD_CLOSED', at: '2026-02-20T02:00:00Z', program: null },
      ],
      programId,
    );
    await runAndWait(t, jan, [partnerId]);
    const lines = ordered(await accruals(t, { periodId: jan, partnerIds: [partnerId] }));
    expect(lines.map((l) => [l.businessDate, l.kind, l.amount.amount, l.status])).toEqual([
      ['2026-01-05', 'ACCRUAL', '50.00', 'REVERSED'],
      ['2026-01-05', 'CLAWBACK', '-50.00', 'REVERSED'],
      ['2026-01-06', 'ACCRUAL', '50.00', 'HELD'],
    ]);
    expect(lines[1]?.explanation).toContain('clawed back: CARD_CLOSED on 2026-01-20, 15 days after 2026-01-05');
    expect(sum(lines)).toBe(5000n);
    t.clock.set('2026-02-15T04:00:00Z');
  });

  it('a back-dated amendment appends only the difference: a reversal and the new line', async () => {
    const { partnerId, programId } = await scenario();
    const planId = await createPlan(t, { partnerId, programId, rules: [rule()] });
    const c = await customers(t, fx.bank, ['a', 'b']);
    await record(
      t,
      [
        { customer: c.get('a') as string, at: '2026-01-05T02:00:00Z' },
        { customer: c.get('b') as string, at: '2026-01-15T02:00:00Z' },
      ],
      programId,
    );
    const first = await runAndWait(t, jan, [partnerId]);
    expect(first.linesAdded).toBe(2);
    const amended = ok(
      await t.gql<{
        addCommissionPlanVersion: {
          version: { version: number };
          recalculationRuns: { id: string; jobId: string; periodId: string; partnerIds: string[] }[];
        };
      }>(
        ADD_VERSION,
        {
          i: {
            planId,
            effectiveFrom: '2026-01-10',
            rulesJson: body([rule({ basis: { kind: 'FLAT_PER_EVENT', amount: '60.00' } })]),
          },
        },
        'manager',
      ),
    ).addCommissionPlanVersion;
    expect(amended.version.version).toBe(2);
    // January is CALCULATED: its recalculation for this partner follows the amendment by itself.
    expect(amended.recalculationRuns.map((r) => [r.periodId, r.partnerIds])).toEqual([[jan, [partnerId]]]);
    const recalc = amended.recalculationRuns[0] as { id: string; jobId: string };
    await t.get(JobsService).waitFor(recalc.jobId);
    const second = ok(
      await t.gql<{ commissionRun: { status: string; linesAdded: number; contentHash: string } }>(
        RUN_STATUS,
        { id: recalc.id },
        'manager',
      ),
    ).commissionRun;
    expect(second).toMatchObject({ status: 'SUCCEEDED', linesAdded: 2 });
    expect(second.contentHash).not.toBe(first.contentHash);
    const lines = ordered(await accruals(t, { periodId: jan, partnerIds: [partnerId] }));
    expect(lines.map((l) => [l.businessDate, l.planVersion, l.reversal, l.amount.amount, l.status])).toEqual([
      ['2026-01-05', 1, false, '50.00', 'PAYABLE'],
      ['2026-01-15', 1, false, '50.00', 'REVERSED'],
      ['2026-01-15', 1, true, '-50.00', 'REVERSED'],
      ['2026-01-15', 2, false, '60.00', 'PAYABLE'],
    ]);
    expect(sum(lines)).toBe(11000n);
    const third = await runAndWait(t, jan, [partnerId]);
    expect(third).toMatchObject({ linesAdded: 0, contentHash: second.contentHash });
    expect(await service(t).storedHash(['2026-01'], [partnerId])).toBe(second.contentHash);
    expect(await service(t).cleanHash(['2026-01'], [partnerId], '2026-02-15')).toBe(second.contentHash);
  });

  it('late events into a closed period become adjustments in the current open period', async () => {
    const { partnerId, programId } = await scenario();
    await createPlan(t, { partnerId, programId, effectiveFrom: '2025-12-01', rules: [rule()] });
    const c = await customers(t, fx.bank, ['a', 'b']);
    await record(t, [{ customer: c.get('a') as string, at: '2026-01-05T02:00:00Z' }], programId);
    // A private "December" so closing it does not disturb the other scenarios' January.
    const dec = await openPeriod(t, '2025-12');
    await record(t, [{ customer: c.get('a') as string, at: '2025-12-05T02:00:00Z' }], programId);
    expect((await runAndWait(t, dec, [partnerId])).linesAdded).toBe(1);
    // Settlement locks December (simulated here; the settlement module owns that move).
    await t.dataSource.getRepository(CommissionPeriodEntity).update({ id: dec }, { status: 'CLOSED' });
    expect(
      errorOf(
        await t.gql(
          `mutation($i: RunCommissionCalculationInput!) { runCommissionCalculation(input: $i) { id } }`,
          { i: { periodId: dec, partnerIds: [partnerId] } },
          'finance',
        ),
      ),
    ).toMatchObject({ code: 'CONFLICT' });
    // A late December event arrives.
    await record(t, [{ customer: c.get('b') as string, at: '2025-12-20T02:00:00Z' }], programId);
    const run = await runAndWait(t, jan, [partnerId]);
    expect(run.linesAdded).toBe(2);
    const inJan = ordered(await accruals(t, { periodId: jan, partnerIds: [partnerId] }));
    expect(inJan.map((l) => [l.factPeriodKey, l.businessDate, l.amount.amount])).toEqual([
      ['2025-12', '2025-12-20', '50.00'],
      ['2026-01', '2026-01-05', '50.00'],
    ]);
    expect(await accruals(t, { periodId: dec, partnerIds: [partnerId] })).toHaveLength(1);
    expect((await runAndWait(t, jan, [partnerId])).linesAdded).toBe(0);
  });

  it('two concurrent runs of the same scope both succeed and post every line once', async () => {
    const { partnerId, programId } = await scenario();
    await createPlan(t, { partnerId, programId, rules: [rule()] });
    const c = await customers(t, fx.bank, ['a']);
    await record(
      t,
      [1, 2, 3, 4, 5, 6].map((d) => ({ customer: c.get('a') as string, at: `2026-01-0${d}T02:00:00Z` })),
      programId,
    );
    const svc = service(t);
    const [r1, r2] = await Promise.all([
      svc.startRun(SYSTEM_ACTOR, { periodId: jan, partnerIds: [partnerId] }),
      svc.startRun(SYSTEM_ACTOR, { periodId: jan, partnerIds: [partnerId] }),
    ]);
    const jobs = t.get(JobsService);
    const [j1, j2] = await Promise.all([jobs.waitFor(r1.jobId), jobs.waitFor(r2.jobId)]);
    expect([j1.status, j2.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const results = [j1.result, j2.result] as { linesAdded: number; contentHash: string }[];
    expect(results.map((r) => r.linesAdded).sort()).toEqual([0, 6]);
    expect(results[0]?.contentHash).toBe(results[1]?.contentHash);
    expect(await accruals(t, { periodId: jan, partnerIds: [partnerId] })).toHaveLength(6);
  });

  it('partner users read only their own accruals; scoped managers only their org subtree', async () => {
    await createPlan(t, { partnerId: fx.bank.partnerBj, programId: fx.progBj, rules: [rule()] });
    await createPlan(t, { partnerId: fx.bank.partnerSh, programId: fx.progSh, rules: [rule()] });
    const c = await customers(t, fx.bank, ['x']);
    await record(t, [{ customer: c.get('x') as string, at: '2026-01-07T02:00:00Z' }], fx.progBj);
    await record(t, [{ customer: c.get('x') as string, at: '2026-01-08T02:00:00Z' }], fx.progSh);
    await runAndWait(t, jan, [fx.bank.partnerBj, fx.bank.partnerSh]);
    const bjLines = await accruals(t, {}, 'partner-bj');
    expect(bjLines.length).toBeGreaterThan(0);
    expect(new Set(bjLines.map((l) => l.partnerId))).toEqual(new Set([fx.bank.partnerBj]));
    const shLines = await accruals(t, { partnerIds: [fx.bank.partnerSh] }, 'partner-sh');
    // Two Shanghai events: this one and the other-program event of the first scenario.
    expect(shLines.map((l) => l.partnerId)).toEqual([fx.bank.partnerSh, fx.bank.partnerSh]);
    // Asking for another partner's lines gives nothing; one by id is NOT_FOUND.
    expect(await accruals(t, { partnerIds: [fx.bank.partnerSh] }, 'partner-bj')).toEqual([]);
    const shId = shLines[0]?.id as string;
    expect(
      errorOf(await t.gql('query($id: ID!) { accrual(id: $id) { id } }', { id: shId }, 'partner-bj')),
    ).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(
      ok(
        await t.gql<{ accrual: { id: string } }>(
          'query($id: ID!) { accrual(id: $id) { id } }',
          { id: shId },
          'partner-sh',
        ),
      ).accrual.id,
    ).toBe(shId);
    const shManager = await accruals(t, {}, 'manager-sh');
    expect(shManager.every((l) => l.partnerId === fx.bank.partnerSh)).toBe(true);
    // Partner users cannot see plans or start runs.
    expect(errorOf(await t.gql('{ commissionPlans { totalCount } }', {}, 'partner-bj'))).toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('simulation shows what a draft would have paid and writes nothing', async () => {
    const { partnerId, programId } = await scenario();
    const c = await customers(t, fx.bank, ['a']);
    await record(
      t,
      [
        { customer: c.get('a') as string, at: '2026-01-05T02:00:00Z' },
        { customer: c.get('a') as string, at: '2026-01-06T02:00:00Z' },
      ],
      programId,
    );
    const rowsBefore = await t.dataSource.getRepository(CommissionAccrualEntity).count();
    const data = ok(
      await t.gql<{
        simulateCommissionPlan: { totals: { amount: string }[]; lines: { amount: { amount: string } }[] };
      }>(
        SIMULATE,
        {
          i: {
            programId,
            from: '2026-01-01',
            to: '2026-01-31',
            rulesJson: body([rule({ basis: { kind: 'FLAT_PER_EVENT', amount: '12.34' } })]),
          },
        },
        'manager',
      ),
    );
    expect(data.simulateCommissionPlan.lines.map((l) => l.amount.amount)).toEqual(['12.34', '12.34']);
    expect(data.simulateCommissionPlan.totals).toEqual([{ amount: '24.68', currency: 'CNY' }]);
    expect(await t.dataSource.getRepository(CommissionAccrualEntity).count()).toBe(rowsBefore);
    void partnerId;
  });

  it('validates plans: field paths, the compliance policy, roles', async () => {
    const { partnerId, programId } = await scenario();
    const create = (rules: Record<string, unknown>[], as = 'manager') =>
      t.gql(
        CREATE_PLAN,
        { i: { partnerId, programId, name: 'p', effectiveFrom: '2026-01-01', rulesJson: body(rules) } },
        as,
      );
    const gap = rule({
      basis: {
        kind: 'TIERED',
        measure: 'COUNT',
        mode: 'VOLUME',
        tiers: [
          { from: 0, to: 10, amountPerUnit: '1.00' },
          { from: 11, to: null, amountPerUnit: '2.00' },
        ],
      },
    });
    expect(errorOf(await create([gap]))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'rules[0].basis.tiers[1].from',
      reason: 'TIER_GAP',
    });
    expect(errorOf(await create([rule({ feeCategory: 'INTEREST_INCOME_SHARE' })]))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'rules[0].feeCategory',
      reason: 'BLOCKED_BY_COMPLIANCE_POLICY',
    });
    expect(
      errorOf(await create([rule({ basis: { kind: 'FLAT_PER_EVENT', amount: '99999999999999999.00' } })])),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'rules[0].basis.amount',
    });
    expect(errorOf(await create([rule()], 'finance'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(await create([rule()], 'manager-sh'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(
      errorOf(
        await t.gql(
          `mutation($i: RunCommissionCalculationInput!) { runCommissionCalculation(input: $i) { id } }`,
          { i: { periodId: jan, partnerIds: [partnerId] } },
          'analyst',
        ),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
  });
});
