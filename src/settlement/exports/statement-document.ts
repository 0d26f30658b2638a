import Decimal from 'decimal.js';
import { badInput, Money } from '../../common';

export interface StatementLine {
  /** Reference the partner can recognise: referral id, customer reference or event id. */
  ref: string;
  program: string;
  rule: string;
  description: string;
  amount: Money;
}

export interface StatementDocument {
  number: string;
  /** account: the partner's account on file (收款账户) as shown to people — masked, never the full number. */
  partner: { name: string; uscc?: string; account: string };
  /** e.g. "2026-11" */
  period: string;
  currency: string;
  lines: StatementLine[];
  /** VAT rate as a decimal string, e.g. "0.06". */
  taxRate: string;
  /** Whether line amounts already include VAT (contract prices 含税). */
  pricesIncludeTax: boolean;
}

export interface StatementTotals {
  /** Sum of the lines, to the fen. */
  linesTotal: Money;
  /** Amount before tax (不含税金额). */
  net: Money;
  /** VAT (税额), rounded HALF_UP once per statement. */
  tax: Money;
  /** Net + tax (价税合计): the amount payable to the partner. */
  gross: Money;
}

const D = Decimal.clone({ precision: 80 });

/**
 * Net, tax and gross of a statement. Tax is rounded once, half-up, at the
 * minor unit:
 *  - prices exclusive of tax: net = Σ lines, tax = round(net × rate), gross = net + tax;
 *  - prices inclusive of tax: gross = Σ lines, net = round(gross ÷ (1 + rate)), tax = gross − net.
 * So net + tax = gross always holds to the fen.
 */
export function statementTotals(doc: StatementDocument): StatementTotals {
  let rate: Decimal;
  try {
    rate = new D(doc.taxRate);
  } catch {
    throw badInput('taxRate', 'INVALID_RATE');
  }
  if (!rate.isFinite() || rate.isNegative() || rate.greaterThan(1)) throw badInput('taxRate', 'INVALID_RATE');
  const linesTotal = doc.lines.reduce((sum, l, i) => {
    if (l.amount.currency !== doc.currency) throw badInput(`lines[${i}].amount`, 'CURRENCY_MISMATCH');
    return sum.plus(l.amount);
  }, Money.zero(doc.currency));
  if (!doc.pricesIncludeTax) {
    const tax = linesTotal.times(doc.taxRate, 'HALF_UP');
    return { linesTotal, net: linesTotal, tax, gross: linesTotal.plus(tax) };
  }
  const netMinor = new D(linesTotal.minor.toString()).div(rate.plus(1)).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  const net = Money.ofMinor(BigInt(netMinor.toFixed(0)), doc.currency);
  return { linesTotal, net, tax: linesTotal.minus(net), gross: linesTotal };
}

/** The header facts every export shows, in this order, with the same labels. */
export function statementFacts(doc: StatementDocument): [string, string][] {
  return [
    ['对账单号 Statement No.', doc.number],
    ['合作机构 Partner', doc.partner.name + (doc.partner.uscc ? ` (${doc.partner.uscc})` : '')],
    ['收款账户 Account', doc.partner.account],
    ['结算周期 Period', doc.period],
    ['币种 Currency', doc.currency],
  ];
}

/** "6%" / "0.5%" for display. */
export function formatRate(rate: string): string {
  return `${new D(rate).times(100).toFixed()}%`;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Neutralises a text cell against formula injection (CSV/XLSX opened in Excel,
 * WPS or LibreOffice): a value beginning with = + - @, a tab or a carriage
 * return gets a leading apostrophe. Amounts are written as numbers we formatted
 * ourselves and do not pass through here.
 */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Largest amount (in minor units) whose decimal form survives a trip through an IEEE double. */
const SPREADSHEET_SAFE_MINOR = 10n ** 15n - 1n;

/**
 * A spreadsheet number for a Money amount. Spreadsheet cells are IEEE doubles:
 * any decimal of at most 15 significant digits round-trips exactly (shortest
 * representation), so amounts up to 9,999,999,999,999.99 are exact; larger
 * ones are refused rather than silently rounded.
 */
export function moneyToSpreadsheetNumber(m: Money): number {
  const abs = m.minor < 0n ? -m.minor : m.minor;
  if (abs > SPREADSHEET_SAFE_MINOR) throw badInput('amount', 'TOO_LARGE_FOR_SPREADSHEET');
  return Number(m.toDecimalString());
}
