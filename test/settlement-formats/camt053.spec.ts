import * as fs from 'node:fs';
import * as path from 'node:path';
import { Money } from '../../src/common';
import { matchCamtToPayouts, parseCamt053, validateXml, type PayoutToMatch } from '../../src/settlement/iso20022';

const DATA = path.resolve(__dirname, '../../../shared/data/iso20022-pain001-camt053');
const SAMPLE = (rel: string): Buffer => fs.readFileSync(path.join(DATA, 'samples/camt053', rel));
const XSD = (v: string): string => path.join(DATA, 'xsd', `${v}.xsd`);

describe('camt.053 samples against their XSD', () => {
  it.each([
    ['handelsbanken/camt_053_ver_2_extended_uk_account.xml', 'camt.053.001.02', true],
    ['handelsbanken/ISO20022_camt053_extended_SE_outgoing_payments_example.xml', 'camt.053.001.02', true],
    ['fffs-finland/FI_camt_053_sample.xml.xml', 'camt.053.001.02', true],
    ['siauliu-bankas-lt/statement_1.xml', 'camt.053.001.02', true],
    ['postfinance-ch/camt.053_P_CH2909000000250094239_1110092698_0_2020112503071366.xml', 'camt.053.001.04', true],
    ['viafintech-fixtures/valid_example_v4.xml', 'camt.053.001.04', true],
    // Deliberately invalid (SOURCES.md): NtryRef after Amt; a version-5 UUID as UETR.
    ['viafintech-fixtures/valid_example.xml', 'camt.053.001.02', false],
    ['viafintech-fixtures/valid_example_v8.xml', 'camt.053.001.08', false],
  ])('%s (%s) → valid=%s', async (rel, version, valid) => {
    const xml = SAMPLE(rel);
    expect(parseCamt053(xml).version).toBe(version);
    const r = await validateXml(xml, XSD(version));
    expect(r.valid).toBe(valid);
    if (!valid) expect(r.errors.length).toBeGreaterThan(0);
  });

  it('names the element that breaks the schema', async () => {
    const r1 = await validateXml(SAMPLE('viafintech-fixtures/valid_example.xml'), XSD('camt.053.001.02'));
    expect(r1.errors[0]).toMatchObject({ line: 62 });
    expect(r1.errors[0]!.message).toContain('NtryRef');
    const r2 = await validateXml(SAMPLE('viafintech-fixtures/valid_example_v8.xml'), XSD('camt.053.001.08'));
    expect(r2.errors[0]).toMatchObject({ line: 119 });
    expect(r2.errors[0]!.message).toContain('UETR');
  });
});

