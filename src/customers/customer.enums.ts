import { registerEnumType } from '@nestjs/graphql';
import { CustomerEventType } from '../programs/customer-event-type';

export enum CustomerType {
  INDIVIDUAL = 'INDIVIDUAL',
  CORPORATE = 'CORPORATE',
}
registerEnumType(CustomerType, { name: 'CustomerType' });

export enum CustomerStatus {
  ACTIVE = 'ACTIVE',
  DORMANT = 'DORMANT',
  CLOSED = 'CLOSED',
}
registerEnumType(CustomerStatus, { name: 'CustomerStatus' });

/** Enterprise size class (大中小微). */
export enum CorporateSize {
  MICRO = 'MICRO',
  SMALL = 'SMALL',
  MEDIUM = 'MEDIUM',
  LARGE = 'LARGE',
}
registerEnumType(CorporateSize, { name: 'CorporateSize' });

/** Mirrors IdDocumentType in src/common/identifiers.ts for the GraphQL schema. */
export enum IdDocumentTypeEnum {
  RESIDENT_ID = 'RESIDENT_ID',
  PASSPORT = 'PASSPORT',
  HK_MACAO_PERMIT = 'HK_MACAO_PERMIT',
  TAIWAN_PERMIT = 'TAIWAN_PERMIT',
  HMT_RESIDENCE_PERMIT = 'HMT_RESIDENCE_PERMIT',
}
registerEnumType(IdDocumentTypeEnum, {
  name: 'IdDocumentType',
  description: 'Resident ID (居民身份证), passport, HK/Macao or Taiwan travel permit, HK/Macao/Taiwan residence permit',
});

export enum UpsertOutcome {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  UNCHANGED = 'UNCHANGED',
}
registerEnumType(UpsertOutcome, { name: 'UpsertOutcome' });

export enum EventRowStatus {
  ACCEPTED = 'ACCEPTED',
  DUPLICATE = 'DUPLICATE',
  REJECTED = 'REJECTED',
}
registerEnumType(EventRowStatus, { name: 'EventRowStatus' });

/** Event types that carry an amount: the amount is required and must not be negative. */
export const AMOUNT_EVENT_TYPES: readonly CustomerEventType[] = [
  CustomerEventType.CARD_SPEND,
  CustomerEventType.FUND_PURCHASE,
  CustomerEventType.INSURANCE_PREMIUM,
  CustomerEventType.DEPOSIT_BALANCE_SNAPSHOT,
  CustomerEventType.LOAN_DISBURSED,
  CustomerEventType.PAYROLL_CREDIT,
  CustomerEventType.PAYMENT_SENT,
  CustomerEventType.PAYMENT_RECEIVED,
];

/** Most events one recordCustomerEvents call (or one import batch) may carry. */
export const MAX_EVENTS_PER_CALL = 1000;
