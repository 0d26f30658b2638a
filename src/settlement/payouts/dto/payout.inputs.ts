import { Field, ID, InputType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEnum,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { DateScalar, DecimalScalar } from '../../../graphql/scalars';
import { PayoutBatchStatus } from '../payout.enums';

/** Payouts per batch: keeps one pain.001 well inside a TEXT column on MariaDB. */
export const MAX_PAYOUTS_PER_BATCH = 50;

@InputType()
export class SetPartnerBankAccountInput {
  @Field(() => ID) @IsUUID() partnerId!: string;
  @Field({ description: 'Account holder (收款人户名) as the bank knows it' })
  @IsString()
  @Length(1, 140)
  accountName!: string;
  @Field({ nullable: true, description: 'IBAN; or give accountNumber' })
  @IsOptional()
  @IsString()
  @Length(1, 42)
  iban?: string;
  @Field({ nullable: true, description: 'Domestic account number (e.g. a Chinese 银行账号)' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  accountNumber?: string;
  @Field({ nullable: true, description: '开户行' }) @IsOptional() @IsString() @Length(1, 140) bankName?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @Length(8, 11) bic?: string;
  @Field({ nullable: true, description: 'CNAPS bank code (大额支付系统行号), 12 digits' })
  @IsOptional()
  @Matches(/^\d{12}$/, { message: 'must be 12 digits' })
  cnaps?: string;
}

@InputType()
export class RecordInvoiceInput {
  @Field(() => ID) @IsUUID() statementId!: string;
  @Field({ description: '发票号码' }) @IsString() @Length(1, 32) number!: string;
  @Field(() => DateScalar, { description: '开票日期' }) @IsString() date!: string;
  @Field(() => DecimalScalar, { description: '金额 (before tax), in the statement currency' })
  @IsString()
  @Length(1, 30)
  amount!: string;
  @Field(() => DecimalScalar, { description: '税额' }) @IsString() @Length(1, 30) tax!: string;
}

@InputType()
export class PreparePayoutBatchInput {
  @Field(() => [ID], { description: `Approved statements of closed periods, 1–${MAX_PAYOUTS_PER_BATCH}` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PAYOUTS_PER_BATCH)
  @IsUUID('all', { each: true })
  statementIds!: string[];
}

@InputType()
export class RejectPayoutBatchInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field({ description: 'Why the batch is sent back' }) @IsString() @Length(1, 1000) reason!: string;
}

@InputType()
export class ImportBankFileInput {
  @Field({ description: 'The XML file, base64 (at most 5 MB decoded)' })
  @IsString()
  @MaxLength(7_000_000)
  @Matches(/^[A-Za-z0-9+/=\s]*$/, { message: 'must be base64' })
  contentBase64!: string;
}

@InputType()
export class PayoutBatchesFilter {
  @Field(() => [PayoutBatchStatus], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsEnum(PayoutBatchStatus, { each: true })
  statuses?: PayoutBatchStatus[];
  @Field(() => [ID], { nullable: true, description: 'Batches holding a payout to one of these partners' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  partnerIds?: string[];
  @Field(() => [ID], { nullable: true, description: 'Batches holding a payout of one of these statements' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  statementIds?: string[];
}
