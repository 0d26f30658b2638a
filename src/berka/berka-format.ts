import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Pure readers for the PKDD'99 "financial" (Berka) .asc files: `;`-separated, CRLF, a header row, text
 * fields in double quotes, numbers and YYMMDD dates unquoted (see SOURCES.md next to the data).
 */

/** One data line of an .asc file: its 1-based line number in the file and its fields (quotes removed, not trimmed). */
export interface AscRow {
  line: number;
  fields: string[];
  /** The line had no line ending: the file ends in the middle of it (trans_truncated.asc). */
  unterminated: boolean;
}

/** A line that could not become a record, reported back with its file and line. */
export interface BerkaRowError {
  file: string;
  line: number;
  field: string;
  reason: string;
}

/** Splits one line on `;`, honouring double quotes (a quote inside a quoted field is doubled). */
export function splitAscLine(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          current += '"';
          i++;
        } else quoted = false;
      } else current += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

/** Whether the file's last byte is a line ending (the truncated transactions file's is not). */
async function endsWithNewline(path: string): Promise<boolean> {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const buffer = Buffer.alloc(1);
    await handle.read(buffer, 0, 1, size - 1);
    return buffer[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

/**
 * Streams the data rows of an .asc file (header skipped), one line at a time: memory stays flat however
 * long the file is. Blank lines are skipped.
 */
export async function* readAsc(path: string): AsyncGenerator<AscRow> {
  const terminated = await endsWithNewline(path);
  const lines = createInterface({ input: createReadStream(path, { encoding: 'latin1' }), crlfDelay: Infinity });
  let line = 0;
  let pending: { line: number; text: string } | null = null;
  for await (const raw of lines) {
    line++;
    if (line === 1) continue;
    if (pending) yield { line: pending.line, fields: splitAscLine(pending.text), unterminated: false };
    pending = raw.trim() === '' ? null : { line, text: raw };
  }
  if (pending) yield { line: pending.line, fields: splitAscLine(pending.text), unterminated: !terminated };
}

/** YYMMDD (optionally followed by a time) → ISO date 19YY-MM-DD, or null when it is not a real date. */
export function berkaDate(raw: string): string | null {
  const m = /^(\d{2})(\d{2})(\d{2})(?: \d{2}:\d{2}:\d{2})?$/.exec(raw.trim());
  if (!m) return null;
  return realDate(1900 + Number(m[1]), Number(m[2]), Number(m[3]));
}

function realDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1) return null;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > days) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Decodes a client's birth_number: YYMMDD where women's month has 50 added (`706213` is a woman born
 * 1970-12-13). There is no century digit: the bank's clients were all born 19YY.
 */
export function decodeBirthNumber(raw: string): { birthDate: string; sex: 'F' | 'M' } | null {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(raw.trim());
  if (!m) return null;
  const monthRaw = Number(m[2]);
  const sex = monthRaw > 50 ? 'F' : 'M';
  const birthDate = realDate(1900 + Number(m[1]), sex === 'F' ? monthRaw - 50 : monthRaw, Number(m[3]));
  return birthDate === null ? null : { birthDate, sex };
}

/** Bare positive integer id as found in the files. */
export function berkaId(raw: string | undefined): string | null {
  const s = (raw ?? '').trim();
  return /^\d{1,10}$/.test(s) ? s : null;
}

/** An amount in CZK with at most 2 decimals ("700.00", "96396"), as an exact decimal string; null if malformed. */
export function berkaAmount(raw: string | undefined): string | null {
  const s = (raw ?? '').trim();
  return /^\d{1,13}(\.\d{1,2})?$/.test(s) ? s : null;
}

/** Czech account statement frequencies (account.frequency). */
export const FREQUENCY_CODES: Readonly<Record<string, string>> = {
  'POPLATEK MESICNE': 'STMT-MONTHLY',
  'POPLATEK TYDNE': 'STMT-WEEKLY',
  'POPLATEK PO OBRATU': 'STMT-PER-TRANSACTION',
};

/** trans.operation → what the counterparty was, for rows without a partner bank account. */
export const OPERATION_NAMES: Readonly<Record<string, string>> = {
  VKLAD: 'Cash deposit (VKLAD)',
  VYBER: 'Cash withdrawal (VYBER)',
  'PREVOD Z UCTU': 'Transfer in (PREVOD Z UCTU)',
  'PREVOD NA UCET': 'Transfer out (PREVOD NA UCET)',
  'VYBER KARTOU': 'Card withdrawal (VYBER KARTOU)',
};

/** trans.k_symbol values that name the bank itself as the counterparty. */
export const BANK_SYMBOLS: Readonly<Record<string, string>> = {
  UROK: 'Interest credited (UROK)',
  'SANKC. UROK': 'Penalty interest (SANKC. UROK)',
  SLUZBY: 'Statement fee (SLUZBY)',
};
