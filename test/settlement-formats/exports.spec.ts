import ExcelJS from 'exceljs';
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { DomainError, Money } from '../../src/common';
import {
  XLSX_HEADER_ROW,
  neutraliseCell,
  statementToCsv,
  statementToPdf,
  statementToXlsx,
  statementTotals,
  type StatementDocument,
} from '../../src/settlement/exports';

const cny = (s: string): Money => Money.parse(s, 'CNY');

/** fontkit ships with pdfkit but without types: only the call used here. */
interface FontkitLike {
  openSync(path: string, postscriptName?: string): { hasGlyphForCodePoint?: (cp: number) => boolean };
}
const fontkit = createRequire(__filename)('fontkit') as FontkitLike;

function doc(over: Partial<StatementDocument> = {}): StatementDocument {
  return {
    number: 'GY-ST-202611-0001',
    partner: { name: '=北京云途旅行社有限公司', uscc: '91110000802100433B', account: '6222020200000000001' },
    period: '2026-11',
    currency: 'CNY',
    taxRate: '0.06',
    pricesIncludeTax: false,
    lines: [
      { ref: 'R-001', program: '联名卡 Co-brand', rule: '激活奖励', description: '首刷达标', amount: cny('1234.50') },
      {
        ref: '=HYPERLINK("http://x","y")',
        program: '+SUM(A1)',
        rule: '-2+3',
        description: '@cmd',
        amount: cny('0.10'),
      },
      { ref: 'R-003', program: 'p', rule: 'r', description: '\tTAB', amount: cny('0.20') },
      { ref: 'R-004', program: 'p', rule: 'r', description: '\rCR, "quoted"', amount: cny('-0.05') },
      { ref: 'R-005', program: 'p', rule: 'r', description: 'ok', amount: cny('9999999.99') },
    ],
    ...over,
  };
}
const LINES_TOTAL = '10001234.74';

describe('statement totals (tax rounded HALF_UP once per statement)', () => {
  it('exclusive: net ¥10,000.00 at 6% → tax ¥600.00, gross ¥10,600.00', () => {
    const t = statementTotals(
      doc({ lines: [{ ref: 'a', program: 'p', rule: 'r', description: '', amount: cny('10000.00') }] }),
    );
    expect([t.net.format(), t.tax.format(), t.gross.format()]).toEqual(['¥10,000.00', '¥600.00', '¥10,600.00']);
  });

  it('inclusive: gross ¥10,600.00 at 6% → net ¥10,000.00 (= 10600 ÷ 1.06), tax ¥600.00', () => {
    const t = statementTotals(
      doc({
        pricesIncludeTax: true,
        lines: [{ ref: 'a', program: 'p', rule: 'r', description: '', amount: cny('10600.00') }],
      }),
    );
    expect([t.net.format(), t.tax.format(), t.gross.format()]).toEqual(['¥10,000.00', '¥600.00', '¥10,600.00']);
  });

  it('rounds half-up at the fen: 0.25 × 6% = 1.5 fen → 2 fen; inclusive 0.53 ÷ 1.06 = 50 fen', () => {
    const one = (amount: string, incl: boolean): string[] => {
      const t = statementTotals(
        doc({
          pricesIncludeTax: incl,
          lines: [{ ref: 'a', program: 'p', rule: 'r', description: '', amount: cny(amount) }],
        }),
      );
      return [t.net, t.tax, t.gross].map((m) => m.toDecimalString());
    };
    expect(one('0.25', false)).toEqual(['0.25', '0.02', '0.27']);
    expect(one('0.24', false)).toEqual(['0.24', '0.01', '0.25']); // 1.44 fen → 1
    expect(one('0.53', true)).toEqual(['0.50', '0.03', '0.53']);
    expect(one('1.00', true)).toEqual(['0.94', '0.06', '1.00']); // 94.339… fen → 94
  });

  it('refuses a line in another currency and a bad rate', () => {
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        if (e instanceof DomainError) return String(e.details.reason);
      }
      return 'none';
    };
    expect(
      code(() =>
        statementTotals(
          doc({ lines: [{ ref: 'a', program: 'p', rule: 'r', description: '', amount: Money.parse('1', 'USD') }] }),
        ),
      ),
    ).toBe('CURRENCY_MISMATCH');
    expect(code(() => statementTotals(doc({ taxRate: 'abc' })))).toBe('INVALID_RATE');
  });
});

