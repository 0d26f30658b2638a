import { badInput } from '../../common';
import { fromIsoReference } from './references';
import { child, children, text, texts, type XNode } from './xml-read';
import { parseIsoDocument } from './xml-read';

/**
 * ISO 20022 ExternalPaymentTransactionStatus1Code as written in the file:
 * ACCP, ACSC, ACSP, ACTC, ACWC, PART, PDNG, RCVD, RJCT (an external code list, so open-ended).
 */
export type Pain002Status = string;

export interface Pain002Reason {
  code: string | null;
  additionalInfo: string[];
}

export interface Pain002Transaction {
  /** As written in the file (32 hex digits for our UUIDs). */
  endToEndId: string;
  /** The EndToEndId turned back into our id (a hyphenated UUID where it was one). */
  payoutId: string;
  originalPmtInfId: string | null;
  status: Pain002Status | null;
  reasonCode: string | null;
  reasons: Pain002Reason[];
}

export interface Pain002Report {
  messageId: string | null;
  originalMsgId: string;
  originalMsgNameId: string | null;
  groupStatus: Pain002Status | null;
  groupReasons: Pain002Reason[];
  /** First OrgnlPmtInfId (our batch id), as our id; null when the report is group-level only. */
  originalPmtInfId: string | null;
  paymentInfos: { originalPmtInfId: string; status: Pain002Status | null; reasons: Pain002Reason[] }[];
  transactions: Pain002Transaction[];
}

function reasonsOf(node: XNode | undefined): Pain002Reason[] {
  return children(node, 'StsRsnInf').map((r) => ({
    code: text(r, 'Rsn', 'Cd') ?? text(r, 'Rsn', 'Prtry') ?? null,
    additionalInfo: texts(r, 'AddtlInf'),
  }));
}

/**
 * Reads a pain.002 customer payment status report (v03 and later share these
 * parts): the original message, the status per payment information block and
 * per transaction with its reason code (e.g. AC01 wrong account, AM04
 * insufficient funds).
 */
export function parsePain002(xml: string | Buffer): Pain002Report {
  const msg = parseIsoDocument(xml, 'CstmrPmtStsRpt');
  const grp = child(msg, 'OrgnlGrpInfAndSts');
  const originalMsgId = text(grp, 'OrgnlMsgId');
  if (originalMsgId === undefined || originalMsgId === '') throw badInput('OrgnlGrpInfAndSts.OrgnlMsgId', 'REQUIRED');

  const paymentInfos: Pain002Report['paymentInfos'] = [];
  const transactions: Pain002Transaction[] = [];
  children(msg, 'OrgnlPmtInfAndSts').forEach((pmt, pi) => {
    const rawId = text(pmt, 'OrgnlPmtInfId');
    if (rawId === undefined) throw badInput(`OrgnlPmtInfAndSts[${pi}].OrgnlPmtInfId`, 'REQUIRED');
    const pmtInfId = fromIsoReference(rawId);
    paymentInfos.push({ originalPmtInfId: pmtInfId, status: text(pmt, 'PmtInfSts') ?? null, reasons: reasonsOf(pmt) });
    children(pmt, 'TxInfAndSts').forEach((tx, ti) => {
      const e2e = text(tx, 'OrgnlEndToEndId');
      if (e2e === undefined || e2e === '') {
        throw badInput(`OrgnlPmtInfAndSts[${pi}].TxInfAndSts[${ti}].OrgnlEndToEndId`, 'REQUIRED');
      }
      const reasons = reasonsOf(tx);
      transactions.push({
        endToEndId: e2e,
        payoutId: fromIsoReference(e2e),
        originalPmtInfId: pmtInfId,
        status: text(tx, 'TxSts') ?? null,
        reasonCode: reasons.find((r) => r.code !== null)?.code ?? null,
        reasons,
      });
    });
  });

  return {
    messageId: text(msg, 'GrpHdr', 'MsgId') ?? null,
    originalMsgId: fromIsoReference(originalMsgId),
    originalMsgNameId: text(grp, 'OrgnlMsgNmId') ?? null,
    groupStatus: text(grp, 'GrpSts') ?? null,
    groupReasons: reasonsOf(grp),
    originalPmtInfId: paymentInfos[0]?.originalPmtInfId ?? null,
    paymentInfos,
    transactions,
  };
}
