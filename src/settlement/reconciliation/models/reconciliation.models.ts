import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { Connection, ConnectionResult } from '../../../graphql/connection';
import { MoneyModel } from '../../../graphql/scalars';
import {
  AdjustmentStatus,
  ClaimFormat,
  DisputeSide,
  DisputeStatus,
  ReconciliationOutcomeKind,
} from '../reconciliation.enums';

@ObjectType('ClaimMapping', { description: 'A partner’s saved claim-file columns' })
export class ClaimMapping {
  @Field(() => ID) partnerId!: string;
  @Field() reference!: string;
  @Field() amount!: string;
  @Field(() => String, { nullable: true }) referenceKind!: string | null;
  @Field(() => String, { nullable: true }) customerRef!: string | null;
  @Field(() => String, { nullable: true }) eventId!: string | null;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => Int) version!: number;
}

@ObjectType('ClaimRowIssue', { description: 'A problem with one row of a claim file (line = row number, header = 1)' })
export class ClaimRowIssue {
  @Field(() => Int) line!: number;
  @Field() field!: string;
  @Field() reason!: string;
}

@ObjectType('ReconciliationOutcomeSummary')
export class ReconciliationOutcomeSummary {
  @Field(() => ReconciliationOutcomeKind) outcome!: ReconciliationOutcomeKind;
  @Field(() => Int) count!: number;
  @Field(() => MoneyModel) bankTotal!: MoneyModel;
  @Field(() => MoneyModel) claimTotal!: MoneyModel;
  @Field(() => MoneyModel, { description: 'Claimed − statement' }) difference!: MoneyModel;
}

@ObjectType('ReconciliationSummary', { description: 'The current reconciliation of a statement' })
export class ReconciliationSummary {
  @Field(() => ID) statementId!: string;
  @Field(() => ID) claimId!: string;
  @Field(() => ClaimFormat) format!: ClaimFormat;
  @Field({ description: 'UTF-8, UTF-8-BOM, GB18030 (GBK), UTF-16… or XLSX' }) encoding!: string;
  @Field(() => String, { nullable: true }) fileName!: string | null;
  @Field(() => Int) claimRowCount!: number;
  @Field(() => [ReconciliationOutcomeSummary]) outcomes!: ReconciliationOutcomeSummary[];
  @Field(() => MoneyModel, { description: 'Σ statement (ledger) amounts: equals the statement total' })
  bankTotal!: MoneyModel;
  @Field(() => MoneyModel) claimTotal!: MoneyModel;
  @Field(() => MoneyModel, { description: 'Claimed − statement' }) difference!: MoneyModel;
  @Field({ description: 'Every row MATCHED' }) balanced!: boolean;
  @Field(() => GraphQLISODateTime) reconciledAt!: Date;
}

@ObjectType('ReconciliationRow')
export class ReconciliationRow {
  @Field(() => ID) id!: string;
  @Field(() => Int) position!: number;
  @Field(() => ReconciliationOutcomeKind) outcome!: ReconciliationOutcomeKind;
  @Field({ description: 'The statement line reference (event id, referral id or adjustment id), else the claimed one' })
  reference!: string;
  @Field(() => Int, { nullable: true, description: 'Row number in the claim file' }) claimLine!: number | null;
  @Field(() => ID, { nullable: true }) programId!: string | null;
  @Field(() => [ID], { description: 'Ledger lines behind the statement amount' }) accrualIds!: string[];
  @Field(() => String, { nullable: true }) customerRef!: string | null;
  @Field(() => String, { nullable: true }) eventId!: string | null;
  @Field(() => MoneyModel) bankAmount!: MoneyModel;
  @Field(() => MoneyModel) claimAmount!: MoneyModel;
  @Field(() => MoneyModel, { description: 'Claimed − statement' }) difference!: MoneyModel;
  @Field() reason!: string;
}

@ObjectType('ClaimImport', { description: 'What an import stored: the claim, its row issues and the new summary' })
export class ClaimImport {
  @Field(() => ID) claimId!: string;
  @Field({ description: 'Detected encoding' }) encoding!: string;
  @Field(() => Int) rowCount!: number;
  @Field(() => [ClaimRowIssue], { description: 'Rows stored but worth a look (e.g. a repeated reference)' })
  issues!: ClaimRowIssue[];
  @Field(() => ReconciliationSummary) summary!: ReconciliationSummary;
}

@ObjectType('DisputeComment')
export class DisputeComment {
  @Field(() => ID) id!: string;
  @Field(() => ID) authorId!: string;
  @Field(() => DisputeSide) side!: DisputeSide;
  @Field() body!: string;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType('Dispute', {
  description: '争议: a partner’s or the bank’s objection to a statement or a reconciliation row',
})
export class Dispute {
  @Field(() => ID) id!: string;
  @Field(() => ID) statementId!: string;
  @Field(() => ID) partnerId!: string;
  @Field(() => ID, { nullable: true }) reconciliationRowId!: string | null;
  @Field(() => DisputeStatus) status!: DisputeStatus;
  @Field() reason!: string;
  @Field(() => ID) raisedById!: string;
  @Field(() => DisputeSide) raisedBySide!: DisputeSide;
  @Field(() => ID, { nullable: true, description: 'The approved adjustment that resolved it' })
  adjustmentId!: string | null;
  @Field(() => ID, { nullable: true }) decidedById!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) decidedAt!: Date | null;
  @Field(() => String, { nullable: true }) decisionReason!: string | null;
  @Field(() => Int) version!: number;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType('Adjustment', { description: '调整: a signed amount for a partner, under four eyes' })
export class Adjustment {
  @Field(() => ID) id!: string;
  @Field(() => ID) partnerId!: string;
  @Field(() => ID) programId!: string;
  @Field(() => ID, { nullable: true }) disputeId!: string | null;
  @Field(() => MoneyModel) amount!: MoneyModel;
  @Field() reason!: string;
  @Field(() => AdjustmentStatus) status!: AdjustmentStatus;
  @Field(() => ID) preparedById!: string;
  @Field(() => GraphQLISODateTime) preparedAt!: Date;
  @Field(() => ID, { nullable: true }) approvedById!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) approvedAt!: Date | null;
  @Field(() => ID, { nullable: true }) rejectedById!: string | null;
  @Field(() => String, { nullable: true }) rejectReason!: string | null;
  @Field(() => ID, { nullable: true, description: 'The open period it was posted in when approved' })
  postedPeriodId!: string | null;
  @Field(() => ID, { nullable: true, description: 'Its ADJUSTMENT line in the commission ledger' })
  accrualId!: string | null;
  @Field(() => Int) version!: number;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

export const ReconciliationRowConnection = Connection(ReconciliationRow, 'ReconciliationRow');

@ObjectType('Reconciliation', { description: 'A statement’s current reconciliation (null summary: no claim yet)' })
export class Reconciliation {
  @Field(() => ID) statementId!: string;
  @Field(() => ReconciliationSummary, { nullable: true }) summary!: ReconciliationSummary | null;
  @Field(() => ReconciliationRowConnection) rows!: ConnectionResult<ReconciliationRow>;
}
