import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateScalar, RateScalar } from '../../graphql/scalars';
import { FunnelGroupBy, FunnelInterval, ReferralStatus } from '../referral.enums';

@ObjectType({
  description: 'A prospect sent by a channel. Personal data is masked for every caller (no clear value exists).',
})
export class Referral {
  @Field(() => ID) id!: string;
  @Field(() => ID) partnerId!: string;
  @Field(() => ID) programId!: string;
  @Field(() => ID, { nullable: true }) channelId!: string | null;
  @Field(() => ID) orgUnitId!: string;
  @Field() idempotencyKey!: string;
  @Field(() => String, { nullable: true }) idType!: string | null;
  @Field() maskedName!: string;
  @Field(() => String, { nullable: true }) maskedIdNumber!: string | null;
  @Field(() => String, { nullable: true }) maskedPhone!: string | null;
  @Field(() => String, { nullable: true }) productCode!: string | null;
  @Field() submittedAt!: Date;
  @Field(() => DateScalar) submittedOn!: string;
  @Field(() => DateScalar) expiresOn!: string;
  @Field(() => ReferralStatus) status!: ReferralStatus;
  @Field(() => String, { nullable: true }) statusReason!: string | null;
  @Field(() => ID, { nullable: true }) duplicateOfId!: string | null;
  @Field(() => ID, { nullable: true }) customerId!: string | null;
  @Field(() => Date, { nullable: true }) convertedAt!: Date | null;
  @Field(() => Date, { nullable: true }) qualifiedAt!: Date | null;
  @Field(() => Int) version!: number;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType()
export class ReferralStatusChange {
  @Field(() => ReferralStatus, { nullable: true }) fromStatus!: ReferralStatus | null;
  @Field(() => ReferralStatus) toStatus!: ReferralStatus;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => ID, { nullable: true, description: 'null = an engine (attribution, qualification, expiry)' })
  actorId!: string | null;
  @Field() changedAt!: Date;
}

@ObjectType({
  description:
    'One group and time bucket of the referral funnel. A stage counts every referral that ever reached it ' +
    '(from the status history): a QUALIFIED referral also counts as CONVERTED, APPLIED, CONTACTED and SUBMITTED, ' +
    'and one REJECTED after being CONTACTED still counts as CONTACTED. DUPLICATE referrals are outside the funnel ' +
    '(not in submitted) and counted in duplicate. Rates are shares of submitted, rounded half-up to 4 places.',
})
export class ReferralFunnelRow {
  @Field(() => FunnelGroupBy) groupBy!: FunnelGroupBy;
  @Field(() => ID, { nullable: true, description: 'Partner, program, channel or org unit id' })
  groupKey!: string | null;
  @Field(() => FunnelInterval) interval!: FunnelInterval;
  @Field({ description: "'2026-03-02', '2026-W10' (ISO week) or '2026-03', by submittedOn in the bank's zone" })
  bucket!: string;
  @Field(() => DateScalar) bucketStart!: string;
  @Field(() => Int) submitted!: number;
  @Field(() => Int) contacted!: number;
  @Field(() => Int) applied!: number;
  @Field(() => Int) converted!: number;
  @Field(() => Int) qualified!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => Int) expired!: number;
  @Field(() => Int) duplicate!: number;
  @Field(() => RateScalar, { description: 'contacted / submitted' }) contactRate!: string;
  @Field(() => RateScalar, { description: 'applied / submitted' }) applicationRate!: string;
  @Field(() => RateScalar, { description: 'converted / submitted' }) conversionRate!: string;
  @Field(() => RateScalar, { description: 'qualified / submitted' }) qualificationRate!: string;
  @Field(() => RateScalar, { description: 'qualified / converted' }) qualifiedOfConverted!: string;
}

@ObjectType()
export class EngineRunResult {
  @Field(() => ID) jobId!: string;
  @Field(() => Int) changed!: number;
}
