import { EntityManager } from 'typeorm';
import { notFound } from '../common/domain-error';
import { CommissionPeriodEntity } from './entities/commission-period.entity';

/**
 * Reads a period with its row locked FOR UPDATE (MariaDB/MySQL) until the transaction ends. Whatever
 * reads or posts to a period's ledger takes this lock first, so an adjustment posted into the period and
 * a statement built from it are serialised: InnoDB takes the read snapshot at the first plain read, which
 * comes after this lock is granted, so every posting committed before sees the statement and none can
 * commit in between. SQLite runs one transaction at a time and needs no lock.
 */
export async function lockPeriod(manager: EntityManager, periodId: string): Promise<CommissionPeriodEntity> {
  const q = manager.getRepository(CommissionPeriodEntity).createQueryBuilder('p').where('p.id = :periodId', {
    periodId,
  });
  if (manager.connection.options.type !== 'better-sqlite3') q.setLock('pessimistic_write');
  const period = await q.getOne();
  if (!period) throw notFound('CommissionPeriod', periodId);
  return period;
}
