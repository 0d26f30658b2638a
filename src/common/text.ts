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
