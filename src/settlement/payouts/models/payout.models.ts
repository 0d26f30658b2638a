import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateScalar, MoneyModel } from '../../../graphql/scalars';
import { PayoutBatchStatus, PayoutStatus } from '../payout.enums';

@ObjectType('PartnerBankAccount', { description: 'The partner’s account on file (收款账户); numbers are masked' })
export class PartnerBankAccount {
  @Field(() => ID) partnerId!: string;
  @Field() accountName!: string;
  @Field({ description: 'IBAN or account number, masked: first and last four characters' }) accountMasked!: string;
  @Field() isIban!: boolean;
  @Field(() => String, { nullable: true }) bankName!: string | null;
  @Field(() => String, { nullable: true }) bic!: string | null;
  @Field(() => String, { nullable: true }) cnaps!: string | null;
  @Field(() => Int) version!: number;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}

@ObjectType('Invoice', { description: '发票 recorded against a statement, compared with it' })
export class Invoice {
  @Field(() => ID) id!: string;
  @Field(() => ID) statementId!: string;
  @Field() number!: string;
  @Field(() => DateScalar) issuedOn!: string;
  @Field(() => MoneyModel, { description: '金额' }) amount!: MoneyModel;
  @Field(() => MoneyModel, { description: '税额' }) tax!: MoneyModel;
  @Field(() => MoneyModel, { description: '价税合计' }) total!: MoneyModel;
  @Field(() => MoneyModel, { description: 'Invoice amount − statement net' }) amountDifference!: MoneyModel;
  @Field(() => MoneyModel, { description: 'Invoice tax − statement tax' }) taxDifference!: MoneyModel;
  @Field(() => MoneyModel) tolerance!: MoneyModel;
  @Field({ description: 'Both differences within the tolerance: the statement may be paid' })
  matchesStatement!: boolean;
  @Field(() => Int) version!: number;
}

@ObjectType('Payout', { description: 'One statement paid in a batch (EndToEndId = payout id)' })
export class Payout {
  @Field(() => ID) id!: string;
  @Field(() => ID) batchId!: string;
  @Field(() => ID) statementId!: string;
  @Field() statementNumber!: string;
  @Field(() => ID) partnerId!: string;
  @Field(() => MoneyModel) amount!: MoneyModel;
  @Field() creditorName!: string;
  @Field() creditorAccountMasked!: string;
  @Field(() => PayoutStatus) status!: PayoutStatus;
  @Field(() => String, { nullable: true, description: 'pain.002 reason code, e.g. AC01' })
  statusReasonCode!: string | null;
  @Field(() => String, { nullable: true }) statusReason!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) paidAt!: Date | null;
  @Field(() => DateScalar, { nullable: true }) paidBookingDate!: string | null;
  @Field(() => String, { nullable: true, description: 'camt.053 entry that paid it' }) paidEntryRef!: string | null;
  @Field(() => String, { nullable: true, description: 'END_TO_END_ID or AMOUNT_DATE_ACCOUNT' })
  matchedBy!: string | null;
}

@ObjectType('PayoutBatch', {
  description: 'Payouts sent in one pain.001 (PmtInfId = batch id). Partner users see their own payouts only.',
})
export class PayoutBatch {
  @Field(() => ID) id!: string;
  @Field(() => PayoutBatchStatus) status!: PayoutBatchStatus;
  @Field() currency!: string;
  @Field(() => ID) preparedById!: string;
  @Field(() => GraphQLISODateTime) preparedAt!: Date;
  @Field(() => ID, { nullable: true }) decidedById!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) decidedAt!: Date | null;
  @Field(() => String, { nullable: true }) rejectReason!: string | null;
  @Field(() => DateScalar, { nullable: true }) requestedExecutionDate!: string | null;
  @Field(() => [String], {
    description: 'Why the pain.001 was not released (XSD and totals checks); bank-side users only',
  })
  validationErrors!: string[];
  @Field(() => String, {
    nullable: true,
    description: 'Authenticated download of the released pain.001; bank-side users only',
  })
  fileUrl!: string | null;
  @Field(() => Int) version!: number;
  // total, payoutCount and payouts are resolved per caller (partner users: their own payouts only).
}

@ObjectType('PaymentStatusOutcome')
export class PaymentStatusOutcome {
  @Field(() => ID) payoutId!: string;
  @Field(() => String, { nullable: true, description: 'Status in the report, e.g. ACSC or RJCT' })
  reportedStatus!: string | null;
  @Field(() => String, { nullable: true }) reasonCode!: string | null;
  @Field(() => PayoutStatus, { description: 'The payout’s status after the import' }) payoutStatus!: PayoutStatus;
  @Field({ description: 'Whether the import changed the payout' }) changed!: boolean;
}

@ObjectType('PaymentStatusReportImport', { description: 'What a pain.002 did to the payouts of its batch' })
export class PaymentStatusReportImport {
  @Field(() => ID) importId!: string;
  @Field(() => ID) batchId!: string;
  @Field(() => String, { nullable: true }) groupStatus!: string | null;
  @Field(() => [PaymentStatusOutcome]) outcomes!: PaymentStatusOutcome[];
}

@ObjectType('BankStatementMatch')
export class BankStatementMatch {
  @Field(() => ID) payoutId!: string;
  @Field() entryRef!: string;
  @Field(() => String, { nullable: true }) endToEndId!: string | null;
  @Field() matchedBy!: string;
}

@ObjectType('BankStatementException', { description: 'A booked debit that paid no payout, and why' })
export class BankStatementException {
  @Field() entryRef!: string;
  @Field(() => String, { nullable: true }) endToEndId!: string | null;
  @Field(() => MoneyModel, { nullable: true }) amount!: MoneyModel | null;
  @Field(() => String, { nullable: true }) bookingDate!: string | null;
  @Field({ description: 'NO_MATCH, AMBIGUOUS, ALREADY_PAID or AMOUNT_DIFFERS' }) reason!: string;
  @Field(() => [ID]) payoutIds!: string[];
}

@ObjectType('BankStatementIgnoredEntry', {
  description: 'An entry that cannot be a payout (credit, pending, reversal)',
})
export class BankStatementIgnoredEntry {
  @Field() entryRef!: string;
  @Field() reason!: string;
}

@ObjectType('BankStatementImport', { description: 'A camt.053 matched against released payouts' })
export class BankStatementImport {
  @Field(() => ID) importId!: string;
  @Field() messageId!: string;
  @Field() version!: string;
  @Field(() => Int) entryCount!: number;
  @Field(() => [BankStatementMatch]) matched!: BankStatementMatch[];
  @Field(() => [BankStatementException]) exceptions!: BankStatementException[];
  @Field(() => [BankStatementIgnoredEntry]) ignored!: BankStatementIgnoredEntry[];
}
