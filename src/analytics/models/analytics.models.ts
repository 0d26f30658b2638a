import { Field, ID, Int, ObjectType, registerEnumType, TypeMetadataStorage } from '@nestjs/graphql';
import { DateScalar, DecimalScalar, MoneyModel, RateScalar } from '../../graphql/scalars';
import { FunnelGroupBy, FunnelInterval } from '../../referrals/referral.enums';
import { ReferralFunnelRow } from '../../referrals/models/referral.model';
import { CohortGroupBy } from '../analytics-reports.service';

registerEnumType(CohortGroupBy, { name: 'CohortGroupBy' });

@ObjectType({
  description: 'Median calendar days between funnel stages (1 decimal; null when no referral reached both).',
})
export class FunnelMedianDays {
  @Field(() => DecimalScalar, { nullable: true, description: 'To the first move to CONTACTED' })
  submittedToContacted!: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'First CONTACTED to first APPLIED' })
  contactedToApplied!: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'First APPLIED to the conversion' })
  appliedToConverted!: string | null;
  @Field(() => DecimalScalar, { nullable: true }) submittedToConverted!: string | null;
  @Field(() => DecimalScalar, { nullable: true }) convertedToQualified!: string | null;
  @Field(() => DecimalScalar, { nullable: true }) submittedToQualified!: string | null;
}

@ObjectType({
  description: "One funnel count against the same group's previous bucket (previous day, ISO week or month).",
})
export class FunnelStageDelta {
  @Field({ description: 'SUBMITTED, CONTACTED, … DUPLICATE' }) stage!: string;
  @Field(() => DecimalScalar) current!: string;
  @Field(() => DecimalScalar) previous!: string;
  @Field(() => DecimalScalar) delta!: string;
  @Field(() => RateScalar, {
    nullable: true,
    description: '(current − previous) ÷ previous, 4 places; null when previous is 0',
  })
  change!: string | null;
}

/**
 * `referralFunnel`'s row: the referral funnel row plus the figures only the roll-ups give, as plain fields the
 * report service fills in its one pass (per-row field resolvers ran the guard chain and made a promise per row).
 * The GraphQL type keeps the name and description of ReferralFunnelRow, which nothing else returns.
 */
@ObjectType('ReferralFunnelRow', {
  description: TypeMetadataStorage.getObjectTypeMetadataByTarget(ReferralFunnelRow)?.description,
})
export class FunnelReportRow extends ReferralFunnelRow {
  @Field(() => FunnelMedianDays) medianDays!: FunnelMedianDays;
  @Field(() => [FunnelStageDelta], { nullable: true, description: 'Only with referralFunnel(compare: true)' })
  periodOverPeriod!: FunnelStageDelta[] | null;
}

@ObjectType({
  description:
    "referralFunnel's rows column by column: entry i of every list belongs to row i, in referralFunnel's order " +
    '(bucket start, then group key). For grids and charts of many groups × buckets: one list per field instead of ' +
    'an object per row. Stage counts only; the rates, medians and period over period stay on referralFunnel.',
})
export class ReferralFunnelColumns {
  @Field(() => FunnelGroupBy) groupBy!: FunnelGroupBy;
  @Field(() => FunnelInterval) interval!: FunnelInterval;
  @Field(() => Int, { description: 'Rows, the length of every list' }) rows!: number;
  @Field(() => [ID], { description: 'Partner, program, channel or org unit id, or partner kind; null for none' })
  groupKey!: (string | null)[];
  @Field(() => [String], { description: "'2026-03-02', '2026-W10' (ISO week) or '2026-03'" }) bucket!: string[];
  @Field(() => [DateScalar]) bucketStart!: string[];
  @Field(() => [Int]) submitted!: number[];
  @Field(() => [Int]) contacted!: number[];
  @Field(() => [Int]) applied!: number[];
  @Field(() => [Int]) converted!: number[];
  @Field(() => [Int]) qualified!: number[];
  @Field(() => [Int]) rejected!: number[];
  @Field(() => [Int]) expired!: number[];
  @Field(() => [Int]) duplicate!: number[];
}

@ObjectType()
export class RetentionPointModel {
  @Field(() => Int) days!: number;
  @Field(() => Int, { description: 'Customers acquired at least `days` days before the as-of date' }) eligible!: number;
  @Field(() => Int, { description: 'Eligible customers with an active-type event in the window ending on day `days`' })
  active!: number;
  @Field(() => RateScalar, { nullable: true }) share!: string | null;
}

