import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
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
import { DateScalar } from '../../graphql/scalars';
import {
  AgreementStatus,
  CooperationMode,
  PartnerKind,
  PartnerStatus,
  PartnerTier,
  RiskRating,
} from '../partner.enums';

@InputType()
export class PartnerContactInput {
  @Field() @IsString() @Length(1, 100) name!: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(100) role?: string;
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/^[+\d][\d\s-]{4,30}$/, { message: 'must be a phone number' })
  phone?: string;
  @Field({ nullable: true }) @IsOptional() @IsEmail() @MaxLength(200) email?: string;
}

@InputType()
export class PartnerQualificationInput {
  @Field() @IsString() @Length(1, 64) type!: string;
  @Field() @IsString() @Length(1, 64) number!: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() expiresOn?: string;
}

@InputType()
export class CreatePartnerInput {
  @Field({ description: 'Short unique code, e.g. AIR-CN-001' })
  @IsString()
  @Matches(/^[A-Z0-9][A-Z0-9_-]{1,31}$/, { message: 'must be 2–32 upper-case letters, digits, _ or -' })
  code!: string;
  @Field(() => PartnerKind) @IsEnum(PartnerKind) kind!: PartnerKind;
  @Field() @IsString() @Length(1, 200) nameZh!: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) nameEn?: string;
  @Field({
    nullable: true,
    description: 'Unified social credit code; checked against its GB 32100-2015 check character',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  uscc?: string;
  @Field(() => ID) @IsString() @Length(1, 36) orgUnitId!: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() @MaxLength(36) relationshipManagerId?: string;
  @Field(() => PartnerTier, { nullable: true }) @IsOptional() @IsEnum(PartnerTier) tier?: PartnerTier;
  @Field(() => RiskRating, { nullable: true }) @IsOptional() @IsEnum(RiskRating) riskRating?: RiskRating;
  @Field({ defaultValue: false }) @IsBoolean() relatedParty: boolean = false;
  @Field({ defaultValue: false }) @IsBoolean() blacklisted: boolean = false;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(500) blacklistReason?: string;
  @Field(() => [PartnerContactInput], { defaultValue: [] })
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PartnerContactInput)
  contacts: PartnerContactInput[] = [];
  @Field(() => [PartnerQualificationInput], { defaultValue: [] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => PartnerQualificationInput)
  qualifications: PartnerQualificationInput[] = [];
}

@InputType({ description: 'Fields left out stay as they are; lists given replace the whole list.' })
export class UpdatePartnerInput {
  @Field(() => ID) @IsString() @Length(1, 36) id!: string;
  @Field(() => Int, { description: 'The version you read' }) @IsInt() @Min(1) version!: number;
  @Field(() => PartnerKind, { nullable: true }) @IsOptional() @IsEnum(PartnerKind) kind?: PartnerKind;
  @Field({ nullable: true }) @IsOptional() @IsString() @Length(1, 200) nameZh?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) nameEn?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(40) uscc?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() @Length(1, 36) orgUnitId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() @MaxLength(36) relationshipManagerId?: string;
  @Field(() => PartnerTier, { nullable: true }) @IsOptional() @IsEnum(PartnerTier) tier?: PartnerTier;
  @Field(() => RiskRating, { nullable: true }) @IsOptional() @IsEnum(RiskRating) riskRating?: RiskRating;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() relatedParty?: boolean;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() blacklisted?: boolean;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(500) blacklistReason?: string;
  @Field(() => [PartnerContactInput], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PartnerContactInput)
  contacts?: PartnerContactInput[];
  @Field(() => [PartnerQualificationInput], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => PartnerQualificationInput)
  qualifications?: PartnerQualificationInput[];
}

@InputType()
export class TransitionPartnerInput {
  @Field(() => ID) @IsString() @Length(1, 36) id!: string;
  @Field(() => PartnerStatus) @IsEnum(PartnerStatus) to!: PartnerStatus;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

@InputType()
export class PartnersFilter {
  @Field(() => [PartnerKind], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @IsEnum(PartnerKind, { each: true })
  kinds?: PartnerKind[];
  @Field(() => [PartnerStatus], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsEnum(PartnerStatus, { each: true })
  statuses?: PartnerStatus[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  orgUnitIds?: string[];
  @Field({ nullable: true, description: 'Matches code, Chinese or English name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
}

@InputType()
export class AgreementDocumentInput {
  @Field() @IsString() @Length(1, 200) name!: string;
  @Field() @IsString() @Length(1, 500) uri!: string;
  @Field({ nullable: true })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be a hex SHA-256' })
  sha256?: string;
}

@InputType()
export class CreateAgreementInput {
  @Field(() => ID) @IsString() @Length(1, 36) partnerId!: string;
  @Field()
  @IsString()
  @Matches(/^[A-Z0-9][A-Z0-9_-]{1,39}$/, { message: 'must be 2–40 upper-case letters, digits, _ or -' })
  code!: string;
  @Field() @IsString() @Length(1, 200) title!: string;
  @Field(() => [CooperationMode])
  @IsArray()
  @ArrayMaxSize(14)
  @IsEnum(CooperationMode, { each: true })
  cooperationModes!: CooperationMode[];
  @Field(() => DateScalar, { nullable: true }) @IsOptional() signedOn?: string;
  @Field(() => DateScalar) @IsString() validFrom!: string;
  @Field(() => DateScalar) @IsString() validTo!: string;
  @Field(() => [AgreementDocumentInput], { defaultValue: [] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AgreementDocumentInput)
  documents: AgreementDocumentInput[] = [];
}

@InputType()
export class UpdateAgreementInput {
  @Field(() => ID) @IsString() @Length(1, 36) id!: string;
  @Field(() => Int) @IsInt() @Min(1) version!: number;
  @Field({ nullable: true }) @IsOptional() @IsString() @Length(1, 200) title?: string;
  @Field(() => [CooperationMode], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(14)
  @IsEnum(CooperationMode, { each: true })
  cooperationModes?: CooperationMode[];
  @Field(() => DateScalar, { nullable: true }) @IsOptional() signedOn?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() validFrom?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() validTo?: string;
  @Field(() => AgreementStatus, { nullable: true }) @IsOptional() @IsEnum(AgreementStatus) status?: AgreementStatus;
  @Field(() => [AgreementDocumentInput], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AgreementDocumentInput)
  documents?: AgreementDocumentInput[];
}
