import { createHmac } from 'node:crypto';
import type { IdDocumentType } from './identifiers';

/** HMAC-SHA256 hex: lets us match on identities without storing clear values. */
export function hmacIdentity(key: string, value: string): string {
  if (key.length === 0) throw new Error('HMAC key must not be empty');
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/** Type-prefixed so the same number under two document types never collides. */
export function identityHash(key: string, type: IdDocumentType, normalizedNumber: string): string {
  return hmacIdentity(key, `${type}:${normalizedNumber}`);
}

/** 'PHONE:' prefix keeps phone hashes disjoint from document hashes. */
export function phoneHash(key: string, normalizedPhone: string): string {
  return hmacIdentity(key, `PHONE:${normalizedPhone}`);
}

// ---------------------------------------------------------------------------
// Masking for display
// ---------------------------------------------------------------------------

/** Keeps `head` and `tail` code points, stars the rest; all stars if too short. */
function keepEnds(value: string, head: number, tail: number): string {
  const chars = Array.from(value);
  if (chars.length <= head + tail) return '*'.repeat(chars.length);
  return (
    chars.slice(0, head).join('') + '*'.repeat(chars.length - head - tail) + chars.slice(chars.length - tail).join('')
  );
}

/** ID numbers: first 6 + last 4 (110105********002X); short documents: 2 + 2. */
export function maskIdNumber(v: string): string {
  const s = v.trim();
  // Keep at least one character hidden under the 6+4 rule, else fall back to 2+2.
  return s.length > 10 ? keepEnds(s, 6, 4) : keepEnds(s, 2, 2);
}

/** Phones: first 3 + last 4 (138****5678). */
export function maskPhone(v: string): string {
  const s = v.trim();
  return s.length > 7 ? keepEnds(s, 3, 4) : keepEnds(s, 1, 2);
}

/** Two-character compound surnames that must stay together when masking. */
export const COMPOUND_SURNAMES: readonly string[] = [
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '令狐',
  '端木',
  '南宫',
  '西门',
];

const HAN_RE = /\p{Script=Han}/u;

/**
 * Keeps only the surname: 张三 → 张*, 欧阳娜娜 → 欧阳**. Latin-script names
 * keep the first word's initial: "John Smith" → "J***".
 */
export function maskName(name: string): string {
  const s = name.trim();
  if (s === '') return '';
  if (HAN_RE.test(s)) {
    const chars = Array.from(s.replace(/\s+/g, ''));
    if (chars.length === 1) return '*';
    const firstTwo = chars.slice(0, 2).join('');
    // A 2-character name starting with a compound surname is surname + given name.
    const surnameLen = chars.length > 2 && COMPOUND_SURNAMES.includes(firstTwo) ? 2 : 1;
    return chars.slice(0, surnameLen).join('') + '*'.repeat(chars.length - surnameLen);
  }
  const initial = Array.from(s)[0] ?? '';
  return `${initial}***`;
}

/** PAN: first 6 (BIN) + last 4; separators are dropped first. */
export function maskPan(pan: string): string {
  const s = pan.replace(/[\s-]/g, '');
  return s.length > 10 ? keepEnds(s, 6, 4) : keepEnds(s, 0, 4);
}

/** e-mail: first character of the local part + '***@' + domain. */
export function maskEmail(e: string): string {
  const s = e.trim();
  const at = s.lastIndexOf('@');
  if (at <= 0) return '***';
  const first = Array.from(s.slice(0, at))[0] ?? '';
  return `${first}***@${s.slice(at + 1)}`;
}
