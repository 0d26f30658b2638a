import { randomInt } from 'node:crypto';
import { badInput } from './domain-error';
import { toHalfWidth } from './text';

/**
 * 31 characters without look-alikes (no 0/O, 1/I/L). 31 is prime, which is
 * what makes the check character below catch every single error it targets.
 */
export const TRACKING_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const MODULUS = TRACKING_ALPHABET.length; // 31
const RADIX = 3; // a primitive root mod 31, so 3 − 1 ≢ 0 and 3^k ≢ 0

export const MIN_TRACKING_CODE_LENGTH = 8;
export const MAX_TRACKING_CODE_LENGTH = 10;

/**
 * Check character: the code c1..cn (cn = check) satisfies
 *   Σ v(ci) · 3^(n−i) ≡ 0 (mod 31).
 * - Single substitution at position i changes the sum by d · 3^(n−i), d ≢ 0;
 *   31 is prime and 3^k is never 0 mod 31, so the change is non-zero.
 * - Adjacent transposition of a,b (a≠b) at i,i+1 changes it by
 *   (a−b) · 3^(n−i−1) · (3 − 1), again a product of non-zero residues.
 * Hence every such error is detected (same principle as ISO/IEC 7064 pure systems).
 */
function weightedSum(values: readonly number[]): number {
  // Horner's rule: ((v1·3 + v2)·3 + …) mod 31
  return values.reduce((acc, v) => (acc * RADIX + v) % MODULUS, 0);
}

function valuesOf(s: string): number[] | null {
  const out: number[] = [];
  for (const ch of s) {
    const v = TRACKING_ALPHABET.indexOf(ch);
    if (v < 0) return null;
    out.push(v);
  }
  return out;
}

/** Check character for a payload (the code without its last character). */
export function trackingCheckChar(payload: string): string {
  const values = valuesOf(payload);
  if (!values) throw badInput('trackingCode', 'INVALID_CHARACTER');
  // With the check character weighted 3^0 = 1: check ≡ −3·Σpayload (mod 31).
  const partial = (weightedSum(values) * RADIX) % MODULUS;
  return TRACKING_ALPHABET.charAt((MODULUS - partial) % MODULUS);
}

/** Upper-cases, converts full-width input and drops spaces/hyphens people add. */
export function normalizeTrackingCode(raw: string): string {
  return toHalfWidth(raw).replace(/[\s-]/g, '').toUpperCase();
}

export function isValidTrackingCode(code: string): boolean {
  const s = normalizeTrackingCode(code);
  if (s.length < MIN_TRACKING_CODE_LENGTH || s.length > MAX_TRACKING_CODE_LENGTH) return false;
  const values = valuesOf(s);
  return values !== null && weightedSum(values) === 0;
}

/** `random(n)` must return a uniform integer in [0, n); injectable for tests. */
export function generateTrackingCode(length = 9, random: (n: number) => number = (n) => randomInt(n)): string {
  if (!Number.isInteger(length) || length < MIN_TRACKING_CODE_LENGTH || length > MAX_TRACKING_CODE_LENGTH) {
    throw badInput('length', 'OUT_OF_RANGE');
  }
  let payload = '';
  for (let i = 0; i < length - 1; i++) {
    const v = random(MODULUS);
    const ch = TRACKING_ALPHABET.charAt(v);
    if (!Number.isInteger(v) || ch === '') throw new RangeError(`random(${MODULUS}) returned ${v}`);
    payload += ch;
  }
  return payload + trackingCheckChar(payload);
}
