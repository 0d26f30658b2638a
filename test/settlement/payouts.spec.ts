import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuditRecordEntity } from '../../src/audit/entities/audit-record.entity';
import { Role } from '../../src/auth/roles';
import { checkPain001Totals, validateXml } from '../../src/settlement/iso20022';
import { PayoutEntity, PayoutSignoffEntity } from '../../src/settlement/payouts/entities/payout.entities';
import { PayoutsService } from '../../src/settlement/payouts/payouts.service';
import { TransactionService } from '../../src/database/transaction.service';
import { databases, errorOf, GqlResponse, ok, TestApp, testConfig } from '../support/harness';
import {
  createPlan,
  fenOf,
  openPeriod,
  record,
  customers,
  rule,
  runAndWait,
  setupCommissions,
} from '../commissions/support';
import type { CommissionFixture } from '../commissions/support';

const DATA = path.resolve(__dirname, '../../../shared/data/iso20022-pain001-camt053');
const CAMT = (rel: string): string => fs.readFileSync(path.join(DATA, 'samples/camt053', rel), 'utf8');
const PAIN002 = (): string =>
  fs.readFileSync(path.join(__dirname, '../settlement-formats/fixtures/pain002-batch.xml'), 'utf8');
const PAIN001_XSD = path.join(DATA, 'xsd/pain.001.001.03.xsd');
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const compact = (id: string): string => id.replace(/-/g, '');

const DEBTOR = {
  PAYOUT_DEBTOR_NAME: '共赢银行股份有限公司 合作机构结算户',
  PAYOUT_DEBTOR_ACCOUNT: '1100 6000 0180 1000 0001',
  PAYOUT_DEBTOR_CNAPS: '313100000013',
  PAYOUT_DEBTOR_BIC: 'GYBKCNBJ',
};
const BJ_ACCOUNT = '6222020200000000001';
const OWN_ACCOUNT = DEBTOR.PAYOUT_DEBTOR_ACCOUNT.replace(/\s/g, '');
/** The sample as if our bank had sent it: every statement's own account (Stmt/Acct) made the debtor account. */
const asOwnStatement = (xml: string): string =>
  xml.replace(
    /(<Stmt>[\s\S]*?<Acct>)([\s\S]*?)(<\/Acct>)/g,
    (_all, open: string, body: string, close: string) =>
      open + body.replace(/<IBAN>[^<]*<\/IBAN>|<Othr>[\s\S]*?<\/Othr>/, `<Othr><Id>${OWN_ACCOUNT}</Id></Othr>`) + close,
  );
const SH_IBAN = 'DE89370400440532013000';

const STATEMENT_FIELDS = 'id number status gross { amount } net { amount } tax { amount } linesTotal { amount }';
const GENERATE = `mutation($p: ID!) { generateStatements(periodId: $p) { ${STATEMENT_FIELDS} } }`;
const PREPARE_STATEMENT = 'mutation($id: ID!) { prepareStatement(id: $id) { id status } }';
const APPROVE_STATEMENT = 'mutation($id: ID!) { approveStatement(id: $id) { id status } }';
const TRANSITION = 'mutation($i: TransitionPeriodInput!) { transitionPeriod(input: $i) { id status } }';
const SET_ACCOUNT = `mutation($i: SetPartnerBankAccountInput!) { setPartnerBankAccount(input: $i) {
  partnerId accountName accountMasked isIban bankName bic cnaps version } }`;
const TERMS_FIELDS = 'partnerId taxRate pricesIncludeTax invoiceTolerance { amount currency }';
const SET_TERMS = `mutation($i: SetSettlementTermsInput!) { setSettlementTerms(input: $i) { ${TERMS_FIELDS} } }`;
const TERMS = `query($p: ID!) { settlementTerms(partnerId: $p) { ${TERMS_FIELDS} } }`;
const ACCOUNT = 'query($p: ID!) { partnerBankAccount(partnerId: $p) { partnerId accountMasked } }';
const INVOICE_FIELDS = `id statementId number issuedOn amount { amount } tax { amount } total { amount }
  amountDifference { amount } taxDifference { amount } tolerance { amount } matchesStatement`;
const RECORD_INVOICE = `mutation($i: RecordInvoiceInput!) { recordInvoice(input: $i) { ${INVOICE_FIELDS} } }`;
const INVOICE = `query($s: ID!) { invoice(statementId: $s) { ${INVOICE_FIELDS} } }`;
const PAYOUT_FIELDS = `id batchId statementId statementNumber partnerId amount { amount currency } creditorName
  creditorAccountMasked status statusReasonCode statusReason paidBookingDate paidEntryRef matchedBy`;
const BATCH_FIELDS = `id status currency total { amount } payoutCount preparedById decidedById rejectReason
  requestedExecutionDate validationErrors fileUrl version payouts { ${PAYOUT_FIELDS} }`;
const PREPARE = `mutation($ids: [ID!]!) { preparePayoutBatch(input: { statementIds: $ids }) { ${BATCH_FIELDS} } }`;
const APPROVE = `mutation($id: ID!) { approvePayoutBatch(id: $id) { ${BATCH_FIELDS} } }`;
const REJECT = `mutation($i: RejectPayoutBatchInput!) { rejectPayoutBatch(input: $i) { ${BATCH_FIELDS} } }`;
const BATCH = `query($id: ID!) { payoutBatch(id: $id) { ${BATCH_FIELDS} } }`;
const BATCHES = `query($f: PayoutBatchesFilter, $after: String) { payoutBatches(first: 2, after: $after, filter: $f) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id status payoutCount total { amount }
  payouts { partnerId } } } } }`;
const PAIN002_IMPORT = `mutation($c: String!) { importPaymentStatusReport(input: { contentBase64: $c }) {
  importId batchId groupStatus outcomes { payoutId reportedStatus reasonCode payoutStatus changed } } }`;
const CAMT_IMPORT = `mutation($c: String!) { importBankStatement(input: { contentBase64: $c }) {
  importId messageId version entryCount matched { payoutId entryRef endToEndId matchedBy }
  exceptions { entryRef endToEndId amount { amount currency } bookingDate reason payoutIds }
  ignored { entryRef reason } } }`;

type Acc0 = { partnerBankAccount: { accountMasked: string } | null };

