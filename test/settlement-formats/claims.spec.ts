import ExcelJS from 'exceljs';
import * as iconv from 'iconv-lite';
import { DomainError, Money } from '../../src/common';
import { readClaimFile, reconcile, type ClaimColumnMapping } from '../../src/settlement/claims';
import type { StatementLine } from '../../src/settlement/exports';

const cny = (s: string): Money => Money.parse(s, 'CNY');
const MAPPING: ClaimColumnMapping = { reference: '推荐编号', amount: '佣金金额', description: '备注' };

const CSV_ZH = [
  '推荐编号,客户,佣金金额,备注',
  'R-001,张*,"1,234.50",首刷达标',
  'R-002,李*,￥２００.００,全角金额',
  'R-003,王*,￥99.99,', // GBK has only the full-width yen sign
  'R-002,李*,200.00,重复行',
  'R-005,赵*,12.345,三位小数',
  ',钱*,10.00,缺编号',
  'R-007,孙*,"1.234,50",欧式',
].join('\r\n');

async function expectBadInput(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe('readClaimFile: CSV encodings', () => {
  it.each([
    ['UTF-8', Buffer.from(CSV_ZH, 'utf8')],
    ['UTF-8-BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CSV_ZH, 'utf8')])],
    ['GB18030', iconv.encode(CSV_ZH, 'gbk')],
  ])('%s: same rows, amounts and row errors', async (encoding, buf) => {
    expect(iconv.decode(iconv.encode(CSV_ZH, 'gbk'), 'gbk')).toBe(CSV_ZH); // the GBK fixture is faithful
    const f = await readClaimFile(buf, { format: 'CSV', mapping: MAPPING });
    expect(f.encoding).toBe(encoding);
    expect(f.rows.map((r) => [r.line, r.reference, r.amount.minor, r.description])).toEqual([
      [2, 'R-001', 123450n, '首刷达标'],
      [3, 'R-002', 20000n, '全角金额'],
      [4, 'R-003', 9999n, null],
      [5, 'R-002', 20000n, '重复行'],
    ]);
    expect(f.rows[0]!.raw['客户']).toBe('张*');
    expect(f.errors).toEqual([
      { line: 5, field: 'reference', reason: 'DUPLICATE_REFERENCE' },
      { line: 6, field: 'amount', reason: 'TOO_MANY_DECIMALS' },
      { line: 7, field: 'reference', reason: 'REQUIRED' },
      { line: 8, field: 'amount', reason: 'AMBIGUOUS_AMOUNT' },
    ]);
    expect(f.duplicates).toEqual([{ reference: 'R-002', lines: [3, 5] }]);
  });

  it('GBK bytes are not mistaken for UTF-8 (GBK "推荐" is invalid UTF-8)', async () => {
    const gbk = iconv.encode('推荐编号,佣金金额\r\nR-1,1.00', 'gbk');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gbk)).toThrow();
    const f = await readClaimFile(gbk, { format: 'CSV', mapping: { reference: '推荐编号', amount: '佣金金额' } });
    expect(f.encoding).toBe('GB18030');
    expect(f.rows).toHaveLength(1);
  });

  it('a missing mapped column is a file-level error naming the column', async () => {
    const e = await expectBadInput(
      readClaimFile(Buffer.from('编号,金额\r\nR-1,1.00', 'utf8'), { format: 'CSV', mapping: MAPPING }),
    );
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.details).toMatchObject({ field: 'mapping.reference', reason: 'MISSING_COLUMN', column: '推荐编号' });
  });

  it('broken UTF-8 after a BOM, empty files and broken CSV are file-level errors', async () => {
    const broken = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), iconv.encode('推荐编号,佣金金额', 'gbk')]);
    expect((await expectBadInput(readClaimFile(broken, { format: 'CSV', mapping: MAPPING }))).details.reason).toBe(
      'BROKEN_UTF8',
    );
    expect(
      (await expectBadInput(readClaimFile(Buffer.alloc(0), { format: 'CSV', mapping: MAPPING }))).details.reason,
    ).toBe('EMPTY_FILE');
    expect(
      (await expectBadInput(readClaimFile(Buffer.from('a,"b\nc', 'utf8'), { format: 'CSV', mapping: MAPPING }))).details
        .reason,
    ).toBe('MALFORMED_CSV');
  });
});

