import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { conflict } from '../common/domain-error';

/**
 * Optimistic locking for every versioned record: writes are `UPDATE … WHERE id = ? AND version = ?`, so two
 * concurrent editors can never both win; the loser gets CONFLICT with rule STALE_VERSION.
 */
export async function updateIfVersion<E extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<E>,
  entityName: string,
  key: { id: string; version: number },
  changes: QueryDeepPartialEntity<E>,
): Promise<void> {
  const result = await manager
    .createQueryBuilder()
    .update(target)
    .set(changes)
    .where('id = :id AND version = :version', { id: key.id, version: key.version })
    .execute();
  if (result.affected !== 1) {
    throw conflict('STALE_VERSION', `${entityName} was changed by someone else`, { field: 'version' });
  }
}