interface StatementNode {
  id: string;
  number: string;
  status: string;
  gross: { amount: string };
  net: { amount: string };
  tax: { amount: string };
  linesTotal: { amount: string };
}
interface PayoutNode {
  id: string;
  batchId: string;
  statementId: string;
  statementNumber: string;
  partnerId: string;
  amount: { amount: string; currency: string };
  creditorName: string;
  creditorAccountMasked: string;
  status: string;
  statusReasonCode: string | null;
  statusReason: string | null;
  paidBookingDate: string | null;
  paidEntryRef: string | null;
  matchedBy: string | null;
}
interface BatchNode {
  id: string;
  status: string;
  currency: string;
  total: { amount: string };
  payoutCount: number;
  preparedById: string;
  decidedById: string | null;
  rejectReason: string | null;
  requestedExecutionDate: string | null;
  validationErrors: string[];
  fileUrl: string | null;
  version: number;
  payouts: PayoutNode[];
}
interface CamtResult {
  importId: string;
  messageId: string;
  version: string;
  entryCount: number;
  matched: { payoutId: string; entryRef: string; endToEndId: string | null; matchedBy: string }[];
  exceptions: {
    entryRef: string;
    endToEndId: string | null;
    amount: { amount: string; currency: string } | null;
    bookingDate: string | null;
    reason: string;
    payoutIds: string[];
  }[];
  ignored: { entryRef: string; reason: string }[];
}

/**
 * January 2026: Beijing earns 2 × 100.00, Shanghai 50.00 (6% VAT on top); both statements approved by four
 * eyes and the period APPROVED (not yet CLOSED).
 */
async function approvedStatements(
  t: TestApp,
): Promise<{ fx: CommissionFixture; jan: string; bj: StatementNode; sh: StatementNode }> {
  t.clock.set('2026-02-15T04:00:00Z'); // business date 2026-02-15 in Asia/Shanghai
  const fx = await setupCommissions(t);
  await t.createUser('approver2', Role.FINANCE_APPROVER);
  const jan = await openPeriod(t, '2026-01');
  await createPlan(t, {
    partnerId: fx.bank.partnerBj,
    programId: fx.progBj,
    rules: [rule({ basis: { kind: 'FLAT_PER_EVENT', amount: '100.00' } })],
  });
  await createPlan(t, { partnerId: fx.bank.partnerSh, programId: fx.progSh, rules: [rule()] });
  const c = await customers(t, fx.bank, ['a', 'b']);
  await record(
    t,
    [
      { customer: c.get('a') as string, at: '2026-01-03T02:00:00Z' },
      { customer: c.get('b') as string, at: '2026-01-04T02:00:00Z' },
      { customer: c.get('a') as string, at: '2026-01-05T02:00:00Z', program: fx.progSh },
    ],
    fx.progBj,
  );
  await runAndWait(t, jan, [fx.bank.partnerBj, fx.bank.partnerSh]);
  const [bj, sh] = ok(await t.gql<{ generateStatements: StatementNode[] }>(GENERATE, { p: jan }, 'finance'))
    .generateStatements as [StatementNode, StatementNode];
  for (const s of [bj, sh]) {
    ok(await t.gql(PREPARE_STATEMENT, { id: s.id }, 'finance'));
    ok(await t.gql(APPROVE_STATEMENT, { id: s.id }, 'approver'));
  }
  ok(await t.gql(TRANSITION, { i: { periodId: jan, to: 'APPROVED' } }, 'approver'));
  return { fx, jan, bj, sh };
}

/** The period CLOSED, both partners' accounts on file and invoices matching their statements. */
async function readyToBatch(
  t: TestApp,
  statements: { bj: StatementNode; sh: StatementNode; jan: string; fx: CommissionFixture },
): Promise<void> {
  ok(await t.gql(TRANSITION, { i: { periodId: statements.jan, to: 'CLOSED' } }, 'approver'));
  const { fx, bj, sh } = statements;
  ok(
    await t.gql(
      SET_ACCOUNT,
      { i: { partnerId: fx.bank.partnerBj, accountName: 'P-BJ', accountNumber: BJ_ACCOUNT, cnaps: '102100099996' } },
      'finance',
    ),
  );
  ok(
    await t.gql(
      SET_ACCOUNT,
      { i: { partnerId: fx.bank.partnerSh, accountName: 'P-SH', iban: SH_IBAN, bic: 'COBADEFFXXX' } },
      'finance',
    ),
  );
  for (const [s, n] of [
    [bj, '31000001'],
    [sh, '32000001'],
  ] as const)
    ok(
      await t.gql(
        RECORD_INVOICE,
        { i: { statementId: s.id, number: n, date: '2026-02-10', amount: s.net.amount, tax: s.tax.amount } },
        'finance',
      ),
    );
}

