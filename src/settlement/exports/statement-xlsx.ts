import ExcelJS from 'exceljs';
import { STATEMENT_COLUMNS } from './statement-csv';
import {
  type StatementDocument,
  formatRate,
  moneyToSpreadsheetNumber,
  neutraliseCell,
  statementFacts,
  statementTotals,
} from './statement-document';

export const MONEY_FORMAT = '#,##0.00';
/** Row of the column headers; rows above it describe the statement. */
export const XLSX_HEADER_ROW = 6;

/**
 * The statement as an XLSX workbook formatted for finance: statement details
 * on top, a frozen header row, amounts as numbers with '#,##0.00', column
 * widths, and total rows whose SUM formula carries the exact cached total
 * (computed from integer minor units). Text cells are neutralised against
 * formula injection.
 */
export async function statementToXlsx(doc: StatementDocument): Promise<Buffer> {
  const t = statementTotals(doc);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Gongying';
  const ws = wb.addWorksheet('对账单 Statement', {
    views: [{ state: 'frozen', ySplit: XLSX_HEADER_ROW, xSplit: 0 }],
  });
  ws.columns = [
    { key: 'no', width: 8 },
    { key: 'ref', width: 28 },
    { key: 'program', width: 24 },
    { key: 'rule', width: 24 },
    { key: 'description', width: 40 },
    { key: 'amount', width: 18, style: { numFmt: MONEY_FORMAT } },
  ];
  const meta = statementFacts(doc);
  meta.forEach(([label, value], i) => {
    const row = ws.getRow(i + 1);
    row.getCell(1).value = label;
    row.getCell(3).value = neutraliseCell(value);
    row.getCell(1).font = { bold: true };
  });

  const header = ws.getRow(XLSX_HEADER_ROW);
  STATEMENT_COLUMNS.forEach((h, i) => (header.getCell(i + 1).value = h));
  header.font = { bold: true };
  header.eachCell((c) => {
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
    c.border = { bottom: { style: 'thin' } };
  });

  const first = XLSX_HEADER_ROW + 1;
  doc.lines.forEach((l, i) => {
    const row = ws.getRow(first + i);
    row.getCell(1).value = i + 1;
    row.getCell(2).value = neutraliseCell(l.ref);
    row.getCell(3).value = neutraliseCell(l.program);
    row.getCell(4).value = neutraliseCell(l.rule);
    row.getCell(5).value = neutraliseCell(l.description);
    row.getCell(6).value = moneyToSpreadsheetNumber(l.amount);
    row.getCell(6).numFmt = MONEY_FORMAT;
  });
  const last = first + doc.lines.length - 1;

  const totalRow = (offset: number, label: string, value: ExcelJS.CellValue): void => {
    const row = ws.getRow(last + 1 + offset);
    row.getCell(2).value = label;
    row.getCell(6).value = value;
    row.getCell(6).numFmt = MONEY_FORMAT;
    row.font = { bold: true };
  };
  const totalsAt = last + 1;
  totalRow(0, '合计 Lines total', {
    formula: doc.lines.length > 0 ? `SUM(F${first}:F${last})` : '0',
    result: moneyToSpreadsheetNumber(t.linesTotal),
  });
  totalRow(1, '不含税金额 Net', moneyToSpreadsheetNumber(t.net));
  totalRow(
    2,
    `税额 VAT ${formatRate(doc.taxRate)}${doc.pricesIncludeTax ? ' (含税 included)' : ''}`,
    moneyToSpreadsheetNumber(t.tax),
  );
  totalRow(3, '价税合计 Gross payable', moneyToSpreadsheetNumber(t.gross));
  ws.getRow(totalsAt).getCell(6).border = { top: { style: 'thin' } };

  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out);
}
