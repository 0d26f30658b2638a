import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { DateScalar } from '../../../graphql/scalars';
import { PartnerTier } from '../../../partners/partner.enums';
import { ComplaintCategory } from '../scorecard.enums';

const PERIOD_KEY = /^\d{4}-(0[1-9]|1[0-2])$/;

@InputType({ description: 'Decimal strings in [0, 1] summing to exactly 1' })
export class ScorecardWeightsInput {
  @Field() @IsString() @MaxLength(20) contribution!: string;
  @Field() @IsString() @MaxLength(20) risk!: string;
  @Field() @IsString() @MaxLength(20) reputation!: string;
  @Field() @IsString() @MaxLength(20) relatedness!: string;
}

@InputType({ description: 'Composite thresholds 0 ≤ general ≤ core ≤ strategic ≤ 100' })
export class ScorecardThresholdsInput {
  @Field() @IsString() @MaxLength(20) strategic!: string;
  @Field() @IsString() @MaxLength(20) core!: string;
  @Field() @IsString() @MaxLength(20) general!: string;
}

@InputType({ description: 'How the contribution dimension values brought-in customers (rates in [0, 1])' })
export class ScorecardValuationInput {
  @Field() @IsString() @MaxLength(20) interchangeRate!: string;
  @Field() @IsString() @MaxLength(20) agencyFeeRate!: string;
  @Field() @IsString() @MaxLength(20) balanceMarginRate!: string;
}

@InputType()
export class SetScorecardWeightsInput {
  @Field({ nullable: true, description: "First period 'YYYY-MM' the set applies to; default the current month" })
  @IsOptional()
  @IsString()
  @Matches(PERIOD_KEY, { message: 'must be YYYY-MM' })
  effectiveFrom?: string;

  @Field(() => ScorecardWeightsInput, { nullable: true, description: 'Direct weights (or give ahpMatrix)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScorecardWeightsInput)
  weights?: ScorecardWeightsInput;

  @Field(() => [[String]], {
    nullable: true,
    description:
      'AHP pairwise matrix over [contribution, risk, reputation, relatedness], cells like "3", "0.5" or "1/3"; ' +
      'CR ≥ 0.10 is BAD_USER_INPUT INCONSISTENT with extensions.consistencyRatio',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  ahpMatrix?: string[][];

  @Field(() => ScorecardThresholdsInput, { nullable: true, description: 'Default 80 / 60 / 40' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScorecardThresholdsInput)
  thresholds?: ScorecardThresholdsInput;

  @Field(() => ScorecardValuationInput, { nullable: true, description: 'Default: the bank-wide ANALYTICS_* rates' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScorecardValuationInput)
  valuation?: ScorecardValuationInput;

  @Field(() => Int, { nullable: true, description: 'A closure this many days after acquisition is early; default 90' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  earlyClosureDays?: number;

  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(500) note?: string;
}

@InputType()
export class CalculatePartnerScorecardsInput {
  @Field(() => ID) @IsUUID() periodId!: string;
  @Field({ nullable: true, description: 'Recompute a CLOSED/PAID period whose scorecards are kept as history' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

@InputType()
export class PartnerScorecardsFilter {
  @Field(() => [PartnerTier], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(4)
  @IsEnum(PartnerTier, { each: true })
  tiers?: PartnerTier[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  partnerIds?: string[];
}

@InputType()
export class RecordPartnerComplaintInput {
  @Field(() => ID) @IsUUID() partnerId!: string;
  @Field(() => DateScalar) @IsString() receivedOn!: string;
  @Field(() => ComplaintCategory) @IsEnum(ComplaintCategory) category!: ComplaintCategory;
  @Field() @IsString() @Length(1, 1000) summary!: string;
}

@InputType()
export class RecordPartnerExternalRatingInput {
  @Field(() => ID) @IsUUID() partnerId!: string;
  @Field({ description: 'Grade of the rating table: AAA, AA, A, BBB, BB, B, CCC, CC, C' })
  @IsString()
  @Length(1, 8)
  rating!: string;
  @Field({ description: 'Who rated (e.g. 中诚信)' }) @IsString() @Length(1, 100) agency!: string;
  @Field(() => DateScalar) @IsString() ratedOn!: string;
}