describe('formula injection', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['普通文本', '普通文本'],
    ['a=b', 'a=b'],
  ])('%j → %j', (input, out) => {
    expect(neutraliseCell(input)).toBe(out);
  });
});

describe('statementToCsv', () => {
  it('reads back: lines neutralised, totals equal the sum of the lines to the fen', () => {
    const buf = statementToCsv(doc());
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(buf, { bom: true, relax_column_count: true });
    expect(rows[0]).toEqual([
      '序号 No.',
      '参考号 Reference',
      '项目 Program',
      '规则 Rule',
      '说明 Description',
      '金额 Amount',
    ]);
    const lineRows = rows.slice(1, 6);
    expect(lineRows[1]).toEqual(['2', `'=HYPERLINK("http://x","y")`, "'+SUM(A1)", "'-2+3", "'@cmd", '0.10']);
    expect(lineRows[2]![4]).toBe("'\tTAB");
    expect(lineRows[3]![4]).toBe(`'\rCR, "quoted"`);
    const sum = lineRows.reduce((a, r) => a.plus(Money.parse(r[5]!, 'CNY')), Money.zero('CNY'));
    expect(sum.toDecimalString()).toBe(LINES_TOTAL);
    const totals = rows.slice(6, 10).map((r) => [r[1], r[5]]);
    expect(totals).toEqual([
      ['合计 Lines total', LINES_TOTAL],
      ['不含税金额 Net', LINES_TOTAL],
      ['税额 VAT 6%', '600074.08'], // 10001234.74 × 0.06 = 600074.0844
      ['价税合计 Gross payable', '10601308.82'],
    ]);
    // The same header facts as the PDF and XLSX (the partner name neutralised like every text cell).
    expect(rows.slice(10).map((r) => [r[1], r[4]])).toEqual([
      ['对账单号 Statement No.', 'GY-ST-202611-0001'],
      ['合作机构 Partner', "'=北京云途旅行社有限公司 (91110000802100433B)"],
      ['收款账户 Account', '6222020200000000001'],
      ['结算周期 Period', '2026-11'],
      ['币种 Currency', 'CNY'],
    ]);
    // Every text cell in the file is safe: nothing but a neutralised cell starts with a trigger.
    for (const r of rows) for (const c of r.slice(1, 5)) expect(/^[=+\-@\t\r]/.test(c)).toBe(false);
  });
});

