import { Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEnum,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { DateScalar, MoneyInput } from '../../graphql/scalars';
import { CustomerEventType } from '../../programs/customer-event-type';
import { CorporateSize, CustomerStatus, CustomerType, IdDocumentTypeEnum } from '../customer.enums';

@InputType({
  description:
    'Creates the customer or updates the one with this customer number. Identity numbers and phones are hashed at the edge and never stored.',
})
export class UpsertCustomerInput {
  @Field({ description: 'The bank’s customer number (unique external id)' })
  @IsString()
  @Length(1, 40)
  customerNumber!: string;
  @Field(() => CustomerType) @IsEnum(CustomerType) type!: CustomerType;
  @Field() @IsString() @Length(1, 200) name!: string;
  @Field(() => IdDocumentTypeEnum, { nullable: true, description: 'INDIVIDUAL only' })
  @IsOptional()
  @IsEnum(IdDocumentTypeEnum)
  idType?: IdDocumentTypeEnum;
  @Field({ nullable: true, description: 'INDIVIDUAL only; validated (GB 11643 check digit for resident IDs)' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  idNumber?: string;
  @Field({ nullable: true, description: 'Mainland mobile (+86 accepted)' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string;
  @Field({ nullable: true, description: 'CORPORATE only: unified social credit code' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  uscc?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(100) industry?: string;
  @Field(() => CorporateSize, { nullable: true }) @IsOptional() @IsEnum(CorporateSize) size?: CorporateSize;
  @Field(() => ID, { description: 'Home org unit' }) @IsString() @Length(1, 36) orgUnitId!: string;
  @Field(() => DateScalar, { nullable: true, description: 'Defaults to today (bank time zone)' })
  @IsOptional()
  onboardedOn?: string;
  @Field(() => CustomerStatus, { nullable: true, description: 'Defaults to ACTIVE' })
  @IsOptional()
  @IsEnum(CustomerStatus)
  status?: CustomerStatus;
}

@InputType()
export class CustomersFilter {
  @Field(() => [CustomerType], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2)
  @IsEnum(CustomerType, { each: true })
  types?: CustomerType[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(36, { each: true })
  orgUnitIds?: string[];
  @Field(() => [CustomerStatus], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsEnum(CustomerStatus, { each: true })
  statuses?: CustomerStatus[];
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(40) customerNumber?: string;
  @Field(() => IdDocumentTypeEnum, { nullable: true, description: 'With idNumber: find by identity (hashed here)' })
  @IsOptional()
  @IsEnum(IdDocumentTypeEnum)
  idType?: IdDocumentTypeEnum;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(40) idNumber?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() onboardedFrom?: string;
  @Field(() => DateScalar, { nullable: true, description: 'Inclusive' }) @IsOptional() onboardedTo?: string;
}

@InputType({ description: 'One event from the bank’s systems. Checked row by row: a bad row is reported, not fatal.' })
export class CustomerEventInput {
  @Field({ description: 'External event id: a resubmission is a no-op reported as DUPLICATE' })
  @IsString()
  @MaxLength(64)
  eventId!: string;
  @Field() @IsString() @MaxLength(40) customerNumber!: string;
  @Field(() => CustomerEventType) @IsEnum(CustomerEventType) type!: CustomerEventType;
  @Field({ description: 'ISO 8601 instant with an offset, e.g. 2026-01-31T16:30:00Z' })
  @IsString()
  @MaxLength(40)
  occurredAt!: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(40) productCode?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() @MaxLength(36) programId?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(64) cardRef?: string;
  @Field({ nullable: true, description: 'ISO 18245 merchant category code (CARD_SPEND)' })
  @IsOptional()
  @IsString()
  @MaxLength(8)
  merchantCategory?: string;
  @Field({ nullable: true, description: 'PAYMENT_SENT / PAYMENT_RECEIVED' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  counterpartyUscc?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) counterpartyName?: string;
  @Field({ nullable: true, description: 'PAYROLL_CREDIT: the employer' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  employerUscc?: string;
  @Field(() => MoneyInput, {
    nullable: true,
    description: 'Required for spend, purchase, premium, balance, loan, payroll and payment events',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyInput)
  amount?: MoneyInput;
}

@InputType()
export class RecordCustomerEventsInput {
  @Field(() => [CustomerEventInput], { description: 'At most 1,000 per call' })
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => CustomerEventInput)
  events!: CustomerEventInput[];
}