@ObjectType({
  description: 'Customers brought in during one acquisition month, by partner or program, as of a month end.',
})
export class AcquisitionCohort {
  @Field(() => ID, { nullable: true }) groupKey!: string | null;
  @Field({ description: "Acquisition month 'YYYY-MM'" }) cohort!: string;
  @Field(() => Int) customers!: number;
  @Field(() => [RetentionPointModel]) retention!: RetentionPointModel[];
  @Field(() => DecimalScalar, { description: 'Products held per customer (4 places)' }) productsPerCustomer!: string;
  @Field(() => MoneyModel, { description: 'Σ latest balance snapshot per product' }) aum!: MoneyModel;
  @Field(() => MoneyModel) averageBalance!: MoneyModel;
  @Field(() => MoneyModel, { description: 'Card spend from the acquisition month to the as-of month' })
  spend!: MoneyModel;
  @Field(() => MoneyModel) spendPerCustomer!: MoneyModel;
}

@ObjectType({
  description: 'Revenue attributed to the customers a partner brought in, against the commission it cost.',
})
export class PartnerValueModel {
  @Field(() => ID) partnerId!: string;
  @Field(() => Int) customersAcquired!: number;
  @Field(() => Int) qualifiedReferrals!: number;
  @Field(() => MoneyModel) interchange!: MoneyModel;
  @Field(() => MoneyModel) agencyFees!: MoneyModel;
  @Field(() => MoneyModel) balanceMargin!: MoneyModel;
  @Field(() => MoneyModel) revenue!: MoneyModel;
  @Field(() => MoneyModel) commissionAccrued!: MoneyModel;
  @Field(() => MoneyModel) commissionClawedBack!: MoneyModel;
  @Field(() => MoneyModel, {
    description: 'Settlement payouts PAID in the range (by booking date): the cash side of the commission',
  })
  commissionPaid!: MoneyModel;
  @Field(() => MoneyModel, { description: 'accrued − clawed back' }) cost!: MoneyModel;
  @Field(() => MoneyModel, { description: 'revenue − cost' }) net!: MoneyModel;
  @Field(() => RateScalar, { nullable: true, description: 'net ÷ cost, 4 places; null without cost' }) roi!:
    string | null;
  @Field(() => MoneyModel, { nullable: true }) costPerAcquiredCustomer!: MoneyModel | null;
  @Field(() => MoneyModel, { nullable: true }) costPerQualifiedReferral!: MoneyModel | null;
}

@ObjectType({ description: 'One period (or the total) of a co-branded card program P&L, from the bank’s side.' })
export class CardProgramPnlLineModel {
  @Field() period!: string;
  @Field(() => Int) cardsApplied!: number;
  @Field(() => Int) cardsApproved!: number;
  @Field(() => Int) cardsActivated!: number;
  @Field(() => Int) cardsWithFirstSpend!: number;
  @Field(() => Int) cardsActive!: number;
  @Field(() => RateScalar, { nullable: true }) approvalRate!: string | null;
  @Field(() => RateScalar, { nullable: true }) activationRate!: string | null;
  @Field(() => RateScalar, { nullable: true }) firstSpendRate!: string | null;
  @Field(() => MoneyModel) spend!: MoneyModel;
  @Field(() => MoneyModel) interchange!: MoneyModel;
  @Field(() => MoneyModel) partnerShare!: MoneyModel;
  @Field(() => MoneyModel) bounties!: MoneyModel;
  @Field(() => MoneyModel) rewardsCost!: MoneyModel;
  @Field(() => MoneyModel) marketingFund!: MoneyModel;
  @Field(() => MoneyModel) net!: MoneyModel;
}

@ObjectType()
export class CardProgramPnl {
  @Field(() => ID) programId!: string;
  @Field(() => [CardProgramPnlLineModel]) lines!: CardProgramPnlLineModel[];
  @Field(() => CardProgramPnlLineModel) total!: CardProgramPnlLineModel;
}

@ObjectType()
export class AnalyticsRebuildResult {
  @Field(() => [String], { description: "Months rebuilt ('YYYY-MM')" }) months!: string[];
  @Field(() => Int, { description: 'Facts re-applied' }) facts!: number;
}

@ObjectType()
export class RollupDifferenceModel {
  @Field() table!: string;
  @Field() key!: string;
  @Field(() => String, { nullable: true }) expected!: string | null;
  @Field(() => String, { nullable: true }) actual!: string | null;
}

@ObjectType({ description: 'Live roll-ups compared with a rebuild from the sources; a difference is a bug.' })
export class AnalyticsVerification {
  @Field(() => [String]) months!: string[];
  @Field(() => Int) buckets!: number;
  @Field(() => [RollupDifferenceModel]) differences!: RollupDifferenceModel[];
}