describe('readClaimFile: XLSX', () => {
  it('reads text, numeric and formula cells with the mapping', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('对账');
    ws.addRow(['Ref', 'Amount', 'Kind']);
    ws.addRow(['R-001', 1234.5, '推荐']);
    ws.addRow(['C-9', '¥2,000.00', 'customer']);
    ws.addRow(['R-003', { formula: 'B2+0.01', result: 1234.51 }, '']);
    ws.addRow(['R-004', 0.1 + 0.2, '']); // 0.30000000000000004: refused, never rounded
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const f = await readClaimFile(buf, {
      format: 'XLSX',
      mapping: { reference: 'ref', amount: 'AMOUNT', referenceKind: 'Kind' },
    });
    expect(f.encoding).toBe('XLSX');
    expect(f.rows.map((r) => [r.line, r.reference, r.amount.toDecimalString(), r.referenceKind])).toEqual([
      [2, 'R-001', '1234.50', 'REFERRAL'],
      [3, 'C-9', '2000.00', 'CUSTOMER'],
      [4, 'R-003', '1234.51', null],
    ]);
    expect(f.errors).toEqual([{ line: 5, field: 'amount', reason: 'TOO_MANY_DECIMALS' }]);
  });

  it('a file that is not an XLSX is a file-level error', async () => {
    const e = await expectBadInput(readClaimFile(Buffer.from('not a zip'), { format: 'XLSX', mapping: MAPPING }));
    expect(e.details.reason).toBe('MALFORMED_XLSX');
  });
});

describe('reconcile', () => {
  const lines: (StatementLine & { customerRef?: string })[] = [
    { ref: 'R-001', program: '联名卡', rule: '激活奖励', description: '', amount: cny('1234.50') },
    { ref: 'R-002', program: '联名卡', rule: '激活奖励', description: '', amount: cny('200.00') },
    { ref: 'R-003', program: '联名卡', rule: '首刷奖励', description: '', amount: cny('100.00') },
    {
      ref: 'R-004',
      program: '代发工资',
      rule: '开户奖励',
      description: '',
      amount: cny('50.00'),
      customerRef: 'CUST-77',
    },
    { ref: 'R-006', program: '代发工资', rule: '开户奖励', description: '', amount: cny('88.88') },
  ];

  it('gives each outcome with its difference and reason, and a summary that adds up', async () => {
    const csv = [
      'ref,kind,amount',
      'R-001,,"1,234.50"',
      'R-002,,200.00',
      'R-003,,99.99',
      'R-002,,200.00',
      'CUST-77,CUSTOMER,50.00',
      'R-999,,10.00',
    ].join('\n');
    const f = await readClaimFile(Buffer.from(csv), {
      format: 'CSV',
      mapping: { reference: 'ref', amount: 'amount', referenceKind: 'kind' },
    });
    const r = reconcile(lines, f.rows);
    expect(r.items.map((i) => [i.outcome, i.reference, i.difference.toDecimalString(), i.reason])).toEqual([
      ['MATCHED', 'R-001', '0.00', 'AMOUNTS_EQUAL'],
      ['MATCHED', 'R-002', '0.00', 'AMOUNTS_EQUAL'],
      ['AMOUNT_MISMATCH', 'R-003', '-0.01', 'CLAIM_BELOW_STATEMENT'],
      ['DUPLICATE_IN_CLAIM', 'R-002', '200.00', 'REPEATS_LINE_3'],
      ['MATCHED', 'R-004', '0.00', 'AMOUNTS_EQUAL'],
      ['MISSING_IN_BANK', 'R-999', '10.00', 'NOT_ON_STATEMENT'],
      ['MISSING_IN_CLAIM', 'R-006', '-88.88', 'NOT_CLAIMED'],
    ]);
    const s = r.summary;
    expect([
      s.MATCHED.count,
      s.AMOUNT_MISMATCH.count,
      s.DUPLICATE_IN_CLAIM.count,
      s.MISSING_IN_BANK.count,
      s.MISSING_IN_CLAIM.count,
    ]).toEqual([3, 1, 1, 1, 1]);
    expect(s.MATCHED.bankTotal.toDecimalString()).toBe('1484.50');
    expect(s.bankTotal.toDecimalString()).toBe('1673.38'); // Σ statement lines
    expect(s.claimTotal.toDecimalString()).toBe('1794.49'); // Σ claim rows
    expect(s.difference.toDecimalString()).toBe('121.11');
    expect(s.balanced).toBe(false);
    const sumOfDiffs = r.items.reduce((a, i) => a.plus(i.difference), Money.zero('CNY'));
    expect(sumOfDiffs.equals(s.difference)).toBe(true);
  });

  it('a claim that equals the statement is balanced', () => {
    const rows = lines.map((l, i) => ({
      line: i + 2,
      reference: l.ref.toLowerCase(),
      referenceKind: null,
      customerRef: null,
      eventId: null,
      description: null,
      amount: l.amount,
      raw: {},
    }));
    const r = reconcile(lines, rows);
    expect(r.summary.balanced).toBe(true);
    expect(r.summary.MATCHED.count).toBe(5);
    expect(r.summary.difference.isZero()).toBe(true);
  });
});
