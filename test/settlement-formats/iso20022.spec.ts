import * as fs from 'node:fs';
import * as path from 'node:path';
import { DomainError, Money } from '../../src/common';
import {
  buildPain001,
  checkPain001Totals,
  fromIsoReference,
  parsePain002,
  toIsoReference,
  validateXml,
  type Pain001Batch,
} from '../../src/settlement/iso20022';

const DATA = path.resolve(__dirname, '../../../shared/data/iso20022-pain001-camt053');
const XSD = (name: string): string => path.join(DATA, 'xsd', name);
const SAMPLE = (rel: string): Buffer => fs.readFileSync(path.join(DATA, 'samples', rel));
const FIXTURE = (name: string): Buffer => fs.readFileSync(path.join(__dirname, 'fixtures', name));
const PAIN001_XSD = XSD('pain.001.001.03.xsd');

const cny = (s: string): Money => Money.parse(s, 'CNY');

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return `${String(e.details.field)}:${String(e.details.reason)}`;
    throw e;
  }
  throw new Error('expected a DomainError');
}

const BATCH_ID = '0190f2a4-c3b2-7c1e-9a0b-8d6e5f4a3b21';
const P1 = '0190f2a4-c3b2-7c1e-9a0b-8d6e5f4a3b22';
const P2 = '0190f2a4-c3b2-7c1e-9a0b-8d6e5f4a3b23';

function batch(overrides: Partial<Pain001Batch> = {}): Pain001Batch {
  return {
    batchId: BATCH_ID,
    createdAt: new Date('2026-12-01T01:30:00Z'),
    requestedExecutionDate: '2026-12-02',
    initiatingPartyName: '共赢银行股份有限公司',
    debtor: {
      name: '共赢银行股份有限公司 合作机构结算户',
      account: { other: '1100 6000 0180 1000 0001', otherScheme: 'CNAPS' },
      agent: { cnaps: '313100000013', bic: 'GYBKCNBJ' },
    },
    payouts: [
      {
        payoutId: P1,
        amount: cny('10600.00'),
        creditor: {
          name: '北京<云途>旅行社有限公司 & Partners',
          account: { other: '6222020200000000001' },
          agent: { cnaps: '102100099996', name: '中国工商银行北京分行' },
        },
        statementNumber: 'GY-ST-202611-0001',
      },
      {
        payoutId: P2,
        amount: cny('21200.01'),
        creditor: {
          name: 'Travel GmbH',
          account: { iban: 'DE89 3704 0044 0532 0130 00' },
          agent: { bic: 'COBADEFFXXX' },
        },
        statementNumber: 'GY-ST-202611-0002',
      },
    ],
    ...overrides,
  };
}

