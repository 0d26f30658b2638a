import { EntityManager } from 'typeorm';
import { SettlementStatementEntity } from '../entities/settlement.entities';
import { PayoutStatus } from './payout.enums';

/**
 * Statements of a period that still wait for their money: a positive gross and no PAID payout.
 * A period may move to PAID only when this is zero.
 */
export function unpaidStatementCount(manager: EntityManager, periodId: string): Promise<number> {
  return manager
    .getRepository(SettlementStatementEntity)
    .createQueryBuilder('s')
    .where('s.periodId = :periodId', { periodId })
    .andWhere('s.gross > 0')
    .andWhere(
      'NOT EXISTS (SELECT 1 FROM settlement_payouts sp WHERE sp.statement_id = s.id AND sp.status = :paidStatus)',
      { paidStatus: PayoutStatus.PAID },
    )
    .getCount();
}

/** "6222020200000000001" → "6222***********0001": enough to recognise, not enough to reuse. */
export function maskAccount(account: string): string {
  const a = account.replace(/\s/g, '');
  if (a.length <= 4) return '*'.repeat(a.length);
  if (a.length <= 8) return `${'*'.repeat(a.length - 4)}${a.slice(-4)}`;
  return `${a.slice(0, 4)}${'*'.repeat(a.length - 8)}${a.slice(-4)}`;
}
