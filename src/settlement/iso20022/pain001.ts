import { badInput, Money } from '../../common';
import { toIsoReference } from './references';
import { assertIsoDate, controlSum, escapeXml, fitText, isoAmount } from './xml-text';

export const PAIN001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.03';

/** An account: an IBAN, or another identifier (e.g. a Chinese account number over CNAPS). */
export interface IsoAccount {
  iban?: string;
  other?: string;
  /** Proprietary scheme name of `other` (e.g. "CNAPS"); omitted when empty. */
  otherScheme?: string;
  currency?: string;
}

/** A bank: BIC, and/or CNAPS bank code (12 digits, 大额支付系统行号). */
export interface IsoAgent {
  bic?: string;
  cnaps?: string;
  name?: string;
}

export interface Pain001Party {
  name: string;
  account: IsoAccount;
  agent?: IsoAgent;
}

export interface Pain001Payout {
  /** Our payout id: becomes the EndToEndId. */
  payoutId: string;
  amount: Money;
  creditor: Pain001Party;
  /** Statement number: the unstructured remittance information. */
  statementNumber: string;
}

export interface Pain001Batch {
  /** Our payout batch id: becomes the PmtInfId (and the MsgId unless given). */
  batchId: string;
  messageId?: string;
  createdAt: Date;
  /** Requested execution date, YYYY-MM-DD (bank business date). */
  requestedExecutionDate: string;
  initiatingPartyName?: string;
  /** The bank's own account the payouts are paid from (from configuration). */
  debtor: Pain001Party;
  batchBooking?: boolean;
  payouts: readonly Pain001Payout[];
}

// Lengths from pain.001.001.03.xsd.
const MAX_NAME = 140; // PartyIdentification32/Nm: Max140Text
const MAX_AGENT_NAME = 140;
const MAX_USTRD = 140;
const MAX_OTHER_ACCOUNT = 34;
const IBAN_RE = /^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}$/;
const BIC_RE = /^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/;
const CCY_RE = /^[A-Z]{3}$/;

function requireText(value: string, field: string, max: number): string {
  const t = fitText(value, max);
  if (t === '') throw badInput(field, 'REQUIRED');
  return t;
}

function accountXml(acct: IsoAccount, field: string): string {
  let id: string;
  if (acct.iban !== undefined && acct.iban.trim() !== '') {
    const iban = acct.iban.replace(/\s/g, '').toUpperCase();
    if (!IBAN_RE.test(iban)) throw badInput(`${field}.iban`, 'INVALID_IBAN');
    id = `<IBAN>${iban}</IBAN>`;
  } else if (acct.other !== undefined && acct.other.trim() !== '') {
    const other = acct.other.replace(/\s/g, '');
    if (Array.from(other).length > MAX_OTHER_ACCOUNT) throw badInput(`${field}.other`, 'TOO_LONG');
    const scheme =
      acct.otherScheme !== undefined && acct.otherScheme.trim() !== ''
        ? `<SchmeNm><Prtry>${escapeXml(fitText(acct.otherScheme, 35))}</Prtry></SchmeNm>`
        : '';
    id = `<Othr><Id>${escapeXml(other)}</Id>${scheme}</Othr>`;
  } else {
    throw badInput(field, 'ACCOUNT_REQUIRED');
  }
  const ccy = acct.currency !== undefined ? `<Ccy>${assertCurrency(acct.currency, `${field}.currency`)}</Ccy>` : '';
  return `<Id>${id}</Id>${ccy}`;
}

function assertCurrency(ccy: string, field: string): string {
  if (!CCY_RE.test(ccy)) throw badInput(field, 'INVALID_CURRENCY');
  return ccy;
}

function agentXml(agent: IsoAgent | undefined, field: string): string {
  const parts: string[] = [];
  if (agent?.bic !== undefined && agent.bic.trim() !== '') {
    const bic = agent.bic.trim().toUpperCase();
    if (!BIC_RE.test(bic)) throw badInput(`${field}.bic`, 'INVALID_BIC');
    parts.push(`<BIC>${bic}</BIC>`);
  }
  if (agent?.cnaps !== undefined && agent.cnaps.trim() !== '') {
    const code = agent.cnaps.trim();
    if (!/^\d{12}$/.test(code)) throw badInput(`${field}.cnaps`, 'INVALID_CNAPS_CODE');
    parts.push(`<ClrSysMmbId><ClrSysId><Cd>CNAPS</Cd></ClrSysId><MmbId>${code}</MmbId></ClrSysMmbId>`);
  }
  if (agent?.name !== undefined && agent.name.trim() !== '') {
    parts.push(`<Nm>${escapeXml(fitText(agent.name, MAX_AGENT_NAME))}</Nm>`);
  }
  // FinInstnId must say something: ISO's convention for "unknown" is NOTPROVIDED.
  if (parts.length === 0) parts.push('<Othr><Id>NOTPROVIDED</Id></Othr>');
  return `<FinInstnId>${parts.join('')}</FinInstnId>`;
}

function isoDateTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw badInput('createdAt', 'INVALID_DATE');
  return `${d.toISOString().slice(0, 19)}Z`;
}

/**
 * Builds a pain.001.001.03 CustomerCreditTransferInitiation with one PmtInf
 * (the payout batch) and one CdtTrfTxInf per payout. Amounts are printed
 * from integer minor units, never through a float. Validate the result with
 * validateXml against the official XSD before release.
 */
export function buildPain001(batch: Pain001Batch): string {
  if (batch.payouts.length === 0) throw badInput('payouts', 'EMPTY_BATCH');
  const pmtInfId = toIsoReference(batch.batchId, 'batchId');
  const msgId = toIsoReference(batch.messageId ?? batch.batchId, 'messageId');
  const exec = assertIsoDate(batch.requestedExecutionDate, 'requestedExecutionDate');

  const seen = new Set<string>();
  const txs = batch.payouts.map((p, i) => {
    const field = `payouts[${i}]`;
    const e2e = toIsoReference(p.payoutId, `${field}.payoutId`);
    if (seen.has(e2e)) throw badInput(`${field}.payoutId`, 'DUPLICATE_PAYOUT');
    seen.add(e2e);
    if (!p.amount.isPositive()) throw badInput(`${field}.amount`, 'NOT_POSITIVE');
    const ccy = assertCurrency(p.amount.currency, `${field}.amount.currency`);
    const cdtrAgt =
      p.creditor.agent !== undefined
        ? `<CdtrAgt>${agentXml(p.creditor.agent, `${field}.creditor.agent`)}</CdtrAgt>`
        : '';
    return (
      `<CdtTrfTxInf>` +
      `<PmtId><EndToEndId>${escapeXml(e2e)}</EndToEndId></PmtId>` +
      `<Amt><InstdAmt Ccy="${ccy}">${isoAmount(p.amount)}</InstdAmt></Amt>` +
      cdtrAgt +
      `<Cdtr><Nm>${escapeXml(requireText(p.creditor.name, `${field}.creditor.name`, MAX_NAME))}</Nm></Cdtr>` +
      `<CdtrAcct>${accountXml(p.creditor.account, `${field}.creditor.account`)}</CdtrAcct>` +
      `<RmtInf><Ustrd>${escapeXml(requireText(p.statementNumber, `${field}.statementNumber`, MAX_USTRD))}</Ustrd></RmtInf>` +
      `</CdtTrfTxInf>`
    );
  });

  const nb = String(batch.payouts.length);
  const sum = controlSum(batch.payouts.map((p) => p.amount));
  const debtorName = escapeXml(requireText(batch.debtor.name, 'debtor.name', MAX_NAME));
  const initg = escapeXml(requireText(batch.initiatingPartyName ?? batch.debtor.name, 'initiatingPartyName', MAX_NAME));
  const btch =
    batch.batchBooking === undefined ? '' : `<BtchBookg>${batch.batchBooking ? 'true' : 'false'}</BtchBookg>`;

  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<Document xmlns="${PAIN001_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n` +
    `<CstmrCdtTrfInitn>` +
    `<GrpHdr><MsgId>${escapeXml(msgId)}</MsgId><CreDtTm>${isoDateTime(batch.createdAt)}</CreDtTm>` +
    `<NbOfTxs>${nb}</NbOfTxs><CtrlSum>${sum}</CtrlSum><InitgPty><Nm>${initg}</Nm></InitgPty></GrpHdr>\n` +
    `<PmtInf><PmtInfId>${escapeXml(pmtInfId)}</PmtInfId><PmtMtd>TRF</PmtMtd>${btch}` +
    `<NbOfTxs>${nb}</NbOfTxs><CtrlSum>${sum}</CtrlSum>` +
    `<ReqdExctnDt>${exec}</ReqdExctnDt>` +
    `<Dbtr><Nm>${debtorName}</Nm></Dbtr>` +
    `<DbtrAcct>${accountXml(batch.debtor.account, 'debtor.account')}</DbtrAcct>` +
    `<DbtrAgt>${agentXml(batch.debtor.agent, 'debtor.agent')}</DbtrAgt>\n` +
    txs.join('\n') +
    `\n</PmtInf></CstmrCdtTrfInitn></Document>\n`
  );
}