describe('pain.001.001.03', () => {
  it('builds a document that validates against the official XSD, with exact amounts and ids', async () => {
    const xml = buildPain001(batch());
    const result = await validateXml(xml, PAIN001_XSD);
    expect(result).toEqual({ valid: true, errors: [] });

    const compactBatch = BATCH_ID.replace(/-/g, '');
    expect(xml).toContain(`<MsgId>${compactBatch}</MsgId>`);
    expect(xml).toContain(`<PmtInfId>${compactBatch}</PmtInfId>`);
    expect(xml).toContain('<CreDtTm>2026-12-01T01:30:00Z</CreDtTm>');
    expect(xml.match(/<NbOfTxs>2<\/NbOfTxs>/g)).toHaveLength(2);
    expect(xml.match(/<CtrlSum>31800.01<\/CtrlSum>/g)).toHaveLength(2);
    expect(xml).toContain('<ReqdExctnDt>2026-12-02</ReqdExctnDt>');
    expect(xml).toContain(`<EndToEndId>${P1.replace(/-/g, '')}</EndToEndId>`);
    expect(xml).toContain('<InstdAmt Ccy="CNY">10600.00</InstdAmt>');
    expect(xml).toContain('<InstdAmt Ccy="CNY">21200.01</InstdAmt>');
    expect(xml).toContain('<Ustrd>GY-ST-202611-0001</Ustrd>');
    expect(xml).toContain('<Nm>北京&lt;云途&gt;旅行社有限公司 &amp; Partners</Nm>');
    expect(xml).toContain('<Id><Othr><Id>6222020200000000001</Id></Othr></Id>');
    expect(xml).toContain('<IBAN>DE89370400440532013000</IBAN>');
    expect(xml).toContain('<ClrSysMmbId><ClrSysId><Cd>CNAPS</Cd></ClrSysId><MmbId>102100099996</MmbId></ClrSysMmbId>');
    // EndToEndIds read back to our payout ids.
    expect(fromIsoReference(toIsoReference(P1))).toBe(P1);
  });

  it('prints amounts that floats would get wrong, exactly', async () => {
    const big = Money.ofMinor(9007199254740991n, 'CNY'); // 90,071,992,547,409.91
    const xml = buildPain001(
      batch({
        payouts: [
          { ...batch().payouts[0]!, amount: big },
          { ...batch().payouts[1]!, amount: Money.ofMinor(30n, 'CNY') },
        ],
      }),
    );
    expect(xml).toContain('<InstdAmt Ccy="CNY">90071992547409.91</InstdAmt>');
    expect(xml).toContain('<InstdAmt Ccy="CNY">0.30</InstdAmt>');
    expect(xml).toContain('<CtrlSum>90071992547410.21</CtrlSum>');
    expect((await validateXml(xml, PAIN001_XSD)).valid).toBe(true);
  });

  it('truncates names and remittance to the XSD lengths (by characters) and stays valid', async () => {
    const longName = '北'.repeat(200);
    const xml = buildPain001(
      batch({ payouts: [{ ...batch().payouts[0]!, creditor: { ...batch().payouts[0]!.creditor, name: longName } }] }),
    );
    expect(xml).toContain(`<Nm>${'北'.repeat(140)}</Nm>`);
    expect(xml).not.toContain('北'.repeat(141));
    expect((await validateXml(xml, PAIN001_XSD)).valid).toBe(true);
  });

  it('refuses inputs that cannot make a correct payment file', () => {
    const p = batch().payouts[0]!;
    expect(reasonOf(() => buildPain001(batch({ payouts: [] })))).toBe('payouts:EMPTY_BATCH');
    expect(reasonOf(() => buildPain001(batch({ payouts: [p, p] })))).toBe('payouts[1].payoutId:DUPLICATE_PAYOUT');
    expect(reasonOf(() => buildPain001(batch({ payouts: [{ ...p, amount: cny('0') }] })))).toBe(
      'payouts[0].amount:NOT_POSITIVE',
    );
    expect(reasonOf(() => buildPain001(batch({ requestedExecutionDate: '2026-02-30' })))).toBe(
      'requestedExecutionDate:INVALID_DATE',
    );
    expect(
      reasonOf(() =>
        buildPain001(batch({ payouts: [{ ...p, creditor: { ...p.creditor, account: { iban: 'XX' } } }] })),
      ),
    ).toBe('payouts[0].creditor.account.iban:INVALID_IBAN');
    expect(reasonOf(() => buildPain001(batch({ payouts: [{ ...p, statementNumber: '  ' }] })))).toBe(
      'payouts[0].statementNumber:REQUIRED',
    );
  });

  it('reports a broken document as invalid, with errors', async () => {
    const xml = buildPain001(batch());
    const noNbOfTxs = xml.replace(/<GrpHdr>(.*?)<NbOfTxs>2<\/NbOfTxs>/, '<GrpHdr>$1');
    expect(noNbOfTxs).not.toBe(xml);
    const r1 = await validateXml(noNbOfTxs, PAIN001_XSD);
    expect(r1.valid).toBe(false);
    expect(r1.errors.length).toBeGreaterThan(0);
    expect(r1.errors[0]!.message).toMatch(/CtrlSum|NbOfTxs/);

    const badAmount = xml.replace('>10600.00<', '>10,600.00<');
    const r2 = await validateXml(badAmount, PAIN001_XSD);
    expect(r2.valid).toBe(false);
    expect(r2.errors.some((e) => e.message.includes('InstdAmt'))).toBe(true);

    const r3 = await validateXml('<Document><unclosed></Document>', PAIN001_XSD);
    expect(r3.valid).toBe(false);
    expect(r3.errors.length).toBeGreaterThan(0);
  });

  it.each([
    'pain001/iso20022-mdr-example/gistfile1.xml',
    'pain001/siauliu-bankas-lt/sepa_payment_naujas_1.xml',
    'pain001/siauliu-bankas-lt/International_payment_USD_naujas_1.xml',
  ])('the validator accepts the real sample %s (the Šiaulių files start with a BOM)', async (rel) => {
    expect(await validateXml(SAMPLE(rel), PAIN001_XSD)).toEqual({ valid: true, errors: [] });
  });

  it('the Swiss Musterfile is invalid against ISO .03 as is (its namespace is the CH one)', async () => {
    const r = await validateXml(SAMPLE('pain001/postfinance-ch/musterfile_pain.001_Nov2020.xml'), PAIN001_XSD);
    expect(r.valid).toBe(false);
    const ch = await validateXml(
      SAMPLE('pain001/postfinance-ch/musterfile_pain.001_Nov2020.xml'),
      XSD('pain.001.001.03.ch.02.xsd'),
    );
    expect(ch.valid).toBe(true);
  });
});

