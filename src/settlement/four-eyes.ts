import { EntityManager, EntityTarget, FindOptionsWhere } from 'typeorm';
import { Actor } from '../auth/actor';
import { DomainError } from '../common/domain-error';

/** A row decided under four eyes: a status, who prepared it, an optimistic version. */
export interface Decidable {
  id: string;
  status: string;
  preparedById: string | null;
  version: number;
  updatedAt: Date;
}

/** FORBIDDEN (FOUR_EYES): `what` (e.g. "a statement") was prepared by the caller. */
export function fourEyesViolation(what: string): DomainError {
  return new DomainError('FORBIDDEN', `The preparer of ${what} may not approve or reject it`, { rule: 'FOUR_EYES' });
}

export interface Decision<E extends Decidable> {
  actor: Actor;
  /** The row as read before deciding (its status and preparer are checked first, for a clear error). */
  before: E;
  from: readonly string[];
  changes: Partial<E>;
  now: Date;
  /** What the row is, for the FOUR_EYES message; null for a move the preparer may make (e.g. preparing). */
  fourEyes: string | null;
  /** The CONFLICT for a row that is no longer in `from`. */
  stale: (current: E) => DomainError;
}

/**
 * Moves a row out of one of `from` by one conditional UPDATE … WHERE id AND status IN (from) [AND
 * prepared_by_id <> actor]: of two racing callers exactly one matches. The other gets `stale`, or FORBIDDEN
 * (FOUR_EYES) when it prepared the row; the database CHECK constraints back the same rule.
 */
export async function decideOnce<E extends Decidable>(
  manager: EntityManager,
  target: EntityTarget<E>,
  decision: Decision<E>,
): Promise<void> {
  const { actor, before, from, fourEyes } = decision;
  if (fourEyes !== null && before.preparedById === actor.id) throw fourEyesViolation(fourEyes);
  if (!from.includes(before.status)) throw decision.stale(before);
  const q = manager
    .createQueryBuilder()
    .update(target)
    .set({ ...decision.changes, updatedAt: decision.now, version: () => 'version + 1' })
    .where('id = :id', { id: before.id })
    .andWhere('status IN (:...from)', { from });
  if (fourEyes !== null) q.andWhere('prepared_by_id IS NOT NULL AND prepared_by_id <> :actorId', { actorId: actor.id });
  if ((await q.execute()).affected === 1) return;
  const current = await manager.findOneByOrFail(target, { id: before.id } as FindOptionsWhere<E>);
  if (fourEyes !== null && current.preparedById === actor.id) throw fourEyesViolation(fourEyes);
  throw decision.stale(current);
}
