import { badInput, Money } from '../../common';
import { attr, child, children, parseIsoDocument, text, texts, type XNode } from './xml-read';
import { parseIsoAmount } from './xml-text';

export type CreditDebit = 'CRDT' | 'DBIT';

export interface CamtTransaction {
  endToEndId: string | null;
  instructionId: string | null;
  paymentInfoId: string | null;
  /**
   * The amount the payer instructed (what our pain.001 said): AmtDtls/InstdAmt,
   * else TxDtls/Amt (v04+), else AmtDtls/TxAmt; null when the bank gives none.
   */
  amount: Money | null;
  remittance: string | null;
  counterpartyName: string | null;
  counterpartyAccount: string | null;
}

export interface CamtEntry {
  /** NtryRef, else AcctSvcrRef, else "<statement id>#<n>": unique within the file. */
  ref: string;
  statementId: string;
  amount: Money;
  creditDebit: CreditDebit;
  reversal: boolean;
  /** BOOK, PDNG, INFO (v02/v04 plain text, v08 Sts/Cd). */
  status: string;
  bookingDate: string | null;
  valueDate: string | null;
  accountServicerRef: string | null;
  /** First real EndToEndId of the entry's transactions ("NOTPROVIDED" is none). */
  endToEndId: string | null;
  remittance: string | null;
  /** For a debit the creditor's account, for a credit the debtor's (first transaction that names one). */
  counterpartyAccount: string | null;
  counterpartyName: string | null;
  transactions: CamtTransaction[];
}

export interface CamtStatement {
  id: string;
  electronicSequenceNumber: string | null;
  createdAt: string | null;
  /** IBAN or Othr/Id of the statement's account. */
  account: string;
  accountCurrency: string | null;
  entries: CamtEntry[];
}

export interface Camt053Document {
  messageId: string;
  createdAt: string | null;
  /** The version from the namespace, e.g. "camt.053.001.02" (null if none). */
  version: string | null;
  statements: CamtStatement[];
}

function accountId(acct: XNode | undefined): string | null {
  const id = child(acct, 'Id');
  return text(id, 'IBAN') ?? text(id, 'Othr', 'Id') ?? null;
}

function dateOf(node: XNode | undefined): string | null {
  const d = text(node, 'Dt') ?? text(node, 'DtTm');
  return d === undefined ? null : d.slice(0, 10);
}

function realRef(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  return t === '' || t.toUpperCase() === 'NOTPROVIDED' ? null : t;
}

function amountOf(node: XNode | undefined, field: string): Money | null {
  const amt = child(node, 'Amt');
  const value = text(node, 'Amt');
  const ccy = attr(amt, 'Ccy');
  if (value === undefined || ccy === undefined) return null;
  return parseIsoAmount(value, ccy, field);
}

function remittanceOf(tx: XNode | undefined): string | null {
  const rmt = child(tx, 'RmtInf');
  const ustrd = texts(rmt, 'Ustrd');
  if (ustrd.length > 0) return ustrd.join(' ');
  for (const s of children(rmt, 'Strd')) {
    const ref = text(s, 'CdtrRefInf', 'Ref');
    if (ref !== undefined) return ref;
  }
  return null;
}

function transactionOf(tx: XNode, direction: CreditDebit, field: string): CamtTransaction {
  const refs = child(tx, 'Refs');
  const parties = child(tx, 'RltdPties');
  const cp = direction === 'DBIT' ? 'Cdtr' : 'Dbtr';
  const amtDtls = child(tx, 'AmtDtls');
  const amount =
    amountOf(child(amtDtls, 'InstdAmt'), `${field}.InstdAmt`) ??
    amountOf(tx, `${field}.Amt`) ??
    amountOf(child(amtDtls, 'TxAmt'), `${field}.TxAmt`);
  // v08 nests the party one level deeper: RltdPties/Cdtr/Pty/Nm.
  const party = child(parties, cp);
  return {
    endToEndId: realRef(text(refs, 'EndToEndId')),
    instructionId: realRef(text(refs, 'InstrId')),
    paymentInfoId: realRef(text(refs, 'PmtInfId')),
    amount,
    remittance: remittanceOf(tx),
    counterpartyName: text(party, 'Nm') ?? text(party, 'Pty', 'Nm') ?? null,
    counterpartyAccount: accountId(child(parties, `${cp}Acct`)),
  };
}

