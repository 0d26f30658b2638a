import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { AuditRecordEntity } from '../../src/audit/entities/audit-record.entity';
import { Role } from '../../src/auth/roles';
import { Money } from '../../src/common/money';
import { SettlementStatementEntity } from '../../src/settlement/entities/settlement.entities';
import { databases, errorOf, GqlResponse, ok, TestApp } from '../support/harness';
import {
  accruals,
  CommissionFixture,
  createPlan,
  customers,
  fenOf,
  openPeriod,
  record,
  RUN,
  rule,
  runAndWait,
  setupCommissions,
  sum,
} from '../commissions/support';

const STATEMENT_FIELDS = `id number periodId partnerId status taxRate pricesIncludeTax accrualCount preparedById approvedById
  rejectReason version linesTotal { amount currency } net { amount } tax { amount } gross { amount formatted }
  lines { position programId programName ruleId accrualCount amount { amount currency } }`;
const GENERATE = `mutation($p: ID!) { generateStatements(periodId: $p) { ${STATEMENT_FIELDS} } }`;
const STATEMENT = `query($id: ID!) { statement(id: $id) { ${STATEMENT_FIELDS} } }`;
const STATEMENTS = `query($f: StatementsFilter) { statements(first: 50, filter: $f) { totalCount edges { node { id number partnerId status } } } }`;
const PREPARE = `mutation($id: ID!) { prepareStatement(id: $id) { id status preparedById } }`;
const APPROVE = `mutation($id: ID!) { approveStatement(id: $id) { id status preparedById approvedById version } }`;
const REJECT = `mutation($i: RejectStatementInput!) { rejectStatement(input: $i) { id status rejectReason } }`;
const TRANSITION = `mutation($i: TransitionPeriodInput!) { transitionPeriod(input: $i) { id status } }`;
const TERMS = `mutation($i: SetSettlementTermsInput!) { setSettlementTerms(input: $i) { partnerId taxRate pricesIncludeTax } }`;
const PERIOD = `query($id: ID!) { period(id: $id) { id status } }`;

interface StatementNode {
  id: string;
  number: string;
  partnerId: string;
  status: string;
  taxRate: string;
  pricesIncludeTax: boolean;
  accrualCount: number;
  preparedById: string | null;
  approvedById: string | null;
  rejectReason: string | null;
  version: number;
  linesTotal: { amount: string; currency: string };
  net: { amount: string };
  tax: { amount: string };
  gross: { amount: string; formatted: string };
  lines: {
    position: number;
    programId: string;
    programName: string;
    ruleId: string;
    accrualCount: number;
    amount: { amount: string };
  }[];
}

/** Half-up division of non-negative fen amounts, in bigint. */
function divHalfUp(a: bigint, b: bigint): bigint {
  return (a * 2n + b) / (2n * b);
}

