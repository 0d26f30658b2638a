import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import * as iconv from 'iconv-lite';
import { DomainError, Money, badInput, parseHumanAmount, toHalfWidth } from '../../common';

export type ClaimFileFormat = 'CSV' | 'XLSX';
export type ClaimReferenceKind = 'REFERRAL' | 'CUSTOMER' | 'EVENT';

/** Logical field → column header in the partner's file (saved per partner). */
export interface ClaimColumnMapping {
  reference: string;
  amount: string;
  referenceKind?: string;
  customerRef?: string;
  eventId?: string;
  description?: string;
}

export interface ReadClaimOptions {
  format: ClaimFileFormat;
  mapping: ClaimColumnMapping;
  currency?: string;
  /** XLSX: sheet name; default the first sheet. */
  sheet?: string;
}

export type ClaimEncoding = 'UTF-8' | 'UTF-8-BOM' | 'UTF-16LE' | 'UTF-16BE' | 'GB18030' | 'XLSX';

export interface ClaimRow {
  /** 1-based line (CSV) or row (XLSX) number in the file, header included. */
  line: number;
  reference: string;
  referenceKind: ClaimReferenceKind | null;
  customerRef: string | null;
  eventId: string | null;
  description: string | null;
  amount: Money;
  /** The row as read, by header. */
  raw: Record<string, string>;
}

export interface ClaimRowError {
  line: number;
  field: string;
  reason: string;
}

export interface ClaimFile {
  encoding: ClaimEncoding;
  rows: ClaimRow[];
  errors: ClaimRowError[];
  /** References that occur more than once, with every line they occur on. */
  duplicates: { reference: string; lines: number[] }[];
}

const KIND_ALIASES: Record<string, ClaimReferenceKind> = {
  REFERRAL: 'REFERRAL',
  推荐: 'REFERRAL',
  CUSTOMER: 'CUSTOMER',
  客户: 'CUSTOMER',
  EVENT: 'EVENT',
  事件: 'EVENT',
};

/** Decodes CSV bytes: BOMs first, then strict UTF-8, else GB18030 (a superset of GBK and GB2312). */
export function decodeText(buf: Buffer): { text: string; encoding: ClaimEncoding } {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    return { text: strictUtf8(buf.subarray(3)), encoding: 'UTF-8-BOM' };
  }
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) {
    return { text: iconv.decode(buf.subarray(2), 'utf-16le'), encoding: 'UTF-16LE' };
  }
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    return { text: iconv.decode(buf.subarray(2), 'utf-16be'), encoding: 'UTF-16BE' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf), encoding: 'UTF-8' };
  } catch {
    const text = iconv.decode(buf, 'gb18030');
    if (text.includes('\ufffd')) throw badInput('file', 'UNKNOWN_ENCODING');
    return { text, encoding: 'GB18030' };
  }
}

function strictUtf8(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw badInput('file', 'BROKEN_UTF8');
  }
}

function normHeader(h: string): string {
  return toHalfWidth(h)
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v); // shortest round-trip form: what Excel shows for typed decimals
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('text' in v && typeof v.text === 'string') return v.text;
  if ('result' in v) return v.result === undefined ? '' : cellText(v.result);
  if ('error' in v) return String(v.error);
  return '';
}

async function readTable(
  buf: Buffer,
  opts: ReadClaimOptions,
): Promise<{ encoding: ClaimEncoding; table: { line: number; cells: string[] }[] }> {
  if (opts.format === 'CSV') {
    const { text, encoding } = decodeText(buf);
    let records: { info: { lines: number }; record: string[] }[];
    try {
      records = parse(text, {
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
        bom: true,
      }) as unknown as { info: { lines: number }; record: string[] }[];
    } catch {
      throw badInput('file', 'MALFORMED_CSV');
    }
    return { encoding, table: records.map((r) => ({ line: r.info.lines, cells: r.record })) };
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
  } catch {
    throw badInput('file', 'MALFORMED_XLSX');
  }
  const ws = opts.sheet !== undefined ? wb.getWorksheet(opts.sheet) : wb.worksheets[0];
  if (ws === undefined) throw badInput('sheet', 'NOT_FOUND');
  const table: { line: number; cells: string[] }[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= ws.columnCount; c++) cells.push(cellText(row.getCell(c).value));
    if (cells.some((c) => c.trim() !== '')) table.push({ line: rowNumber, cells });
  });
  return { encoding: 'XLSX', table };
}

