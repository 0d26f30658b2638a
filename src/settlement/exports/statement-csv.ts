import {
  type StatementDocument,
  formatRate,
  neutraliseCell,
  statementFacts,
  statementTotals,
} from './statement-document';

export const STATEMENT_COLUMNS = [
  '序号 No.',
  '参考号 Reference',
  '项目 Program',
  '规则 Rule',
  '说明 Description',
  '金额 Amount',
] as const;

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Text from outside (names, descriptions, refs): neutralised, then quoted as needed. */
function textField(value: string): string {
  return csvField(neutraliseCell(value));
}

/**
 * The statement as CSV for finance and for partners: UTF-8 with a BOM (so
 * Excel and WPS open Chinese correctly), CRLF line ends, one row per line,
 * then labelled total rows, then the header facts of the PDF and XLSX (statement
 * number, partner, account on file, period, currency) as labelled rows, so the
 * first row stays the column header for tools that read the file back. Amounts are plain decimals ("1234.56") from
 * integer minor units; every text cell is neutralised against formula injection.
 */
export function statementToCsv(doc: StatementDocument): Buffer {
  const t = statementTotals(doc);
  const rows: string[] = [];
  rows.push(STATEMENT_COLUMNS.map(csvField).join(','));
  doc.lines.forEach((l, i) => {
    rows.push(
      [
        String(i + 1),
        textField(l.ref),
        textField(l.program),
        textField(l.rule),
        textField(l.description),
        l.amount.toDecimalString(),
      ].join(','),
    );
  });
  const total = (label: string, amount: string): string => ['', textField(label), '', '', '', amount].join(',');
  rows.push(total('合计 Lines total', t.linesTotal.toDecimalString()));
  rows.push(total('不含税金额 Net', t.net.toDecimalString()));
  rows.push(
    total(
      `税额 VAT ${formatRate(doc.taxRate)}${doc.pricesIncludeTax ? ' (含税 included)' : ''}`,
      t.tax.toDecimalString(),
    ),
  );
  rows.push(total('价税合计 Gross payable', t.gross.toDecimalString()));
  for (const [label, value] of statementFacts(doc))
    rows.push(['', textField(label), '', '', textField(value), ''].join(','));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows.join('\r\n') + '\r\n', 'utf8')]);
}
