import { badInput } from '../../common/domain-error';
import { toHalfWidth } from '../../common/text';

export const MIN_BIN_LENGTH = 6;
export const MAX_BIN_LENGTH = 8;

/** Normalises and checks one BIN/IIN prefix: 6–8 ASCII digits (full-width digits and spaces are normalised). */
export function normalizeBinPrefix(raw: string, field: string): string {
  const s = toHalfWidth(raw).replace(/\s/g, '');
  if (!/^\d+$/.test(s)) throw badInput(field, 'NOT_DIGITS');
  if (s.length < MIN_BIN_LENGTH || s.length > MAX_BIN_LENGTH) throw badInput(field, 'INVALID_LENGTH');
  return s;
}

/** Two prefixes overlap when one is a prefix of the other (e.g. 622588 and 62258812). */
export function binPrefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** The shorter prefixes (6..len) a stored prefix would have to equal to cover `prefix`. */
export function coveringPrefixes(prefix: string): string[] {
  const out: string[] = [];
  for (let len = MIN_BIN_LENGTH; len <= Math.min(prefix.length, MAX_BIN_LENGTH); len++) out.push(prefix.slice(0, len));
  return out;
}

/** Validates a list of prefixes: each well-formed, none overlapping another in the same list. */
export function checkBinPrefixes(raw: readonly string[], field = 'binPrefixes'): string[] {
  if (raw.length === 0) throw badInput(field, 'AT_LEAST_ONE_BIN');
  const prefixes = raw.map((p, i) => normalizeBinPrefix(p, `${field}.${i}`));
  prefixes.forEach((p, i) => {
    for (let j = 0; j < i; j++) {
      if (binPrefixesOverlap(p, prefixes[j] ?? '')) throw badInput(`${field}.${i}`, 'OVERLAPPING_BIN_RANGES');
    }
  });
  return prefixes;
}