describe('statementToXlsx', () => {
  it('frozen header, money format, widths, neutralised text, totals equal the lines to the fen', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await statementToXlsx(doc())) as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0]!;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: XLSX_HEADER_ROW });
    expect(ws.getColumn(5).width).toBe(40);
    expect(ws.getRow(2).getCell(3).value).toBe("'=北京云途旅行社有限公司 (91110000802100433B)");
    expect(ws.getRow(XLSX_HEADER_ROW).getCell(6).value).toBe('金额 Amount');

    const first = XLSX_HEADER_ROW + 1;
    const lineRows = [0, 1, 2, 3, 4].map((i) => ws.getRow(first + i));
    expect(lineRows[1]!.getCell(2).value).toBe(`'=HYPERLINK("http://x","y")`);
    expect(lineRows[1]!.getCell(3).value).toBe("'+SUM(A1)");
    expect(lineRows[1]!.getCell(5).value).toBe("'@cmd");
    expect(lineRows[2]!.getCell(5).value).toBe("'\tTAB");
    for (const r of lineRows) {
      expect(typeof r.getCell(6).value).toBe('number');
      expect(r.getCell(6).numFmt).toBe('#,##0.00');
    }
    const sum = lineRows.reduce(
      (a, r) => a.plus(Money.parse(String(r.getCell(6).value as number), 'CNY')),
      Money.zero('CNY'),
    );
    expect(sum.toDecimalString()).toBe(LINES_TOTAL);

    const totalCell = ws.getRow(first + 5).getCell(6).value as ExcelJS.CellFormulaValue;
    expect(totalCell.formula).toBe(`SUM(F${first}:F${first + 4})`);
    expect(Money.parse(String(totalCell.result as number), 'CNY').toDecimalString()).toBe(LINES_TOTAL);
    const amountAt = (offset: number): string => {
      const v = ws.getRow(first + 5 + offset).getCell(6).value;
      expect(typeof v).toBe('number');
      return typeof v === 'number' ? String(v) : '';
    };
    expect([amountAt(1), amountAt(2), amountAt(3)]).toEqual([LINES_TOTAL, '600074.08', '10601308.82']);
    expect(ws.getRow(first + 8).getCell(2).value).toBe('价税合计 Gross payable');
  });
});

describe('statementToPdf', () => {
  const candidates: { path: string; family?: string }[] = [];
  if (process.env.CJK_FONT_PATH) candidates.push({ path: process.env.CJK_FONT_PATH });
  try {
    // An npm package that ships Noto Sans SC as OTF (proposed; not installed yet).
    const pkg = require.resolve('@embedpdf/fonts-sc');
    candidates.push({ path: path.join(path.dirname(pkg), '../fonts/NotoSansHans-Regular.otf') });
  } catch {
    /* not installed */
  }
  candidates.push(
    { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
    { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
  );
  const font = candidates.find((c) => fs.existsSync(c.path));

  it('refuses to render without a font file', () => {
    expect(() => statementToPdf(doc(), { fontPath: '/nonexistent/font.otf' })).toThrow(DomainError);
  });

  // Skipped when no CJK font is on the machine: neither the npm package @embedpdf/fonts-sc nor Debian's
  // fonts-noto-cjk / fonts-wqy-microhei is installed yet (set CJK_FONT_PATH to a CJK .otf/.ttf to run it).
  (font ? it : it.skip)('renders Chinese and English with an embedded CJK font', async () => {
    const f = font!;
    const face = fontkit.openSync(f.path, f.family);
    const hasGlyph = face.hasGlyphForCodePoint;
    expect(hasGlyph).toBeDefined();
    for (const ch of '对账单合作机构价税合计北京云途旅行社') {
      expect(hasGlyph!.call(face, ch.codePointAt(0)!)).toBe(true);
    }
    const many = Array.from({ length: 80 }, (_, i) => ({
      ref: `R-${i}`,
      program: '联名卡',
      rule: '激活奖励',
      description: '首刷达标 first spend',
      amount: cny('1.00'),
    }));
    const pdf = await statementToPdf(doc({ lines: many }), { fontPath: f.path, fontFamily: f.family });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdf.toString('latin1');
    expect(text).toMatch(/\/FontFile[23]?/); // the font is embedded (subset)
    expect(text).toMatch(/\/ToUnicode/); // text stays searchable / copyable
    expect((text.match(/\/Type \/Page\b/g) ?? []).length).toBeGreaterThan(1); // 80 lines break pages
    // Where poppler's pdftotext is installed, prove the Chinese text comes back out of the PDF.
    let extracted: string | null = null;
    try {
      extracted = execFileSync('pdftotext', ['-', '-'], { input: pdf }).toString('utf8');
    } catch {
      extracted = null; // pdftotext not installed
    }
    if (extracted !== null) {
      expect(extracted).toContain('对账单');
      expect(extracted).toContain('北京云途旅行社有限公司');
      expect(extracted).toContain('价税合计 Gross payable');
      expect(extracted).toContain('¥80.00');
    }
  });
});
