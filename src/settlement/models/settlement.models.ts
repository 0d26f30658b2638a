import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { MoneyModel, RateScalar } from '../../graphql/scalars';
import { StatementStatus } from '../settlement.enums';

@ObjectType('StatementLine', { description: 'The period’s accruals of one program and rule, summed' })
export class StatementLine {
  @Field(() => Int) position!: number;
  @Field(() => ID) programId!: string;
  @Field() programName!: string;
  @Field() ruleId!: string;
  @Field(() => Int) accrualCount!: number;
  @Field(() => MoneyModel) amount!: MoneyModel;
}

@ObjectType('StatementDownloads')
export class StatementDownloads {
  @Field() csv!: string;
  @Field() xlsx!: string;
  @Field() pdf!: string;
}

@ObjectType('Statement', { description: '结算单: one per partner per period' })
export class Statement {
  @Field(() => ID) id!: string;
  @Field({ description: 'e.g. ST-2026-01-P-BJ' }) number!: string;
  @Field(() => ID) periodId!: string;
  @Field(() => ID) partnerId!: string;
  @Field(() => StatementStatus) status!: StatementStatus;
  @Field(() => MoneyModel, { description: 'Sum of the lines: equals the ledger of the partner in the period' })
  linesTotal!: MoneyModel;
  @Field(() => MoneyModel, { description: '不含税金额' }) net!: MoneyModel;
  @Field(() => MoneyModel, { description: '税额' }) tax!: MoneyModel;
  @Field(() => MoneyModel, { description: '价税合计: payable to the partner' }) gross!: MoneyModel;
  @Field(() => RateScalar) taxRate!: string;
  @Field() pricesIncludeTax!: boolean;
  @Field(() => Int) accrualCount!: number;
  @Field(() => ID, { nullable: true }) preparedById!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) preparedAt!: Date | null;
  @Field(() => ID, { nullable: true }) approvedById!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) approvedAt!: Date | null;
  @Field(() => ID, { nullable: true }) rejectedById!: string | null;
  @Field(() => String, { nullable: true }) rejectReason!: string | null;
  @Field(() => Int) version!: number;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => StatementDownloads, { description: 'Authenticated downloads (send the same bearer token or API key)' })
  downloads!: StatementDownloads;
}

@ObjectType('SettlementTerms')
export class SettlementTerms {
  @Field(() => ID) partnerId!: string;
  @Field(() => RateScalar) taxRate!: string;
  @Field() pricesIncludeTax!: boolean;
  @Field(() => MoneyModel, { description: 'Largest invoice difference accepted before a payout (default 0)' })
  invoiceTolerance!: MoneyModel;
}
