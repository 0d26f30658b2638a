import { registerEnumType } from '@nestjs/graphql';

/** Every partner kind the article names (domain.md). */
export enum PartnerKind {
  SECURITIES = 'SECURITIES',
  INSURANCE = 'INSURANCE',
  FUND = 'FUND',
  TRUST = 'TRUST',
  TRAVEL = 'TRAVEL',
  AIRLINE = 'AIRLINE',
  TICKETING = 'TICKETING',
  ECOMMERCE = 'ECOMMERCE',
  REAL_ESTATE_AGENCY = 'REAL_ESTATE_AGENCY',
  LAW_FIRM = 'LAW_FIRM',
  MALL = 'MALL',
  DEPARTMENT_STORE = 'DEPARTMENT_STORE',
  GAS_STATION = 'GAS_STATION',
  PROPERTY_MANAGER = 'PROPERTY_MANAGER',
  BANK = 'BANK',
  GOVERNMENT_TAX = 'GOVERNMENT_TAX',
  INDUSTRIAL_PARK = 'INDUSTRIAL_PARK',
  HOUSING_BUREAU = 'HOUSING_BUREAU',
  INVESTMENT_PROMOTION = 'INVESTMENT_PROMOTION',
  ASSOCIATION = 'ASSOCIATION',
  EXCHANGE = 'EXCHANGE',
  CHAMBER_OF_COMMERCE = 'CHAMBER_OF_COMMERCE',
  CLUB = 'CLUB',
  CORE_ENTERPRISE = 'CORE_ENTERPRISE',
  TELECOM = 'TELECOM',
  POSTAL = 'POSTAL',
}
registerEnumType(PartnerKind, { name: 'PartnerKind' });

export enum PartnerStatus {
  PROSPECT = 'PROSPECT',
  NEGOTIATING = 'NEGOTIATING',
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
  TERMINATED = 'TERMINATED',
}
registerEnumType(PartnerStatus, { name: 'PartnerStatus' });

/** PROSPECT → NEGOTIATING → ACTIVE ⇄ SUSPENDED → TERMINATED; talks may also end before activation. */
export const PARTNER_TRANSITIONS: Readonly<Record<PartnerStatus, readonly PartnerStatus[]>> = {
  [PartnerStatus.PROSPECT]: [PartnerStatus.NEGOTIATING, PartnerStatus.TERMINATED],
  [PartnerStatus.NEGOTIATING]: [PartnerStatus.ACTIVE, PartnerStatus.TERMINATED],
  [PartnerStatus.ACTIVE]: [PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED],
  [PartnerStatus.SUSPENDED]: [PartnerStatus.ACTIVE, PartnerStatus.TERMINATED],
  [PartnerStatus.TERMINATED]: [],
};

export enum PartnerTier {
  STRATEGIC = 'STRATEGIC',
  CORE = 'CORE',
  GENERAL = 'GENERAL',
  WATCH = 'WATCH',
}
registerEnumType(PartnerTier, { name: 'PartnerTier' });

export enum RiskRating {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
}
registerEnumType(RiskRating, { name: 'RiskRating' });

export enum CooperationMode {
  AGENCY_SALES = 'AGENCY_SALES',
  JOINT_PRODUCT = 'JOINT_PRODUCT',
  CO_BRANDED_CARD = 'CO_BRANDED_CARD',
  PAYMENT_INTEGRATION = 'PAYMENT_INTEGRATION',
  JOINT_MARKETING = 'JOINT_MARKETING',
  REFERRAL = 'REFERRAL',
  MORTGAGE_REFERRAL = 'MORTGAGE_REFERRAL',
  DEBT_RECOVERY = 'DEBT_RECOVERY',
  IPO_SERVICES = 'IPO_SERVICES',
  AGENCY_SERVICES = 'AGENCY_SERVICES',
  MEMBER_OFFERS = 'MEMBER_OFFERS',
  SUPPLY_CHAIN_FINANCE = 'SUPPLY_CHAIN_FINANCE',
  PAYROLL = 'PAYROLL',
  EMPLOYEE_BANKING = 'EMPLOYEE_BANKING',
}
registerEnumType(CooperationMode, { name: 'CooperationMode' });

export enum AgreementStatus {
  DRAFT = 'DRAFT',
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  TERMINATED = 'TERMINATED',
}
registerEnumType(AgreementStatus, { name: 'AgreementStatus' });

export const AGREEMENT_TRANSITIONS: Readonly<Record<AgreementStatus, readonly AgreementStatus[]>> = {
  [AgreementStatus.DRAFT]: [AgreementStatus.ACTIVE, AgreementStatus.TERMINATED],
  [AgreementStatus.ACTIVE]: [AgreementStatus.EXPIRED, AgreementStatus.TERMINATED],
  [AgreementStatus.EXPIRED]: [],
  [AgreementStatus.TERMINATED]: [],
};