describe('parseCamt053 on real samples', () => {
  it('Handelsbanken UK: 2 entries, exact amounts, EndToEndId, counterparty and remittance', () => {
    const doc = parseCamt053(SAMPLE('handelsbanken/camt_053_ver_2_extended_uk_account.xml'));
    expect(doc.messageId).toBe('CAMT06342120150429015');
    expect(doc.statements).toHaveLength(1);
    const s = doc.statements[0]!;
    expect(s.account).toBe('GB87HAND40516218000025');
    expect(s.entries.map((e) => [e.ref, e.amount.minor, e.amount.currency, e.creditDebit, e.status])).toEqual([
      ['3321251633201504280000100001', 160n, 'GBP', 'DBIT', 'BOOK'],
      ['3321251633201504280000100002', 150n, 'GBP', 'CRDT', 'BOOK'],
    ]);
    const debit = s.entries[0]!;
    expect(debit).toMatchObject({
      bookingDate: '2015-04-28',
      valueDate: '2015-04-28',
      endToEndId: 'OWN REF 15',
      counterpartyAccount: '18000026',
      counterpartyName: 'CASH POOL COMPANY',
      remittance: 'Message to beneficiary line 1 Message to beneficiary line 2',
    });
    // ".6" in the file: the instructed amount, exactly.
    expect(debit.transactions[0]!.amount!.equals(Money.parse('0.60', 'GBP'))).toBe(true);
  });

  it('Handelsbanken Swedish statement: 3 statements with 4, 0 and 1 entries', () => {
    const doc = parseCamt053(SAMPLE('handelsbanken/camt_053_swedish_account_statement.xml'));
    expect(doc.statements.map((s) => [s.account, s.entries.length])).toEqual([
      ['123456789', 4],
      ['222333444', 0],
      ['45678910', 1],
    ]);
    expect(doc.statements[0]!.entries.map((e) => e.amount.toDecimalString())).toEqual([
      '1387.60',
      '8876.80',
      '4533.00',
      '75.00',
    ]);
    expect(doc.statements[2]!.entries[0]!.amount.toString()).toBe('155259.00 NOK');
  });

  it('FFFS Finland: 10 entries, totals to the cent', () => {
    const s = parseCamt053(SAMPLE('fffs-finland/FI_camt_053_sample.xml.xml')).statements[0]!;
    expect(s.entries).toHaveLength(10);
    const sum = (cd: string): string =>
      s.entries
        .filter((e) => e.creditDebit === cd)
        .reduce((a, e) => a.plus(e.amount), Money.zero('EUR'))
        .toDecimalString();
    expect(sum('DBIT')).toBe('9430.17'); // 1000.12 + 4000.00 + 4230.05 + 200.00
    expect(sum('CRDT')).toBe('23075.00'); // 2000 + 500 + 3000 + 2120 + 5455 + 10000
    expect(s.entries.find((e) => e.endToEndId !== null)).toMatchObject({
      ref: '091029ACCTSTMTARCH08',
      endToEndId: 'EndToEndIdSCT01',
    });
  });

  it('PostFinance v04 and the v08 sample (status as Sts/Cd)', () => {
    const pf = parseCamt053(SAMPLE('postfinance-ch/camt.053_P_CH2909000000250094239_1110092698_0_2020112503071366.xml'))
      .statements[0]!;
    expect(pf.account).toBe('CH2909000000250094239');
    expect(pf.entries.map((e) => e.amount.toDecimalString())).toEqual([
      '4.50',
      '77.70',
      '1500.00',
      '1537.00',
      '1692.22',
    ]);
    expect(pf.entries[3]!.valueDate).toBe('2020-11-25');

    const v8 = parseCamt053(SAMPLE('viafintech-fixtures/valid_example_v8.xml')).statements[0]!;
    expect(v8.entries.map((e) => [e.amount.toString(), e.creditDebit, e.status, e.endToEndId])).toEqual([
      ['474.40 CHF', 'CRDT', 'BOOK', '80000004540000100095'],
      ['88.85 CHF', 'CRDT', 'BOOK', '435A9287E088BDB1D97FAABD181C70C8'],
      ['20.97 EUR', 'DBIT', 'BOOK', '1208481'],
    ]);
  });
});

