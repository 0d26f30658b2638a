import { Type } from 'class-transformer';
import { Field, ID, InputType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEnum,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { MoneyInput } from '../../../graphql/scalars';
import { AdjustmentStatus, ClaimFormat, DisputeStatus, ReconciliationOutcomeKind } from '../reconciliation.enums';

@InputType({ description: 'Which column of the partner’s claim file holds what (header text, as in the file)' })
export class ClaimMappingInput {
  @Field({ description: 'The reference column (referral id, customer number or event id)' })
  @IsString()
  @Length(1, 100)
  reference!: string;
  @Field() @IsString() @Length(1, 100) amount!: string;
  @Field({
    nullable: true,
    description: 'Column saying what the reference is (推荐/客户/事件 or REFERRAL/CUSTOMER/EVENT)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  referenceKind?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @Length(1, 100) customerRef?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @Length(1, 100) eventId?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @Length(1, 100) description?: string;
}

@InputType()
export class SetClaimMappingInput {
  @Field(() => ID) @IsUUID() partnerId!: string;
  @Field(() => ClaimMappingInput) @ValidateNested() @Type(() => ClaimMappingInput) mapping!: ClaimMappingInput;
}

@InputType()
export class ImportPartnerClaimInput {
  @Field(() => ID) @IsUUID() statementId!: string;
  @Field(() => ClaimFormat) @IsEnum(ClaimFormat) format!: ClaimFormat;
  @Field({ description: 'The file, base64 (claim files are small: the request limit is 5 MB)' })
  @IsString()
  @Length(1, 5_000_000)
  contentBase64!: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) fileName?: string;
  @Field(() => ClaimMappingInput, { nullable: true, description: 'Default: the partner’s saved mapping' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ClaimMappingInput)
  mapping?: ClaimMappingInput;
  @Field({ nullable: true, description: 'Save the given mapping as the partner’s mapping (default false)' })
  @IsOptional()
  @IsBoolean()
  saveMapping?: boolean;
}

@InputType()
export class ReconciliationRowsFilter {
  @Field(() => [ReconciliationOutcomeKind], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5)
  @IsEnum(ReconciliationOutcomeKind, { each: true })
  outcomes?: ReconciliationOutcomeKind[];
}

@InputType()
export class RaiseDisputeInput {
  @Field(() => ID) @IsUUID() statementId!: string;
  @Field(() => ID, { nullable: true, description: 'The reconciliation row disputed, if any' })
  @IsOptional()
  @IsUUID()
  reconciliationRowId?: string;
  @Field() @IsString() @Length(1, 2000) reason!: string;
}

@InputType()
export class CommentOnDisputeInput {
  @Field(() => ID) @IsUUID() disputeId!: string;
  @Field() @IsString() @Length(1, 2000) body!: string;
}

@InputType()
export class ResolveDisputeInput {
  @Field(() => ID) @IsUUID() disputeId!: string;
  @Field(() => ID, { description: 'An APPROVED adjustment of the same partner' }) @IsUUID() adjustmentId!: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @Length(1, 2000) note?: string;
}

@InputType()
export class RejectDisputeInput {
  @Field(() => ID) @IsUUID() disputeId!: string;
  @Field() @IsString() @Length(1, 2000) reason!: string;
}

@InputType()
export class DisputesFilter {
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  statementIds?: string[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  partnerIds?: string[];
  @Field(() => [DisputeStatus], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsEnum(DisputeStatus, { each: true })
  statuses?: DisputeStatus[];
}

@InputType()
export class PrepareAdjustmentInput {
  @Field(() => ID) @IsUUID() partnerId!: string;
  @Field(() => MoneyInput, { description: 'Signed: positive pays the partner more, negative less' })
  @ValidateNested()
  @Type(() => MoneyInput)
  amount!: MoneyInput;
  @Field() @IsString() @Length(1, 2000) reason!: string;
  @Field(() => ID, { nullable: true, description: 'The dispute this adjustment settles' })
  @IsOptional()
  @IsUUID()
  disputeId?: string;
  @Field(() => ID, {
    nullable: true,
    description: 'The program the adjustment is booked under; default: the disputed line’s program',
  })
  @IsOptional()
  @IsUUID()
  programId?: string;
}

@InputType()
export class RejectAdjustmentInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field() @IsString() @Length(1, 2000) reason!: string;
}

@InputType()
export class AdjustmentsFilter {
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  partnerIds?: string[];
  @Field(() => [AdjustmentStatus], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsEnum(AdjustmentStatus, { each: true })
  statuses?: AdjustmentStatus[];
}