describe('pain.001 totals the XSD cannot check', () => {
  it('our own file is consistent; a tampered CtrlSum or NbOfTxs is reported', () => {
    const xml = buildPain001(batch());
    expect(checkPain001Totals(xml)).toEqual([]);
    const tampered = xml.replace(
      '<NbOfTxs>2</NbOfTxs><CtrlSum>31800.01</CtrlSum><ReqdExctnDt>',
      '<NbOfTxs>3</NbOfTxs><CtrlSum>31800.00</CtrlSum><ReqdExctnDt>',
    );
    expect(tampered).not.toBe(xml);
    expect(checkPain001Totals(tampered)).toEqual([
      { path: 'PmtInf[0]', rule: 'NB_OF_TXS', declared: '3', actual: '2' },
      { path: 'PmtInf[0]', rule: 'CTRL_SUM', declared: '31800.00', actual: '31800.01' },
    ]);
  });

  it('finds the PostFinance Musterfile anomaly: NbOfTxs 7 with 8 transactions', () => {
    expect(checkPain001Totals(SAMPLE('pain001/postfinance-ch/musterfile_pain.001_Nov2020.xml'))).toEqual([
      { path: 'GrpHdr', rule: 'NB_OF_TXS', declared: '7', actual: '8' },
    ]);
    expect(checkPain001Totals(SAMPLE('pain001/siauliu-bankas-lt/sepa_payment_naujas_1.xml'))).toEqual([]);
  });
});

describe('pain.002', () => {
  it('reads per-transaction statuses and reason codes, mapping ids back to ours', () => {
    const r = parsePain002(FIXTURE('pain002-batch.xml'));
    expect(r.originalMsgId).toBe(BATCH_ID);
    expect(r.originalPmtInfId).toBe(BATCH_ID);
    expect(r.originalMsgNameId).toBe('pain.001.001.03');
    expect(r.groupStatus).toBe('PART');
    expect(r.transactions.map((t) => [t.payoutId, t.status, t.reasonCode])).toEqual([
      [P1, 'ACSC', null],
      [P2, 'RJCT', 'AC01'],
      ['0190f2a4-c3b2-7c1e-9a0b-8d6e5f4a3b24', 'ACCP', null],
    ]);
    expect(r.transactions[1]!.reasons[0]!.additionalInfo).toEqual(['账号不存在 Incorrect account number']);
  });

  it('reads a group-level rejection without transactions, for an id that is not ours', () => {
    const r = parsePain002(FIXTURE('pain002-group-rejected.xml'));
    expect(r.originalMsgId).toBe('UNKNOWN-BATCH-42');
    expect(r.groupStatus).toBe('RJCT');
    expect(r.groupReasons).toEqual([{ code: 'FF01', additionalInfo: ['Invalid file format'] }]);
    expect(r.originalPmtInfId).toBeNull();
    expect(r.transactions).toEqual([]);
  });

  it('refuses what is not a pain.002', () => {
    expect(reasonOf(() => parsePain002(SAMPLE('pain001/iso20022-mdr-example/gistfile1.xml')))).toBe(
      'file:UNEXPECTED_MESSAGE_TYPE',
    );
    expect(reasonOf(() => parsePain002('<Document><CstmrPmtStsRpt>'))).toBe('file:MALFORMED_XML');
    expect(reasonOf(() => parsePain002('<!DOCTYPE x [<!ENTITY a "b">]><Document><CstmrPmtStsRpt/></Document>'))).toBe(
      'file:DOCTYPE_NOT_ALLOWED',
    );
    expect(
      reasonOf(() =>
        parsePain002(
          '<Document><CstmrPmtStsRpt><OrgnlGrpInfAndSts><OrgnlMsgNmId>x</OrgnlMsgNmId></OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>',
        ),
      ),
    ).toBe('OrgnlGrpInfAndSts.OrgnlMsgId:REQUIRED');
  });
});
