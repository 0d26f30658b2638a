import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateScalar, MoneyModel, RateScalar } from '../../graphql/scalars';
import {
  CandidateStatus,
  ChainDirection,
  ImportRowStatus,
  LinkSource,
  LinkStatus,
  ProspectStage,
} from '../supply-chain.enums';

@ObjectType()
export class SupplyChainCompany {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true, description: 'Masked for partner users' }) uscc!: string | null;
  @Field(() => String, { nullable: true, description: 'For companies without a USCC (foreign companies)' })
  externalId!: string | null;
  @Field({ description: 'True when the company banks with us (linked to a customer)' }) banked!: boolean;
  @Field(() => ID, { nullable: true, description: 'Hidden from partner users' }) customerId!: string | null;
}

@ObjectType()
export class CoreEnterprise {
  @Field(() => ID) id!: string;
  @Field(() => SupplyChainCompany) company!: SupplyChainCompany;
  @Field(() => ID, { nullable: true }) partnerId!: string | null;
  @Field(() => ID, { nullable: true, description: 'SUPPLY_CHAIN program credited for onboarded members' })
  programId!: string | null;
  @Field(() => ID) orgUnitId!: string;
  @Field(() => Int) version!: number;
}

@ObjectType()
export class SupplyChainLink {
  @Field(() => ID) id!: string;
  @Field(() => ID) coreEnterpriseId!: string;
  @Field(() => ID) parentCompanyId!: string;
  @Field(() => ID) memberCompanyId!: string;
  @Field(() => ChainDirection) direction!: ChainDirection;
  @Field(() => Int) tier!: number;
  @Field(() => MoneyModel, { nullable: true }) annualVolume!: MoneyModel | null;
  @Field(() => DateScalar, { nullable: true }) since!: string | null;
  @Field(() => LinkSource) source!: LinkSource;
  @Field(() => LinkStatus) status!: LinkStatus;
  @Field(() => DateScalar, { nullable: true }) endedOn!: string | null;
  @Field(() => Int) version!: number;
}

@ObjectType()
export class SupplyChainNode {
  @Field(() => SupplyChainCompany) company!: SupplyChainCompany;
  @Field(() => ChainDirection) direction!: ChainDirection;
  @Field(() => Int) tier!: number;
  @Field() banked!: boolean;
  @Field(() => MoneyModel) volume!: MoneyModel;
}

@ObjectType()
export class SupplyChainGraph {
  @Field(() => CoreEnterprise) coreEnterprise!: CoreEnterprise;
  @Field(() => [SupplyChainNode]) nodes!: SupplyChainNode[];
  @Field(() => [SupplyChainLink]) edges!: SupplyChainLink[];
}

@ObjectType()
export class SupplyChainPenetrationRow {
  @Field(() => Int, { nullable: true, description: 'null on the total row' }) tier!: number | null;
  @Field(() => Int) members!: number;
  @Field(() => Int) banked!: number;
  @Field(() => RateScalar) shareByCount!: string;
  @Field(() => MoneyModel) volume!: MoneyModel;
  @Field(() => MoneyModel) bankedVolume!: MoneyModel;
  @Field(() => RateScalar) shareByVolume!: string;
  @Field(() => MoneyModel) uncoveredVolume!: MoneyModel;
}

@ObjectType()
export class SupplyChainPenetration {
  @Field(() => ID) coreEnterpriseId!: string;
  @Field(() => [SupplyChainPenetrationRow]) tiers!: SupplyChainPenetrationRow[];
  @Field(() => SupplyChainPenetrationRow) total!: SupplyChainPenetrationRow;
}

@ObjectType()
export class ProspectNoteModel {
  @Field() at!: string;
  @Field() by!: string;
  @Field(() => ProspectStage) stage!: ProspectStage;
  @Field() text!: string;
}

@ObjectType()
export class SupplyChainProspect {
  @Field(() => ID) id!: string;
  @Field(() => ID) coreEnterpriseId!: string;
  @Field(() => SupplyChainCompany) company!: SupplyChainCompany;
  @Field(() => MoneyModel) volume!: MoneyModel;
  @Field(() => Int) tier!: number;
  @Field(() => ProspectStage) stage!: ProspectStage;
  @Field(() => ID, { nullable: true }) managerId!: string | null;
  @Field(() => DateScalar, { nullable: true }) nextActionOn!: string | null;
  @Field(() => [ProspectNoteModel]) notes!: ProspectNoteModel[];
  @Field(() => ID, { nullable: true }) customerId!: string | null;
  @Field(() => Int, { description: '0 while the prospect has never been moved' }) version!: number;
}

