import { Money } from '../../common/money';
import { controlSum, escapeXml, fitText, isoAmount, toIsoReference } from '../../settlement/iso20022';

/**
 * The bank's answers to a released payout batch, as the demo simulates them: a pain.002 accepting every
 * payment and a camt.053 (.001.02) booking each payout as a debit on the bank's settlement account. They
 * are built from the batch like a real bank would send them (our PmtInfId and EndToEndIds echoed back)
 * and go through the same imports — and the same XSD check — as a bank's own files.
 */

export interface AnsweredPayout {
  payoutId: string;
  amount: Money;
  creditorName: string;
  /** IBAN, or a domestic account number (CNAPS). */
  creditorIban: string | null;
  creditorAccountNumber: string | null;
  statementNumber: string;
}

export interface BankAccountOfRecord {
  name: string;
  iban?: string;
  accountNumber?: string;
  bic?: string;
}

const isoDateTime = (at: Date): string => at.toISOString().slice(0, 19);

function accountXml(account: { iban?: string | null; other?: string | null }): string {
  return account.iban
    ? `<Id><IBAN>${escapeXml(account.iban)}</IBAN></Id>`
    : `<Id><Othr><Id>${escapeXml(account.other ?? '')}</Id></Othr></Id>`;
}

/** pain.002.001.03: the whole batch accepted (ACCP), each payment accepted for settlement (ACSP). */
export function buildPaymentStatusReport(input: {
  batchId: string;
  messageId: string;
  createdAt: Date;
  payouts: readonly AnsweredPayout[];
}): string {
  const ref = toIsoReference(input.batchId);
  const transactions = input.payouts
    .map(
      (p, i) =>
        `<TxInfAndSts><StsId>${escapeXml(`${input.messageId}-${i + 1}`.slice(-35))}</StsId>` +
        `<OrgnlEndToEndId>${toIsoReference(p.payoutId)}</OrgnlEndToEndId><TxSts>ACSP</TxSts></TxInfAndSts>`,
    )
    .join('\n      ');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>${escapeXml(input.messageId)}</MsgId><CreDtTm>${isoDateTime(input.createdAt)}</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>${ref}</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>
      <OrgnlNbOfTxs>${input.payouts.length}</OrgnlNbOfTxs>
      <OrgnlCtrlSum>${controlSum(input.payouts.map((p) => p.amount))}</OrgnlCtrlSum>
      <GrpSts>ACCP</GrpSts>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>${ref}</OrgnlPmtInfId>
      <PmtInfSts>ACCP</PmtInfSts>
      ${transactions}
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
`;
}

/**
 * camt.053.001.02: one statement of the bank's settlement account for the booking date, opening balance,
 * one booked debit per payout (EndToEndId = our payout id, the creditor's account, the statement number as
 * remittance) and the closing balance.
 */
export function buildBankStatement(input: {
  messageId: string;
  createdAt: Date;
  bookingDate: string;
  account: BankAccountOfRecord;
  openingBalance: Money;
  batchId: string;
  payouts: readonly AnsweredPayout[];
}): string {
  const currency = input.openingBalance.currency;
  const total = input.payouts.reduce((sum, p) => sum.plus(p.amount), Money.zero(currency));
  const closing = input.openingBalance.minus(total);
  const balance = (code: string, amount: Money): string =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="${currency}">${isoAmount(amount.abs())}</Amt>` +
    `<CdtDbtInd>${amount.isNegative() ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>${input.bookingDate}</Dt></Dt></Bal>`;
  const entries = input.payouts.map((p, i) => {
    const amount = `<Amt Ccy="${p.amount.currency}">${isoAmount(p.amount)}</Amt>`;
    return `<Ntry>
        <NtryRef>${escapeXml(`${input.messageId}-${i + 1}`.slice(-35))}</NtryRef>
        ${amount}
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>${input.bookingDate}</Dt></BookgDt>
        <ValDt><Dt>${input.bookingDate}</Dt></ValDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><PmtInfId>${toIsoReference(input.batchId)}</PmtInfId><EndToEndId>${toIsoReference(p.payoutId)}</EndToEndId></Refs>
          <AmtDtls><InstdAmt>${amount}</InstdAmt></AmtDtls>
          <RltdPties><Cdtr><Nm>${escapeXml(fitText(p.creditorName, 140))}</Nm></Cdtr><CdtrAcct>${accountXml({ iban: p.creditorIban, other: p.creditorAccountNumber })}</CdtrAcct></RltdPties>
          <RmtInf><Ustrd>${escapeXml(fitText(p.statementNumber, 140))}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>`;
  });
  const servicer = input.account.bic ? `<Svcr><FinInstnId><BIC>${input.account.bic}</BIC></FinInstnId></Svcr>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>${escapeXml(input.messageId)}</MsgId><CreDtTm>${isoDateTime(input.createdAt)}</CreDtTm></GrpHdr>
    <Stmt>
      <Id>${escapeXml(input.messageId)}</Id>
      <CreDtTm>${isoDateTime(input.createdAt)}</CreDtTm>
      <Acct>${accountXml({ iban: input.account.iban ?? null, other: input.account.accountNumber ?? null })}<Ccy>${currency}</Ccy><Nm>${escapeXml(fitText(input.account.name, 70))}</Nm>${servicer}</Acct>
      ${balance('OPBD', input.openingBalance)}
      ${balance('CLBD', closing)}
      <TxsSummry><TtlDbtNtries><NbOfNtries>${input.payouts.length}</NbOfNtries><Sum>${isoAmount(total)}</Sum></TtlDbtNtries></TxsSummry>
      ${entries.join('\n      ')}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
}
