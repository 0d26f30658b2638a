import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { badInput } from '../../common';
import { type StatementDocument, formatRate, statementTotals } from './statement-document';

export interface PdfFontOptions {
  /** A TTF/OTF (or TTC with `fontFamily`) font with CJK glyphs, e.g. Noto Sans SC. */
  fontPath: string;
  /** Face name inside a TrueType collection (.ttc), e.g. "NotoSansCJKsc-Regular". */
  fontFamily?: string;
}

/**
 * The statement as a bilingual (Chinese / English) A4 PDF. Chinese renders
 * only with a CJK font, so the font is a parameter (no environment lookup);
 * the caller resolves it from configuration.
 */
export function statementToPdf(doc: StatementDocument, font: PdfFontOptions): Promise<Buffer> {
  if (!existsSync(font.fontPath)) throw badInput('fontPath', 'FONT_NOT_FOUND');
  const t = statementTotals(doc);
  const pdf = new PDFDocument({ size: 'A4', margin: 40, info: { Title: `对账单 Statement ${doc.number}` } });
  if (font.fontFamily !== undefined) pdf.registerFont('cjk', font.fontPath, font.fontFamily);
  else pdf.registerFont('cjk', font.fontPath);
  pdf.font('cjk');

  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });

  const left = pdf.page.margins.left;
  const width = pdf.page.width - left - pdf.page.margins.right;
  // Column x offsets and widths: No. | Reference | Program / Rule | Description | Amount
  const cols = [
    { x: 0, w: 28 },
    { x: 30, w: 110 },
    { x: 142, w: 120 },
    { x: 264, w: 150 },
    { x: 416, w: width - 416 },
  ];

  pdf.fontSize(16).text('对账单  Partner Statement', { align: 'center' });
  pdf.moveDown(0.5).fontSize(10);
  pdf.text(`对账单号 Statement No.: ${doc.number}`);
  pdf.text(
    `合作机构 Partner: ${doc.partner.name}${doc.partner.uscc ? `  统一社会信用代码 USCC: ${doc.partner.uscc}` : ''}`,
  );
  pdf.text(`收款账户 Account: ${doc.partner.account}`);
  pdf.text(`结算周期 Period: ${doc.period}    币种 Currency: ${doc.currency}`);
  pdf.moveDown(0.8);

  const row = (cells: string[], opts: { bold?: boolean } = {}): void => {
    const heights = cells.map((c, i) => pdf.heightOfString(c, { width: cols[i]?.w ?? 50 }));
    const h = Math.max(...heights, 12);
    if (pdf.y + h > pdf.page.height - pdf.page.margins.bottom) pdf.addPage();
    const y = pdf.y;
    cells.forEach((c, i) => {
      const col = cols[i];
      if (col === undefined) return;
      pdf.text(c, left + col.x, y, { width: col.w, align: i === cells.length - 1 ? 'right' : 'left' });
    });
    if (opts.bold === true)
      pdf
        .moveTo(left, y + h + 1)
        .lineTo(left + width, y + h + 1)
        .lineWidth(0.5)
        .stroke();
    pdf.x = left;
    pdf.y = y + h + 4;
  };

  pdf.fontSize(9);
  row(
    [
      '序号\nNo.',
      '参考号\nReference',
      '项目 / 规则\nProgram / Rule',
      '说明\nDescription',
      `金额 Amount\n(${doc.currency})`,
    ],
    {
      bold: true,
    },
  );
  doc.lines.forEach((l, i) => row([String(i + 1), l.ref, `${l.program}\n${l.rule}`, l.description, l.amount.format()]));
  pdf.moveDown(0.5);
  const rate = formatRate(doc.taxRate);
  row(['', '合计 Lines total', '', '', t.linesTotal.format()]);
  row(['', '不含税金额 Net', '', '', t.net.format()]);
  row([
    '',
    `税额 VAT ${rate}`,
    '',
    doc.pricesIncludeTax ? '含税价 prices include VAT' : '不含税价 prices exclude VAT',
    t.tax.format(),
  ]);
  row(['', '价税合计 Gross payable', '', '', t.gross.format()], { bold: true });

  pdf.end();
  return done;
}