describe('matchCamtToPayouts', () => {
  const sek = (s: string): Money => Money.parse(s, 'SEK');
  const eur = (s: string): Money => Money.parse(s, 'EUR');

  it('matches by EndToEndId per transaction of a batch booking, with amount checks', () => {
    // Entry 1: one payment instructed as EUR 19,961.40 (booked in SEK); entry 2: a batch of three.
    const entries = parseCamt053(SAMPLE('handelsbanken/ISO20022_camt053_extended_SE_outgoing_payments_example.xml'))
      .statements[0]!.entries;
    const payouts: PayoutToMatch[] = [
      {
        payoutId: 'Own reference 1',
        amount: eur('19961.40'),
        creditorAccount: 'SE8990900000098765432100',
        executionDate: '2015-06-18',
      },
      { payoutId: 'Own reference 21', amount: sek('11367'), creditorAccount: '9876543', executionDate: '2015-06-18' },
      { payoutId: 'Own reference 22', amount: sek('920'), creditorAccount: '1112222', executionDate: '2015-06-18' },
    ];
    const r = matchCamtToPayouts(entries, payouts);
    expect(r.matched).toEqual([
      {
        payoutId: 'Own reference 1',
        entryRef: '3322111122201506180000100001',
        endToEndId: 'Own reference 1',
        matchedBy: 'END_TO_END_ID',
      },
      {
        payoutId: 'Own reference 21',
        entryRef: '3322111122201506180000100002',
        endToEndId: 'Own reference 21',
        matchedBy: 'END_TO_END_ID',
      },
    ]);
    expect(r.exceptions.map((e) => [e.entryRef, e.endToEndId, e.reason, e.payoutIds, e.amount?.toString()])).toEqual([
      ['3322111122201506180000100002', 'Own reference 22', 'AMOUNT_DIFFERS', ['Own reference 22'], '921.00 SEK'],
      ['3322111122201506180000100002', 'Own refernce 23', 'NO_MATCH', [], '277.00 SEK'],
    ]);
    expect(r.ignored).toEqual([]);
  });

  it('falls back to amount + date + account, and reports ambiguous, already paid and unmatched entries', () => {
    // Šiaulių bankas: four booked debits without EndToEndId.
    const entries = parseCamt053(SAMPLE('siauliu-bankas-lt/statement_1.xml')).statements[0]!.entries;
    expect(entries.map((e) => [e.amount.toDecimalString(), e.bookingDate, e.counterpartyAccount])).toEqual([
      ['1.64', '2015-05-11', 'LT007180000000000001'],
      ['2734.58', '2015-05-20', 'LT007180000000000002'],
      ['30.16', '2015-05-20', 'LT007044000000000000'],
      ['1.70', '2015-05-20', 'LT007180000000000003'],
    ]);
    const payouts: PayoutToMatch[] = [
      // within 3 days, account written with spaces and lower case
      {
        payoutId: 'po-a',
        amount: eur('2734.58'),
        creditorAccount: 'lt00 7180 0000 0000 0002',
        executionDate: '2015-05-18',
      },
      { payoutId: 'po-b1', amount: eur('30.16'), creditorAccount: 'LT007044000000000000', executionDate: '2015-05-20' },
      { payoutId: 'po-b2', amount: eur('30.16'), creditorAccount: 'LT007044000000000000', executionDate: '2015-05-19' },
      {
        payoutId: 'po-c',
        amount: eur('1.70'),
        creditorAccount: 'LT007180000000000003',
        executionDate: '2015-05-20',
        alreadyPaid: true,
      },
      // same amount and account but 9 days away: no match
      { payoutId: 'po-d', amount: eur('1.64'), creditorAccount: 'LT007180000000000001', executionDate: '2015-05-02' },
    ];
    const r = matchCamtToPayouts(entries, payouts);
    expect(r.matched).toEqual([
      { payoutId: 'po-a', entryRef: '201509302599406883#2', endToEndId: null, matchedBy: 'AMOUNT_DATE_ACCOUNT' },
    ]);
    expect(r.exceptions.map((e) => [e.entryRef, e.reason, e.payoutIds])).toEqual([
      ['201509302599406883#1', 'NO_MATCH', []],
      ['201509302599406883#3', 'AMBIGUOUS', ['po-b1', 'po-b2']],
      ['201509302599406883#4', 'ALREADY_PAID', ['po-c']],
    ]);
    // With a 10-day window the 1.64 entry matches po-d.
    expect(matchCamtToPayouts(entries.slice(0, 1), payouts, { dateToleranceDays: 10 }).matched).toEqual([
      { payoutId: 'po-d', entryRef: '201509302599406883#1', endToEndId: null, matchedBy: 'AMOUNT_DATE_ACCOUNT' },
    ]);
  });

  it('never pays a payout twice: a second statement or a repeated entry is ALREADY_PAID', () => {
    const entries = parseCamt053(SAMPLE('handelsbanken/camt_053_ver_2_extended_uk_account.xml')).statements[0]!.entries;
    const payout: PayoutToMatch = {
      payoutId: 'OWN REF 15',
      amount: Money.parse('0.60', 'GBP'),
      creditorAccount: '18000026',
      executionDate: '2015-04-28',
    };
    const twice = matchCamtToPayouts([...entries, ...entries], [payout]);
    expect(twice.matched).toHaveLength(1);
    expect(twice.exceptions.map((e) => e.reason)).toEqual(['ALREADY_PAID']);
    // The credit entries are not payouts: listed as ignored, not as exceptions.
    expect(twice.ignored.map((i) => i.reason)).toEqual(['NOT_A_DEBIT', 'NOT_A_DEBIT']);
    expect(matchCamtToPayouts(entries, [{ ...payout, alreadyPaid: true }]).exceptions[0]).toMatchObject({
      reason: 'ALREADY_PAID',
      payoutIds: ['OWN REF 15'],
    });
  });

  it('matches our UUID payout ids written as 32 hex digits', () => {
    const id = '0190f2a4-c3b2-7c1e-9a0b-8d6e5f4a3b22';
    const xml = fs
      .readFileSync(path.join(DATA, 'samples/camt053/handelsbanken/camt_053_ver_2_extended_uk_account.xml'), 'utf8')
      .replace('<EndToEndId>OWN REF 15</EndToEndId>', `<EndToEndId>${id.replace(/-/g, '').toUpperCase()}</EndToEndId>`);
    const entries = parseCamt053(xml).statements[0]!.entries;
    const r = matchCamtToPayouts(entries, [
      { payoutId: id, amount: Money.parse('0.60', 'GBP'), creditorAccount: 'elsewhere', executionDate: '2015-01-01' },
    ]);
    expect(r.matched.map((m) => [m.payoutId, m.matchedBy])).toEqual([[id, 'END_TO_END_ID']]);
  });
});