/**
 * Reads a partner's claim file with the partner's column mapping. File-level
 * problems (encoding, format, a mapped column missing from the header) throw
 * BAD_USER_INPUT naming the problem; row-level problems are collected with
 * their line so the whole file can be reported at once.
 */
export async function readClaimFile(buf: Buffer, opts: ReadClaimOptions): Promise<ClaimFile> {
  const currency = opts.currency ?? 'CNY';
  const { encoding, table } = await readTable(buf, opts);
  const headerRow = table[0];
  if (headerRow === undefined) throw badInput('file', 'EMPTY_FILE');
  const headers = headerRow.cells.map(normHeader);

  const columnOf = (field: keyof ClaimColumnMapping): number | null => {
    const name = opts.mapping[field];
    if (name === undefined || name.trim() === '') return null;
    const idx = headers.indexOf(normHeader(name));
    if (idx < 0) {
      throw new DomainError('BAD_USER_INPUT', `Column "${name}" (${field}) is missing from the file`, {
        field: `mapping.${field}`,
        reason: 'MISSING_COLUMN',
        column: name,
        found: headerRow.cells,
      });
    }
    return idx;
  };
  const cols = {
    reference: columnOf('reference'),
    amount: columnOf('amount'),
    referenceKind: columnOf('referenceKind'),
    customerRef: columnOf('customerRef'),
    eventId: columnOf('eventId'),
    description: columnOf('description'),
  };

  const rows: ClaimRow[] = [];
  const errors: ClaimRowError[] = [];
  const linesByRef = new Map<string, number[]>();
  for (const { line, cells } of table.slice(1)) {
    const get = (idx: number | null): string | null => {
      if (idx === null) return null;
      const v = toHalfWidth(cells[idx] ?? '').trim();
      return v === '' ? null : v;
    };
    const raw: Record<string, string> = {};
    headerRow.cells.forEach((h, i) => (raw[h.replace(/^\uFEFF/, '').trim()] = cells[i] ?? ''));

    const reference = get(cols.reference);
    const amountText = cols.amount === null ? null : (cells[cols.amount] ?? '').trim();
    let ok = true;
    if (reference === null) {
      errors.push({ line, field: 'reference', reason: 'REQUIRED' });
      ok = false;
    }
    let amount: Money | null = null;
    try {
      amount = parseHumanAmount(amountText ?? '', currency, 'amount');
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      errors.push({ line, field: 'amount', reason: String(e.details.reason ?? 'INVALID_AMOUNT') });
      ok = false;
    }
    let kind: ClaimReferenceKind | null = null;
    const kindText = get(cols.referenceKind);
    if (kindText !== null) {
      kind = KIND_ALIASES[kindText.toUpperCase()] ?? null;
      if (kind === null) {
        errors.push({ line, field: 'referenceKind', reason: 'INVALID_VALUE' });
        ok = false;
      }
    }
    if (!ok || reference === null || amount === null) continue;
    const seen = linesByRef.get(reference);
    if (seen !== undefined) errors.push({ line, field: 'reference', reason: 'DUPLICATE_REFERENCE' });
    linesByRef.set(reference, [...(seen ?? []), line]);
    rows.push({
      line,
      reference,
      referenceKind: kind,
      customerRef: get(cols.customerRef),
      eventId: get(cols.eventId),
      description: get(cols.description),
      amount,
      raw,
    });
  }
  const duplicates = [...linesByRef.entries()]
    .filter(([, lines]) => lines.length > 1)
    .map(([reference, lines]) => ({ reference, lines }));
  return { encoding, rows, errors, duplicates };
}
