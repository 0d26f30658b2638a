import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '../auth/actor';
import { RequestContext } from '../common/request/request-context';
import { newId } from '../database/columns';
import { AuditRecordEntity } from './entities/audit-record.entity';
import { PageArgs, paginate, ConnectionResult } from '../graphql/connection';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  from?: Date;
  to?: Date;
}

/** Written inside the caller's transaction, so a change and its audit row commit or roll back together. */
@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, actor: Actor | null, entry: AuditEntry): Promise<void> {
    await manager.insert(AuditRecordEntity, rowOf(actor, entry));
  }

  /** One audit row per entry, written in multi-row INSERTs of 100 (a batch of changes in a few round trips). */
  async recordMany(manager: EntityManager, actor: Actor | null, entries: readonly AuditEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += 100)
      await manager.insert(
        AuditRecordEntity,
        entries.slice(i, i + 100).map((entry) => rowOf(actor, entry)),
      );
  }

  list(filter: AuditFilter, page: PageArgs): Promise<ConnectionResult<AuditRecordEntity>> {
    const query = this.dataSource.getRepository(AuditRecordEntity).createQueryBuilder('a');
    if (filter.entityType) query.andWhere('a.entityType = :entityType', { entityType: filter.entityType });
    if (filter.entityId) query.andWhere('a.entityId = :entityId', { entityId: filter.entityId });
    if (filter.actorId) query.andWhere('a.actorId = :actorId', { actorId: filter.actorId });
    if (filter.action) query.andWhere('a.action = :action', { action: filter.action });
    if (filter.from) query.andWhere('a.occurredAt >= :from', { from: filter.from });
    if (filter.to) query.andWhere('a.occurredAt < :to', { to: filter.to });
    return paginate(query, page, (row) => row);
  }
}

/** bigint and Date survive JSON as strings; secrets are never passed in here. */
function rowOf(actor: Actor | null, entry: AuditEntry): AuditRecordEntity {
  return {
    id: newId(),
    actorId: actor?.id ?? null,
    actorName: actor?.name ?? 'system',
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    before: toPlain(entry.before) as object | null,
    after: toPlain(entry.after) as object | null,
    requestId: RequestContext.requestId(),
    occurredAt: new Date(),
  };
}

function toPlain(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown;
}
