import { registerEnumType } from '@nestjs/graphql';

/** APPLIED → APPROVED / DECLINED → ACTIVATED → DORMANT (no spend for a while) → CLOSED. */
export enum CardStatus {
  APPLIED = 'APPLIED',
  APPROVED = 'APPROVED',
  DECLINED = 'DECLINED',
  ACTIVATED = 'ACTIVATED',
  DORMANT = 'DORMANT',
  CLOSED = 'CLOSED',
}
registerEnumType(CardStatus, { name: 'CardStatus' });

export const CARDS_READ_SCOPE = 'cards:read';
