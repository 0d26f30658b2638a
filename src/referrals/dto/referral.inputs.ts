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
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IdDocumentTypeEnum } from '../../customers/customer.enums';
import { DateScalar } from '../../graphql/scalars';
import { ReferralStatus } from '../referral.enums';

@InputType()
export class ProspectInput {
  @Field(() => IdDocumentTypeEnum, { nullable: true })
  @IsOptional()
  @IsEnum(IdDocumentTypeEnum)
  idType?: IdDocumentTypeEnum;
  @Field({ nullable: true, description: 'Hashed at the edge; never stored or logged in clear' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  idNumber?: string;
  @Field({ nullable: true, description: 'Mainland mobile; hashed at the edge' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  phone?: string;
  @Field({ description: 'Stored masked (surname only)' }) @IsString() @Length(1, 100) name!: string;
}

@InputType({ description: 'Give exactly one of trackingCode and channelId.' })
export class SubmitReferralInput {
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(20) trackingCode?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() @Length(1, 36) channelId?: string;
  @Field({ description: 'Unique per caller: the same key and payload return the same referral' })
  @IsString()
  @Matches(/^[\w.:-]{1,128}$/, { message: 'idempotencyKey: 1–128 of A-Z a-z 0-9 _ . : -' })
  idempotencyKey!: string;
  @Field(() => ProspectInput) @ValidateNested() @Type(() => ProspectInput) prospect!: ProspectInput;
  @Field({ nullable: true, description: 'Product the prospect is referred for' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  product?: string;
  @Field({
    nullable: true,
    description: 'ISO 8601 instant with an offset; when the partner captured the lead (default now)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  submittedAt?: string;
}

@InputType()
export class TransitionReferralInput {
  @Field(() => ID) @IsString() @Length(1, 36) id!: string;
  @Field(() => ReferralStatus) @IsEnum(ReferralStatus) to!: ReferralStatus;
  @Field() @IsString() @Length(1, 500) reason!: string;
  @Field(() => Int) @IsInt() @Min(1) version!: number;
}

@InputType()
export class ReferralsFilter {
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  partnerIds?: string[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  programIds?: string[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  channelIds?: string[];
  @Field(() => [ReferralStatus], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsEnum(ReferralStatus, { each: true })
  statuses?: ReferralStatus[];
  @Field(() => DateScalar, { nullable: true, description: 'submittedOn ≥ (bank time zone)' })
  @IsOptional()
  @IsString()
  submittedFrom?: string;
  @Field(() => DateScalar, { nullable: true, description: 'submittedOn ≤ (bank time zone)' })
  @IsOptional()
  @IsString()
  submittedTo?: string;
}

@InputType()
export class ReferralFunnelFilter {
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  partnerIds?: string[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  programIds?: string[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  channelIds?: string[];
  @Field(() => DateScalar, { nullable: true }) @IsOptional() @IsString() submittedFrom?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() @IsString() submittedTo?: string;
}
