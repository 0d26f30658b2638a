import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PartnerKind } from '../../partners/partner.enums';
import { DateScalar, MoneyInput, RateScalar } from '../../graphql/scalars';
import { CustomerEventType } from '../customer-event-type';
import {
  AttributionModel,
  AttributionScope,
  CardLevel,
  ComparisonOperator,
  EconomicsCategory,
  ProgramKind,
  ProgramStatus,
  QualificationMeasure,
  RewardsFunding,
} from '../program.enums';
import { MAX_CONDITIONS, MAX_COUNT_THRESHOLD, MAX_PRECEDENCE_RANK, MAX_WINDOW_DAYS } from '../rules/program-rules';

@InputType()
export class ProgramTargetInput {
  @Field({ description: 'YYYY-MM' })
  @IsString()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'must be a period YYYY-MM' })
  period!: string;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(0) @Max(100_000_000) newCustomers?: number;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(0) @Max(100_000_000) activations?: number;
  @Field(() => MoneyInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyInput)
  spend?: MoneyInput;
  @Field(() => MoneyInput, { nullable: true }) @IsOptional() @ValidateNested() @Type(() => MoneyInput) aum?: MoneyInput;
}

@InputType()
export class CreateProgramInput {
  @Field(() => ID) @IsString() @Length(1, 36) agreementId!: string;
  @Field(() => ProgramKind) @IsEnum(ProgramKind) kind!: ProgramKind;
  @Field() @IsString() @Length(1, 200) nameZh!: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) nameEn?: string;
  @Field(() => ID, { nullable: true, description: 'User who owns the program' })
  @IsOptional()
  @IsString()
  @Length(1, 36)
  ownerId?: string;
  @Field(() => ID, { nullable: true, description: 'Defaults to the partner’s org unit' })
  @IsOptional()
  @IsString()
  @Length(1, 36)
  orgUnitId?: string;
  @Field(() => DateScalar, { nullable: true, description: 'Defaults to the agreement’s validFrom' })
  @IsOptional()
  validFrom?: string;
  @Field(() => DateScalar, { nullable: true, description: 'Defaults to the agreement’s validTo' })
  @IsOptional()
  validTo?: string;
  @Field(() => [ProgramTargetInput], { defaultValue: [] })
  @IsArray()
  @ArrayMaxSize(120)
  @ValidateNested({ each: true })
  @Type(() => ProgramTargetInput)
  targets: ProgramTargetInput[] = [];
  @Field(() => MoneyInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyInput)
  budget?: MoneyInput;
}

@InputType({ description: 'Fields left out stay as they are; targets given replace the whole list.' })
export class UpdateProgramInput {
  @Field(() => ID) @IsString() @Length(1, 36) id!: string;
  @Field(() => Int, { description: 'The version you read' }) @IsInt() @Min(1) version!: number;
  @Field({ nullable: true }) @IsOptional() @IsString() @Length(1, 200) nameZh?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) nameEn?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() @Length(1, 36) ownerId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() @Length(1, 36) orgUnitId?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() validFrom?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() validTo?: string;
  @Field(() => [ProgramTargetInput], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(120)
  @ValidateNested({ each: true })
  @Type(() => ProgramTargetInput)
  targets?: ProgramTargetInput[];
  @Field(() => MoneyInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyInput)
  budget?: MoneyInput;
}

