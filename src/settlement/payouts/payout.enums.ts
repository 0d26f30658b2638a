import { registerEnumType } from '@nestjs/graphql';

export enum PayoutBatchStatus {
  /** Prepared by a finance maker, waiting for a different approver. */
  PREPARED = 'PREPARED',
  /** Approved and its pain.001 passed the XSD: the file is released to the bank. */
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  /** Approved, but the pain.001 failed the XSD: not released; its statements are free for a new batch. */
  INVALID = 'INVALID',
}
registerEnumType(PayoutBatchStatus, {
  name: 'PayoutBatchStatus',
  description: 'PREPARED → APPROVED (file validated and released) | REJECTED | INVALID (file failed its XSD)',
});

export enum PayoutStatus {
  PREPARED = 'PREPARED',
  /** In a released pain.001. */
  RELEASED = 'RELEASED',
  /** The bank accepted it (pain.002 ACCP, ACSC, ACTC …). */
  ACCEPTED = 'ACCEPTED',
  /** Booked on the bank statement (camt.053). Final. */
  PAID = 'PAID',
  /** The bank rejected it (pain.002 RJCT, with a reason code); the statement can go into a new batch. */
  REJECTED = 'REJECTED',
  /** Its batch was rejected or its file invalid. */
  CANCELLED = 'CANCELLED',
}
registerEnumType(PayoutStatus, {
  name: 'PayoutStatus',
  description: 'PREPARED → RELEASED → ACCEPTED → PAID; REJECTED by the bank; CANCELLED with its batch',
});

/** Four-eyes steps: one row each per batch, and one user may sign only one of them. */
export const SignoffStep = { PREPARE: 'PREPARE', DECIDE: 'DECIDE' } as const;

export const OPEN_PAYOUT_STATUSES: readonly string[] = [PayoutStatus.RELEASED, PayoutStatus.ACCEPTED];
/** Payouts that still hold their statement: a statement may be in one of these only once. */
export const LIVE_PAYOUT_STATUSES: readonly string[] = [
  PayoutStatus.PREPARED,
  PayoutStatus.RELEASED,
  PayoutStatus.ACCEPTED,
  PayoutStatus.PAID,
];

/** pain.002 transaction statuses that mean the bank took the payment (ExternalPaymentTransactionStatus1Code). */
export const ACCEPTED_STATUS_CODES: readonly string[] = ['ACCP', 'ACSC', 'ACSP', 'ACTC', 'ACWC', 'ACWP', 'PART'];