@ObjectType()
export class ExposureMember {
  @Field(() => SupplyChainCompany) company!: SupplyChainCompany;
  @Field(() => MoneyModel) depositBalance!: MoneyModel;
  @Field(() => MoneyModel) loans!: MoneyModel;
  @Field(() => MoneyModel) total!: MoneyModel;
  @Field(() => RateScalar, { description: 'Share of the chain’s total exposure' }) share!: string;
}

@ObjectType()
export class SupplyChainExposure {
  @Field(() => ID) coreEnterpriseId!: string;
  @Field(() => Int) bankedMembers!: number;
  @Field(() => MoneyModel, { description: 'Latest DEPOSIT_BALANCE_SNAPSHOT of each banked member, summed' })
  depositBalance!: MoneyModel;
  @Field(() => MoneyModel, { description: 'LOAN_DISBURSED of banked members, summed' }) loans!: MoneyModel;
  @Field(() => MoneyModel) total!: MoneyModel;
  @Field(() => [ExposureMember], { description: 'Largest exposures first (at most 10)' })
  largest!: ExposureMember[];
}

@ObjectType()
export class DerivedLink {
  @Field(() => ID) id!: string;
  @Field(() => ID) coreEnterpriseId!: string;
  @Field(() => ID) parentCompanyId!: string;
  @Field(() => ChainDirection) direction!: ChainDirection;
  @Field() counterpartyUscc!: string;
  @Field(() => String, { nullable: true }) counterpartyName!: string | null;
  @Field(() => Int) paymentCount!: number;
  @Field(() => MoneyModel) volume!: MoneyModel;
  @Field(() => CandidateStatus) status!: CandidateStatus;
  @Field(() => ID, { nullable: true }) linkId!: string | null;
}

@ObjectType()
export class SupplyChainImportRow {
  @Field(() => Int) line!: number;
  @Field(() => ImportRowStatus) status!: ImportRowStatus;
  @Field(() => String, { nullable: true }) field!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => String, { nullable: true }) ref!: string | null;
}

@ObjectType()
export class SupplyChainImportReport {
  @Field(() => Int) processed!: number;
  @Field(() => Int) created!: number;
  @Field(() => Int) skipped!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => Int, { description: 'Core enterprises registered by the import (edge lists with several sources)' })
  coresCreated!: number;
  @Field(() => [SupplyChainImportRow], { description: 'Every row that was not created, in line order' })
  rows!: SupplyChainImportRow[];
}

@ObjectType()
export class ProductHolding {
  @Field() product!: string;
  @Field(() => Int) holders!: number;
  @Field(() => RateScalar) share!: string;
}

@ObjectType()
export class EmployeeRef {
  @Field(() => ID) customerId!: string;
  @Field({ description: 'Surname only' }) nameMasked!: string;
  @Field(() => String, { nullable: true }) phoneMasked!: string | null;
}

@ObjectType()
export class CrossSellList {
  @Field() product!: string;
  @Field(() => [EmployeeRef]) employees!: EmployeeRef[];
}

@ObjectType()
export class NewToBankEmployee {
  @Field(() => EmployeeRef) employee!: EmployeeRef;
  @Field(() => DateScalar) onboardedOn!: string;
  @Field(() => ID, { nullable: true }) programId!: string | null;
}

@ObjectType()
export class EmployerBanking {
  @Field(() => ID) employerId!: string;
  @Field(() => Int) employees!: number;
  @Field(() => [ProductHolding]) holdings!: ProductHolding[];
  @Field(() => [CrossSellList]) crossSell!: CrossSellList[];
  @Field(() => [NewToBankEmployee]) newToBank!: NewToBankEmployee[];
}

@ObjectType('SupplyChainTouch', { description: 'An attribution touch: an onboarded chain prospect' })
export class SupplyChainTouchModel {
  @Field(() => ID) customerId!: string;
  @Field(() => ID, { nullable: true }) programId!: string | null;
  @Field(() => ID) coreEnterpriseId!: string;
  @Field(() => ID) memberCompanyId!: string;
  @Field() touchedAt!: Date;
  @Field() source!: string;
}
