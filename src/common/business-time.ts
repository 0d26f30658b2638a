import { badInput } from './domain-error';

/** The bank's own zone: business dates and periods are reckoned here. */
export const BANK_TIME_ZONE = 'Asia/Shanghai';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// Intl.DateTimeFormat construction is comparatively expensive; cache per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        // h23 avoids the "24:00" midnight some engines produce with hour12:false.
        hourCycle: 'h23',
      });
    } catch {
      throw badInput('timeZone', 'INVALID_TIME_ZONE', `Unknown time zone: ${timeZone}`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

function assertValidInstant(instant: Date): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw badInput('instant', 'INVALID_DATE');
  }
}

/** The zone's calendar and clock at an instant, as Intl gives them (the reference for the cached path below). */
function intlParts(epochMs: number, timeZone: string): LocalParts {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => {
    const p = parts.find((x) => x.type === type);
    return p ? Number.parseInt(p.value, 10) : 0;
  };
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

const HOUR_MS = 3_600_000;
/** Zone offsets per UTC hour; null where the offset changes inside the hour (asked of Intl per instant there). */
const hourOffsets = new Map<string, number | null>();
/** Enough hours for years of history; the cache starts over beyond it, so memory stays bounded. */
const MAX_CACHED_HOURS = 100_000;

function offsetAt(epochMs: number, timeZone: string): number {
  const p = intlParts(epochMs, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(epochMs / 1000) * 1000;
}

/**
 * Intl's formatToParts costs microseconds per call and runs for every event's business date, so the zone's
 * offset is asked once per UTC hour: where it is the same at the hour's first and last second, no transition
 * lies between (transitions are hours apart), and the local clock is the instant plus that offset.
 */
function localParts(epochMs: number, timeZone: string): LocalParts {
  const hour = Math.floor(epochMs / HOUR_MS);
  const key = `${timeZone}|${hour}`;
  let offset = hourOffsets.get(key);
  if (offset === undefined) {
    const start = offsetAt(hour * HOUR_MS, timeZone);
    offset = start === offsetAt(hour * HOUR_MS + HOUR_MS - 1000, timeZone) ? start : null;
    if (hourOffsets.size >= MAX_CACHED_HOURS) hourOffsets.clear();
    hourOffsets.set(key, offset);
  }
  if (offset === null) return intlParts(epochMs, timeZone);
  const local = new Date(Math.floor(epochMs / 1000) * 1000 + offset);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function formatDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** 'YYYY-MM-DD' of the instant as seen on a wall calendar in `timeZone`. */
export function businessDateOf(instant: Date, timeZone: string): string {
  assertValidInstant(instant);
  const p = localParts(instant.getTime(), timeZone);
  return formatDate(p.year, p.month, p.day);
}

/** Accounting period 'YYYY-MM' the instant belongs to in `timeZone`. */
export function periodKeyOf(instant: Date, timeZone: string): string {
  return businessDateOf(instant, timeZone).slice(0, 7);
}

/** Strict 'YYYY-MM-DD' that names a real Gregorian calendar day. */
export function isValidBusinessDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const y = Number.parseInt(m[1] ?? '', 10);
  const mo = Number.parseInt(m[2] ?? '', 10);
  const d = Number.parseInt(m[3] ?? '', 10);
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  const dt = new Date(0);
  dt.setUTCFullYear(year, month, 0);
  return dt.getUTCDate();
}

/** Epoch ms of UTC midnight for a valid date string (used as a day ordinal). */
function utcMidnight(date: string, field: string): number {
  if (!isValidBusinessDate(date)) throw badInput(field, 'INVALID_DATE');
  const dt = new Date(0);
  // setUTCFullYear (not Date.UTC) so years 0001–0099 are not remapped to 19xx.
  dt.setUTCFullYear(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return dt.getTime();
}

function fromUtcMidnight(ms: number): string {
  const dt = new Date(ms);
  return formatDate(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate());
}

/** Calendar arithmetic on date strings; independent of any zone. */
export function addDays(date: string, n: number): string {
  if (!Number.isSafeInteger(n)) throw badInput('days', 'NOT_AN_INTEGER');
  const result = fromUtcMidnight(utcMidnight(date, 'date') + n * DAY_MS);
  if (!isValidBusinessDate(result)) throw badInput('days', 'OUT_OF_RANGE');
  return result;
}

/** Signed number of calendar days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((utcMidnight(b, 'date') - utcMidnight(a, 'date')) / DAY_MS);
}

/**
 * UTC instant at which `date` begins in `timeZone` (local midnight, or the
 * first existing instant of the day where a DST jump skips midnight).
 */
export function startOfBusinessDay(date: string, timeZone: string): Date {
  const guess = utcMidnight(date, 'date');
  formatterFor(timeZone); // validate zone early with a clear error

  // Fast path: shift by the zone offset (twice, in case the offset differs
  // between the guess and the answer), then verify it is exactly local midnight.
  let candidate = guess;
  for (let i = 0; i < 2; i++) {
    const p = localParts(candidate, timeZone);
    const localAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    const offset = localAsUtc - Math.floor(candidate / 1000) * 1000;
    candidate = guess - offset;
  }
  const c = localParts(candidate, timeZone);
  if (
    formatDate(c.year, c.month, c.day) === date &&
    c.hour === 0 &&
    c.minute === 0 &&
    c.second === 0 &&
    businessDateOf(new Date(candidate - 1), timeZone) < date
  ) {
    return new Date(candidate);
  }

  // Slow path (midnight skipped by DST): binary-search the first instant whose
  // local date is >= `date`. Offsets are within ±15h, so the bracket is safe.
  let lo = guess - 16 * 3_600_000; // local date < date
  let hi = guess + 16 * 3_600_000; // local date >= date
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (businessDateOf(new Date(mid), timeZone) >= date) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}
