import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { PartnerKind } from '../../partners/partner.enums';
import { DateScalar, MoneyModel, RateScalar } from '../../graphql/scalars';
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

@ObjectType('ProgramTarget', { description: 'Targets for one period (YYYY-MM).' })
export class ProgramTarget {
  @Field() period!: string;
  @Field(() => Int, { nullable: true }) newCustomers!: number | null;
  @Field(() => Int, { nullable: true }) activations!: number | null;
  @Field(() => MoneyModel, { nullable: true }) spend!: MoneyModel | null;
  @Field(() => MoneyModel, { nullable: true, description: 'Assets under management' }) aum!: MoneyModel | null;
}

@ObjectType('Program', { description: '合作项目: one joint program under an agreement.' })
export class Program {
  @Field(() => ID) id!: string;
  @Field(() => ID) partnerId!: string;
  @Field(() => ID) agreementId!: string;
  @Field(() => ProgramKind) kind!: ProgramKind;
  @Field() nameZh!: string;
  @Field(() => String, { nullable: true }) nameEn!: string | null;
  @Field(() => ID, { nullable: true }) ownerId!: string | null;
  @Field(() => ID) orgUnitId!: string;
  @Field(() => DateScalar) validFrom!: string;
  @Field(() => DateScalar) validTo!: string;
  @Field(() => ProgramStatus) status!: ProgramStatus;
  @Field(() => [ProgramTarget]) targets!: ProgramTarget[];
  @Field(() => MoneyModel, { nullable: true }) budget!: MoneyModel | null;
  @Field(() => Int) version!: number;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}

@ObjectType('AttributionRuleVersion', { description: 'One effective-dated version of a program’s attribution rule.' })
export class AttributionRuleVersion {
  @Field(() => Int) version!: number;
  @Field(() => DateScalar) effectiveFrom!: string;
  @Field(() => Int) windowDays!: number;
  @Field(() => AttributionModel) model!: AttributionModel;
  @Field(() => AttributionScope) scope!: AttributionScope;
  @Field(() => Int, { description: '1 = highest precedence among competing sources' }) precedenceRank!: number;
  @Field(() => RateScalar, { nullable: true }) splitShare!: string | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType('QualificationCondition')
export class QualificationConditionModel {
  @Field(() => CustomerEventType) eventType!: CustomerEventType;
  @Field(() => QualificationMeasure) measure!: QualificationMeasure;
  @Field(() => ComparisonOperator) operator!: ComparisonOperator;
  @Field(() => Int, { nullable: true, description: 'Threshold of a COUNT condition' }) count!: number | null;
  @Field(() => MoneyModel, { nullable: true, description: 'Threshold of a SUM_AMOUNT condition' })
  amount!: MoneyModel | null;
}

@ObjectType('QualificationRuleVersion', {
  description: 'One effective-dated version of a program’s qualification rule: all conditions within N days.',
})
export class QualificationRuleVersion {
  @Field(() => Int) version!: number;
  @Field(() => DateScalar) effectiveFrom!: string;
  @Field(() => Int) withinDays!: number;
  @Field(() => [QualificationConditionModel]) all!: QualificationConditionModel[];
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType('FeeWaiverRule', { description: 'The annual fee is waived when every given condition is met.' })
export class FeeWaiverRule {
  @Field(() => Int, { nullable: true }) spendCountAtLeast!: number | null;
  @Field(() => MoneyModel, { nullable: true }) spendAmountAtLeast!: MoneyModel | null;
  @Field(() => Int, { nullable: true, description: 'Within this many days of the card year start' })
  withinDays!: number | null;
}

@ObjectType('EconomicsLine')
export class EconomicsLine {
  @Field(() => EconomicsCategory) category!: EconomicsCategory;
  @Field() description!: string;
  @Field(() => MoneyModel, { nullable: true }) amount!: MoneyModel | null;
  @Field(() => RateScalar, { nullable: true }) rate!: string | null;
  @Field(() => CustomerEventType, { nullable: true, description: 'What triggers the line, e.g. CARD_ACTIVATED' })
  trigger!: CustomerEventType | null;
}

@ObjectType('CoBrandedCardProduct', { description: '联名卡: the card product of a CO_BRANDED_CARD program.' })
export class CoBrandedCardProduct {
  @Field(() => ID) id!: string;
  @Field(() => ID) programId!: string;
  @Field() productName!: string;
  @Field(() => CardLevel) level!: CardLevel;
  @Field(() => [String], { description: 'BIN/IIN prefixes (6–8 digits)' }) binPrefixes!: string[];
  @Field(() => MoneyModel) annualFee!: MoneyModel;
  @Field(() => FeeWaiverRule, { nullable: true }) feeWaiver!: FeeWaiverRule | null;
  @Field(() => RateScalar) earnRate!: string;
  @Field(() => RewardsFunding) funding!: RewardsFunding;
  @Field(() => RateScalar, { description: 'Share of rewards cost the partner funds (0 BANK, 1 PARTNER)' })
  partnerShare!: string;
  @Field(() => [EconomicsLine]) economics!: EconomicsLine[];
  @Field(() => Int) version!: number;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}

@ObjectType('CompliancePolicyRule', {
  description: 'A category of co-branded card economics that may not be agreed with a partner kind.',
})
export class CompliancePolicyRule {
  @Field(() => ID) id!: string;
  @Field() code!: string;
  @Field(() => EconomicsCategory) category!: EconomicsCategory;
  @Field(() => PartnerKind, { nullable: true, description: 'Null: every partner kind' })
  partnerKind!: PartnerKind | null;
  @Field() reason!: string;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}