describe.each(databases())('payouts on %s', (db) => {
  let t: TestApp;
  let fx: CommissionFixture;
  let jan: string;
  let bj: StatementNode;
  let sh: StatementNode;
  let released: BatchNode;
  let reBatch: BatchNode;

  beforeAll(async () => {
    t = await TestApp.start(db, DEBTOR);
    ({ fx, jan, bj, sh } = await approvedStatements(t));
  }, 180_000);
  afterAll(() => t.close());

  const gql = <T>(q: string, v: Record<string, unknown>, as: string): Promise<GqlResponse<T>> => t.gql<T>(q, v, as);
  const batchOf = async (id: string, as = 'finance'): Promise<BatchNode> =>
    ok(await gql<{ payoutBatch: BatchNode }>(BATCH, { id }, as)).payoutBatch;
  const camt = async (xml: string): Promise<CamtResult> =>
    ok(await gql<{ importBankStatement: CamtResult }>(CAMT_IMPORT, { c: b64(xml) }, 'finance')).importBankStatement;

  it('maps entities to exactly the migrated schema; statements are the ledger with 6% VAT', async () => {
    // (test/foundation/schema.spec.ts checks the whole schema; here the payout tables.)
    const sql = await t.dataSource.driver.createSchemaBuilder().log();
    const ours = /settlement_(partner_bank_accounts|invoices|payout)/;
    expect(sql.upQueries.map((q) => q.query).filter((q) => ours.test(q))).toEqual([]);
    expect([bj.number, bj.linesTotal.amount, bj.net.amount, bj.tax.amount, bj.gross.amount]).toEqual([
      'ST-2026-01-P-BJ',
      '200.00',
      '200.00',
      '12.00',
      '212.00',
    ]);
    expect([sh.linesTotal.amount, sh.tax.amount, sh.gross.amount]).toEqual(['50.00', '3.00', '53.00']);
  });

  it('partner bank accounts: set by finance (audited, masked), refused when incomplete, partners see their own', async () => {
    const bjInput = {
      partnerId: fx.bank.partnerBj,
      accountName: '合作机构P-BJ',
      accountNumber: '6222 0202 0000 0000 001',
      bankName: '中国工商银行北京分行',
      cnaps: '102100099996',
    };
    expect(errorOf(await gql(SET_ACCOUNT, { i: bjInput }, 'partner-bj')).code).toBe('FORBIDDEN');
    expect(errorOf(await gql(SET_ACCOUNT, { i: bjInput }, 'approver')).code).toBe('FORBIDDEN');
    expect(errorOf(await gql(SET_ACCOUNT, { i: { ...bjInput, cnaps: undefined } }, 'finance'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'cnaps',
      reason: 'BANK_CODE_REQUIRED',
    });
    expect(
      errorOf(
        await gql(
          SET_ACCOUNT,
          { i: { ...bjInput, accountNumber: undefined, iban: 'DE89 3704 0044 0532 0130 01' } },
          'finance',
        ),
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'iban', reason: 'INVALID_IBAN' });
    const set = ok(
      await gql<{ setPartnerBankAccount: Record<string, unknown> }>(SET_ACCOUNT, { i: bjInput }, 'finance'),
    );
    expect(set.setPartnerBankAccount).toEqual({
      partnerId: fx.bank.partnerBj,
      accountName: '合作机构P-BJ',
      accountMasked: '6222***********0001',
      isIban: false,
      bankName: '中国工商银行北京分行',
      bic: null,
      cnaps: '102100099996',
      version: 1,
    });
    ok(
      await gql(
        SET_ACCOUNT,
        {
          i: {
            partnerId: fx.bank.partnerSh,
            accountName: 'Partner P-SH Ltd',
            iban: 'DE89 3704 0044 0532 0130 00',
            bic: 'COBADEFFXXX',
          },
        },
        'admin',
      ),
    );
    const audit = await t.dataSource
      .getRepository(AuditRecordEntity)
      .findBy({ action: 'partnerBankAccount.set', entityId: fx.bank.partnerBj });
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]?.after)).not.toContain(BJ_ACCOUNT);

    type Acc = { partnerBankAccount: { accountMasked: string } | null };
    expect(ok(await gql<Acc>(ACCOUNT, { p: fx.bank.partnerBj }, 'partner-bj')).partnerBankAccount).toEqual({
      partnerId: fx.bank.partnerBj,
      accountMasked: '6222***********0001',
    });
    expect(errorOf(await gql(ACCOUNT, { p: fx.bank.partnerBj }, 'partner-sh')).code).toBe('NOT_FOUND');
    expect(ok(await gql<Acc>(ACCOUNT, { p: fx.bank.partnerHd }, 'finance')).partnerBankAccount).toBeNull();
  });

  it('the invoice tolerance is a settlement term: set before any account is on file, default 0, partners read their own', async () => {
    type Terms = { settlementTerms: Record<string, unknown> };
    expect(ok(await gql<Terms>(TERMS, { p: fx.bank.partnerHd }, 'finance')).settlementTerms).toEqual({
      partnerId: fx.bank.partnerHd,
      taxRate: '0.06',
      pricesIncludeTax: false,
      invoiceTolerance: { amount: '0.00', currency: 'CNY' },
    });
    const terms = { partnerId: fx.bank.partnerHd, taxRate: '0.06', pricesIncludeTax: false };
    expect(errorOf(await gql(SET_TERMS, { i: { ...terms, invoiceTolerance: '-0.01' } }, 'finance'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'invoiceTolerance',
      reason: 'NEGATIVE',
    });
    expect(errorOf(await gql(SET_TERMS, { i: { ...terms, invoiceTolerance: '1' } }, 'partner-bj')).code).toBe(
      'FORBIDDEN',
    );
    // Hangzhou has no account on file, and its tolerance can be agreed all the same.
    expect(ok(await gql<Acc0>(ACCOUNT, { p: fx.bank.partnerHd }, 'finance')).partnerBankAccount).toBeNull();
    ok(await gql(SET_TERMS, { i: { ...terms, invoiceTolerance: '1.20' } }, 'finance'));
    // Changing the VAT terms later without naming the tolerance keeps it.
    const kept = ok(await gql<{ setSettlementTerms: Record<string, unknown> }>(SET_TERMS, { i: terms }, 'finance'));
    expect(kept.setSettlementTerms).toMatchObject({ invoiceTolerance: { amount: '1.20' } });
    // Shanghai allows 0.50 (used below); Beijing keeps the default 0.
    ok(
      await gql(
        SET_TERMS,
        { i: { partnerId: fx.bank.partnerSh, taxRate: '0.06', pricesIncludeTax: false, invoiceTolerance: '0.50' } },
        'finance',
      ),
    );
    expect(
      ok(await gql<Terms>(TERMS, { p: fx.bank.partnerSh }, 'partner-sh')).settlementTerms.invoiceTolerance,
    ).toEqual({ amount: '0.50', currency: 'CNY' });
    expect(errorOf(await gql(TERMS, { p: fx.bank.partnerSh }, 'partner-bj')).code).toBe('NOT_FOUND');
  });

  it('only approved statements of CLOSED periods with an invoice that matches within the tolerance can be batched', async () => {
    expect(errorOf(await gql(PREPARE, { ids: [bj.id] }, 'finance'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'PERIOD_NOT_CLOSED',
    });
    ok(await gql(TRANSITION, { i: { periodId: jan, to: 'CLOSED' } }, 'approver'));
    expect(errorOf(await gql(PREPARE, { ids: [bj.id] }, 'finance'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'INVOICE_MISSING',
    });
    expect(errorOf(await gql(PREPARE, { ids: [bj.id] }, 'approver')).code).toBe('FORBIDDEN');

    type Inv = { recordInvoice: Record<string, unknown> };
    const invoice = (statementId: string, amount: string, tax: string, number: string): Record<string, unknown> => ({
      i: { statementId, number, date: '2026-02-10', amount, tax },
    });
    expect(errorOf(await gql(RECORD_INVOICE, invoice(bj.id, '200.00', '12.00', '11000001'), 'partner-bj')).code).toBe(
      'FORBIDDEN',
    );
    const exact = ok(await gql<Inv>(RECORD_INVOICE, invoice(bj.id, '200.00', '12.00', '11000001'), 'finance'));
    expect(exact.recordInvoice).toMatchObject({
      number: '11000001',
      issuedOn: '2026-02-10',
      total: { amount: '212.00' },
      amountDifference: { amount: '0.00' },
      tolerance: { amount: '0.00' },
      matchesStatement: true,
    });
    // Shanghai allows 0.50: 0.40 less on the amount still matches, 1.00 less tax does not.
    const within = ok(await gql<Inv>(RECORD_INVOICE, invoice(sh.id, '49.60', '3.00', '22000001'), 'finance'));
    expect(within.recordInvoice).toMatchObject({ amountDifference: { amount: '-0.40' }, matchesStatement: true });
    const off = ok(await gql<Inv>(RECORD_INVOICE, invoice(sh.id, '50.00', '2.00', '22000001'), 'finance'));
    expect(off.recordInvoice).toMatchObject({ taxDifference: { amount: '-1.00' }, matchesStatement: false });
    expect(errorOf(await gql(PREPARE, { ids: [bj.id, sh.id] }, 'finance'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'INVOICE_MISMATCH',
      statementId: sh.id,
      taxDifference: '-1.00',
    });
    // Partner users read their own statement's invoice only.
    expect(errorOf(await gql(INVOICE, { s: sh.id }, 'partner-bj')).code).toBe('NOT_FOUND');
    type Read = { invoice: { matchesStatement: boolean } };
    expect(ok(await gql<Read>(INVOICE, { s: bj.id }, 'partner-bj')).invoice.matchesStatement).toBe(true);
  });

  it('four eyes: the preparer never decides (service and data model); a changed invoice blocks release; rejection frees the statements', async () => {
    ok(
      await gql(
        RECORD_INVOICE,
        { i: { statementId: sh.id, number: '22000002', date: '2026-02-11', amount: '50.00', tax: '3.00' } },
        'finance',
      ),
    );
    const batch = ok(
      await gql<{ preparePayoutBatch: BatchNode }>(PREPARE, { ids: [bj.id, sh.id] }, 'admin'),
    ).preparePayoutBatch;
    expect(batch).toMatchObject({ status: 'PREPARED', payoutCount: 2, total: { amount: '265.00' }, fileUrl: null });
    expect(batch.payouts.map((p) => [p.statementNumber, p.amount.amount, p.status, p.creditorAccountMasked])).toEqual([
      ['ST-2026-01-P-BJ', '212.00', 'PREPARED', '6222***********0001'],
      ['ST-2026-01-P-SH', '53.00', 'PREPARED', 'DE89**************3000'],
    ]);
    // A statement is in one live batch only.
    expect(errorOf(await gql(PREPARE, { ids: [bj.id] }, 'finance'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'STATEMENT_IN_LIVE_BATCH',
    });
    expect(errorOf(await gql(APPROVE, { id: batch.id }, 'admin'))).toMatchObject({
      code: 'FORBIDDEN',
      rule: 'FOUR_EYES',
    });
    expect(errorOf(await gql(REJECT, { i: { id: batch.id, reason: 'self' } }, 'admin'))).toMatchObject({
      code: 'FORBIDDEN',
      rule: 'FOUR_EYES',
    });
    expect(errorOf(await gql(APPROVE, { id: batch.id }, 'finance')).code).toBe('FORBIDDEN');
    // The data model refuses a decision signed by the preparer, and a second decision.
    const preparer = batch.preparedById;
    const signoffs = t.dataSource.getRepository(PayoutSignoffEntity);
    const signoff = { batchId: batch.id, step: 'DECIDE', decision: 'APPROVED', signedAt: new Date() };
    await expect(
      signoffs.insert({ id: '00000000-0000-7000-8000-00000000aa01', userId: preparer, ...signoff }),
    ).rejects.toThrow();
    // A corrected invoice that no longer matches blocks the release; the batch stays PREPARED.
    ok(
      await gql(
        RECORD_INVOICE,
        { i: { statementId: sh.id, number: '22000003', date: '2026-02-12', amount: '51.00', tax: '3.00' } },
        'finance',
      ),
    );
    expect(errorOf(await gql(APPROVE, { id: batch.id }, 'approver'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'INVOICE_MISMATCH',
      statementId: sh.id,
    });
    expect((await batchOf(batch.id)).status).toBe('PREPARED');
    expect(errorOf(await gql(REJECT, { i: { id: batch.id, reason: ' ' } }, 'approver')).code).toBe('BAD_USER_INPUT');
    const rejected = ok(
      await gql<{ rejectPayoutBatch: BatchNode }>(REJECT, { i: { id: batch.id, reason: '发票待更正' } }, 'approver'),
    ).rejectPayoutBatch;
    expect(rejected).toMatchObject({ status: 'REJECTED', rejectReason: '发票待更正', fileUrl: null });
    expect(rejected.payouts.map((p) => p.status)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(errorOf(await gql(APPROVE, { id: batch.id }, 'approver2'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'BATCH_STATUS',
    });
    ok(
      await gql(
        RECORD_INVOICE,
        { i: { statementId: sh.id, number: '22000004', date: '2026-02-13', amount: '50.00', tax: '3.00' } },
        'finance',
      ),
    );
  });

  it('two approvers racing: exactly one succeeds, the other gets CONFLICT; the pain.001 is valid against the XSD', async () => {
    // Two makers batching the same statements at once: the live-statement unique key lets one through.
    const prepared = await Promise.all([
      gql<{ preparePayoutBatch: BatchNode }>(PREPARE, { ids: [bj.id, sh.id] }, 'finance'),
      gql<{ preparePayoutBatch: BatchNode }>(PREPARE, { ids: [bj.id, sh.id] }, 'admin'),
    ]);
    const preparedOk = prepared.filter((r) => !r.errors?.length);
    expect(preparedOk).toHaveLength(1);
    expect(errorOf(prepared.find((r) => r.errors?.length) as GqlResponse).code).toBe('CONFLICT');
    const batch = ok(preparedOk[0] as GqlResponse<{ preparePayoutBatch: BatchNode }>).preparePayoutBatch;
    const results = await Promise.all([
      gql<{ approvePayoutBatch: BatchNode }>(APPROVE, { id: batch.id }, 'approver'),
      gql<{ approvePayoutBatch: BatchNode }>(APPROVE, { id: batch.id }, 'approver2'),
    ]);
    const winners = results.filter((r) => !r.errors?.length);
    const losers = results.filter((r) => r.errors?.length);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(errorOf(losers[0] as GqlResponse)).toMatchObject({ code: 'CONFLICT' });
    released = ok(winners[0] as GqlResponse<{ approvePayoutBatch: BatchNode }>).approvePayoutBatch;
    expect(released).toMatchObject({
      status: 'APPROVED',
      requestedExecutionDate: '2026-02-15',
      validationErrors: [],
      fileUrl: `/payout-batches/${batch.id}/pain.001.xml`,
    });
    expect(released.payouts.map((p) => p.status)).toEqual(['RELEASED', 'RELEASED']);
    expect(await t.dataSource.getRepository(PayoutSignoffEntity).countBy({ batchId: batch.id })).toBe(2);
    expect(
      await t.dataSource
        .getRepository(AuditRecordEntity)
        .countBy({ entityId: batch.id, action: 'payoutBatch.approve' }),
    ).toBe(1);

    const url = released.fileUrl as string;
    expect((await t.http().get(url)).status).toBe(401);
    const asPartner = await t
      .http()
      .get(url)
      .set('authorization', `Bearer ${await t.tokenFor('partner-bj')}`);
    expect(asPartner.status).toBe(403);
    const res = await t
      .http()
      .get(url)
      .set('authorization', `Bearer ${await t.tokenFor('approver')}`);
    expect(res.status).toBe(200);
    const xml = res.text;
    expect(await validateXml(xml, PAIN001_XSD)).toEqual({ valid: true, errors: [] });
    expect(checkPain001Totals(xml)).toEqual([]);
    const [pBj, pSh] = released.payouts as [PayoutNode, PayoutNode];
    expect(xml).toContain(`<PmtInfId>${compact(batch.id)}</PmtInfId>`);
    expect(xml).toContain('<NbOfTxs>2</NbOfTxs><CtrlSum>265.00</CtrlSum>');
    expect(xml).toContain('<ReqdExctnDt>2026-02-15</ReqdExctnDt>');
    expect(xml).toContain('<Dbtr><Nm>共赢银行股份有限公司 合作机构结算户</Nm></Dbtr>');
    expect(xml).toContain('<DbtrAcct><Id><Othr><Id>11006000018010000001</Id></Othr></Id></DbtrAcct>');
    expect(xml).toContain(
      '<BIC>GYBKCNBJ</BIC><ClrSysMmbId><ClrSysId><Cd>CNAPS</Cd></ClrSysId><MmbId>313100000013</MmbId></ClrSysMmbId>',
    );
    const tx = (p: PayoutNode): string => xml.split('<CdtTrfTxInf>').find((s) => s.includes(compact(p.id))) ?? '';
    expect(tx(pBj)).toContain(`<EndToEndId>${compact(pBj.id)}</EndToEndId>`);
    expect(tx(pBj)).toContain('<InstdAmt Ccy="CNY">212.00</InstdAmt>');
    expect(tx(pBj)).toContain(`<CdtrAcct><Id><Othr><Id>${BJ_ACCOUNT}</Id></Othr></Id></CdtrAcct>`);
    expect(tx(pBj)).toContain('<MmbId>102100099996</MmbId>');
    expect(tx(pBj)).toContain('<Ustrd>ST-2026-01-P-BJ</Ustrd>');
    expect(tx(pSh)).toContain('<InstdAmt Ccy="CNY">53.00</InstdAmt>');
    expect(tx(pSh)).toContain(`<IBAN>${SH_IBAN}</IBAN>`);
    expect(tx(pSh)).toContain('<Ustrd>ST-2026-01-P-SH</Ustrd>');
  });

  it('partner users see only their own payouts, in a batch and in the list', async () => {
    const asBj = await batchOf(released.id, 'partner-bj');
    expect(asBj.payouts.map((p) => p.partnerId)).toEqual([fx.bank.partnerBj]);
    expect([asBj.total.amount, asBj.payoutCount]).toEqual(['212.00', 1]);
    // The pain.001 names every partner of the batch: no link for partner users, and no download.
    expect([asBj.fileUrl, (await batchOf(released.id)).fileUrl]).toEqual([
      null,
      `/payout-batches/${released.id}/pain.001.xml`,
    ]);
    const partnerBearer = `Bearer ${await t.tokenFor('partner-bj')}`;
    expect(
      (await t.http().get(`/payout-batches/${released.id}/pain.001.xml`).set('authorization', partnerBearer)).status,
    ).toBe(403);
    const asSh = await batchOf(released.id, 'manager-sh');
    expect(asSh.payouts.map((p) => p.statementNumber)).toEqual(['ST-2026-01-P-SH']);
    type List = {
      payoutBatches: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: { node: { id: string; payoutCount: number; payouts: { partnerId: string }[] } }[];
      };
    };
    const list = ok(await gql<List>(BATCHES, {}, 'partner-bj')).payoutBatches;
    expect(list.totalCount).toBe(2);
    expect(list.edges.flatMap((e) => e.node.payouts.map((p) => p.partnerId))).toEqual([
      fx.bank.partnerBj,
      fx.bank.partnerBj,
    ]);
    const other = ok(await gql<List>(BATCHES, { f: { partnerIds: [fx.bank.partnerSh] } }, 'partner-bj')).payoutBatches;
    expect(other.edges.flatMap((e) => e.node.payouts)).toEqual([
      { partnerId: fx.bank.partnerBj },
      { partnerId: fx.bank.partnerBj },
    ]);
    const all = ok(await gql<List>(BATCHES, { f: { statuses: ['APPROVED'] } }, 'finance')).payoutBatches;
    expect(all.edges.map((e) => [e.node.id, e.node.payoutCount])).toEqual([[released.id, 2]]);
  });

  it('pain.002: an unknown batch or payout applies nothing; ACSC → ACCEPTED, RJCT → REJECTED with its reason code', async () => {
    expect(errorOf(await gql(TRANSITION, { i: { periodId: jan, to: 'PAID' } }, 'approver'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'PAYOUTS_NOT_SETTLED',
    });
    const groupRejected = fs.readFileSync(
      path.join(__dirname, '../settlement-formats/fixtures/pain002-group-rejected.xml'),
      'utf8',
    );
    expect(errorOf(await gql(PAIN002_IMPORT, { c: b64(groupRejected) }, 'finance'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'file',
      reason: 'UNKNOWN_BATCH',
    });
    const [pBj, pSh] = released.payouts as [PayoutNode, PayoutNode];
    const report = PAIN002()
      .replace(/0190f2a4c3b27c1e9a0b8d6e5f4a3b21/g, compact(released.id))
      .replace('0190f2a4c3b27c1e9a0b8d6e5f4a3b22', compact(pBj.id))
      .replace('0190f2a4c3b27c1e9a0b8d6e5f4a3b23', compact(pSh.id));
    // The third transaction is not ours: the whole report is refused, nothing changes.
    expect(errorOf(await gql(PAIN002_IMPORT, { c: b64(report) }, 'finance'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'UNKNOWN_PAYOUT',
    });
    expect((await batchOf(released.id)).payouts.map((p) => p.status)).toEqual(['RELEASED', 'RELEASED']);
    expect(errorOf(await gql(PAIN002_IMPORT, { c: b64(report) }, 'partner-bj')).code).toBe('FORBIDDEN');

    const ours = report.replace(/<TxInfAndSts>\s*<StsId>S3<\/StsId>[\s\S]*?<\/TxInfAndSts>/, '');
    type Imp = { importPaymentStatusReport: { batchId: string; groupStatus: string; outcomes: unknown[] } };
    const imported = ok(await gql<Imp>(PAIN002_IMPORT, { c: b64(ours) }, 'finance')).importPaymentStatusReport;
    expect(imported).toMatchObject({ batchId: released.id, groupStatus: 'PART' });
    expect(imported.outcomes).toEqual([
      { payoutId: pBj.id, reportedStatus: 'ACSC', reasonCode: null, payoutStatus: 'ACCEPTED', changed: true },
      { payoutId: pSh.id, reportedStatus: 'RJCT', reasonCode: 'AC01', payoutStatus: 'REJECTED', changed: true },
    ]);
    const after = await batchOf(released.id);
    expect(after.payouts[1]).toMatchObject({
      status: 'REJECTED',
      statusReasonCode: 'AC01',
      statusReason: '账号不存在 Incorrect account number',
    });
    // The rejected statement goes into a new batch (a different approver this time).
    reBatch = ok(await gql<{ preparePayoutBatch: BatchNode }>(PREPARE, { ids: [sh.id] }, 'finance')).preparePayoutBatch;
    reBatch = ok(
      await gql<{ approvePayoutBatch: BatchNode }>(APPROVE, { id: reBatch.id }, 'approver2'),
    ).approvePayoutBatch;
    expect(reBatch).toMatchObject({ status: 'APPROVED', total: { amount: '53.00' } });
    // Nothing of Beijing's in it: invisible to Beijing's partner user.
    expect(errorOf(await gql(BATCH, { id: reBatch.id }, 'partner-bj')).code).toBe('NOT_FOUND');
    // Beijing's payout is live: its statement cannot be batched again.
    expect(errorOf(await gql(PREPARE, { ids: [bj.id] }, 'finance'))).toMatchObject({
      rule: 'STATEMENT_IN_LIVE_BATCH',
    });
  });

  it('camt.053: a statement of another account is refused whole, naming both accounts', async () => {
    const foreign = await gql(
      CAMT_IMPORT,
      { c: b64(CAMT('handelsbanken/camt_053_ver_2_extended_uk_account.xml')) },
      'finance',
    );
    expect(errorOf(foreign)).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'file',
      reason: 'STATEMENT_ACCOUNT_MISMATCH',
      expectedAccount: OWN_ACCOUNT,
    });
    const [stmt] = errorOf(foreign).statements as { id: string; account: string }[];
    expect(stmt?.account).toMatch(/^GB/);
    expect(foreign.errors?.[0]?.message).toContain(OWN_ACCOUNT);
    // Nothing recorded: no import row, no audit row.
    expect(await t.dataSource.getRepository(AuditRecordEntity).countBy({ action: 'bankStatement.import' })).toBe(0);
    // A file with one statement of ours and one of another account is refused too.
    const ours = asOwnStatement(CAMT('handelsbanken/camt_053_ver_2_extended_uk_account.xml'));
    const mixed = ours.replace(
      /<\/Stmt>/,
      (end) =>
        `${end}${/<Stmt>[\s\S]*?<\/Stmt>/.exec(CAMT('handelsbanken/camt_053_ver_2_extended_uk_account.xml'))?.[0] ?? ''}`,
    );
    expect(errorOf(await gql(CAMT_IMPORT, { c: b64(mixed) }, 'finance')).reason).toBe('STATEMENT_ACCOUNT_MISMATCH');
  });

  it('camt.053: real samples give their expected exceptions; a file failing its XSD is refused', async () => {
    const uk = await camt(asOwnStatement(CAMT('handelsbanken/camt_053_ver_2_extended_uk_account.xml')));
    expect(uk).toMatchObject({ messageId: 'CAMT06342120150429015', version: 'camt.053.001.02', entryCount: 2 });
    expect(uk.matched).toEqual([]);
    expect(uk.exceptions).toEqual([
      {
        entryRef: '3321251633201504280000100001',
        endToEndId: 'OWN REF 15',
        amount: { amount: '0.60', currency: 'GBP' },
        bookingDate: '2015-04-28',
        reason: 'NO_MATCH',
        payoutIds: [],
      },
    ]);
    expect(uk.ignored).toEqual([{ entryRef: '3321251633201504280000100002', reason: 'NOT_A_DEBIT' }]);

    const fi = await camt(asOwnStatement(CAMT('fffs-finland/FI_camt_053_sample.xml.xml')));
    expect(fi.entryCount).toBe(10);
    expect(fi.matched).toEqual([]);
    // Four debit entries, two of them batch bookings: one exception per transaction, with its own amount.
    expect(fi.exceptions.map((e) => [e.entryRef.slice(-2), e.amount?.amount, e.reason])).toEqual([
      ['01', '1000.12', 'NO_MATCH'],
      ['02', '4000.00', 'NO_MATCH'],
      ['03', '2000.02', 'NO_MATCH'],
      ['03', '1000.01', 'NO_MATCH'],
      ['03', '1230.02', 'NO_MATCH'],
      ['09', '100.00', 'NO_MATCH'],
      ['09', '100.00', 'NO_MATCH'],
    ]);
    expect(fi.ignored.map((i) => i.reason)).toEqual(Array(6).fill('NOT_A_DEBIT'));

    const invalid = await gql(CAMT_IMPORT, { c: b64(CAMT('viafintech-fixtures/valid_example.xml')) }, 'finance');
    const err = errorOf(invalid);
    expect(err).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file', reason: 'XSD_INVALID' });
    expect(String((err.errors as string[])[0])).toContain('NtryRef');
    expect((await batchOf(released.id)).payouts[0]?.status).toBe('ACCEPTED');
  });

  it('camt.053 matches by EndToEndId, then by amount, date and account → PAID, never twice; then the period is PAID', async () => {
    const [pBj] = released.payouts as [PayoutNode, PayoutNode];
    const pSh = reBatch.payouts[0] as PayoutNode;
    // Handelsbanken's outgoing batch booking with two of its references replaced by ours.
    const outgoing = asOwnStatement(CAMT('handelsbanken/ISO20022_camt053_extended_SE_outgoing_payments_example.xml'))
      .replace('<EndToEndId>Own reference 21</EndToEndId>', `<EndToEndId>${compact(pBj.id).toUpperCase()}</EndToEndId>`)
      .replace(/<Amt Ccy="SEK">11367<\/Amt>/g, '<Amt Ccy="CNY">212.00</Amt>')
      .replace('<EndToEndId>Own reference 22</EndToEndId>', `<EndToEndId>${compact(pSh.id)}</EndToEndId>`);
    expect((await validateXml(outgoing, path.join(DATA, 'xsd/camt.053.001.02.xsd'))).valid).toBe(true);
    // The same statement imported twice at once: the conditional UPDATE pays the payout once.
    const [r1, r2] = await Promise.all([camt(outgoing), camt(outgoing)]);
    expect(r1.matched.length + r2.matched.length).toBe(1);
    const first = r1.matched.length === 1 ? r1 : r2;
    const late = first === r1 ? r2 : r1;
    expect(late.exceptions.find((e) => e.payoutIds.includes(pBj.id))?.reason).toBe('ALREADY_PAID');
    expect(first.matched).toEqual([
      {
        payoutId: pBj.id,
        entryRef: '3322111122201506180000100002',
        endToEndId: compact(pBj.id).toUpperCase(),
        matchedBy: 'END_TO_END_ID',
      },
    ]);
    expect(first.exceptions.map((e) => [e.endToEndId, e.reason, e.payoutIds, e.amount?.amount])).toEqual([
      ['Own reference 1', 'NO_MATCH', [], '19961.40'],
      [compact(pSh.id), 'AMOUNT_DIFFERS', [pSh.id], '921.00'],
      ['Own refernce 23', 'NO_MATCH', [], '277.00'],
    ]);

    // Šiaulių bankas: no EndToEndIds; one debit turned into Shanghai's payout by amount, account and date.
    const noRefs = asOwnStatement(CAMT('siauliu-bankas-lt/statement_1.xml'))
      .replace(/<Amt Ccy="EUR">2734\.58<\/Amt>/g, '<Amt Ccy="CNY">53.00</Amt>')
      .replace('<IBAN>LT007180000000000002</IBAN>', `<IBAN>${SH_IBAN}</IBAN>`)
      .replace(/<Dt>2015-05-20<\/Dt>/g, '<Dt>2026-02-16</Dt>');
    const second = await camt(noRefs);
    expect(second.matched).toEqual([
      { payoutId: pSh.id, entryRef: '201509302599406883#2', endToEndId: null, matchedBy: 'AMOUNT_DATE_ACCOUNT' },
    ]);
    expect(second.exceptions.map((e) => [e.entryRef, e.reason])).toEqual([
      ['201509302599406883#1', 'NO_MATCH'],
      ['201509302599406883#3', 'NO_MATCH'],
      ['201509302599406883#4', 'NO_MATCH'],
    ]);

    // The same files again: nothing is paid twice.
    const again = await camt(outgoing);
    expect(again.matched).toEqual([]);
    expect(again.exceptions.filter((e) => e.reason === 'ALREADY_PAID').map((e) => e.payoutIds)).toEqual([
      [pBj.id],
      [pSh.id],
    ]);
    expect((await camt(noRefs)).exceptions.find((e) => e.entryRef === '201509302599406883#2')).toMatchObject({
      reason: 'ALREADY_PAID',
      payoutIds: [pSh.id],
    });
    const paid = await t.dataSource.getRepository(PayoutEntity).findBy({ status: 'PAID' });
    expect(paid.map((p) => [p.id, p.matchedBy, p.paidBookingDate]).sort()).toEqual(
      [
        [pBj.id, 'END_TO_END_ID', '2015-06-18'],
        [pSh.id, 'AMOUNT_DATE_ACCOUNT', '2026-02-16'],
      ].sort(),
    );
    const paidCount = await t.dataSource.getRepository(AuditRecordEntity).countBy({ action: 'bankStatement.import' });
    expect(paidCount).toBe(7); // every import is recorded, including those that paid nothing
    // The data model: a second live payout of a paid statement is refused by the unique key.
    const copy = await t.dataSource.getRepository(PayoutEntity).findOneByOrFail({ id: pBj.id });
    await expect(
      t.dataSource
        .getRepository(PayoutEntity)
        .insert({ ...copy, id: '00000000-0000-7000-8000-00000000bb01', batchId: reBatch.id }),
    ).rejects.toThrow();

    const period = ok(
      await gql<{ transitionPeriod: { status: string } }>(TRANSITION, { i: { periodId: jan, to: 'PAID' } }, 'approver'),
    );
    expect(period.transitionPeriod.status).toBe('PAID');
  });

  it('statement PDF download: Chinese renders, totals equal the ledger, partners get their own only', async () => {
    const bearer = `Bearer ${await t.tokenFor('partner-bj')}`;
    expect((await t.http().get(`/statements/${bj.id}/export.pdf`)).status).toBe(401);
    expect((await t.http().get(`/statements/${sh.id}/export.pdf`).set('authorization', bearer)).status).toBe(404);
    const res = await t
      .http()
      .get(`/statements/${bj.id}/export.pdf`)
      .set('authorization', bearer)
      .buffer(true)
      .parse((r, cb) => {
        const parts: Buffer[] = [];
        r.on('data', (d: Buffer) => parts.push(d));
        r.on('end', () => cb(null, Buffer.concat(parts)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/pdf');
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString('utf8');
    expect(text).toContain('对账单');
    expect(text).toContain('合作机构P-BJ');
    expect(text).toContain('ST-2026-01-P-BJ');
    const amountAfter = (label: string): bigint => {
      const line = text.split('\n').find((l) => l.includes(label)) ?? '';
      const m = /¥([\d,]+\.\d{2})\s*$/.exec(line.trim());
      return fenOf((m?.[1] ?? 'x').replace(/,/g, ''));
    };
    expect(amountAfter('合计 Lines total')).toBe(fenOf(bj.linesTotal.amount));
    expect(amountAfter('价税合计 Gross payable')).toBe(fenOf(bj.gross.amount));
    expect(fenOf(bj.linesTotal.amount)).toBe(20000n); // two activations at 100.00: the ledger

    // 收款账户: the account on file, masked, the same in the PDF, the CSV and the XLSX.
    const accountLine = '合作机构P-BJ · 6222***********0001 · 中国工商银行北京分行';
    expect(
      text
        .split('\n')
        .find((l) => l.includes('收款账户 Account'))
        ?.trim(),
    ).toBe(`收款账户 Account: ${accountLine}`);
    type Downloads = { statement: { downloads: { csv: string; xlsx: string; pdf: string } } };
    const { downloads } = ok(
      await gql<Downloads>(
        'query($id: ID!) { statement(id: $id) { downloads { csv xlsx pdf } } }',
        { id: bj.id },
        'partner-bj',
      ),
    ).statement;
    expect(downloads.pdf).toBe(`/statements/${bj.id}/export.pdf`);
    const csv = await t.http().get(downloads.csv).set('authorization', bearer);
    expect(csv.text).toContain(`,收款账户 Account,,,${accountLine},`);
    const xlsx = await t
      .http()
      .get(downloads.xlsx)
      .set('authorization', bearer)
      .buffer(true)
      .parse((r, cb) => {
        const parts: Buffer[] = [];
        r.on('data', (d: Buffer) => parts.push(d));
        r.on('end', () => cb(null, Buffer.concat(parts)));
      });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as ExcelJS.Buffer);
    const sheet = wb.worksheets[0];
    const accountRow = sheet?.getRow(3);
    expect([accountRow?.getCell(1).value, accountRow?.getCell(3).value]).toEqual(['收款账户 Account', accountLine]);
    for (const body of [text, csv.text]) expect(body).not.toContain(BJ_ACCOUNT);
  });
});

describe.each(databases())('a pain.001 that fails the XSD is not released, on %s', (db) => {
  let t: TestApp;
  let xsdDir: string;
  let statements: { bj: StatementNode; sh: StatementNode; jan: string; fx: CommissionFixture };

  beforeAll(async () => {
    // A bank-specific schema in place of ISO's: the Swiss pain.001.001.03.ch.02 (another namespace) refuses our file.
    xsdDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gy-xsd-'));
    fs.copyFileSync(path.join(DATA, 'xsd/pain.001.001.03.ch.02.xsd'), path.join(xsdDir, 'pain.001.001.03.xsd'));
    t = await TestApp.start(db, { ...DEBTOR, ISO20022_XSD_DIR: xsdDir });
    statements = await approvedStatements(t);
    await readyToBatch(t, statements);
  }, 180_000);
  afterAll(async () => {
    await t.close();
    fs.rmSync(xsdDir, { recursive: true, force: true });
  });

  it('approval records the validation errors, releases nothing and frees the statements', async () => {
    const { bj, sh } = statements;
    const batch = ok(
      await t.gql<{ preparePayoutBatch: BatchNode }>(PREPARE, { ids: [bj.id, sh.id] }, 'finance'),
    ).preparePayoutBatch;
    const approved = ok(
      await t.gql<{ approvePayoutBatch: BatchNode }>(APPROVE, { id: batch.id }, 'approver'),
    ).approvePayoutBatch;
    expect(approved).toMatchObject({ status: 'INVALID', fileUrl: null, requestedExecutionDate: null });
    expect(approved.validationErrors.length).toBeGreaterThan(0);
    expect(approved.validationErrors[0]).toMatch(/Document|namespace|No matching global declaration/);
    expect(approved.payouts.map((p) => p.status)).toEqual(['CANCELLED', 'CANCELLED']);
    // The XSD errors describe the whole file (every partner's name and account): bank-side only.
    const asPartner = ok(await t.gql<{ payoutBatch: BatchNode }>(BATCH, { id: batch.id }, 'partner-bj')).payoutBatch;
    expect([asPartner.status, asPartner.validationErrors, asPartner.payouts.length]).toEqual(['INVALID', [], 1]);
    const bearer = `Bearer ${await t.tokenFor('approver')}`;
    expect((await t.http().get(`/payout-batches/${batch.id}/pain.001.xml`).set('authorization', bearer)).status).toBe(
      404,
    );
    // Never released, so no status report can apply to it.
    const report = PAIN002().replace(/0190f2a4c3b27c1e9a0b8d6e5f4a3b21/g, compact(batch.id));
    expect(errorOf(await t.gql(PAIN002_IMPORT, { c: b64(report) }, 'finance'))).toMatchObject({
      code: 'CONFLICT',
      rule: 'BATCH_NOT_RELEASED',
    });
    // Its statements are free for a new batch.
    const again = ok(
      await t.gql<{ preparePayoutBatch: BatchNode }>(PREPARE, { ids: [bj.id] }, 'finance'),
    ).preparePayoutBatch;
    expect(again.status).toBe('PREPARED');
  });
});

describe('payout configuration', () => {
  it('refuses an incomplete or malformed debtor at boot, naming the variable', () => {
    const build = (env: Record<string, string>): unknown => testConfig('sqlite::memory:', env);
    expect(() => build({ PAYOUT_DEBTOR_NAME: 'Bank' })).toThrow(/PAYOUT_DEBTOR_IBAN/);
    expect(() => build({ ...DEBTOR, PAYOUT_DEBTOR_CNAPS: '1234' })).toThrow(/PAYOUT_DEBTOR_CNAPS/);
    expect(() => build({ ...DEBTOR, PAYOUT_DEBTOR_BIC: 'nope' })).toThrow(/PAYOUT_DEBTOR_BIC/);
    expect(() => build({ ...DEBTOR, PAYOUT_DEBTOR_IBAN: 'DE89370400440532013000' })).toThrow(/exactly one/);
    expect(testConfig('sqlite::memory:').payouts.debtor).toBeNull();
    expect(testConfig('sqlite::memory:', DEBTOR).payouts.debtor).toEqual({
      name: '共赢银行股份有限公司 合作机构结算户',
      iban: undefined,
      accountNumber: '11006000018010000001',
      bic: 'GYBKCNBJ',
      cnaps: '313100000013',
    });
  });
});

describe.each(databases())('a payout is paid once, whatever the matcher says, on %s', (db) => {
  let t: TestApp;
  let payouts: PayoutNode[];

  beforeAll(async () => {
    t = await TestApp.start(db, DEBTOR);
    const statements = await approvedStatements(t);
    await readyToBatch(t, statements);
    const batch = ok(
      await t.gql<{ preparePayoutBatch: BatchNode }>(PREPARE, { ids: [statements.bj.id, statements.sh.id] }, 'finance'),
    ).preparePayoutBatch;
    payouts = ok(await t.gql<{ approvePayoutBatch: BatchNode }>(APPROVE, { id: batch.id }, 'approver'))
      .approvePayoutBatch.payouts;
    expect(payouts.map((p) => p.status)).toEqual(['RELEASED', 'RELEASED']);
  }, 180_000);
  afterAll(() => t.close());

  const stored = (id: string): Promise<PayoutEntity> =>
    t.dataSource.getRepository(PayoutEntity).findOneByOrFail({ id });

  it('the pay step itself refuses a payout that is already PAID (no matcher in between)', async () => {
    const [pBj] = payouts as [PayoutNode];
    const service = t.get(PayoutsService);
    const tx = t.get(TransactionService);
    const pay = (entryRef: string): Promise<boolean> =>
      tx.run((m) => service.markPaid(m, pBj.id, { entryRef, bookingDate: '2026-02-16', matchedBy: 'END_TO_END_ID' }));
    const before = await stored(pBj.id);
    expect(await pay('ENTRY-1')).toBe(true);
    expect(await pay('ENTRY-2')).toBe(false);
    expect(await pay('ENTRY-3')).toBe(false);
    const after = await stored(pBj.id);
    expect([after.status, after.paidEntryRef, after.version]).toEqual(['PAID', 'ENTRY-1', before.version + 1]);
  });

  if (db === 'mysql')
    it('two imports that both read the payout as unpaid: exactly one pays it, the other reports ALREADY_PAID', async () => {
      const pSh = payouts[1] as PayoutNode;
      const file = asOwnStatement(CAMT('handelsbanken/ISO20022_camt053_extended_SE_outgoing_payments_example.xml'))
        .replace('<EndToEndId>Own reference 21</EndToEndId>', `<EndToEndId>${compact(pSh.id)}</EndToEndId>`)
        .replace(/<Amt Ccy="SEK">11367<\/Amt>/g, '<Amt Ccy="CNY">53.00</Amt>');
      // Barrier: each import waits after reading its candidates until the other has read them too, so
      // both matchers see the payout RELEASED and both reach the pay step.
      const service = t.get(PayoutsService) as unknown as {
        matchCandidates: (...args: unknown[]) => Promise<unknown>;
      };
      const before = await stored(pSh.id);
      const original = service.matchCandidates.bind(service);
      let arrived = 0;
      let release = (): void => undefined;
      const bothRead = new Promise<void>((resolve) => (release = resolve));
      const spy = jest.spyOn(service, 'matchCandidates').mockImplementation(async (...args: unknown[]) => {
        const candidates = await original(...args);
        arrived += 1;
        if (arrived === 2) release();
        await bothRead;
        return candidates;
      });
      try {
        const results = await Promise.all(
          [1, 2].map(
            async () =>
              ok(await t.gql<{ importBankStatement: CamtResult }>(CAMT_IMPORT, { c: b64(file) }, 'finance'))
                .importBankStatement,
          ),
        );
        expect(arrived).toBe(2);
        expect(results.map((r) => r.matched.length).sort()).toEqual([0, 1]);
        const late = results.find((r) => r.matched.length === 0);
        expect(late?.exceptions.find((e) => e.payoutIds.includes(pSh.id))?.reason).toBe('ALREADY_PAID');
      } finally {
        spy.mockRestore();
      }
      const after = await stored(pSh.id);
      expect([after.status, after.matchedBy, after.version]).toEqual(['PAID', 'END_TO_END_ID', before.version + 1]);
    });
});
