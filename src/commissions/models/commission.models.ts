import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { JobStatus } from '../../jobs/job.enums';
import { DateScalar, MoneyModel } from '../../graphql/scalars';
import { AccrualKind, AccrualStatus, PlanStatus } from '../commission.enums';

@ObjectType('CommissionPlanVersion', { description: 'One effective-dated version; never edited, only superseded.' })
export class CommissionPlanVersion {
  @Field(() => ID) id!: string;
  @Field(() => Int) version!: number;
  @Field(() => DateScalar) effectiveFrom!: string;
  @Field({ description: 'The validated body as canonical JSON text' }) rulesJson!: string;
  @Field(() => [String]) ruleIds!: string[];
  @Field(() => MoneyModel, { nullable: true }) minimumPayablePerStatement!: MoneyModel | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType('CommissionPlan', { description: '分润方案: attached to a program, or to a partner for all its programs.' })
export class CommissionPlan {
  @Field(() => ID) id!: string;
  @Field(() => ID) partnerId!: string;
  @Field(() => ID, { nullable: true }) programId!: string | null;
  @Field() name!: string;
  @Field(() => PlanStatus) status!: PlanStatus;
  @Field(() => Int) version!: number;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType('CommissionPeriod', { description: '结算周期: a month in the bank’s time zone.' })
export class CommissionPeriod {
  @Field(() => ID) id!: string;
  @Field({ description: 'YYYY-MM' }) key!: string;
  @Field(() => DateScalar) from!: string;
  @Field(() => DateScalar) to!: string;
  @Field({ description: 'OPEN → CALCULATED (settlement adds more)' }) status!: string;
  @Field(() => GraphQLISODateTime, { nullable: true }) calculatedAt!: Date | null;
}

@ObjectType('CommissionRun')
export class CommissionRun {
  @Field(() => ID) id!: string;
  @Field(() => ID) jobId!: string;
  @Field(() => ID) periodId!: string;
  @Field(() => [ID]) partnerIds!: string[];
  @Field(() => DateScalar) asOf!: string;
  @Field(() => JobStatus) status!: JobStatus;
  @Field(() => Int) processed!: number;
  @Field(() => Int, { nullable: true }) total!: number | null;
  @Field(() => Int) linesAdded!: number;
  @Field(() => String, { nullable: true, description: 'SHA-256 of the resulting ledger (live lines)' })
  contentHash!: string | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) finishedAt!: Date | null;
}

@ObjectType('AccrualSource')
export class AccrualSource {
  @Field({ description: 'EVENT, REFERRAL_QUALIFIED or REFERRAL' }) kind!: string;
  @Field(() => ID) id!: string;
}

@ObjectType('Accrual', { description: '计提: one immutable ledger line with its explanation.' })
export class Accrual {
  @Field(() => ID) id!: string;
  @Field() ledgerKey!: string;
  @Field() idempotencyKey!: string;
  @Field(() => Int) revision!: number;
  @Field() reversal!: boolean;
  @Field(() => AccrualKind) kind!: AccrualKind;
  @Field(() => AccrualStatus) status!: AccrualStatus;
  @Field(() => ID) partnerId!: string;
  @Field(() => ID) programId!: string;
  @Field(() => ID, { nullable: true, description: 'Null for ADJUSTMENT lines' }) planId!: string | null;
  @Field(() => Int) planVersion!: number;
  @Field() ruleId!: string;
  @Field(() => ID, { nullable: true, description: 'Null for ADJUSTMENT lines' }) customerId!: string | null;
  @Field(() => ID, { description: 'The period the line is posted in' }) periodId!: string;
  @Field({ description: 'The period of the source fact (differs for adjustments to a closed period)' })
  factPeriodKey!: string;
  @Field(() => DateScalar) businessDate!: string;
  @Field(() => [AccrualSource]) sources!: AccrualSource[];
  @Field(() => MoneyModel, { nullable: true }) basisAmount!: MoneyModel | null;
  @Field() rateOrTier!: string;
  @Field(() => MoneyModel) amount!: MoneyModel;
  @Field(() => DateScalar) payableOn!: string;
  @Field() feeCategory!: string;
  @Field() explanation!: string;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  /** Internal: used by the status field resolver (not exposed). */
  accrualKey!: string;
}

@ObjectType('SimulatedLine')
export class SimulatedLine {
  @Field() periodKey!: string;
  @Field() ruleId!: string;
  @Field(() => AccrualKind) kind!: AccrualKind;
  @Field(() => [ID]) sourceIds!: string[];
  @Field(() => ID) customerId!: string;
  @Field(() => DateScalar) businessDate!: string;
  @Field(() => MoneyModel, { nullable: true }) basisAmount!: MoneyModel | null;
  @Field() rateOrTier!: string;
  @Field(() => MoneyModel) amount!: MoneyModel;
  @Field(() => AccrualStatus) status!: AccrualStatus;
  @Field(() => DateScalar) payableOn!: string;
  @Field() explanation!: string;
}

@ObjectType('CommissionSimulation', { description: 'What a draft would have paid; nothing was written.' })
export class CommissionSimulation {
  @Field(() => [SimulatedLine]) lines!: SimulatedLine[];
  @Field(() => [MoneyModel]) totals!: MoneyModel[];
}

@ObjectType('AddCommissionPlanVersionPayload')
export class AddCommissionPlanVersionPayload {
  @Field(() => CommissionPlanVersion) version!: CommissionPlanVersion;
  @Field(() => [CommissionRun], {
    description: 'Recalculations started for the calculated periods the (possibly back-dated) version reaches',
  })
  recalculationRuns!: CommissionRun[];
}
