import { BANK_TIME_ZONE, businessDateOf } from './business-time';
import { badInput } from './domain-error';
import { toHalfWidth } from './text';

/** Shared normalisation: half-width, no whitespace anywhere, upper-case. */
function normalizeCode(raw: string): string {
  // Internal whitespace is removed too: people paste "110105 19491231 002X".
  return toHalfWidth(raw).replace(/\s+/g, '').toUpperCase();
}

// ---------------------------------------------------------------------------
// Unified social credit code (GB 32100-2015)
// ---------------------------------------------------------------------------

/** 31 characters, value = index; I, O, S, V, Z are excluded by the standard. */
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const USCC_RE = /^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$/;

export function normalizeUscc(raw: string): string {
  return normalizeCode(raw);
}

/** Check character for the first 17 characters of a USCC. */
export function usccCheckChar(first17: string): string {
  const s = normalizeUscc(first17);
  if (s.length !== 17) throw badInput('uscc', 'INVALID_LENGTH');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(s.charAt(i));
    if (v < 0) throw badInput('uscc', 'INVALID_CHARACTER');
    sum += v * (USCC_WEIGHTS[i] ?? 0);
  }
  // 31 − (sum mod 31), where 31 wraps to 0.
  return USCC_ALPHABET.charAt((31 - (sum % 31)) % 31);
}

export function isValidUscc(raw: string): boolean {
  const s = normalizeUscc(raw);
  if (!USCC_RE.test(s)) return false;
  return usccCheckChar(s.slice(0, 17)) === s.charAt(17);
}

// ---------------------------------------------------------------------------
// Resident identity card number (GB 11643-1999, ISO 7064 MOD 11-2)
// ---------------------------------------------------------------------------

const RID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const RID_CHECK = '10X98765432';
const RID_RE = /^\d{17}[\dX]$/;

export function normalizeResidentId(raw: string): string {
  return normalizeCode(raw);
}

export function residentIdCheckChar(first17: string): string {
  const s = normalizeResidentId(first17);
  if (!/^\d{17}$/.test(s)) throw badInput('idNumber', 'INVALID_FORMAT');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += (s.charCodeAt(i) - 48) * (RID_WEIGHTS[i] ?? 0);
  }
  return RID_CHECK.charAt(sum % 11);
}

/** Why a resident-ID-shaped number is invalid, or null if it is valid. */
function residentIdProblem(s: string, today: Date): string | null {
  if (!RID_RE.test(s)) return 'INVALID_FORMAT';
  if (residentIdCheckChar(s.slice(0, 17)) !== s.charAt(17)) return 'INVALID_CHECK_DIGIT';
  const birth = `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`;
  // 1800 floor: the standard's century field starts at 18xx.
  if (!isRealDate(birth) || birth < '1800-01-01') return 'INVALID_BIRTH_DATE';
  if (birth > businessDateOf(today, BANK_TIME_ZONE)) return 'INVALID_BIRTH_DATE';
  return null;
}

function isRealDate(iso: string): boolean {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  if (m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, m, 0));
  return d <= dt.getUTCDate();
}

/** 18-digit resident ID: format, check digit, and a real, non-future birth date. */
export function isValidResidentId(raw: string, today: Date = new Date()): boolean {
  return residentIdProblem(normalizeResidentId(raw), today) === null;
}

// ---------------------------------------------------------------------------
// Identity documents
// ---------------------------------------------------------------------------

export type IdDocumentType = 'RESIDENT_ID' | 'PASSPORT' | 'HK_MACAO_PERMIT' | 'TAIWAN_PERMIT' | 'HMT_RESIDENCE_PERMIT';

export const ID_DOCUMENT_TYPES: readonly IdDocumentType[] = [
  'RESIDENT_ID',
  'PASSPORT',
  'HK_MACAO_PERMIT',
  'TAIWAN_PERMIT',
  'HMT_RESIDENCE_PERMIT',
];

/**
 * Normalises and validates an identity document number; the result is the
 * canonical form to hash. Throws badInput(field, reason) when invalid.
 */
export function normalizeIdDocument(
  type: IdDocumentType,
  raw: string,
  field = 'idNumber',
  today: Date = new Date(),
): string {
  const s = normalizeCode(raw);
  if (s === '') throw badInput(field, 'REQUIRED');
  switch (type) {
    case 'RESIDENT_ID': {
      const problem = residentIdProblem(s, today);
      if (problem) throw badInput(field, problem);
      return s;
    }
    case 'HMT_RESIDENCE_PERMIT': {
      if (!/^8[123]0000/.test(s)) throw badInput(field, 'INVALID_FORMAT');
      const problem = residentIdProblem(s, today);
      if (problem) throw badInput(field, problem);
      return s;
    }
    case 'HK_MACAO_PERMIT':
      if (!/^[HM](\d{8}|\d{10})$/.test(s)) throw badInput(field, 'INVALID_FORMAT');
      return s;
    case 'TAIWAN_PERMIT':
      if (!/^\d{8}$/.test(s)) throw badInput(field, 'INVALID_FORMAT');
      return s;
    case 'PASSPORT':
      if (!/^[A-Z0-9]{5,17}$/.test(s)) throw badInput(field, 'INVALID_FORMAT');
      return s;
    default: {
      const unknownType: never = type;
      throw badInput('idType', 'UNSUPPORTED_ID_TYPE', `Unsupported document type ${String(unknownType)}`);
    }
  }
}

// ---------------------------------------------------------------------------
// Mainland mobile numbers
// ---------------------------------------------------------------------------

/** Canonical 11-digit mainland mobile; throws badInput(field, reason) otherwise. */
export function normalizeMainlandMobile(raw: string, field = 'phone'): string {
  let s = toHalfWidth(raw).replace(/[\s\-()]/g, '');
  if (s === '') throw badInput(field, 'REQUIRED');
  if (s.startsWith('+86')) s = s.slice(3);
  else if (s.startsWith('0086')) s = s.slice(4);
  if (!/^1[3-9]\d{9}$/.test(s)) throw badInput(field, 'INVALID_MOBILE');
  return s;
}

// ---------------------------------------------------------------------------
// Luhn (payment card numbers)
// ---------------------------------------------------------------------------

/** Luhn mod 10 over a pure digit string (check digit last). */
export function isValidLuhn(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}
