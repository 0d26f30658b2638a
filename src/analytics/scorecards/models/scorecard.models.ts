import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { DecimalScalar, RateScalar } from '../../../graphql/scalars';
import { PartnerTier } from '../../../partners/partner.enums';
import { ComplaintCategory, ScorecardDimensionEnum, ScorecardWeightMode } from '../scorecard.enums';

@ObjectType({ description: 'Dimension scores 0–100, all higher = better (risk is published as safety)' })
export class ScorecardDimensionScores {
  @Field(() => DecimalScalar) contribution!: string;
  @Field(() => DecimalScalar) risk!: string;
  @Field(() => DecimalScalar) reputation!: string;
  @Field(() => DecimalScalar) relatedness!: string;
}

@ObjectType({ description: 'One sub-indicator: its raw value and its min-max score across the partners scored' })
export class ScorecardIndicator {
  @Field() key!: string;
  @Field(() => ScorecardDimensionEnum) dimension!: ScorecardDimensionEnum;
  @Field() higherIsBetter!: boolean;
  @Field(() => DecimalScalar) raw!: string;
  @Field(() => DecimalScalar) score!: string;
}

@ObjectType()
export class PartnerScorecard {
  @Field(() => ID) id!: string;
  @Field(() => ID) periodId!: string;
  @Field(() => ID) partnerId!: string;
  @Field(() => Int, { description: 'Rank among all partners scored for the period (1 = best)' }) rank!: number;
  @Field(() => PartnerTier) tier!: PartnerTier;
  @Field(() => DecimalScalar, { description: 'Σ weight × dimension score, 4 decimals' }) composite!: string;
  @Field(() => ScorecardDimensionScores) scores!: ScorecardDimensionScores;
  @Field(() => [ScorecardIndicator]) indicators!: ScorecardIndicator[];
  @Field(() => Int, { description: 'Partners scored together (the normalisation population)' })
  populationSize!: number;
  @Field(() => ID) weightSetId!: string;
  @Field(() => GraphQLISODateTime) computedAt!: Date;
}

@ObjectType()
export class ScorecardWeights {
  @Field(() => DecimalScalar) contribution!: string;
  @Field(() => DecimalScalar) risk!: string;
  @Field(() => DecimalScalar) reputation!: string;
  @Field(() => DecimalScalar) relatedness!: string;
}

@ObjectType()
export class ScorecardThresholds {
  @Field(() => DecimalScalar) strategic!: string;
  @Field(() => DecimalScalar) core!: string;
  @Field(() => DecimalScalar) general!: string;
}

@ObjectType()
export class ScorecardValuationRates {
  @Field(() => RateScalar) interchangeRate!: string;
  @Field(() => RateScalar) agencyFeeRate!: string;
  @Field(() => RateScalar) balanceMarginRate!: string;
}

@ObjectType()
export class ScorecardWeightSet {
  @Field(() => ID, { nullable: true, description: 'Null for the built-in defaults (nothing stored yet)' })
  id!: string | null;
  @Field() effectiveFrom!: string;
  @Field(() => ScorecardWeightMode) mode!: ScorecardWeightMode;
  @Field(() => ScorecardWeights) weights!: ScorecardWeights;
  @Field(() => [[String]], { nullable: true }) ahpMatrix!: string[][] | null;
  @Field(() => DecimalScalar, { nullable: true }) consistencyRatio!: string | null;
  @Field(() => DecimalScalar, { nullable: true }) lambdaMax!: string | null;
  @Field(() => ScorecardThresholds) thresholds!: ScorecardThresholds;
  @Field(() => ScorecardValuationRates) valuation!: ScorecardValuationRates;
  @Field(() => Int) earlyClosureDays!: number;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => ID, { nullable: true }) createdById!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) createdAt!: Date | null;
}

@ObjectType()
export class ScorecardWeightSettings {
  @Field(() => ScorecardWeightSet, { description: 'The set in force for the period asked (or this month)' })
  current!: ScorecardWeightSet;
  @Field(() => [ScorecardWeightSet], { description: 'Every stored set, newest first' })
  history!: ScorecardWeightSet[];
}

@ObjectType()
export class PartnerComplaint {
  @Field(() => ID) id!: string;
  @Field(() => ID) partnerId!: string;
  @Field() receivedOn!: string;
  @Field(() => ComplaintCategory) category!: ComplaintCategory;
  @Field() summary!: string;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType()
export class PartnerExternalRating {
  @Field(() => ID) id!: string;
  @Field(() => ID) partnerId!: string;
  @Field() rating!: string;
  @Field() agency!: string;
  @Field() ratedOn!: string;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}
