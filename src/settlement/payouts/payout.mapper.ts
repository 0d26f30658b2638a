import { Money } from '../../common/money';
import { MoneyModel } from '../../graphql/scalars';
import { InvoiceEntity, PartnerBankAccountEntity, PayoutBatchEntity, PayoutEntity } from './entities/payout.entities';
import { Invoice, PartnerBankAccount, Payout, PayoutBatch } from './models/payout.models';
import { maskAccount } from './payout-gate';
import { PayoutBatchStatus, PayoutStatus } from './payout.enums';
import type { InvoiceCheck } from './payouts.service';

export function toBankAccount(a: PartnerBankAccountEntity): PartnerBankAccount {
  return {
    partnerId: a.partnerId,
    accountName: a.accountName,
    accountMasked: maskAccount(a.iban ?? a.accountNumber ?? ''),
    isIban: a.iban !== null,
    bankName: a.bankName,
    bic: a.bic,
    cnaps: a.cnaps,
    version: a.version,
    updatedAt: a.updatedAt,
  };
}

export function toInvoice(i: InvoiceEntity, check: InvoiceCheck): Invoice {
  const m = (minor: bigint): MoneyModel => MoneyModel.of(Money.ofMinor(minor, i.currency));
  return {
    id: i.id,
    statementId: i.statementId,
    number: i.number,
    issuedOn: i.issuedOn,
    amount: m(i.amount),
    tax: m(i.tax),
    total: m(i.amount + i.tax),
    amountDifference: m(check.amountDifference),
    taxDifference: m(check.taxDifference),
    tolerance: m(check.tolerance),
    matchesStatement: check.matches,
    version: i.version,
  };
}

export function toPayout(p: PayoutEntity): Payout {
  return {
    id: p.id,
    batchId: p.batchId,
    statementId: p.statementId,
    statementNumber: p.statementNumber,
    partnerId: p.partnerId,
    amount: MoneyModel.of(Money.ofMinor(p.amount, p.currency)),
    creditorName: p.creditorName,
    creditorAccountMasked: maskAccount(p.creditorIban ?? p.creditorAccountNumber ?? ''),
    status: p.status as PayoutStatus,
    statusReasonCode: p.statusReasonCode,
    statusReason: p.statusReason,
    paidAt: p.paidAt,
    paidBookingDate: p.paidBookingDate,
    paidEntryRef: p.paidEntryRef,
    matchedBy: p.matchedBy,
  };
}

export function toPayoutBatch(b: PayoutBatchEntity): PayoutBatch {
  return {
    id: b.id,
    status: b.status as PayoutBatchStatus,
    currency: b.currency,
    preparedById: b.preparedById,
    preparedAt: b.preparedAt,
    decidedById: b.decidedById,
    decidedAt: b.decidedAt,
    rejectReason: b.rejectReason,
    requestedExecutionDate: b.requestedExecutionDate,
    validationErrors: b.validationErrors ?? [],
    fileUrl: b.painFile !== null ? `/payout-batches/${b.id}/pain.001.xml` : null,
    version: b.version,
  };
}
