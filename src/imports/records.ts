import { parse } from 'csv-parse';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReportRow } from '../jobs/jobs.service';
import { DetectedEncoding, decodeText } from './encoding';

export type ImportFormat = 'CSV' | 'NDJSON';

/** Content types the import endpoints accept, mapped to a format. */
export function formatOfContentType(contentType: string | undefined): ImportFormat | null {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'text/csv' || type === 'application/csv') return 'CSV';
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') return 'NDJSON';
  return null;
}

/** One source line: either a record (values are strings for CSV; any JSON value for NDJSON) or why it is unreadable. */
export interface SourceRow {
  line: number;
  record: Record<string, unknown> | null;
  error: { field: string; reason: string } | null;
}

/** The report rows of a batch's unreadable lines (REJECTED with the field and reason readRows found). */
export function unreadableRows(rows: readonly SourceRow[]): ReportRow[] {
  return rows
    .filter((r) => r.error !== null)
    .map((r) => ({
      line: r.line,
      status: 'REJECTED',
      field: r.error?.field ?? 'line',
      reason: r.error?.reason ?? 'UNREADABLE',
    }));
}

/** Header names are matched without case, spaces, '_' or '-': "Customer Number", customer_number, customerNumber. */
export function headerKey(name: string): string {
  return name.replace(/[\s_-]/g, '').toLowerCase();
}

/**
 * Source key → canonical field (null: not one of the fields), per field list. Files repeat the same few keys
 * on every row, so each key is normalised once per import rather than once per row.
 */
const keyMaps = new WeakMap<readonly string[], Map<string, string | null>>();
/** Keys remembered per field list: a file with ever-new keys must not grow memory without bound. */
const MAX_REMEMBERED_KEYS = 1000;

/** Maps a record's keys to the canonical field names; unknown keys are dropped. */
export function canonicalRecord(record: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  let known = keyMaps.get(fields);
  if (!known) keyMaps.set(fields, (known = new Map<string, string | null>()));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    let field = known.get(key);
    if (field === undefined) {
      const wanted = headerKey(key);
      field = fields.find((f) => headerKey(f) === wanted) ?? null;
      if (known.size < MAX_REMEMBERED_KEYS) known.set(key, field);
    }
    if (field !== null) out[field] = record[key];
  }
  return out;
}

/**
 * Streams rows out of a CSV (header row first) or NDJSON byte stream, with their source line numbers.
 * Memory is bounded by the parser's buffers, never by the file size.
 */
export async function* readRows(
  input: AsyncIterable<Buffer | string | Uint8Array>,
  format: ImportFormat,
  onEncoding?: (encoding: DetectedEncoding) => void,
): AsyncGenerator<SourceRow> {
  const text = Readable.from(decodeText(input, onEncoding));
  if (format === 'CSV') {
    const parser = parse({
      columns: (header: string[]) => header.map((h) => h.trim()),
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    });
    text.on('error', (error) => parser.destroy(error));
    text.pipe(parser);
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield { line: item.info.lines, record: item.record, error: null };
    }
    return;
  }
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  let line = 0;
  for await (const raw of lines) {
    line += 1;
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      yield { line, record: null, error: { field: 'line', reason: 'INVALID_JSON' } };
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      yield { line, record: null, error: { field: 'line', reason: 'NOT_AN_OBJECT' } };
      continue;
    }
    yield { line, record: parsed as Record<string, unknown>, error: null };
  }
}

/** Groups an async stream into arrays of at most `size` items. */
export async function* inBatches<T>(source: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of source) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Reads the next item (a parsed batch) while the caller writes this one, so parsing and the database's work
 * overlap.
 * At most two batches are held.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let pending = it.next();
  try {
    for (;;) {
      const current = await pending;
      if (current.done) return;
      pending = it.next();
      // A read error surfaces from the await above on the next turn, not as an unhandled rejection.
      pending.catch(() => undefined);
      yield current.value;
    }
  } finally {
    await it.return?.(undefined);
  }
}

/** Reads an optional text field from a raw record: strings trimmed, numbers and booleans as text, '' = absent. */
export function textOf(record: Record<string, unknown>, field: string): string | undefined {
  const value = record[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