function entryOf(ntry: XNode, stmtId: string, index: number, field: string): CamtEntry {
  const amount = amountOf(ntry, `${field}.Amt`);
  if (amount === null) throw badInput(`${field}.Amt`, 'REQUIRED');
  const cd = text(ntry, 'CdtDbtInd');
  if (cd !== 'CRDT' && cd !== 'DBIT') throw badInput(`${field}.CdtDbtInd`, 'INVALID_VALUE');
  const status = text(ntry, 'Sts') ?? text(ntry, 'Sts', 'Cd') ?? '';
  const txs = children(ntry, 'NtryDtls')
    .flatMap((d) => children(d, 'TxDtls'))
    .map((tx, i) => transactionOf(tx, cd, `${field}.TxDtls[${i}]`));
  const first = <K extends keyof CamtTransaction>(k: K): CamtTransaction[K] | null =>
    txs.map((t) => t[k]).find((v) => v !== null) ?? null;
  const acctSvcrRef = realRef(text(ntry, 'AcctSvcrRef'));
  const addtl = text(ntry, 'AddtlNtryInf');
  return {
    ref: realRef(text(ntry, 'NtryRef')) ?? acctSvcrRef ?? `${stmtId}#${index + 1}`,
    statementId: stmtId,
    amount,
    creditDebit: cd,
    reversal: text(ntry, 'RvslInd') === 'true',
    status,
    bookingDate: dateOf(child(ntry, 'BookgDt')),
    valueDate: dateOf(child(ntry, 'ValDt')),
    accountServicerRef: acctSvcrRef,
    endToEndId: first('endToEndId'),
    remittance: first('remittance') ?? addtl ?? null,
    counterpartyAccount: first('counterpartyAccount'),
    counterpartyName: first('counterpartyName'),
    transactions: txs,
  };
}

/**
 * Reads a camt.053 bank-to-customer statement (versions .001.02, .04 and .08
 * share the parts read here). Parsing is not validation: run validateXml
 * against the version's XSD first and refuse an invalid file.
 */
export function parseCamt053(xml: string | Buffer): Camt053Document {
  const raw = typeof xml === 'string' ? xml : xml.toString('utf8');
  const msg = parseIsoDocument(raw, 'BkToCstmrStmt');
  const version = /urn:iso:std:iso:20022:tech:xsd:(camt\.053\.\d{3}\.\d{2})/.exec(raw)?.[1] ?? null;
  const statements = children(msg, 'Stmt').map((stmt, si): CamtStatement => {
    const id = text(stmt, 'Id') ?? `statement-${si + 1}`;
    const acct = child(stmt, 'Acct');
    const account = accountId(acct);
    if (account === null) throw badInput(`Stmt[${si}].Acct`, 'REQUIRED');
    const seen = new Map<string, number>();
    const entries = children(stmt, 'Ntry').map((n, ei) => {
      const e = entryOf(n, id, ei, `Stmt[${si}].Ntry[${ei}]`);
      // Keep refs unique inside the file even when a bank repeats an NtryRef.
      const count = (seen.get(e.ref) ?? 0) + 1;
      seen.set(e.ref, count);
      return count > 1 ? { ...e, ref: `${e.ref}#${count}` } : e;
    });
    return {
      id,
      electronicSequenceNumber: text(stmt, 'ElctrncSeqNb') ?? null,
      createdAt: text(stmt, 'CreDtTm') ?? null,
      account,
      accountCurrency: text(acct, 'Ccy') ?? null,
      entries,
    };
  });
  return {
    messageId: text(msg, 'GrpHdr', 'MsgId') ?? '',
    createdAt: text(msg, 'GrpHdr', 'CreDtTm') ?? null,
    version,
    statements,
  };
}

/** XSD file name for a camt.053 version ("camt.053.001.02" → "camt.053.001.02.xsd"). */
export function camtXsdName(version: string): string {
  return `${version}.xsd`;
}