describe.each(databases())('settlement statements on %s', (db) => {
  let t: TestApp;
  let fx: CommissionFixture;
  let jan: string;
  let bj: StatementNode;
  let sh: StatementNode;
  let ledgerBj: bigint;
  let ledgerSh: bigint;

  beforeAll(async () => {
    t = await TestApp.start(db);
    t.clock.set('2026-02-15T04:00:00Z');
    fx = await setupCommissions(t);
    await t.createUser('approver2', Role.FINANCE_APPROVER);
    jan = await openPeriod(t, '2026-01');
    await createPlan(t, {
      partnerId: fx.bank.partnerBj,
      programId: fx.progBj,
      rules: [
        rule({ basis: { kind: 'FLAT_PER_EVENT', amount: '12.34' } }),
        rule({
          id: 'pct',
          trigger: { kind: 'EVENT', eventType: 'CARD_SPEND' },
          feeCategory: 'SPEND_REBATE',
          basis: { kind: 'PERCENT_OF_AMOUNT', rate: '0.1' },
        }),
      ],
    });
    await createPlan(t, { partnerId: fx.bank.partnerBj, programId: fx.progBj2, rules: [rule()] });
    await createPlan(t, {
      partnerId: fx.bank.partnerSh,
      programId: fx.progSh,
      rules: [rule({ basis: { kind: 'FLAT_PER_EVENT', amount: '7.77' } })],
    });
    const c = await customers(t, fx.bank, ['a', 'b', 'c']);
    const a = c.get('a') as string;
    const b = c.get('b') as string;
    await record(
      t,
      [
        { customer: a, at: '2026-01-03T02:00:00Z' },
        { customer: b, at: '2026-01-04T02:00:00Z' },
        { customer: c.get('c') as string, at: '2026-01-05T02:00:00Z' },
        { customer: a, type: 'CARD_SPEND', at: '2026-01-06T02:00:00Z', amount: '123.45' },
        { customer: a, at: '2026-01-07T02:00:00Z', program: fx.progBj2 },
        { customer: a, at: '2026-01-08T02:00:00Z', program: fx.progSh },
        { customer: b, at: '2026-01-09T02:00:00Z', program: fx.progSh },
      ],
      fx.progBj,
    );
    await runAndWait(t, jan, [fx.bank.partnerBj, fx.bank.partnerSh]);
    ledgerBj = sum(await accruals(t, { periodId: jan, partnerIds: [fx.bank.partnerBj] }));
    ledgerSh = sum(await accruals(t, { periodId: jan, partnerIds: [fx.bank.partnerSh] }));
  }, 180_000);
  afterAll(() => t.close());

  const gql = <T>(q: string, v: Record<string, unknown>, as: string): Promise<GqlResponse<T>> => t.gql<T>(q, v, as);
  const periodStatus = async (): Promise<string> =>
    ok(await gql<{ period: { status: string } }>(PERIOD, { id: jan }, 'finance')).period.status;

  it('maps entities to exactly the migrated schema', async () => {
    const sql = await t.dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('generates one statement per partner from the ledger: grouped lines, per-partner tax, UNDER_REVIEW', async () => {
    expect(ledgerBj).toBe(3n * 1234n + 1235n + 5000n);
    expect(ledgerSh).toBe(2n * 777n);
    expect(errorOf(await gql(GENERATE, { p: jan }, 'analyst')).code).toBe('FORBIDDEN');
    expect(errorOf(await gql(GENERATE, { p: jan }, 'partner-bj')).code).toBe('FORBIDDEN');
    // Shanghai's contract prices include 6% VAT; Beijing keeps the default (6%, exclusive).
    expect(
      ok(await gql(TERMS, { i: { partnerId: fx.bank.partnerSh, taxRate: '0.06', pricesIncludeTax: true } }, 'finance')),
    ).toEqual({ setSettlementTerms: { partnerId: fx.bank.partnerSh, taxRate: '0.06', pricesIncludeTax: true } });

    const list = ok(
      await gql<{ generateStatements: StatementNode[] }>(GENERATE, { p: jan }, 'finance'),
    ).generateStatements;
    expect(list.map((s) => s.number)).toEqual(['ST-2026-01-P-BJ', 'ST-2026-01-P-SH']);
    [bj, sh] = list as [StatementNode, StatementNode];
    expect(await periodStatus()).toBe('UNDER_REVIEW');

    expect(bj).toMatchObject({ status: 'DRAFT', taxRate: '0.06', pricesIncludeTax: false, accrualCount: 5 });
    expect(bj.lines.map((l) => [l.programId, l.ruleId, l.accrualCount, fenOf(l.amount.amount)])).toEqual(
      expect.arrayContaining([
        [fx.progBj, 'r1', 3, 3702n],
        [fx.progBj, 'pct', 1, 1235n],
        [fx.progBj2, 'r1', 1, 5000n],
      ]),
    );
    expect(bj.lines).toHaveLength(3);
    expect(fenOf(bj.linesTotal.amount)).toBe(ledgerBj);
    const taxBj = divHalfUp(ledgerBj * 6n, 100n);
    expect([fenOf(bj.net.amount), fenOf(bj.tax.amount), fenOf(bj.gross.amount)]).toEqual([
      ledgerBj,
      taxBj,
      ledgerBj + taxBj,
    ]);

    expect(sh).toMatchObject({ taxRate: '0.06', pricesIncludeTax: true, accrualCount: 2 });
    const netSh = divHalfUp(ledgerSh * 100n, 106n);
    expect([fenOf(sh.net.amount), fenOf(sh.tax.amount), fenOf(sh.gross.amount)]).toEqual([
      netSh,
      ledgerSh - netSh,
      ledgerSh,
    ]);

    // Generated once: the period is no longer CALCULATED, and its ledger is frozen.
    expect(errorOf(await gql(GENERATE, { p: jan }, 'finance'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'PERIOD_NOT_CALCULATED',
    });
    expect(errorOf(await gql(RUN, { i: { periodId: jan, partnerIds: [fx.bank.partnerBj] } }, 'finance')).code).toBe(
      'CONFLICT',
    );
  });

  it('partner users never see DRAFT statements, by id, list or export', async () => {
    type List = { statements: { totalCount: number; edges: { node: { id: string } }[] } };
    for (const [user, own] of [
      ['partner-bj', bj],
      ['partner-sh', sh],
    ] as const) {
      expect(errorOf(await gql(STATEMENT, { id: own.id }, user)).code).toBe('NOT_FOUND');
      expect(ok(await gql<List>(STATEMENTS, {}, user)).statements.totalCount).toBe(0);
      const bearer = `Bearer ${await t.tokenFor(user)}`;
      expect((await t.http().get(`/statements/${own.id}/export.csv`).set('authorization', bearer)).status).toBe(404);
    }
    const scoped = ok(await gql<List>(STATEMENTS, {}, 'manager-sh')).statements;
    expect(scoped.edges.map((e) => e.node.id)).toEqual([sh.id]);
  });

  it('exports CSV and XLSX whose totals equal the ledger to the fen', async () => {
    const bearer = `Bearer ${await t.tokenFor('finance')}`;
    const csv = await t.http().get(`/statements/${bj.id}/export.csv`).set('authorization', bearer);
    expect(csv.status).toBe(200);
    const rows: string[][] = parse(csv.text.replace(/^\uFEFF/, ''), { relaxColumnCount: true });
    const totalOf = (label: string): bigint => fenOf(rows.find((r) => r[1]?.startsWith(label))?.[5] ?? 'x');
    expect(totalOf('合计')).toBe(ledgerBj);
    expect(totalOf('价税合计')).toBe(fenOf(bj.gross.amount));
    // No account on file yet: the statement says so rather than leaving the line blank.
    expect(rows.find((r) => r[1] === '收款账户 Account')?.[4]).toBe('未登记 not on file');
    const lineSum = rows
      .slice(1)
      .filter((r) => /^\d+$/.test(r[0] ?? ''))
      .reduce((a, r) => a + fenOf(r[5] ?? 'x'), 0n);
    expect(lineSum).toBe(ledgerBj);

    const res = await t
      .http()
      .get(`/statements/${bj.id}/export.xlsx`)
      .set('authorization', bearer)
      .buffer(true)
      .parse((r, cb) => {
        const parts: Buffer[] = [];
        r.on('data', (d: Buffer) => parts.push(d));
        r.on('end', () => cb(null, Buffer.concat(parts)));
      });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as ExcelJS.Buffer);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error('no worksheet');
    const found = new Map<string, bigint>();
    ws.eachRow((row) => {
      const label = row.getCell(2).value;
      const raw = row.getCell(6).value;
      const num = typeof raw === 'number' ? raw : (raw as { result?: number } | null)?.result;
      if (typeof label === 'string' && typeof num === 'number') found.set(label, Money.parse(String(num), 'CNY').minor);
    });
    expect(found.get('合计 Lines total')).toBe(ledgerBj);
    expect(found.get('价税合计 Gross payable')).toBe(fenOf(bj.gross.amount));
  });

  it('four eyes: the preparer can neither approve nor reject; approve needs PREPARED; rejection needs a reason', async () => {
    expect(errorOf(await gql(APPROVE, { id: bj.id }, 'approver'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'STATEMENT_STATUS',
    });
    expect(errorOf(await gql(PREPARE, { id: bj.id }, 'approver')).code).toBe('FORBIDDEN');
    const prepared = ok(await gql<{ prepareStatement: { status: string } }>(PREPARE, { id: bj.id }, 'admin'));
    expect(prepared.prepareStatement.status).toBe('PREPARED');
    expect(errorOf(await gql(APPROVE, { id: bj.id }, 'admin'))).toMatchObject({ code: 'FORBIDDEN', rule: 'FOUR_EYES' });
    expect(errorOf(await gql(REJECT, { i: { id: bj.id, reason: 'self' } }, 'admin'))).toMatchObject({
      code: 'FORBIDDEN',
      rule: 'FOUR_EYES',
    });
    // The data model refuses it as well: a statement decided by its preparer cannot be stored.
    const repo = t.dataSource.getRepository(SettlementStatementEntity);
    const preparedBy = (await repo.findOneByOrFail({ id: bj.id })).preparedById;
    await expect(repo.update({ id: bj.id }, { approvedById: preparedBy })).rejects.toThrow();
    await expect(repo.update({ id: bj.id }, { rejectedById: preparedBy })).rejects.toThrow();
    expect((await repo.findOneByOrFail({ id: bj.id })).status).toBe('PREPARED');
    expect(errorOf(await gql(REJECT, { i: { id: bj.id, reason: '' } }, 'approver')).code).toBe('BAD_USER_INPUT');
    const rejected = ok(
      await gql<{ rejectStatement: { status: string; rejectReason: string } }>(
        REJECT,
        { i: { id: bj.id, reason: '金额待核对' } },
        'approver',
      ),
    );
    expect(rejected.rejectStatement).toMatchObject({ status: 'REJECTED', rejectReason: '金额待核对' });
    // Not every statement is approved: the period stays UNDER_REVIEW.
    expect(errorOf(await gql(TRANSITION, { i: { periodId: jan, to: 'APPROVED' } }, 'approver'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'STATEMENTS_NOT_APPROVED',
    });
    // Re-prepared by a finance maker, approved by an approver: preparer and approver are both stored.
    ok(await gql(PREPARE, { id: bj.id }, 'finance'));
    const approved = ok(
      await gql<{ approveStatement: { status: string; preparedById: string; approvedById: string } }>(
        APPROVE,
        { id: bj.id },
        'approver',
      ),
    ).approveStatement;
    expect(approved.status).toBe('APPROVED');
    expect(approved.preparedById).not.toBe(approved.approvedById);
    const actions = await t.dataSource
      .getRepository(AuditRecordEntity)
      .find({ where: { entityId: bj.id }, order: { id: 'ASC' } });
    expect(actions.map((a) => a.action)).toEqual([
      'statement.generate',
      'statement.prepare',
      'statement.reject',
      'statement.prepare',
      'statement.approve',
    ]);
  });

  it('two approvers racing for the same statement: exactly one succeeds, the other gets CONFLICT', async () => {
    ok(await gql(PREPARE, { id: sh.id }, 'finance'));
    const results = await Promise.all([
      gql(APPROVE, { id: sh.id }, 'approver'),
      gql(APPROVE, { id: sh.id }, 'approver2'),
    ]);
    const winners = results.filter((r) => !r.errors?.length);
    const losers = results.filter((r) => r.errors?.length);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const loser = losers[0];
    if (!loser) throw new Error('no loser');
    expect(errorOf(loser)).toMatchObject({ code: 'CONFLICT', rule: 'STATEMENT_STATUS' });
    const now = ok(await gql<{ statement: StatementNode }>(STATEMENT, { id: sh.id }, 'finance')).statement;
    expect(now.status).toBe('APPROVED');
    expect(now.version).toBe(3);
    const approvals = await t.dataSource
      .getRepository(AuditRecordEntity)
      .countBy({ entityId: sh.id, action: 'statement.approve' });
    expect(approvals).toBe(1);
  });

  it('partner users see their own statements only (once prepared), by id, list and export', async () => {
    expect(ok(await gql<{ statement: { id: string } }>(STATEMENT, { id: bj.id }, 'partner-bj')).statement.id).toBe(
      bj.id,
    );
    expect(errorOf(await gql(STATEMENT, { id: sh.id }, 'partner-bj')).code).toBe('NOT_FOUND');
    expect(errorOf(await gql(STATEMENT, { id: bj.id }, 'partner-sh')).code).toBe('NOT_FOUND');
    type List = { statements: { totalCount: number; edges: { node: { id: string } }[] } };
    const own = ok(await gql<List>(STATEMENTS, {}, 'partner-bj')).statements;
    expect(own.totalCount).toBe(1);
    expect(own.edges.map((e) => e.node.id)).toEqual([bj.id]);
    const filtered = ok(await gql<List>(STATEMENTS, { f: { partnerIds: [fx.bank.partnerSh] } }, 'partner-bj'));
    expect(filtered.statements.edges).toEqual([]);
    const scoped = ok(await gql<List>(STATEMENTS, {}, 'manager-sh')).statements;
    expect(scoped.edges.map((e) => e.node.id)).toEqual([sh.id]);
    const all = ok(await gql<List>(STATEMENTS, { f: { periodIds: [jan] } }, 'finance')).statements;
    expect(all.totalCount).toBe(2);

    const bearer = `Bearer ${await t.tokenFor('partner-bj')}`;
    for (const ext of ['csv', 'xlsx']) {
      expect((await t.http().get(`/statements/${sh.id}/export.${ext}`).set('authorization', bearer)).status).toBe(404);
      expect((await t.http().get(`/statements/${bj.id}/export.${ext}`).set('authorization', bearer)).status).toBe(200);
      expect((await t.http().get(`/statements/${bj.id}/export.${ext}`)).status).toBe(401);
    }
  });

  it('period APPROVED → CLOSED; a closed period is locked and cannot be reopened', async () => {
    expect(errorOf(await gql(TRANSITION, { i: { periodId: jan, to: 'CLOSED' } }, 'approver'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'PERIOD_TRANSITION_NOT_ALLOWED',
    });
    expect(errorOf(await gql(TRANSITION, { i: { periodId: jan, to: 'APPROVED' } }, 'partner-bj')).code).toBe(
      'FORBIDDEN',
    );
    ok(await gql(TRANSITION, { i: { periodId: jan, to: 'APPROVED' } }, 'approver'));
    ok(await gql(TRANSITION, { i: { periodId: jan, to: 'CLOSED' } }, 'approver'));
    expect(await periodStatus()).toBe('CLOSED');
    for (const to of ['UNDER_REVIEW', 'OPEN', 'CALCULATED'])
      expect(errorOf(await gql(TRANSITION, { i: { periodId: jan, to } }, 'admin')).code).toBe('BAD_USER_INPUT');
    expect(errorOf(await gql(TRANSITION, { i: { periodId: jan, to: 'PAID' } }, 'admin')).code).toBe('CONFLICT');
    expect(errorOf(await gql(REJECT, { i: { id: bj.id, reason: 'late' } }, 'approver'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'PERIOD_LOCKED',
    });
    expect(errorOf(await gql(PREPARE, { id: bj.id }, 'finance'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'PERIOD_LOCKED',
    });
    expect(errorOf(await gql(GENERATE, { p: jan }, 'finance')).code).toBe('CONFLICT');
    expect(errorOf(await gql(RUN, { i: { periodId: jan, partnerIds: [fx.bank.partnerBj] } }, 'finance')).code).toBe(
      'CONFLICT',
    );
    const after = ok(await gql<{ statement: StatementNode }>(STATEMENT, { id: bj.id }, 'finance')).statement;
    expect(after).toMatchObject({ status: 'APPROVED', linesTotal: bj.linesTotal, gross: bj.gross });
    expect(sum(await accruals(t, { periodId: jan, partnerIds: [fx.bank.partnerBj] }))).toBe(ledgerBj);
  });
});
