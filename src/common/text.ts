/**
 * Converts full-width ASCII variants (U+FF01–U+FF5E) and the ideographic space
 * to their half-width forms. Chinese IMEs often emit full-width digits and
 * letters, which must compare equal to the ASCII ones before validation/hashing.
 */
export function toHalfWidth(raw: string): string {
  let out = '';
  for (const ch of raw) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xff01 && cp <= 0xff5e) {
      out += String.fromCodePoint(cp - 0xfee0);
    } else if (cp === 0x3000) {
      out += ' ';
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Orders strings by UTF-16 code unit, as a binary collation does: for report keys (ISO dates, ids, enum names)
 * whose order must not depend on the process locale, and far cheaper than localeCompare on every comparison.
 */
export function compareOrdinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
