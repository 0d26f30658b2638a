import ExcelJS from 'exceljs';
import { badInput } from '../../common/domain-error';
import { canonicalRecord, readRows, textOf } from '../../imports/records';

/** One row of a generic edge list: "target is the source's <type>", plus optional trade facts. */
export interface EdgeRecord {
  line: number;
  source?: string;
  target?: string;
  targetName?: string;
  type?: string;
  annualVolume?: string;
  currency?: string;
  since?: string;
}

/** Accepted headers (matched without case, spaces, '_' or '-'). */
const EDGE_FIELDS = [
  'source',
  'target',
  'targetName',
  'relationshipType',
  'direction',
  'annualVolume',
  'currency',
  'since',
] as const;

function toEdge(line: number, raw: Record<string, unknown>): EdgeRecord {
  const r = canonicalRecord(raw, EDGE_FIELDS);
  return {
    line,
    source: textOf(r, 'source'),
    target: textOf(r, 'target'),
    targetName: textOf(r, 'targetName'),
    type: textOf(r, 'relationshipType') ?? textOf(r, 'direction'),
    annualVolume: textOf(r, 'annualVolume'),
    currency: textOf(r, 'currency'),
    since: textOf(r, 'since'),
  };
}

async function* once(content: Buffer): AsyncGenerator<Buffer> {
  yield await Promise.resolve(content);
}

/** CSV (UTF-8, UTF-8 with BOM or GB18030, detected) through the shared streaming reader. */
export async function readCsvRecords(content: Buffer): Promise<{ line: number; record: Record<string, unknown> }[]> {
  const out: { line: number; record: Record<string, unknown> }[] = [];
  try {
    for await (const row of readRows(once(content), 'CSV')) {
      if (row.record !== null) out.push({ line: row.line, record: row.record });
    }
  } catch (error) {
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('CSV_'))
      throw badInput('file', 'MALFORMED_CSV', `The CSV cannot be read: ${error.message}`);
    throw error;
  }
  return out;
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('text' in v && typeof v.text === 'string') return v.text;
  if ('result' in v) return v.result === undefined ? '' : cellText(v.result);
  return '';
}

/** XLSX: the first sheet, header in row 1; row numbers are the sheet's. */
export async function readXlsxRecords(content: Buffer): Promise<{ line: number; record: Record<string, unknown> }[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(content as unknown as ExcelJS.Buffer);
  } catch {
    throw badInput('contentBase64', 'MALFORMED_XLSX');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw badInput('contentBase64', 'EMPTY_WORKBOOK');
  const out: { line: number; record: Record<string, unknown> }[] = [];
  let headers: string[] | null = null;
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= sheet.columnCount; c++) cells.push(cellText(row.getCell(c).value).trim());
    if (headers === null) {
      headers = cells;
      return;
    }
    const record: Record<string, unknown> = {};
    headers.forEach((h, i) => (record[h] = cells[i] ?? ''));
    out.push({ line: rowNumber, record });
  });
  return out;
}

export async function readEdgeFile(content: Buffer, format: 'CSV' | 'XLSX'): Promise<EdgeRecord[]> {
  const records = format === 'XLSX' ? await readXlsxRecords(content) : await readCsvRecords(content);
  return records.map((r) => toEdge(r.line, r.record));
}

/** A company list (nodes.csv): name → its display name; names are trimmed, repeated names are one company. */
export async function readNodeNames(content: Buffer): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const { record } of await readCsvRecords(content)) {
    const name = textOf(canonicalRecord(record, ['name']), 'name');
    if (name !== undefined && !names.has(name)) names.set(name, name);
  }
  return names;
}
