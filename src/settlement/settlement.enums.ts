import { registerEnumType } from '@nestjs/graphql';

export enum StatementStatus {
  DRAFT = 'DRAFT',
  PREPARED = 'PREPARED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}
registerEnumType(StatementStatus, {
  name: 'StatementStatus',
  description:
    'DRAFT → PREPARED (finance maker) → APPROVED or REJECTED (a different finance approver); REJECTED → PREPARED',
});

export const DEFAULT_TAX_RATE = '0.06';
export const DEFAULT_PRICES_INCLUDE_TAX = false;