@InputType()
export class TransitionProgramInput {
  @Field(() => ID) @IsString() @Length(1, 36) id!: string;
  @Field(() => ProgramStatus) @IsEnum(ProgramStatus) to!: ProgramStatus;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

@InputType()
export class ProgramsFilter {
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  partnerIds?: string[];
  @Field(() => [ProgramKind], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsEnum(ProgramKind, { each: true })
  kinds?: ProgramKind[];
  @Field(() => [ProgramStatus], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsEnum(ProgramStatus, { each: true })
  statuses?: ProgramStatus[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  orgUnitIds?: string[];
  @Field(() => DateScalar, { nullable: true, description: 'Programs whose validity includes this date' })
  @IsOptional()
  activeOn?: string;
}

@InputType()
export class SetProgramAttributionRuleInput {
  @Field(() => ID) @IsString() @Length(1, 36) programId!: string;
  @Field(() => DateScalar) @IsString() effectiveFrom!: string;
  @Field(() => Int, { description: `1–${MAX_WINDOW_DAYS}` }) @IsInt() windowDays!: number;
  @Field(() => AttributionModel) @IsEnum(AttributionModel) model!: AttributionModel;
  @Field(() => AttributionScope) @IsEnum(AttributionScope) scope!: AttributionScope;
  @Field(() => Int, { description: `1–${MAX_PRECEDENCE_RANK}; 1 wins over 2` }) @IsInt() precedenceRank!: number;
  @Field(() => RateScalar, { nullable: true, description: 'Share (0–1] when the credit is split' })
  @IsOptional()
  @IsString()
  splitShare?: string;
}

@InputType()
export class QualificationConditionInput {
  @Field(() => CustomerEventType) @IsEnum(CustomerEventType) eventType!: CustomerEventType;
  @Field(() => QualificationMeasure) @IsEnum(QualificationMeasure) measure!: QualificationMeasure;
  @Field(() => ComparisonOperator, { defaultValue: ComparisonOperator.GTE })
  @IsEnum(ComparisonOperator)
  operator: ComparisonOperator = ComparisonOperator.GTE;
  @Field(() => Int, { nullable: true, description: `COUNT threshold, 1–${MAX_COUNT_THRESHOLD}` })
  @IsOptional()
  @IsInt()
  count?: number;
  @Field(() => MoneyInput, { nullable: true, description: 'SUM_AMOUNT threshold' })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyInput)
  amount?: MoneyInput;
}

@InputType()
export class SetProgramQualificationRuleInput {
  @Field(() => ID) @IsString() @Length(1, 36) programId!: string;
  @Field(() => DateScalar) @IsString() effectiveFrom!: string;
  @Field(() => Int, { description: `Days after conversion, 1–${MAX_WINDOW_DAYS}` }) @IsInt() withinDays!: number;
  @Field(() => [QualificationConditionInput], { description: 'All must hold' })
  @IsArray()
  @ArrayMaxSize(MAX_CONDITIONS)
  @ValidateNested({ each: true })
  @Type(() => QualificationConditionInput)
  all!: QualificationConditionInput[];
}

@InputType()
export class FeeWaiverInput {
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(100_000) spendCountAtLeast?: number;
  @Field(() => MoneyInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyInput)
  spendAmountAtLeast?: MoneyInput;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(3650) withinDays?: number;
}

@InputType()
export class EconomicsLineInput {
  @Field(() => EconomicsCategory) @IsEnum(EconomicsCategory) category!: EconomicsCategory;
  @Field() @IsString() @Length(1, 200) description!: string;
  @Field(() => MoneyInput, { nullable: true, description: 'Fixed amount per trigger or period' })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyInput)
  amount?: MoneyInput;
  @Field(() => RateScalar, { nullable: true, description: 'Share, 0–1' }) @IsOptional() @IsString() rate?: string;
  @Field(() => CustomerEventType, { nullable: true })
  @IsOptional()
  @IsEnum(CustomerEventType)
  trigger?: CustomerEventType;
}

@InputType()
export class UpsertCoBrandedCardProductInput {
  @Field(() => ID) @IsString() @Length(1, 36) programId!: string;
  @Field(() => Int, { nullable: true, description: 'The version you read, when changing an existing product' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
  @Field() @IsString() @Length(1, 200) productName!: string;
  @Field(() => CardLevel) @IsEnum(CardLevel) level!: CardLevel;
  @Field(() => [String], { description: 'BIN/IIN prefixes of 6–8 digits' })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(20, { each: true })
  binPrefixes!: string[];
  @Field(() => MoneyInput) @ValidateNested() @Type(() => MoneyInput) annualFee!: MoneyInput;
  @Field(() => FeeWaiverInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => FeeWaiverInput)
  feeWaiver?: FeeWaiverInput;
  @Field(() => RateScalar, { description: 'Reward points per unit of spend, 0–1' }) @IsString() earnRate!: string;
  @Field(() => RewardsFunding) @IsEnum(RewardsFunding) funding!: RewardsFunding;
  @Field(() => RateScalar, { nullable: true, description: 'Partner’s share of rewards cost; required for SHARED' })
  @IsOptional()
  @IsString()
  partnerShare?: string;
  @Field(() => [EconomicsLineInput], { defaultValue: [] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => EconomicsLineInput)
  economics: EconomicsLineInput[] = [];
}

@InputType()
export class AddCompliancePolicyRuleInput {
  @Field({ description: 'Stable code reported as `rule` when a line is blocked' })
  @IsString()
  @Matches(/^[A-Z0-9][A-Z0-9_]{1,63}$/, { message: 'must be 2–64 upper-case letters, digits or _' })
  code!: string;
  @Field(() => EconomicsCategory) @IsEnum(EconomicsCategory) category!: EconomicsCategory;
  @Field(() => PartnerKind, { nullable: true, description: 'Leave out to block the category for every kind' })
  @IsOptional()
  @IsEnum(PartnerKind)
  partnerKind?: PartnerKind;
  @Field() @IsString() @Length(1, 500) reason!: string;
}
