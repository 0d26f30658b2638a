import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
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
import { DateScalar, MoneyInput } from '../../graphql/scalars';
import { ChainDirection, EdgeFileFormat, ProspectStage } from '../supply-chain.enums';

@InputType()
export class CompanyRefInput {
  @Field({ description: 'Company name' }) @IsString() @Length(1, 200) name!: string;
  @Field({ nullable: true, description: 'Unified social credit code (GB 32100-2015)' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  uscc?: string;
  @Field({ nullable: true, description: 'For a company without a USCC (e.g. foreign)' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  externalId?: string;
}

@InputType()
export class RegisterCoreEnterpriseInput {
  @Field(() => CompanyRefInput) @ValidateNested() @Type(() => CompanyRefInput) company!: CompanyRefInput;
  @Field(() => ID, { nullable: true, description: 'Partner of kind CORE_ENTERPRISE; scopes the chain' })
  @IsOptional()
  @IsString()
  @Length(1, 36)
  partnerId?: string;
  @Field(() => ID, { nullable: true, description: 'The partner’s SUPPLY_CHAIN program' })
  @IsOptional()
  @IsString()
  @Length(1, 36)
  programId?: string;
  @Field(() => ID, { nullable: true, description: 'Required without a partner; else the partner’s org unit' })
  @IsOptional()
  @IsString()
  @Length(1, 36)
  orgUnitId?: string;
}

@InputType()
export class CreateSupplyChainLinkInput {
  @Field(() => ID) @IsString() @Length(1, 36) coreEnterpriseId!: string;
  @Field(() => ID, { nullable: true, description: 'The member’s parent in the chain; defaults to the core' })
  @IsOptional()
  @IsString()
  @Length(1, 36)
  parentCompanyId?: string;
  @Field(() => CompanyRefInput) @ValidateNested() @Type(() => CompanyRefInput) member!: CompanyRefInput;
  @Field(() => ChainDirection) @IsEnum(ChainDirection) direction!: ChainDirection;
  @Field(() => MoneyInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyInput)
  annualVolume?: MoneyInput;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() since?: string;
}

@InputType()
export class UpdateSupplyChainLinkInput {
  @Field(() => ID) @IsString() @Length(1, 36) id!: string;
  @Field(() => Int) @IsInt() @Min(1) version!: number;
  @Field(() => MoneyInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyInput)
  annualVolume?: MoneyInput;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() since?: string;
}

@InputType()
export class EndSupplyChainLinkInput {
  @Field(() => ID) @IsString() @Length(1, 36) id!: string;
  @Field(() => Int) @IsInt() @Min(1) version!: number;
  @Field(() => DateScalar, { nullable: true, description: 'Defaults to today' }) @IsOptional() endedOn?: string;
}

@InputType()
export class ImportDeclaredLinksInput {
  @Field(() => ID) @IsString() @Length(1, 36) coreEnterpriseId!: string;
  @Field(() => EdgeFileFormat) @IsEnum(EdgeFileFormat) format!: EdgeFileFormat;
  @Field({ description: 'The file, base64 (at most 5 MB decoded)' })
  @IsString()
  @MaxLength(7_000_000)
  @Matches(/^[A-Za-z0-9+/=\s]*$/, { message: 'must be base64' })
  contentBase64!: string;
}

@InputType()
export class DeriveSupplyChainLinksInput {
  @Field(() => ID) @IsString() @Length(1, 36) coreEnterpriseId!: string;
  @Field(() => Int, { defaultValue: 3, description: 'Payments at least (1–1000)' })
  @IsInt()
  @Min(1)
  @Max(1000)
  minPayments: number = 3;
  @Field(() => MoneyInput, { nullable: true, description: 'Volume at least; default 100000.00' })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyInput)
  minVolume?: MoneyInput;
  @Field(() => Int, { defaultValue: 180, description: 'Look-back window in days (1–1095)' })
  @IsInt()
  @Min(1)
  @Max(1095)
  lookbackDays: number = 180;
}

@InputType()
export class MoveProspectInput {
  @Field(() => ID) @IsString() @Length(1, 36) coreEnterpriseId!: string;
  @Field(() => ID) @IsString() @Length(1, 36) companyId!: string;
  @Field(() => ProspectStage) @IsEnum(ProspectStage) to!: ProspectStage;
  @Field(() => Int, { description: 'Current version (0 when never moved)' }) @IsInt() @Min(0) version!: number;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() @Length(1, 36) managerId?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() nextActionOn?: string;
  @Field({ nullable: true, description: 'Appended to the notes (the latest 20 are kept)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
  @Field(() => ID, { nullable: true, description: 'ONBOARDED: the new customer (else found by the company’s USCC)' })
  @IsOptional()
  @IsString()
  @Length(1, 36)
  customerId?: string;
}

@InputType()
export class ImportSupplyChainEdgeListInput {
  @Field(() => ID, { description: 'Org unit owning the core enterprises the import registers' })
  @IsString()
  @Length(1, 36)
  orgUnitId!: string;
  @Field({ description: 'Edge list CSV (source,target,relationship_type[,annual_volume,since]), base64' })
  @IsString()
  @MaxLength(7_000_000)
  @Matches(/^[A-Za-z0-9+/=\s]*$/, { message: 'must be base64' })
  edgesBase64!: string;
  @Field({ nullable: true, description: 'Company list CSV with a name column, base64; edges naming others are errors' })
  @IsOptional()
  @IsString()
  @MaxLength(7_000_000)
  @Matches(/^[A-Za-z0-9+/=\s]*$/, { message: 'must be base64' })
  nodesBase64?: string;
}
