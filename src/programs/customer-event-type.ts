import { registerEnumType } from '@nestjs/graphql';

/** What the bank's systems report about a customer (issue "Who brought in whom"). Rules refer to these. */
export enum CustomerEventType {
  ACCOUNT_OPENED = 'ACCOUNT_OPENED',
  CARD_APPLIED = 'CARD_APPLIED',
  CARD_APPROVED = 'CARD_APPROVED',
  CARD_DECLINED = 'CARD_DECLINED',
  CARD_ACTIVATED = 'CARD_ACTIVATED',
  CARD_SPEND = 'CARD_SPEND',
  CARD_CLOSED = 'CARD_CLOSED',
  FUND_PURCHASE = 'FUND_PURCHASE',
  INSURANCE_PREMIUM = 'INSURANCE_PREMIUM',
  DEPOSIT_BALANCE_SNAPSHOT = 'DEPOSIT_BALANCE_SNAPSHOT',
  LOAN_DISBURSED = 'LOAN_DISBURSED',
  PAYROLL_CREDIT = 'PAYROLL_CREDIT',
  PAYMENT_SENT = 'PAYMENT_SENT',
  PAYMENT_RECEIVED = 'PAYMENT_RECEIVED',
  ACCOUNT_CLOSED = 'ACCOUNT_CLOSED',
  DELINQUENT = 'DELINQUENT',
}
registerEnumType(CustomerEventType, { name: 'CustomerEventType' });

export const CUSTOMER_EVENT_TYPES: readonly CustomerEventType[] = Object.values(CustomerEventType);
