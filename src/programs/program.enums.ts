import { registerEnumType } from '@nestjs/graphql';

/** What a joint program (合作项目) is for. */
export enum ProgramKind {
  CO_BRANDED_CARD = 'CO_BRANDED_CARD',
  REFERRAL = 'REFERRAL',
  AGENCY_SALES = 'AGENCY_SALES',
  PAYROLL = 'PAYROLL',
  SUPPLY_CHAIN = 'SUPPLY_CHAIN',
  JOINT_MARKETING = 'JOINT_MARKETING',
  EMPLOYEE_BANKING = 'EMPLOYEE_BANKING',
}
registerEnumType(ProgramKind, { name: 'ProgramKind' });

export enum ProgramStatus {
  DRAFT = 'DRAFT',
  ACTIVE = 'ACTIVE',
  PAUSED = 'PAUSED',
  /** Co-branded card programs being discontinued: no new cards, existing cards still served. */
  WINDING_DOWN = 'WINDING_DOWN',
  ENDED = 'ENDED',
}
registerEnumType(ProgramStatus, { name: 'ProgramStatus' });

/** DRAFT → ACTIVE ⇄ PAUSED → ENDED (ACTIVE may also end directly). */
const COMMON_TRANSITIONS: Readonly<Record<ProgramStatus, readonly ProgramStatus[]>> = {
  [ProgramStatus.DRAFT]: [ProgramStatus.ACTIVE],
  [ProgramStatus.ACTIVE]: [ProgramStatus.PAUSED, ProgramStatus.ENDED],
  [ProgramStatus.PAUSED]: [ProgramStatus.ACTIVE, ProgramStatus.ENDED],
  [ProgramStatus.WINDING_DOWN]: [],
  [ProgramStatus.ENDED]: [],
};

/** Co-branded card programs add ACTIVE/PAUSED → WINDING_DOWN → ENDED. */
const CO_BRANDED_TRANSITIONS: Readonly<Record<ProgramStatus, readonly ProgramStatus[]>> = {
  ...COMMON_TRANSITIONS,
  [ProgramStatus.ACTIVE]: [ProgramStatus.PAUSED, ProgramStatus.WINDING_DOWN, ProgramStatus.ENDED],
  [ProgramStatus.PAUSED]: [ProgramStatus.ACTIVE, ProgramStatus.WINDING_DOWN, ProgramStatus.ENDED],
  [ProgramStatus.WINDING_DOWN]: [ProgramStatus.ENDED],
};

export function programTransitionAllowed(kind: ProgramKind, from: ProgramStatus, to: ProgramStatus): boolean {
  const table = kind === ProgramKind.CO_BRANDED_CARD ? CO_BRANDED_TRANSITIONS : COMMON_TRANSITIONS;
  return table[from].includes(to);
}

export enum RuleKind {
  ATTRIBUTION = 'ATTRIBUTION',
  QUALIFICATION = 'QUALIFICATION',
}

export enum AttributionModel {
  FIRST_TOUCH = 'FIRST_TOUCH',
  LAST_TOUCH = 'LAST_TOUCH',
}
registerEnumType(AttributionModel, { name: 'AttributionModel' });

export enum AttributionScope {
  NEW_TO_BANK = 'NEW_TO_BANK',
  NEW_TO_PRODUCT = 'NEW_TO_PRODUCT',
  ANY = 'ANY',
}
registerEnumType(AttributionScope, { name: 'AttributionScope' });

export enum QualificationMeasure {
  COUNT = 'COUNT',
  SUM_AMOUNT = 'SUM_AMOUNT',
}
registerEnumType(QualificationMeasure, { name: 'QualificationMeasure' });

export enum ComparisonOperator {
  GTE = 'GTE',
}
registerEnumType(ComparisonOperator, { name: 'ComparisonOperator' });

export enum CardLevel {
  CLASSIC = 'CLASSIC',
  GOLD = 'GOLD',
  PLATINUM = 'PLATINUM',
  DIAMOND = 'DIAMOND',
  SIGNATURE = 'SIGNATURE',
  INFINITE = 'INFINITE',
}
registerEnumType(CardLevel, { name: 'CardLevel' });

export enum RewardsFunding {
  BANK = 'BANK',
  PARTNER = 'PARTNER',
  SHARED = 'SHARED',
}
registerEnumType(RewardsFunding, { name: 'RewardsFunding' });

/** Compliance category of a co-branded card economics line. */
export enum EconomicsCategory {
  ACQUISITION_BOUNTY = 'ACQUISITION_BOUNTY',
  SPEND_REBATE = 'SPEND_REBATE',
  INTERCHANGE_SHARE = 'INTERCHANGE_SHARE',
  POINTS_PURCHASE = 'POINTS_PURCHASE',
  MARKETING_FUND = 'MARKETING_FUND',
  RENEWAL_ROYALTY = 'RENEWAL_ROYALTY',
  SERVICE_FEE = 'SERVICE_FEE',
  /** Blocked for every partner kind by the default policy (2022 CBIRC/PBoC credit-card notice). */
  INTEREST_INCOME_SHARE = 'INTEREST_INCOME_SHARE',
  /** Blocked for every partner kind by the default policy (2022 CBIRC/PBoC credit-card notice). */
  INSTALMENT_FEE_SHARE = 'INSTALMENT_FEE_SHARE',
}
registerEnumType(EconomicsCategory, { name: 'EconomicsCategory' });

/** Only an ACTIVE program takes new referrals, customers or cards; WINDING_DOWN still serves existing cards. */
export function acceptsNewBusiness(status: ProgramStatus): boolean {
  return status === ProgramStatus.ACTIVE;
}

/** Existing co-branded cards are still served (events, rewards, fees) while a program winds down. */
export function servesExistingCards(status: ProgramStatus): boolean {
  return status === ProgramStatus.ACTIVE || status === ProgramStatus.PAUSED || status === ProgramStatus.WINDING_DOWN;
}
