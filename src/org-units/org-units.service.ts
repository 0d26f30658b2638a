import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { badInput, notFound } from '../common/domain-error';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { OrgUnitEntity } from './entities/org-unit.entity';

@Injectable()
export class OrgUnitsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
  ) {}

  /** The ids of a unit and everything below it (one indexed prefix query). */
  async subtreeIds(orgUnitId: string): Promise<string[]> {
    const repo = this.dataSource.getRepository(OrgUnitEntity);
    const root = await repo.findOneBy({ id: orgUnitId });
    if (!root) return [];
    const rows = await repo
      .createQueryBuilder('o')
      .select('o.id', 'id')
      .where('o.path LIKE :prefix', { prefix: `${root.path}%` })
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  findByIds(ids: readonly string[]): Promise<OrgUnitEntity[]> {
    return this.dataSource.getRepository(OrgUnitEntity).findBy({ id: In([...ids]) });
  }

  async get(id: string): Promise<OrgUnitEntity> {
    const unit = await this.dataSource.getRepository(OrgUnitEntity).findOneBy({ id });
    if (!unit) throw notFound('OrgUnit', id);
    return unit;
  }

  findByCode(code: string): Promise<OrgUnitEntity | null> {
    return this.dataSource.getRepository(OrgUnitEntity).findOneBy({ code });
  }

  list(): Promise<OrgUnitEntity[]> {
    return this.dataSource.getRepository(OrgUnitEntity).find({ order: { path: 'ASC' } });
  }

  create(actor: Actor | null, input: { code: string; name: string; parentId?: string | null }): Promise<OrgUnitEntity> {
    return this.tx.run((manager) => this.createIn(manager, actor, input));
  }

  async createIn(
    manager: EntityManager,
    actor: Actor | null,
    input: { code: string; name: string; parentId?: string | null },
  ): Promise<OrgUnitEntity> {
    let parent: OrgUnitEntity | null = null;
    if (input.parentId) {
      parent = await manager.findOneBy(OrgUnitEntity, { id: input.parentId });
      if (!parent) throw badInput('parentId', 'NOT_FOUND', `Parent org unit ${input.parentId} does not exist`);
    }
    const id = newId();
    const unit: OrgUnitEntity = {
      id,
      code: input.code,
      name: input.name,
      parentId: parent?.id ?? null,
      path: `${parent?.path ?? '/'}${id}/`,
      level: (parent?.level ?? -1) + 1,
      createdAt: new Date(),
    };
    await manager.insert(OrgUnitEntity, unit);
    await this.audit.record(manager, actor, {
      action: 'orgUnit.create',
      entityType: 'OrgUnit',
      entityId: id,
      after: unit,
    });
    return unit;
  }
}
