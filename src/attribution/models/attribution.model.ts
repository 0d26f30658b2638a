import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { GraphQLJSON } from '../../graphql/json.scalar';
import { DateScalar, RateScalar } from '../../graphql/scalars';

@ObjectType('AttributionQualification', {
  description: '达标: the winning program’s qualification rule on the customer’s events',
})
export class AttributionQualification {
  @Field({ description: 'QUALIFIED, PENDING, NOT_QUALIFIED or NO_RULE' }) status!: string;
  @Field(() => DateScalar, { nullable: true }) qualifiedOn!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) qualifiedAt!: Date | null;
  @Field(() => [String], { description: 'External ids of the events that satisfied the rule' })
  eventIds!: string[];
}

@ObjectType('AttributionTouch', { description: 'One source that competed for the credit, and how it fared' })
export class AttributionTouch {
  @Field({ description: 'REFERRAL, CO_BRANDED_CARD, SUPPLY_CHAIN, PAYROLL or OVERRIDE' }) source!: string;
  @Field({ description: 'Referral id, event id or supply-chain link of the touch' }) sourceRef!: string;
  @Field(() => ID) partnerId!: string;
  @Field(() => ID) programId!: string;
  @Field(() => ID, { nullable: true }) channelId!: string | null;
  @Field(() => ID, { nullable: true }) referralId!: string | null;
  @Field(() => GraphQLISODateTime) touchedAt!: Date;
  @Field(() => DateScalar) touchedOn!: string;
  @Field(() => Int, { nullable: true }) rank!: number | null;
  @Field(() => Int, { nullable: true }) ruleVersion!: number | null;
  @Field({
    description: 'WON, LOST, SUPERSEDED, OUT_OF_WINDOW, AFTER_CONVERSION, NOT_NEW, NO_RULE, OUT_OF_SCOPE, OVERRULED',
  })
  outcome!: string;
  @Field(() => RateScalar, { nullable: true }) share!: string | null;
  @Field(() => AttributionQualification, { nullable: true }) qualification!: AttributionQualification | null;
}

@ObjectType('Attribution', { description: '归因: who brought this customer (or this product of theirs) in, and why' })
export class Attribution {
  @Field(() => ID) id!: string;
  @Field(() => ID) customerId!: string;
  @Field({ description: 'NEW_TO_BANK, ACCOUNT, CARD:<programId>, FUND, INSURANCE, LOAN or PAYROLL' })
  productKey!: string;
  @Field(() => GraphQLISODateTime) convertedAt!: Date;
  @Field(() => DateScalar) convertedOn!: string;
  @Field(() => [AttributionTouch]) winners!: AttributionTouch[];
  @Field(() => [AttributionTouch], { description: 'Every competing touch with its outcome' })
  touches!: AttributionTouch[];
  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'The rules (with version) that judged the winners; hidden from partner users',
  })
  rule!: unknown;
  @Field(() => String, { nullable: true, description: 'In words; hidden from partner users' }) reason!: string | null;
  @Field(() => GraphQLISODateTime) decidedAt!: Date;
  @Field() overridden!: boolean;
  @Field(() => String, { nullable: true }) overrideReason!: string | null;
  @Field(() => Int) version!: number;
}

@ObjectType('AttributionRunPayload')
export class AttributionRunPayload {
  @Field(() => Int) customers!: number;
  @Field(() => Int) decisionsChanged!: number;
}

@InputType('BroughtInCustomersFilter')
export class BroughtInCustomersFilter {
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  productKeys?: string[];

  @Field(() => DateScalar, { nullable: true }) @IsOptional() @IsString() convertedFrom?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() @IsString() convertedTo?: string;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() qualified?: boolean;
}

@InputType('AttributionWinnerInput')
export class AttributionWinnerInput {
  @Field(() => ID) @IsString() @Length(1, 36) programId!: string;
  @Field(() => RateScalar) @IsString() @Matches(/^(0(\.\d{1,8})?|1(\.0{1,8})?)$/) share!: string;
}

@InputType('OverrideAttributionInput')
export class OverrideAttributionInput {
  @Field(() => ID) @IsString() @Length(1, 36) customerId!: string;
  @Field() @IsString() @MaxLength(64) productKey!: string;
  @Field(() => [AttributionWinnerInput])
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => AttributionWinnerInput)
  winners!: AttributionWinnerInput[];
  @Field() @IsString() @MinLength(3) @MaxLength(500) reason!: string;
}

@InputType('ClearAttributionOverrideInput')
export class ClearAttributionOverrideInput {
  @Field(() => ID) @IsString() @Length(1, 36) customerId!: string;
  @Field() @IsString() @MaxLength(64) productKey!: string;
}

@InputType('RunAttributionInput')
export class RunAttributionInput {
  @Field(() => [ID], { nullable: true, description: 'Omit for a full re-run' })
  @IsOptional()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Length(1, 36, { each: true })
  customerIds?: string[];
}
