import Decimal from 'decimal.js';
import { badInput, minorUnitsOf, Money } from '../../common';

/** Escapes text for XML element content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * Makes free text fit an ISO 20022 MaxNText: control characters (illegal in
 * XML 1.0 or meaningless in a payment) become spaces, runs of whitespace
 * collapse, and the result is cut to `max` characters. XSD lengths count
 * Unicode characters (code points), not UTF-16 units or bytes, so a Chinese
 * name is cut by characters and a surrogate pair is never split.
 */
export function fitText(text: string, max: number): string {
  const visible = Array.from(text, (ch) => {
    const cp = ch.codePointAt(0) ?? 0;
    return cp < 0x20 || cp === 0x7f || cp === 0xfffe || cp === 0xffff ? ' ' : ch;
  }).join('');
  const cleaned = visible.replace(/\s+/g, ' ').trim();
  return Array.from(cleaned).slice(0, max).join('');
}

/** ISO amount text for XML: exact, with the currency's decimals ("1234.56", "4"). */
export function isoAmount(m: Money): string {
  return m.toDecimalString();
}

/**
 * Parses an ISO 20022 amount ("1234.5", "4", "10.000") exactly into Money.
 * Extra decimals are accepted only when they are zeros; anything finer than
 * the currency's minor unit is refused rather than rounded.
 */
export function parseIsoAmount(text: string, currency: string, field = 'amount'): Money {
  const exp = minorUnitsOf(currency);
  // ".6" (no integer digits) occurs in real statements.
  const m = /^(-?)(\d*)(?:\.(\d+))?$/.exec(text.trim());
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) throw badInput(field, 'INVALID_AMOUNT');
  const int = (m[2] ?? '') === '' ? '0' : (m[2] ?? '0');
  const frac = m[3] ?? '';
  if (/[^0]/.test(frac.slice(exp))) throw badInput(field, 'TOO_MANY_DECIMALS');
  const kept = frac.slice(0, exp);
  return Money.parse(`${m[1] ?? ''}${int}${kept === '' ? '' : `.${kept}`}`, currency, field);
}

/** Exact decimal sum of amounts (possibly of several currencies, as CtrlSum is). */
export function controlSum(amounts: readonly Money[]): string {
  let sum = new Decimal(0);
  let decimals = 0;
  for (const a of amounts) {
    sum = sum.plus(a.toDecimalString());
    decimals = Math.max(decimals, minorUnitsOf(a.currency));
  }
  return sum.toFixed(decimals);
}

/** Date-only ISO form (YYYY-MM-DD) validated as a real calendar date. */
export function assertIsoDate(value: string, field: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) throw badInput(field, 'INVALID_DATE');
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) throw badInput(field, 'INVALID_DATE');
  return value;
}
