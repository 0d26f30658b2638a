import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditRecordEntity } from '../../src/audit/entities/audit-record.entity';
import { Role } from '../../src/auth/roles';
import { CommissionAccrualEntity } from '../../src/commissions/entities/commission-accrual.entity';
import {
  SettlementAdjustmentEntity,
  SettlementClaimEntity,
} from '../../src/settlement/reconciliation/entities/reconciliation.entities';
import { databases, errorOf, GqlResponse, ok, TestApp } from '../support/harness';
import {
  accruals,
  CommissionFixture,
  createPlan,
  customers,
  fenOf,
  openPeriod,
  record,
  rule,
  runAndWait,
  setupCommissions,
  sum,
} from '../commissions/support';

const FIXTURES = join(__dirname, 'fixtures');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name)).toString('base64');
const MAPPING = { reference: '推荐编号', amount: '佣金金额', description: '备注' };

const MONEY = 'amount currency';
const SUMMARY = `statementId claimId format encoding fileName claimRowCount balanced reconciledAt
  bankTotal { ${MONEY} } claimTotal { ${MONEY} } difference { ${MONEY} }
  outcomes { outcome count bankTotal { amount } claimTotal { amount } difference { amount } }`;
const ROW = `id position outcome reference claimLine programId accrualIds customerRef eventId reason
  bankAmount { amount } claimAmount { amount } difference { amount }`;
const IMPORT = `mutation($i: ImportPartnerClaimInput!) { importPartnerClaim(input: $i) {
  claimId encoding rowCount issues { line field reason } summary { ${SUMMARY} } } }`;
const RECONCILIATION = `query($s: ID!, $first: Int, $after: String, $f: ReconciliationRowsFilter) {
  reconciliation(statementId: $s, first: $first, after: $after, filter: $f) { statementId summary { ${SUMMARY} }
  rows { totalCount pageInfo { hasNextPage endCursor } edges { node { ${ROW} } } } } }`;
const SET_MAPPING = `mutation($i: SetClaimMappingInput!) { setClaimMapping(input: $i) {
  partnerId reference amount referenceKind customerRef eventId description version } }`;
const MAPPING_Q = `query($p: ID!) { claimMapping(partnerId: $p) { partnerId reference amount version } }`;
const DISPUTE_FIELDS = `id statementId partnerId reconciliationRowId status reason raisedById raisedBySide adjustmentId
  decidedById decisionReason version comments { authorId side body }`;
const RAISE = `mutation($i: RaiseDisputeInput!) { raiseDispute(input: $i) { ${DISPUTE_FIELDS} } }`;
const COMMENT = `mutation($i: CommentOnDisputeInput!) { commentOnDispute(input: $i) { id side body } }`;
const RESOLVE = `mutation($i: ResolveDisputeInput!) { resolveDispute(input: $i) { ${DISPUTE_FIELDS} } }`;
const REJECT_DISPUTE = `mutation($i: RejectDisputeInput!) { rejectDispute(input: $i) { ${DISPUTE_FIELDS} } }`;
const DISPUTE = `query($id: ID!) { dispute(id: $id) { ${DISPUTE_FIELDS} } }`;
const DISPUTES = `query($f: DisputesFilter, $first: Int) { disputes(first: $first, filter: $f) { totalCount
  edges { node { id partnerId status } } } }`;
const ADJ_FIELDS = `id partnerId programId disputeId status reason preparedById approvedById rejectedById rejectReason
  postedPeriodId accrualId version amount { ${MONEY} }`;
const PREPARE_ADJ = `mutation($i: PrepareAdjustmentInput!) { prepareAdjustment(input: $i) { ${ADJ_FIELDS} } }`;
const APPROVE_ADJ = `mutation($id: ID!) { approveAdjustment(id: $id) { ${ADJ_FIELDS} } }`;
const REJECT_ADJ = `mutation($i: RejectAdjustmentInput!) { rejectAdjustment(input: $i) { ${ADJ_FIELDS} } }`;
const ADJUSTMENT = `query($id: ID!) { adjustment(id: $id) { ${ADJ_FIELDS} } }`;
const ADJUSTMENTS = `query($f: AdjustmentsFilter) { adjustments(first: 50, filter: $f) { totalCount edges { node { id status } } } }`;
const STATEMENT_FIELDS = `id number partnerId periodId status accrualCount linesTotal { amount }
  lines { programId ruleId accrualCount amount { amount } }`;
const GENERATE = `mutation($p: ID!) { generateStatements(periodId: $p) { ${STATEMENT_FIELDS} } }`;
const STATEMENT = `query($id: ID!) { statement(id: $id) { ${STATEMENT_FIELDS} } }`;
const STATEMENTS = `query($f: StatementsFilter) { statements(first: 50, filter: $f) { totalCount edges { node { id status } } } }`;
const PREPARE_ST = `mutation($id: ID!) { prepareStatement(id: $id) { id status } }`;
const APPROVE_ST = `mutation($id: ID!) { approveStatement(id: $id) { id status } }`;
const TRANSITION = `mutation($i: TransitionPeriodInput!) { transitionPeriod(input: $i) { id status } }`;

interface Money {
  amount: string;
  currency?: string;
}
interface Summary {
  statementId: string;
  claimId: string;
  format: string;
  encoding: string;
  fileName: string | null;
  claimRowCount: number;
  balanced: boolean;
  bankTotal: Money;
  claimTotal: Money;
  difference: Money;
  outcomes: { outcome: string; count: number; bankTotal: Money; claimTotal: Money; difference: Money }[];
}
interface Row {
  id: string;
  position: number;
  outcome: string;
  reference: string;
  claimLine: number | null;
  programId: string | null;
  accrualIds: string[];
  customerRef: string | null;
  eventId: string | null;
  reason: string;
  bankAmount: Money;
  claimAmount: Money;
  difference: Money;
}
interface ImportResult {
  importPartnerClaim: {
    claimId: string;
    encoding: string;
    rowCount: number;
    issues: { line: number; field: string; reason: string }[];
    summary: Summary;
  };
}
interface RecResult {
  reconciliation: {
    statementId: string;
    summary: Summary | null;
    rows: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Row }[] };
  };
}
interface DisputeNode {
  id: string;
  statementId: string;
  partnerId: string;
  reconciliationRowId: string | null;
  status: string;
  reason: string;
  raisedById: string;
  raisedBySide: string;
  adjustmentId: string | null;
  decidedById: string | null;
  decisionReason: string | null;
  version: number;
  comments: { authorId: string; side: string; body: string }[];
}
interface AdjustmentNode {
  id: string;
  partnerId: string;
  programId: string;
  disputeId: string | null;
  status: string;
  reason: string;
  preparedById: string;
  approvedById: string | null;
  rejectedById: string | null;
  rejectReason: string | null;
  postedPeriodId: string | null;
  accrualId: string | null;
  version: number;
  amount: Money;
}
interface StatementNode {
  id: string;
  number: string;
  partnerId: string;
  periodId: string;
  status: string;
  accrualCount: number;
  linesTotal: Money;
  lines: { programId: string; ruleId: string; accrualCount: number; amount: Money }[];
}

