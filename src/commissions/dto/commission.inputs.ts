import { Field, ID, InputType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  IsArray,
  IsEnum,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { DateScalar } from '../../graphql/scalars';
import { AccrualStatus } from '../commission.enums';
import { MAX_PLAN_JSON } from '../plan-codec';

const RULES_DESCRIPTION =
  'The plan version body as JSON text (rules, optional minimumPayablePerStatement); money as decimal strings, ' +
  'rates as decimal strings. Validated field by field: errors name the path, e.g. rules[0].basis.tiers[1].from.';

@InputType()
export class CreateCommissionPlanInput {
  @Field(() => ID) @IsUUID() partnerId!: string;
  @Field(() => ID, {
    nullable: true,
    description: 'Omit for a plan covering all the partner’s programs without a plan of their own',
  })
  @IsOptional()
  @IsUUID()
  programId?: string;
  @Field() @IsString() @Length(1, 200) name!: string;
  @Field(() => DateScalar, { description: 'Version 1 is in force from this date' })
  @IsString()
  effectiveFrom!: string;
  @Field({ description: RULES_DESCRIPTION }) @IsString() @MaxLength(MAX_PLAN_JSON) rulesJson!: string;
}

@InputType()
export class AddCommissionPlanVersionInput {
  @Field(() => ID) @IsUUID() planId!: string;
  @Field(() => DateScalar, {
    description: 'May be in the past (an amendment): the next run of open periods follows it',
  })
  @IsString()
  effectiveFrom!: string;
  @Field({ description: RULES_DESCRIPTION }) @IsString() @MaxLength(MAX_PLAN_JSON) rulesJson!: string;
}

@InputType()
export class CommissionPlansFilter {
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  partnerIds?: string[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  programIds?: string[];
}

@InputType()
export class SimulateCommissionPlanInput {
  @Field({ description: RULES_DESCRIPTION }) @IsString() @MaxLength(MAX_PLAN_JSON) rulesJson!: string;
  @Field(() => ID) @IsUUID() programId!: string;
  @Field(() => DateScalar) @IsString() from!: string;
  @Field(() => DateScalar) @IsString() to!: string;
}

@InputType()
export class OpenPeriodInput {
  @Field({ description: "Month 'YYYY-MM' in the bank's time zone" })
  @IsString()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'must be YYYY-MM' })
  key!: string;
}

@InputType()
export class PeriodsFilter {
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(16, { each: true })
  statuses?: string[];
  @Field({ nullable: true }) @IsOptional() @Matches(/^\d{4}-\d{2}$/) fromKey?: string;
  @Field({ nullable: true }) @IsOptional() @Matches(/^\d{4}-\d{2}$/) toKey?: string;
}

@InputType()
export class RunCommissionCalculationInput {
  @Field(() => ID) @IsUUID() periodId!: string;
  @Field(() => [ID], { nullable: true, description: 'Empty or omitted: every partner (in your scope) with a plan' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  partnerIds?: string[];
}

@InputType()
export class AccrualsFilter {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() periodId?: string;
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  partnerIds?: string[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  programIds?: string[];
  @Field(() => [AccrualStatus], { nullable: true })
  @IsOptional()
  @IsArray()
  @IsEnum(AccrualStatus, { each: true })
  statuses?: AccrualStatus[];
}
