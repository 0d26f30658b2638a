import { Field, ID, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsBoolean, IsEnum, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { DecimalScalar, RateScalar } from '../../graphql/scalars';
import { StatementStatus } from '../settlement.enums';

@InputType()
export class StatementsFilter {
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  periodIds?: string[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  partnerIds?: string[];
  @Field(() => [StatementStatus], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsEnum(StatementStatus, { each: true })
  statuses?: StatementStatus[];
}

@InputType()
export class RejectStatementInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field({ description: 'Why the statement is sent back' }) @IsString() @Length(1, 1000) reason!: string;
}

@InputType()
export class TransitionPeriodInput {
  @Field(() => ID) @IsUUID() periodId!: string;
  @Field({ description: 'APPROVED (all statements approved), CLOSED (locked) or PAID' })
  @IsString()
  @IsIn(['APPROVED', 'CLOSED', 'PAID'])
  to!: string;
}

@InputType()
export class SetSettlementTermsInput {
  @Field(() => ID) @IsUUID() partnerId!: string;
  @Field(() => RateScalar, { description: 'VAT rate, e.g. "0.06"' }) @IsString() @Length(1, 20) taxRate!: string;
  @Field({ description: 'Whether contract prices include VAT (含税)' }) @IsBoolean() pricesIncludeTax!: boolean;
  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      'Largest difference between invoice and statement (金额 and 税额 each) still accepted; omitted: unchanged (0 when new)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 20)
  invoiceTolerance?: string;
}