/** Outcome → [count, bank fen, claim fen, difference fen] from a summary. */
function outcomesOf(s: Summary): Record<string, [number, bigint, bigint, bigint]> {
  return Object.fromEntries(
    s.outcomes.map((o) => [
      o.outcome,
      [o.count, fenOf(o.bankTotal.amount), fenOf(o.claimTotal.amount), fenOf(o.difference.amount)],
    ]),
  );
}

describe.each(databases())('claims, reconciliation, disputes and adjustments on %s', (db) => {
  let t: TestApp;
  let fx: CommissionFixture;
  let jan: string;
  let feb: string;
  let bj: StatementNode;
  let sh: StatementNode;
  let users: Record<string, string>;
  let outcomesClaimId: string;
  let mismatchRow: Row;
  let dispute: DisputeNode;

  const gql = <T>(q: string, v: Record<string, unknown>, as: string): Promise<GqlResponse<T>> => t.gql<T>(q, v, as);
  const importClaim = (
    statementId: string,
    file: string,
    as: string,
    extra: Record<string, unknown> = {},
  ): Promise<GqlResponse<ImportResult>> =>
    gql<ImportResult>(
      IMPORT,
      {
        i: { statementId, format: 'CSV', contentBase64: fixture(file), fileName: file, mapping: MAPPING, ...extra },
      },
      as,
    );
  const reconciliationOf = async (statementId: string, as = 'finance'): Promise<RecResult['reconciliation']> =>
    ok(await gql<RecResult>(RECONCILIATION, { s: statementId, first: 100 }, as)).reconciliation;
  const userId = async (username: string): Promise<string> => {
    const data = ok(await gql<{ me: { id: string } }>('{ me { id } }', {}, username));
    return data.me.id;
  };

  beforeAll(async () => {
    t = await TestApp.start(db);
    t.clock.set('2026-02-15T04:00:00Z');
    fx = await setupCommissions(t);
    await t.createUser('approver2', Role.FINANCE_APPROVER);
    jan = await openPeriod(t, '2026-01');
    await createPlan(t, {
      partnerId: fx.bank.partnerBj,
      programId: fx.progBj,
      rules: [rule({ basis: { kind: 'FLAT_PER_EVENT', amount: '12.34' } })],
    });
    await createPlan(t, {
      partnerId: fx.bank.partnerSh,
      programId: fx.progSh,
      rules: [rule({ basis: { kind: 'FLAT_PER_EVENT', amount: '7.77' } })],
    });
    const c = await customers(t, fx.bank, ['a', 'b', 'c', 'd', 'e']);
    const id = (n: string): string => c.get(n) as string;
    await record(
      t,
      [
        { id: 'EV-R-001', customer: id('a'), at: '2026-01-03T02:00:00Z' },
        { id: 'EV-R-002', customer: id('b'), at: '2026-01-04T02:00:00Z' },
        { id: 'EV-R-003', customer: id('c'), at: '2026-01-05T02:00:00Z' },
        { id: 'EV-R-004', customer: id('d'), at: '2026-01-06T02:00:00Z' },
        { id: 'EV-S-001', customer: id('e'), at: '2026-01-07T02:00:00Z', program: fx.progSh },
        // February: one more line for Beijing, so the next statement carries both kinds of line.
        { id: 'EV-R-005', customer: id('a'), at: '2026-02-03T02:00:00Z' },
      ],
      fx.progBj,
    );
    await runAndWait(t, jan, [fx.bank.partnerBj, fx.bank.partnerSh]);
    const list = ok(
      await gql<{ generateStatements: StatementNode[] }>(GENERATE, { p: jan }, 'finance'),
    ).generateStatements;
    [bj, sh] = list as [StatementNode, StatementNode];
    users = {};
    for (const u of ['finance', 'approver', 'approver2', 'admin', 'partner-bj', 'partner-sh'])
      users[u] = await userId(u);
  }, 180_000);
  afterAll(() => t.close());

  it('maps entities to exactly the migrated schema', async () => {
    const sql = await t.dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('partner users never see a DRAFT statement (by id, list or export), then see their own once prepared', async () => {
    expect(bj).toMatchObject({ number: 'ST-2026-01-P-BJ', status: 'DRAFT', accrualCount: 4 });
    expect(fenOf(bj.linesTotal.amount)).toBe(4n * 1234n);
    type List = { statements: { totalCount: number; edges: { node: { id: string } }[] } };
    expect(errorOf(await gql(STATEMENT, { id: bj.id }, 'partner-bj')).code).toBe('NOT_FOUND');
    expect(ok(await gql<List>(STATEMENTS, {}, 'partner-bj')).statements.totalCount).toBe(0);
    expect(ok(await gql<List>(STATEMENTS, { f: { statuses: ['DRAFT'] } }, 'partner-bj')).statements.edges).toEqual([]);
    const bearer = `Bearer ${await t.tokenFor('partner-bj')}`;
    expect((await t.http().get(`/statements/${bj.id}/export.csv`).set('authorization', bearer)).status).toBe(404);
    // Bank users still see drafts.
    expect(ok(await gql<List>(STATEMENTS, { f: { periodIds: [jan] } }, 'finance')).statements.totalCount).toBe(2);

    ok(await gql(PREPARE_ST, { id: bj.id }, 'finance'));
    expect(ok(await gql<{ statement: StatementNode }>(STATEMENT, { id: bj.id }, 'partner-bj')).statement.id).toBe(
      bj.id,
    );
    const own = ok(await gql<List>(STATEMENTS, {}, 'partner-bj')).statements;
    expect(own.edges.map((e) => e.node.id)).toEqual([bj.id]);
    expect((await t.http().get(`/statements/${bj.id}/export.csv`).set('authorization', bearer)).status).toBe(200);
    // Shanghai's statement stays a draft: hidden from its own partner, and Beijing never sees it.
    expect(errorOf(await gql(STATEMENT, { id: sh.id }, 'partner-sh')).code).toBe('NOT_FOUND');
    expect(errorOf(await gql(STATEMENT, { id: bj.id }, 'partner-sh')).code).toBe('NOT_FOUND');
  });

  it('saves the claim mapping per partner; partner users only for themselves', async () => {
    expect(ok(await gql<{ claimMapping: null }>(MAPPING_Q, { p: fx.bank.partnerBj }, 'partner-bj')).claimMapping).toBe(
      null,
    );
    const saved = ok(
      await gql<{ setClaimMapping: { partnerId: string; reference: string; amount: string; version: number } }>(
        SET_MAPPING,
        { i: { partnerId: fx.bank.partnerBj, mapping: MAPPING } },
        'partner-bj',
      ),
    ).setClaimMapping;
    expect(saved).toMatchObject({
      partnerId: fx.bank.partnerBj,
      reference: '推荐编号',
      amount: '佣金金额',
      version: 1,
    });
    expect(
      errorOf(await gql(SET_MAPPING, { i: { partnerId: fx.bank.partnerSh, mapping: MAPPING } }, 'partner-bj')).code,
    ).toBe('NOT_FOUND');
    expect(errorOf(await gql(MAPPING_Q, { p: fx.bank.partnerBj }, 'partner-sh')).code).toBe('NOT_FOUND');
    expect(
      errorOf(await gql(SET_MAPPING, { i: { partnerId: fx.bank.partnerBj, mapping: MAPPING } }, 'analyst')).code,
    ).toBe('FORBIDDEN');
    const again = ok(
      await gql<{ setClaimMapping: { version: number } }>(
        SET_MAPPING,
        { i: { partnerId: fx.bank.partnerBj, mapping: MAPPING } },
        'finance',
      ),
    ).setClaimMapping;
    expect(again.version).toBe(2);
    expect(
      ok(await gql<{ claimMapping: { version: number } }>(MAPPING_Q, { p: fx.bank.partnerBj }, 'manager-bj'))
        .claimMapping.version,
    ).toBe(2);
  });

  it('reconciles a UTF-8 claim file: every outcome with its difference and reason, totals to the fen', async () => {
    // The partner imports with its saved mapping (no mapping in the request).
    const res = ok(
      await gql<ImportResult>(
        IMPORT,
        {
          i: {
            statementId: bj.id,
            format: 'CSV',
            contentBase64: fixture('claim-outcomes.utf8.csv'),
            fileName: 'claim-outcomes.utf8.csv',
          },
        },
        'partner-bj',
      ),
    ).importPartnerClaim;
    outcomesClaimId = res.claimId;
    expect(res).toMatchObject({ encoding: 'UTF-8', rowCount: 4 });
    // The repeated reference is stored (it is the DUPLICATE_IN_CLAIM outcome) and reported.
    expect(res.issues).toEqual([{ line: 5, field: 'reference', reason: 'DUPLICATE_REFERENCE' }]);
    expect(outcomesOf(res.summary)).toEqual({
      MATCHED: [1, 1234n, 1234n, 0n],
      AMOUNT_MISMATCH: [1, 1234n, 100000n, 98766n],
      MISSING_IN_BANK: [1, 0n, 500n, 500n],
      MISSING_IN_CLAIM: [2, 2468n, 0n, -2468n],
      DUPLICATE_IN_CLAIM: [1, 0n, 1234n, 1234n],
    });
    // The bank side adds up to the statement, the claim side to the file.
    expect(fenOf(res.summary.bankTotal.amount)).toBe(fenOf(bj.linesTotal.amount));
    expect(fenOf(res.summary.claimTotal.amount)).toBe(1234n + 100000n + 500n + 1234n);
    expect(fenOf(res.summary.difference.amount)).toBe(1234n + 100000n + 500n + 1234n - 4n * 1234n);
    expect(res.summary.balanced).toBe(false);

    const rec = await reconciliationOf(bj.id, 'partner-bj');
    expect(rec.summary?.claimId).toBe(res.claimId);
    const rows = rec.rows.edges.map((e) => e.node);
    expect(rec.rows.totalCount).toBe(6);
    expect(
      rows.map((r) => [r.position, r.outcome, r.reference, r.claimLine, r.reason, fenOf(r.difference.amount)]),
    ).toEqual([
      [1, 'MATCHED', 'EV-R-001', 2, 'AMOUNTS_EQUAL', 0n],
      [2, 'AMOUNT_MISMATCH', 'EV-R-002', 3, 'CLAIM_EXCEEDS_STATEMENT', 98766n],
      [3, 'MISSING_IN_BANK', 'EV-X-999', 4, 'NOT_ON_STATEMENT', 500n],
      [4, 'DUPLICATE_IN_CLAIM', 'EV-R-001', 5, 'REPEATS_LINE_2', 1234n],
      [5, 'MISSING_IN_CLAIM', 'EV-R-003', null, 'NOT_CLAIMED', -1234n],
      [6, 'MISSING_IN_CLAIM', 'EV-R-004', null, 'NOT_CLAIMED', -1234n],
    ]);
    mismatchRow = rows[1] as Row;
    expect(mismatchRow.programId).toBe(fx.progBj);
    expect(mismatchRow.eventId).toBe('EV-R-002');
    expect(mismatchRow.accrualIds).toHaveLength(1);

    // Paginated and filtered.
    const page1 = ok(await gql<RecResult>(RECONCILIATION, { s: bj.id, first: 4 }, 'finance')).reconciliation.rows;
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = ok(
      await gql<RecResult>(RECONCILIATION, { s: bj.id, first: 4, after: page1.pageInfo.endCursor }, 'finance'),
    ).reconciliation.rows;
    expect([...page1.edges, ...page2.edges].map((e) => e.node.position)).toEqual([1, 2, 3, 4, 5, 6]);
    const missing = ok(
      await gql<RecResult>(RECONCILIATION, { s: bj.id, first: 10, f: { outcomes: ['MISSING_IN_CLAIM'] } }, 'finance'),
    ).reconciliation.rows;
    expect(missing.edges.map((e) => e.node.reference)).toEqual(['EV-R-003', 'EV-R-004']);
  });

  it('the same claim in GBK gives the same reconciliation; claims by customer number match too', async () => {
    const gbk = ok(await importClaim(bj.id, 'claim-outcomes.gbk.csv', 'finance')).importPartnerClaim;
    expect(gbk.encoding).toBe('GB18030');
    const utf8 = await reconciliationOf(bj.id);
    expect(outcomesOf(gbk.summary)).toEqual({
      MATCHED: [1, 1234n, 1234n, 0n],
      AMOUNT_MISMATCH: [1, 1234n, 100000n, 98766n],
      MISSING_IN_BANK: [1, 0n, 500n, 500n],
      MISSING_IN_CLAIM: [2, 2468n, 0n, -2468n],
      DUPLICATE_IN_CLAIM: [1, 0n, 1234n, 1234n],
    });
    expect(utf8.rows.edges.map((e) => [e.node.outcome, e.node.reference])).toEqual([
      ['MATCHED', 'EV-R-001'],
      ['AMOUNT_MISMATCH', 'EV-R-002'],
      ['MISSING_IN_BANK', 'EV-X-999'],
      ['DUPLICATE_IN_CLAIM', 'EV-R-001'],
      ['MISSING_IN_CLAIM', 'EV-R-003'],
      ['MISSING_IN_CLAIM', 'EV-R-004'],
    ]);
    // An XLSX claim keyed by customer number (客户) for one line and by event for the others.
    const rows = (await reconciliationOf(bj.id)).rows.edges.map((e) => e.node);
    const customerOf = rows.find((r) => r.reference === 'EV-R-003')?.customerRef;
    expect(customerOf).toMatch(/^CN\d{8}$/);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('对账');
    ws.addRow(['编号', '类型', '金额']);
    ws.addRow(['EV-R-001', '事件', 12.34]);
    ws.addRow(['EV-R-002', '事件', '12.34']);
    ws.addRow([customerOf, '客户', 12.34]);
    ws.addRow(['EV-R-004', 'EVENT', 12.34]);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
    const res = ok(
      await gql<ImportResult>(
        IMPORT,
        {
          i: {
            statementId: bj.id,
            format: 'XLSX',
            contentBase64: xlsx,
            mapping: { reference: '编号', amount: '金额', referenceKind: '类型' },
          },
        },
        'finance',
      ),
    ).importPartnerClaim;
    expect(res.encoding).toBe('XLSX');
    expect(res.summary.balanced).toBe(true);
    expect(outcomesOf(res.summary).MATCHED).toEqual([4, 4936n, 4936n, 0n]);
    // An explicit mapping is not saved unless asked.
    expect(
      ok(await gql<{ claimMapping: { reference: string } }>(MAPPING_Q, { p: fx.bank.partnerBj }, 'finance'))
        .claimMapping.reference,
    ).toBe('推荐编号');
    // A GBK file with full-width digits (１２．３４) and a full-width yen sign balances too.
    const balanced = ok(await importClaim(bj.id, 'claim-balanced.gbk.csv', 'partner-bj')).importPartnerClaim;
    expect(balanced).toMatchObject({ encoding: 'GB18030', rowCount: 4, issues: [] });
    expect(balanced.summary.balanced).toBe(true);
    expect(outcomesOf(balanced.summary).MATCHED).toEqual([4, 4936n, 4936n, 0n]);
    expect((await reconciliationOf(bj.id)).rows.totalCount).toBe(4);
    // Back to the outcomes claim (the one the dispute below points at).
    outcomesClaimId = ok(await importClaim(bj.id, 'claim-outcomes.utf8.csv', 'partner-bj')).importPartnerClaim.claimId;
    mismatchRow = (await reconciliationOf(bj.id)).rows.edges.map((e) => e.node)[1] as Row;
  });

  it('bad files get a clear report and change nothing', async () => {
    const claimsBefore = await t.dataSource.getRepository(SettlementClaimEntity).count();
    const bad = errorOf(await importClaim(bj.id, 'claim-bad-rows.utf8.csv', 'partner-bj'));
    expect(bad).toMatchObject({ code: 'BAD_USER_INPUT', field: 'contentBase64', reason: 'INVALID_ROWS' });
    expect(bad.rows).toEqual([
      { line: 3, field: 'reference', reason: 'REQUIRED' },
      { line: 4, field: 'amount', reason: 'TOO_MANY_DECIMALS' },
      { line: 5, field: 'amount', reason: expect.any(String) },
    ]);
    expect(errorOf(await importClaim(bj.id, 'claim-wrong-columns.utf8.csv', 'partner-bj'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'mapping.reference',
      reason: 'MISSING_COLUMN',
      column: '推荐编号',
    });
    expect(errorOf(await importClaim(bj.id, 'claim-broken-utf8.csv', 'partner-bj'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'BROKEN_UTF8',
    });
    // Neither UTF-8 nor GBK: a GBK file with a lead byte cut off from its trail byte.
    expect(errorOf(await importClaim(bj.id, 'claim-broken-gbk.csv', 'partner-bj'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'file',
      reason: 'UNKNOWN_ENCODING',
    });
    expect(
      errorOf(
        await gql(IMPORT, { i: { statementId: bj.id, format: 'CSV', contentBase64: '%%%not base64%%%' } }, 'finance'),
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_BASE64' });
    expect(
      errorOf(
        await gql(
          IMPORT,
          { i: { statementId: bj.id, format: 'XLSX', contentBase64: fixture('claim-outcomes.utf8.csv') } },
          'finance',
        ),
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_XLSX' });
    // Shanghai has no saved mapping.
    ok(await gql(PREPARE_ST, { id: sh.id }, 'finance'));
    expect(
      errorOf(
        await gql(
          IMPORT,
          { i: { statementId: sh.id, format: 'CSV', contentBase64: fixture('claim-outcomes.utf8.csv') } },
          'partner-sh',
        ),
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mapping', reason: 'REQUIRED' });
    expect(await t.dataSource.getRepository(SettlementClaimEntity).count()).toBe(claimsBefore);
    expect((await reconciliationOf(bj.id)).summary?.claimId).toBe(outcomesClaimId);
  });

  it('a partner user cannot reach another partner’s statement, claim or reconciliation by any path', async () => {
    expect(errorOf(await gql(STATEMENT, { id: bj.id }, 'partner-sh')).code).toBe('NOT_FOUND');
    type List = { statements: { edges: { node: { id: string } }[] } };
    expect(
      ok(await gql<List>(STATEMENTS, { f: { partnerIds: [fx.bank.partnerBj] } }, 'partner-sh')).statements.edges,
    ).toEqual([]);
    expect(errorOf(await gql(RECONCILIATION, { s: bj.id }, 'partner-sh')).code).toBe('NOT_FOUND');
    expect(errorOf(await importClaim(bj.id, 'claim-outcomes.utf8.csv', 'partner-sh')).code).toBe('NOT_FOUND');
    expect(errorOf(await gql(RECONCILIATION, { s: sh.id }, 'partner-bj')).code).toBe('NOT_FOUND');
    const bearer = `Bearer ${await t.tokenFor('partner-sh')}`;
    for (const ext of ['csv', 'xlsx'])
      expect((await t.http().get(`/statements/${bj.id}/export.${ext}`).set('authorization', bearer)).status).toBe(404);
    // A manager of another branch is scoped the same way.
    expect(errorOf(await gql(RECONCILIATION, { s: bj.id }, 'manager-sh')).code).toBe('NOT_FOUND');
    // No claim yet on Shanghai's statement: an empty reconciliation.
    const none = await reconciliationOf(sh.id, 'partner-sh');
    expect(none.summary).toBeNull();
    expect(none.rows.totalCount).toBe(0);
  });

  it('disputes: the partner raises one on a row, both sides comment, other partners see nothing', async () => {
    dispute = ok(
      await gql<{ raiseDispute: DisputeNode }>(
        RAISE,
        { i: { statementId: bj.id, reconciliationRowId: mismatchRow.id, reason: 'EV-R-002 应为 1,000.00 元' } },
        'partner-bj',
      ),
    ).raiseDispute;
    expect(dispute).toMatchObject({
      status: 'OPEN',
      partnerId: fx.bank.partnerBj,
      reconciliationRowId: mismatchRow.id,
      raisedBySide: 'PARTNER',
      raisedById: users['partner-bj'],
    });
    ok(await gql(COMMENT, { i: { disputeId: dispute.id, body: '合同约定为 12.34 元/笔' } }, 'finance'));
    ok(await gql(COMMENT, { i: { disputeId: dispute.id, body: '补充材料已上传' } }, 'partner-bj'));
    const seen = ok(await gql<{ dispute: DisputeNode }>(DISPUTE, { id: dispute.id }, 'partner-bj')).dispute;
    expect(seen.comments.map((c) => [c.side, c.body, c.authorId])).toEqual([
      ['BANK', '合同约定为 12.34 元/笔', users.finance],
      ['PARTNER', '补充材料已上传', users['partner-bj']],
    ]);

    // Another partner: not by id, not in lists, cannot comment, cannot raise on the statement.
    expect(errorOf(await gql(DISPUTE, { id: dispute.id }, 'partner-sh')).code).toBe('NOT_FOUND');
    type Disputes = { disputes: { totalCount: number; edges: { node: { id: string } }[] } };
    expect(ok(await gql<Disputes>(DISPUTES, { f: { statementIds: [bj.id] } }, 'partner-sh')).disputes.totalCount).toBe(
      0,
    );
    expect(ok(await gql<Disputes>(DISPUTES, {}, 'partner-sh')).disputes.totalCount).toBe(0);
    expect(errorOf(await gql(COMMENT, { i: { disputeId: dispute.id, body: 'x' } }, 'partner-sh')).code).toBe(
      'NOT_FOUND',
    );
    expect(errorOf(await gql(RAISE, { i: { statementId: bj.id, reason: 'x' } }, 'partner-sh')).code).toBe('NOT_FOUND');
    // A row of another statement cannot be disputed on this one.
    const shRow = ok(await importClaim(sh.id, 'claim-outcomes.utf8.csv', 'finance')).importPartnerClaim;
    const shRows = await reconciliationOf(sh.id);
    expect(shRow.summary.outcomes.find((o) => o.outcome === 'MISSING_IN_BANK')?.count).toBe(4);
    expect(
      errorOf(
        await gql(
          RAISE,
          { i: { statementId: bj.id, reconciliationRowId: shRows.rows.edges[0]?.node.id, reason: 'x' } },
          'partner-bj',
        ),
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reconciliationRowId' });
    // Partners cannot decide disputes.
    expect(errorOf(await gql(REJECT_DISPUTE, { i: { disputeId: dispute.id, reason: 'no' } }, 'partner-bj')).code).toBe(
      'FORBIDDEN',
    );
    const own = ok(await gql<Disputes>(DISPUTES, { f: { statuses: ['OPEN'] } }, 'partner-bj')).disputes;
    expect(own.edges.map((e) => e.node.id)).toEqual([dispute.id]);
    expect(ok(await gql<Disputes>(DISPUTES, {}, 'finance')).disputes.totalCount).toBe(1);
  });

  it('a dispute is rejected with a reason; a rejected dispute takes no comments and cannot be decided again', async () => {
    const other = ok(
      await gql<{ raiseDispute: DisputeNode }>(RAISE, { i: { statementId: bj.id, reason: '总额不对' } }, 'finance'),
    ).raiseDispute;
    expect(other).toMatchObject({ raisedBySide: 'BANK', reconciliationRowId: null });
    expect(errorOf(await gql(REJECT_DISPUTE, { i: { disputeId: other.id, reason: '' } }, 'approver')).code).toBe(
      'BAD_USER_INPUT',
    );
    const rejected = ok(
      await gql<{ rejectDispute: DisputeNode }>(
        REJECT_DISPUTE,
        { i: { disputeId: other.id, reason: '与台账一致' } },
        'approver',
      ),
    ).rejectDispute;
    expect(rejected).toMatchObject({ status: 'REJECTED', decisionReason: '与台账一致', decidedById: users.approver });
    expect(errorOf(await gql(COMMENT, { i: { disputeId: other.id, body: '?' } }, 'partner-bj'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'DISPUTE_CLOSED',
    });
    expect(
      errorOf(await gql(REJECT_DISPUTE, { i: { disputeId: other.id, reason: 'again' } }, 'finance')),
    ).toMatchObject({ code: 'CONFLICT', rule: 'DISPUTE_CLOSED' });
    // An adjustment cannot settle a closed dispute.
    expect(
      errorOf(
        await gql(
          PREPARE_ADJ,
          { i: { partnerId: fx.bank.partnerBj, amount: { amount: '1.00' }, reason: 'x', disputeId: other.id } },
          'finance',
        ),
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'disputeId', reason: 'DISPUTE_CLOSED' });
  });

  it('adjustments under four eyes: roles, the preparer never decides (service and CHECK), reasons required', async () => {
    const prepare = (amount: string, as: string, extra: Record<string, unknown> = {}): Promise<GqlResponse<unknown>> =>
      gql(PREPARE_ADJ, { i: { partnerId: fx.bank.partnerBj, amount: { amount }, reason: '对账差异', ...extra } }, as);
    expect(errorOf(await prepare('1.00', 'approver')).code).toBe('FORBIDDEN');
    expect(errorOf(await prepare('1.00', 'partner-bj')).code).toBe('FORBIDDEN');
    expect(errorOf(await prepare('0.00', 'finance', { programId: fx.progBj }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'ZERO',
    });
    expect(errorOf(await prepare('1.00', 'finance'))).toMatchObject({ field: 'programId', reason: 'REQUIRED' });
    expect(errorOf(await prepare('1.00', 'finance', { programId: fx.progSh }))).toMatchObject({
      field: 'programId',
      reason: 'NOT_OF_PARTNER',
    });
    expect(errorOf(await prepare('1.005', 'finance', { programId: fx.progBj })).code).toBe('BAD_USER_INPUT');

    const own = ok(
      await gql<{ prepareAdjustment: AdjustmentNode }>(
        PREPARE_ADJ,
        { i: { partnerId: fx.bank.partnerBj, amount: { amount: '9.99' }, reason: 'self', programId: fx.progBj } },
        'admin',
      ),
    ).prepareAdjustment;
    expect(own).toMatchObject({ status: 'PREPARED', preparedById: users.admin, approvedById: null });
    expect(errorOf(await gql(APPROVE_ADJ, { id: own.id }, 'admin'))).toMatchObject({
      code: 'FORBIDDEN',
      rule: 'FOUR_EYES',
    });
    expect(errorOf(await gql(REJECT_ADJ, { i: { id: own.id, reason: 'self' } }, 'admin'))).toMatchObject({
      code: 'FORBIDDEN',
      rule: 'FOUR_EYES',
    });
    expect(errorOf(await gql(APPROVE_ADJ, { id: own.id }, 'finance')).code).toBe('FORBIDDEN');
    // The data model refuses it too, whatever code path writes.
    await expect(
      t.dataSource
        .createQueryBuilder()
        .update(SettlementAdjustmentEntity)
        .set({ status: 'APPROVED', approvedById: users.admin, approvedAt: new Date() })
        .where('id = :id', { id: own.id })
        .execute(),
    ).rejects.toThrow(/CHECK|constraint/i);
    expect(errorOf(await gql(REJECT_ADJ, { i: { id: own.id, reason: '' } }, 'approver')).code).toBe('BAD_USER_INPUT');
    const rejected = ok(
      await gql<{ rejectAdjustment: AdjustmentNode }>(REJECT_ADJ, { i: { id: own.id, reason: '无依据' } }, 'approver'),
    ).rejectAdjustment;
    expect(rejected).toMatchObject({ status: 'REJECTED', rejectReason: '无依据', rejectedById: users.approver });
    expect(rejected.postedPeriodId).toBeNull();
    expect(errorOf(await gql(APPROVE_ADJ, { id: own.id }, 'approver2'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'ADJUSTMENT_STATUS',
    });
    // Partner users see approved adjustments only.
    expect(errorOf(await gql(ADJUSTMENT, { id: own.id }, 'partner-bj')).code).toBe('NOT_FOUND');
  });

  it('an approved adjustment settles the dispute; with no open period nothing is half-applied', async () => {
    const adj = ok(
      await gql<{ prepareAdjustment: AdjustmentNode }>(
        PREPARE_ADJ,
        {
          i: { partnerId: fx.bank.partnerBj, amount: { amount: '3.21' }, reason: '补发差额', disputeId: dispute.id },
        },
        'finance',
      ),
    ).prepareAdjustment;
    // The program defaults to the disputed row's.
    expect(adj).toMatchObject({ status: 'PREPARED', programId: fx.progBj, disputeId: dispute.id });
    expect(fenOf(adj.amount.amount)).toBe(321n);

    // No period after January is open yet: CONFLICT, and the adjustment is still PREPARED.
    expect(errorOf(await gql(APPROVE_ADJ, { id: adj.id }, 'approver'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'NO_OPEN_PERIOD',
    });
    const still = await t.dataSource.getRepository(SettlementAdjustmentEntity).findOneByOrFail({ id: adj.id });
    expect([still.status, still.approvedById, still.accrualId]).toEqual(['PREPARED', null, null]);
    expect(ok(await gql<{ dispute: DisputeNode }>(DISPUTE, { id: dispute.id }, 'finance')).dispute.status).toBe('OPEN');

    feb = await openPeriod(t, '2026-02');
    const approved = ok(
      await gql<{ approveAdjustment: AdjustmentNode }>(APPROVE_ADJ, { id: adj.id }, 'approver'),
    ).approveAdjustment;
    expect(approved).toMatchObject({ status: 'APPROVED', approvedById: users.approver, postedPeriodId: feb });
    const line = await t.dataSource
      .getRepository(CommissionAccrualEntity)
      .findOneByOrFail({ id: approved.accrualId as string });
    expect(line).toMatchObject({
      kind: 'ADJUSTMENT',
      periodId: feb,
      factPeriodKey: '2026-01',
      partnerId: fx.bank.partnerBj,
      programId: fx.progBj,
      planId: null,
      customerId: null,
      amount: 321n,
      reversal: false,
    });
    const settled = ok(await gql<{ dispute: DisputeNode }>(DISPUTE, { id: dispute.id }, 'partner-bj')).dispute;
    expect(settled).toMatchObject({ status: 'RESOLVED', adjustmentId: adj.id, decidedById: users.approver });
    expect(ok(await gql<{ adjustment: AdjustmentNode }>(ADJUSTMENT, { id: adj.id }, 'partner-bj')).adjustment.id).toBe(
      adj.id,
    );
    expect(errorOf(await gql(ADJUSTMENT, { id: adj.id }, 'partner-sh')).code).toBe('NOT_FOUND');
    // resolveDispute on a settled dispute is a CONFLICT.
    expect(
      errorOf(await gql(RESOLVE, { i: { disputeId: dispute.id, adjustmentId: adj.id } }, 'finance')),
    ).toMatchObject({ code: 'CONFLICT', rule: 'DISPUTE_CLOSED' });
  });

  it('resolveDispute takes an approved adjustment of the same partner', async () => {
    const d = ok(
      await gql<{ raiseDispute: DisputeNode }>(
        RAISE,
        { i: { statementId: bj.id, reason: 'EV-R-003 未结算' } },
        'partner-bj',
      ),
    ).raiseDispute;
    const adj = ok(
      await gql<{ prepareAdjustment: AdjustmentNode }>(
        PREPARE_ADJ,
        { i: { partnerId: fx.bank.partnerBj, amount: { amount: '-1.05' }, reason: '冲减', programId: fx.progBj } },
        'finance',
      ),
    ).prepareAdjustment;
    expect(errorOf(await gql(RESOLVE, { i: { disputeId: d.id, adjustmentId: adj.id } }, 'finance'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'NOT_APPROVED',
    });
    // Two approvers racing, sent concurrently: exactly one wins, the other gets CONFLICT.
    const results = await Promise.all([
      gql<{ approveAdjustment: AdjustmentNode }>(APPROVE_ADJ, { id: adj.id }, 'approver'),
      gql<{ approveAdjustment: AdjustmentNode }>(APPROVE_ADJ, { id: adj.id }, 'approver2'),
    ]);
    const winners = results.filter((r) => !r.errors?.length);
    const losers = results.filter((r) => r.errors?.length);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(errorOf(losers[0] as GqlResponse<unknown>)).toMatchObject({ code: 'CONFLICT', rule: 'ADJUSTMENT_STATUS' });
    // Posted exactly once, one approval in the audit trail.
    expect(await t.dataSource.getRepository(CommissionAccrualEntity).countBy({ idempotencyKey: `ADJ|${adj.id}` })).toBe(
      1,
    );
    expect(
      await t.dataSource.getRepository(AuditRecordEntity).countBy({ entityId: adj.id, action: 'adjustment.approve' }),
    ).toBe(1);
    const resolved = ok(
      await gql<{ resolveDispute: DisputeNode }>(
        RESOLVE,
        { i: { disputeId: d.id, adjustmentId: adj.id, note: '已冲减' } },
        'finance',
      ),
    ).resolveDispute;
    expect(resolved).toMatchObject({ status: 'RESOLVED', adjustmentId: adj.id, decisionReason: '已冲减' });

    // An approve racing a reject: one wins.
    const adj2 = ok(
      await gql<{ prepareAdjustment: AdjustmentNode }>(
        PREPARE_ADJ,
        { i: { partnerId: fx.bank.partnerSh, amount: { amount: '2.00' }, reason: '补差', programId: fx.progSh } },
        'finance',
      ),
    ).prepareAdjustment;
    const mixed = await Promise.all([
      gql(APPROVE_ADJ, { id: adj2.id }, 'approver'),
      gql(REJECT_ADJ, { i: { id: adj2.id, reason: '重复' } }, 'approver2'),
    ]);
    expect(mixed.filter((r) => !r.errors?.length)).toHaveLength(1);
    expect(errorOf(mixed.find((r) => r.errors?.length) as GqlResponse<unknown>)).toMatchObject({
      code: 'CONFLICT',
      rule: 'ADJUSTMENT_STATUS',
    });
    const final = await t.dataSource.getRepository(SettlementAdjustmentEntity).findOneByOrFail({ id: adj2.id });
    expect(
      await t.dataSource.getRepository(CommissionAccrualEntity).countBy({ idempotencyKey: `ADJ|${adj2.id}` }),
    ).toBe(final.status === 'APPROVED' ? 1 : 0);
    type Adjs = { adjustments: { totalCount: number; edges: { node: { id: string; status: string } }[] } };
    const partnerView = ok(await gql<Adjs>(ADJUSTMENTS, {}, 'partner-bj')).adjustments;
    expect(partnerView.edges.every((e) => e.node.status === 'APPROVED')).toBe(true);
    expect(partnerView.totalCount).toBe(2);
  });

  it('approved adjustments land on the next period’s statement to the fen, never in the closed one', async () => {
    const janBefore = sum(await accruals(t, { periodId: jan, partnerIds: [fx.bank.partnerBj] }));
    expect(janBefore).toBe(4n * 1234n);
    // Close January.
    for (const s of [bj, sh]) ok(await gql(APPROVE_ST, { id: s.id }, 'approver'));
    ok(await gql(TRANSITION, { i: { periodId: jan, to: 'APPROVED' } }, 'approver'));
    ok(await gql(TRANSITION, { i: { periodId: jan, to: 'CLOSED' } }, 'approver'));
    // Approved after the close: still February, never January.
    const late = ok(
      await gql<{ prepareAdjustment: AdjustmentNode }>(
        PREPARE_ADJ,
        { i: { partnerId: fx.bank.partnerBj, amount: { amount: '0.07' }, reason: '尾差', programId: fx.progBj } },
        'finance',
      ),
    ).prepareAdjustment;
    const posted = ok(
      await gql<{ approveAdjustment: AdjustmentNode }>(APPROVE_ADJ, { id: late.id }, 'approver2'),
    ).approveAdjustment;
    expect(posted.postedPeriodId).toBe(feb);
    expect(sum(await accruals(t, { periodId: jan, partnerIds: [fx.bank.partnerBj] }))).toBe(janBefore);

    // February's run leaves the adjustment rows alone (they belong to no plan), then the statement shows them.
    const run = await runAndWait(t, feb, [fx.bank.partnerBj, fx.bank.partnerSh]);
    expect(run.status).toBe('SUCCEEDED');
    const febRows = await accruals(t, { periodId: feb, partnerIds: [fx.bank.partnerBj] });
    expect(febRows.filter((r) => r.reversal)).toEqual([]);
    const febStatements = ok(
      await gql<{ generateStatements: StatementNode[] }>(GENERATE, { p: feb }, 'finance'),
    ).generateStatements;
    const febBj = febStatements.find((s) => s.partnerId === fx.bank.partnerBj) as StatementNode;
    const adjustmentLine = febBj.lines.find((l) => l.ruleId === 'ADJUSTMENT');
    expect(adjustmentLine).toMatchObject({ programId: fx.progBj, accrualCount: 3 });
    expect(fenOf(adjustmentLine?.amount.amount ?? 'x')).toBe(321n - 105n + 7n);
    expect(fenOf(febBj.linesTotal.amount)).toBe(1234n + 321n - 105n + 7n);
    expect(fenOf(febBj.linesTotal.amount)).toBe(sum(febRows));
    const febSh = febStatements.find((s) => s.partnerId === fx.bank.partnerSh) as StatementNode;
    const shAdjusted = await t.dataSource
      .getRepository(SettlementAdjustmentEntity)
      .countBy({ partnerId: fx.bank.partnerSh, status: 'APPROVED' });
    expect(febSh === undefined ? 0n : fenOf(febSh.linesTotal.amount)).toBe(BigInt(shAdjusted) * 200n);

    // The partner reconciles February, quoting the adjustments by id (and claiming nothing for them).
    const settledAdj = ok(await gql<{ dispute: DisputeNode }>(DISPUTE, { id: dispute.id }, 'finance')).dispute
      .adjustmentId as string;
    ok(await gql(PREPARE_ST, { id: febBj.id }, 'finance'));
    const claim = ['推荐编号,佣金金额,备注', 'EV-R-005,12.34,', `${settledAdj},0,`, `${posted.id},0,`].join('\n');
    const rec = ok(
      await gql<ImportResult>(
        IMPORT,
        { i: { statementId: febBj.id, format: 'CSV', contentBase64: Buffer.from(claim).toString('base64') } },
        'partner-bj',
      ),
    ).importPartnerClaim;
    expect(outcomesOf(rec.summary).MATCHED).toEqual([1, 1234n, 1234n, 0n]);
    expect(outcomesOf(rec.summary).AMOUNT_MISMATCH).toEqual([2, 321n + 7n, 0n, -(321n + 7n)]);
    expect(outcomesOf(rec.summary).MISSING_IN_CLAIM).toEqual([1, -105n, 0n, 105n]);
    expect(fenOf(rec.summary.bankTotal.amount)).toBe(fenOf(febBj.linesTotal.amount));
  });
  it('property: any claim reconciles to one row per claim row and unclaimed line, with exact totals', async () => {
    const lineFen = 1234n;
    const known = ['EV-R-001', 'EV-R-002', 'EV-R-003', 'EV-R-004'];
    const rowArb = fc.record({
      ref: fc.oneof(fc.constantFrom(...known), fc.constantFrom('EV-X-1', 'EV-X-2', 'R-不存在')),
      fen: fc.oneof(fc.constant(lineFen), fc.integer({ min: -99_999, max: 99_999 }).map(BigInt)),
      lowercase: fc.boolean(),
    });
    const yuan = (fen: bigint): string => {
      const abs = fen < 0n ? -fen : fen;
      return `${fen < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
    };
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 8 }), async (rows) => {
        const csv = [
          '推荐编号,佣金金额,备注',
          ...rows.map((r) => `${r.lowercase ? r.ref.toLowerCase() : r.ref},${yuan(r.fen)},`),
        ];
        const contentBase64 = Buffer.from(csv.join('\r\n')).toString('base64');
        const res = await gql<ImportResult>(
          IMPORT,
          { i: { statementId: bj.id, format: 'CSV', contentBase64, mapping: MAPPING } },
          'finance',
        );
        const summary = ok(res).importPartnerClaim.summary;
        // The model: the first claim of a statement line decides MATCHED / AMOUNT_MISMATCH, later ones repeat it.
        const seen = new Set<string>();
        const expected: Record<string, number> = {
          MATCHED: 0,
          AMOUNT_MISMATCH: 0,
          MISSING_IN_BANK: 0,
          MISSING_IN_CLAIM: 0,
          DUPLICATE_IN_CLAIM: 0,
        };
        const bump = (k: string): void => {
          expected[k] = (expected[k] ?? 0) + 1;
        };
        for (const r of rows) {
          if (!known.includes(r.ref)) bump('MISSING_IN_BANK');
          else if (seen.has(r.ref)) bump('DUPLICATE_IN_CLAIM');
          else bump(r.fen === lineFen ? 'MATCHED' : 'AMOUNT_MISMATCH');
          seen.add(r.ref);
        }
        expected.MISSING_IN_CLAIM = known.filter((k) => !seen.has(k)).length;
        const got = outcomesOf(summary);
        expect(Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v[0]]))).toEqual(expected);
        const claimTotal = rows.reduce((a, r) => a + r.fen, 0n);
        expect(fenOf(summary.bankTotal.amount)).toBe(4n * lineFen);
        expect(fenOf(summary.claimTotal.amount)).toBe(claimTotal);
        expect(fenOf(summary.difference.amount)).toBe(claimTotal - 4n * lineFen);
        // Per outcome, difference = claimed − statement, and the outcomes add up to the totals.
        for (const [count, bank, claim, diff] of Object.values(got)) {
          expect(diff).toBe(claim - bank);
          expect(count).toBeGreaterThanOrEqual(0);
        }
        expect(Object.values(got).reduce((a, v) => a + v[1], 0n)).toBe(4n * lineFen);
        expect(summary.balanced).toBe(expected.MATCHED === 4 && rows.length === 4);
        expect(summary.claimRowCount).toBe(rows.length);
      }),
      { numRuns: 25 },
    );
  });
});
