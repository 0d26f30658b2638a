import Decimal from 'decimal.js';
import { child, children, parseIsoDocument, text } from './xml-read';

export interface Pain001Issue {
  /** Where: "GrpHdr" or "PmtInf[i]". */
  path: string;
  rule: 'NB_OF_TXS' | 'CTRL_SUM';
  declared: string;
  actual: string;
}

function sumOf(txs: ReturnType<typeof children>): Decimal {
  return txs.reduce((sum, tx) => {
    const amt = child(tx, 'Amt');
    const v = text(amt, 'InstdAmt') ?? text(amt, 'EqvtAmt', 'Amt');
    return v === undefined || !/^\d*\.?\d+$/.test(v) ? sum : sum.plus(v);
  }, new Decimal(0));
}

/**
 * Business rules of a pain.001 that its XSD cannot express: NbOfTxs and
 * CtrlSum (group header and each PmtInf) must equal the count and the sum of
 * the transactions. Run after validateXml; an empty list means consistent.
 * (The PostFinance sample declares 7 transactions but carries 8.)
 */
export function checkPain001Totals(xml: string | Buffer): Pain001Issue[] {
  const msg = parseIsoDocument(xml, 'CstmrCdtTrfInitn');
  const issues: Pain001Issue[] = [];
  const check = (path: string, node: ReturnType<typeof child>, txs: ReturnType<typeof children>): void => {
    const nb = text(node, 'NbOfTxs');
    if (nb !== undefined && nb !== String(txs.length)) {
      issues.push({ path, rule: 'NB_OF_TXS', declared: nb, actual: String(txs.length) });
    }
    const ctrl = text(node, 'CtrlSum');
    const sum = sumOf(txs);
    if (ctrl !== undefined && (!/^\d*\.?\d+$/.test(ctrl) || !new Decimal(ctrl).equals(sum))) {
      issues.push({ path, rule: 'CTRL_SUM', declared: ctrl, actual: sum.toFixed() });
    }
  };
  const pmtInfs = children(msg, 'PmtInf');
  pmtInfs.forEach((p, i) => check(`PmtInf[${i}]`, p, children(p, 'CdtTrfTxInf')));
  check(
    'GrpHdr',
    child(msg, 'GrpHdr'),
    pmtInfs.flatMap((p) => children(p, 'CdtTrfTxInf')),
  );
  return issues;
}
