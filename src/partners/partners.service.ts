import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../auth/actor';
import { applyPartnerScope, assertCanReadPartner, canManagePartner, canReadPartner } from '../auth/access';
import { AuditService } from '../audit/audit.service';
import { isValidBusinessDate } from '../common/business-time';
import { badInput, conflict, DomainError, forbidden, notFound } from '../common/domain-error';
import { isValidUscc, normalizeUscc } from '../common/identifiers';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { updateIfVersion } from '../database/versioned';
import { ConnectionResult, PageArgs, paginate } from '../graphql/connection';
import { chunk } from '../graphql/loaders';
import { OrgUnitEntity } from '../org-units/entities/org-unit.entity';
import { AgreementEntity } from './entities/agreement.entity';
import { PartnerContactEntity } from './entities/partner-contact.entity';
import { PartnerQualificationEntity } from './entities/partner-qualification.entity';
import { PartnerEntity } from './entities/partner.entity';
import {
  CreateAgreementInput,
  CreatePartnerInput,
  PartnerContactInput,
  PartnerQualificationInput,
  PartnersFilter,
  TransitionPartnerInput,
  UpdateAgreementInput,
  UpdatePartnerInput,
} from './dto/partner.inputs';
import { AGREEMENT_TRANSITIONS, AgreementStatus, PARTNER_TRANSITIONS, PartnerStatus } from './partner.enums';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { businessDateOf } from '../common/business-time';

function checkedUscc(raw: string | undefined | null): string | null {
  if (raw === undefined || raw === null || raw.trim() === '') return null;
  const normalized = normalizeUscc(raw);
  if (!isValidUscc(normalized))
    throw badInput('uscc', 'INVALID_CHECK_CHARACTER', 'uscc is not a valid unified social credit code (GB 32100-2015)');
  return normalized;
}

/** `!` as the LIKE escape: a backslash inside '…' is itself an escape in MySQL, so ESCAPE '\\' breaks there. */
function escapeLike(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}

function checkedDate(value: string | undefined, field: string): void {
  if (value !== undefined && !isValidBusinessDate(value)) throw badInput(field, 'must be a real date YYYY-MM-DD');
}

@Injectable()
export class PartnersService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  today(): string {
    return businessDateOf(this.clock.now(), this.config.bankTimeZone);
  }

  // ---------- reads ----------

  async get(actor: Actor, id: string): Promise<PartnerEntity> {
    const partner = await this.dataSource.getRepository(PartnerEntity).findOneBy({ id });
    if (!partner) throw notFound('Partner', id);
    assertCanReadPartner(actor, partner);
    return partner;
  }

  list(actor: Actor, filter: PartnersFilter, page: PageArgs): Promise<ConnectionResult<PartnerEntity>> {
    const query = this.dataSource.getRepository(PartnerEntity).createQueryBuilder('p');
    applyPartnerScope(query, actor, 'p.id');
    if (filter.kinds?.length) query.andWhere('p.kind IN (:...kinds)', { kinds: filter.kinds });
    if (filter.statuses?.length) query.andWhere('p.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.orgUnitIds?.length) query.andWhere('p.orgUnitId IN (:...orgUnitIds)', { orgUnitIds: filter.orgUnitIds });
    if (filter.search) {
      const like = `%${escapeLike(filter.search.trim())}%`;
      query.andWhere(
        "(p.code LIKE :like ESCAPE '!' OR p.nameZh LIKE :like ESCAPE '!' OR p.nameEn LIKE :like ESCAPE '!')",
        { like },
      );
    }
    return paginate(query, page, (row) => row);
  }

  /** Batch load for DataLoaders and other modules; rows the actor may not read come back as null. */
  async findVisibleByIds(actor: Actor, ids: readonly string[]): Promise<(PartnerEntity | null)[]> {
    const rows: PartnerEntity[] = [];
    for (const part of chunk([...new Set(ids)]))
      rows.push(...(await this.dataSource.getRepository(PartnerEntity).findBy({ id: In(part) })));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const row = byId.get(id);
      return row && canReadPartner(actor, row) ? row : null;
    });
  }

  async contactsOf(partnerIds: readonly string[]): Promise<PartnerContactEntity[]> {
    return this.dataSource
      .getRepository(PartnerContactEntity)
      .find({ where: { partnerId: In([...partnerIds]) }, order: { position: 'ASC' } });
  }

  async qualificationsOf(partnerIds: readonly string[]): Promise<PartnerQualificationEntity[]> {
    return this.dataSource
      .getRepository(PartnerQualificationEntity)
      .find({ where: { partnerId: In([...partnerIds]) }, order: { id: 'ASC' } });
  }

  /** Agreements of partners the caller has already been allowed to read. */
  async agreementsOf(partnerIds: readonly string[]): Promise<AgreementEntity[]> {
    return this.dataSource
      .getRepository(AgreementEntity)
      .find({ where: { partnerId: In([...partnerIds]) }, order: { id: 'ASC' } });
  }

  async getAgreement(actor: Actor, id: string): Promise<{ agreement: AgreementEntity; partner: PartnerEntity }> {
    const agreement = await this.dataSource.getRepository(AgreementEntity).findOneBy({ id });
    if (!agreement) throw notFound('Agreement', id);
    const partner = await this.dataSource.getRepository(PartnerEntity).findOneByOrFail({ id: agreement.partnerId });
    assertCanReadPartner(actor, partner, 'Agreement', id);
    return { agreement, partner };
  }

  /** For other modules: the partner, if the actor may manage it (write programs, channels, plans under it). */
  async requireManageable(
    manager: EntityManager,
    actor: Actor,
    partnerId: string,
    field = 'partnerId',
  ): Promise<PartnerEntity> {
    const partner = await manager.findOneBy(PartnerEntity, { id: partnerId });
    if (!partner || !canReadPartner(actor, partner))
      throw new DomainError('NOT_FOUND', `Partner ${partnerId} not found`, { field, entity: 'Partner', id: partnerId });
    if (!canManagePartner(actor, partner)) throw forbidden('Only managers of this partner’s org unit may change it');
    return partner;
  }

  canManage(actor: Actor, partner: { id: string; orgUnitId: string }): boolean {
    return canManagePartner(actor, partner);
  }

  // ---------- partner writes ----------

  create(actor: Actor, input: CreatePartnerInput): Promise<PartnerEntity> {
    return this.tx.run(async (manager) => {
      await this.assertOrgUnitWritable(manager, actor, input.orgUnitId);
      this.checkBlacklist(input.blacklisted, input.blacklistReason);
      const now = this.clock.now();
      const partner: PartnerEntity = {
        id: newId(),
        code: input.code,
        kind: input.kind,
        nameZh: input.nameZh.trim(),
        nameEn: input.nameEn?.trim() || null,
        uscc: checkedUscc(input.uscc),
        status: PartnerStatus.PROSPECT,
        orgUnitId: input.orgUnitId,
        relationshipManagerId: input.relationshipManagerId ?? null,
        tier: input.tier ?? null,
        riskRating: input.riskRating ?? null,
        relatedParty: input.relatedParty,
        blacklisted: input.blacklisted,
        blacklistReason: input.blacklisted ? (input.blacklistReason ?? null) : null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await manager.insert(PartnerEntity, partner);
      await this.replaceChildren(manager, partner.id, input.contacts, input.qualifications);
      await this.audit.record(manager, actor, {
        action: 'partner.create',
        entityType: 'Partner',
        entityId: partner.id,
        after: { ...partner, contacts: input.contacts.length, qualifications: input.qualifications },
      });
      return partner;
    });
  }

  update(actor: Actor, input: UpdatePartnerInput): Promise<PartnerEntity> {
    return this.tx.run(async (manager) => {
      const before = await this.requireManageable(manager, actor, input.id, 'id');
      if (before.version !== input.version) {
        throw conflict(
          'STALE_VERSION',
          `Partner was changed by someone else (version ${before.version}, you sent ${input.version})`,
          { field: 'version', currentVersion: before.version },
        );
      }
      if (input.orgUnitId !== undefined && input.orgUnitId !== before.orgUnitId)
        await this.assertOrgUnitWritable(manager, actor, input.orgUnitId, 'orgUnitId');
      const after: PartnerEntity = {
        ...before,
        kind: input.kind ?? before.kind,
        nameZh: input.nameZh?.trim() ?? before.nameZh,
        nameEn: input.nameEn !== undefined ? input.nameEn.trim() || null : before.nameEn,
        uscc: input.uscc !== undefined ? checkedUscc(input.uscc) : before.uscc,
        orgUnitId: input.orgUnitId ?? before.orgUnitId,
        relationshipManagerId: input.relationshipManagerId ?? before.relationshipManagerId,
        tier: input.tier ?? before.tier,
        riskRating: input.riskRating ?? before.riskRating,
        relatedParty: input.relatedParty ?? before.relatedParty,
        blacklisted: input.blacklisted ?? before.blacklisted,
        blacklistReason: input.blacklistReason !== undefined ? input.blacklistReason : before.blacklistReason,
        version: before.version + 1,
        updatedAt: this.clock.now(),
      };
      if (!after.blacklisted) after.blacklistReason = null;
      this.checkBlacklist(after.blacklisted, after.blacklistReason ?? undefined);
      await this.saveVersioned(manager, before, after);
      if (input.contacts !== undefined || input.qualifications !== undefined) {
        await this.replaceChildren(manager, before.id, input.contacts, input.qualifications);
      }
      await this.audit.record(manager, actor, {
        action: 'partner.update',
        entityType: 'Partner',
        entityId: before.id,
        before,
        after,
      });
      return after;
    });
  }

  transition(actor: Actor, input: TransitionPartnerInput): Promise<PartnerEntity> {
    return this.tx.run(async (manager) => {
      const before = await this.requireManageable(manager, actor, input.id, 'id');
      const from = before.status as PartnerStatus;
      if (!PARTNER_TRANSITIONS[from].includes(input.to)) {
        throw conflict('PARTNER_STATUS_TRANSITION', `A partner cannot move from ${from} to ${input.to}`, {
          from,
          to: input.to,
        });
      }
      if (input.to === PartnerStatus.ACTIVE && before.blacklisted) {
        throw conflict('PARTNER_BLACKLISTED', 'A blacklisted partner cannot be activated', { from, to: input.to });
      }
      const after: PartnerEntity = {
        ...before,
        status: input.to,
        version: before.version + 1,
        updatedAt: this.clock.now(),
      };
      await this.saveVersioned(manager, before, after);
      await this.audit.record(manager, actor, {
        action: 'partner.transition',
        entityType: 'Partner',
        entityId: before.id,
        before: { status: from },
        after: { status: input.to, reason: input.reason ?? null },
      });
      return after;
    });
  }

  // ---------- agreement writes ----------

  createAgreement(actor: Actor, input: CreateAgreementInput): Promise<AgreementEntity> {
    return this.tx.run(async (manager) => {
      await this.requireManageable(manager, actor, input.partnerId);
      this.checkValidity(input.validFrom, input.validTo, input.signedOn);
      const now = this.clock.now();
      const agreement: AgreementEntity = {
        id: newId(),
        partnerId: input.partnerId,
        code: input.code,
        title: input.title.trim(),
        cooperationModes: [...new Set(input.cooperationModes)],
        signedOn: input.signedOn ?? null,
        validFrom: input.validFrom,
        validTo: input.validTo,
        status: AgreementStatus.DRAFT,
        documents: input.documents.map((d) => ({ name: d.name, uri: d.uri, sha256: d.sha256 ?? null })),
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      if (agreement.cooperationModes.length === 0)
        throw badInput('cooperationModes', 'at least one cooperation mode is required');
      await manager.insert(AgreementEntity, agreement);
      await this.audit.record(manager, actor, {
        action: 'agreement.create',
        entityType: 'Agreement',
        entityId: agreement.id,
        after: agreement,
      });
      return agreement;
    });
  }

  updateAgreement(actor: Actor, input: UpdateAgreementInput): Promise<AgreementEntity> {
    return this.tx.run(async (manager) => {
      const before = await manager.findOneBy(AgreementEntity, { id: input.id });
      if (!before) throw notFound('Agreement', input.id);
      await this.requireManageable(manager, actor, before.partnerId, 'id');
      if (before.version !== input.version) {
        throw conflict('STALE_VERSION', `Agreement was changed by someone else (version ${before.version})`, {
          field: 'version',
          currentVersion: before.version,
        });
      }
      const status = input.status ?? (before.status as AgreementStatus);
      if (
        status !== (before.status as AgreementStatus) &&
        !AGREEMENT_TRANSITIONS[before.status as AgreementStatus].includes(status)
      ) {
        throw conflict('AGREEMENT_STATUS_TRANSITION', `An agreement cannot move from ${before.status} to ${status}`, {
          from: before.status,
          to: status,
        });
      }
      const after: AgreementEntity = {
        ...before,
        title: input.title?.trim() ?? before.title,
        cooperationModes: input.cooperationModes ? [...new Set(input.cooperationModes)] : before.cooperationModes,
        signedOn: input.signedOn ?? before.signedOn,
        validFrom: input.validFrom ?? before.validFrom,
        validTo: input.validTo ?? before.validTo,
        status,
        documents: input.documents
          ? input.documents.map((d) => ({ name: d.name, uri: d.uri, sha256: d.sha256 ?? null }))
          : before.documents,
        version: before.version + 1,
        updatedAt: this.clock.now(),
      };
      if (after.cooperationModes.length === 0)
        throw badInput('cooperationModes', 'at least one cooperation mode is required');
      this.checkValidity(after.validFrom, after.validTo, after.signedOn ?? undefined);
      await updateIfVersion(manager, AgreementEntity, 'Agreement', before, {
        title: after.title,
        cooperationModes: after.cooperationModes,
        signedOn: after.signedOn,
        validFrom: after.validFrom,
        validTo: after.validTo,
        status: after.status,
        documents: after.documents,
        version: after.version,
        updatedAt: after.updatedAt,
      });
      await this.audit.record(manager, actor, {
        action: 'agreement.update',
        entityType: 'Agreement',
        entityId: before.id,
        before,
        after,
      });
      return after;
    });
  }

  // ---------- helpers ----------

  private checkValidity(validFrom: string, validTo: string, signedOn: string | undefined): void {
    checkedDate(validFrom, 'validFrom');
    checkedDate(validTo, 'validTo');
    checkedDate(signedOn, 'signedOn');
    if (validFrom > validTo)
      throw badInput('validTo', 'VALID_TO_BEFORE_VALID_FROM', 'validTo must not be before validFrom');
  }

  private checkBlacklist(blacklisted: boolean, reason: string | undefined): void {
    if (blacklisted && (!reason || reason.trim() === ''))
      throw badInput('blacklistReason', 'a blacklisted partner needs a reason');
  }

  private async assertOrgUnitWritable(
    manager: EntityManager,
    actor: Actor,
    orgUnitId: string,
    field = 'orgUnitId',
  ): Promise<void> {
    const unit = await manager.findOneBy(OrgUnitEntity, { id: orgUnitId });
    if (!unit) throw badInput(field, 'NOT_FOUND', `Org unit ${orgUnitId} does not exist`);
    if (actor.orgScope !== null && !actor.orgScope.includes(orgUnitId))
      throw forbidden('That org unit is outside your scope');
  }

  /** Conditional on the version read, so two concurrent editors cannot both win. */
  private async saveVersioned(manager: EntityManager, before: PartnerEntity, after: PartnerEntity): Promise<void> {
    const { id: _id, createdAt: _created, ...changes } = after;
    await updateIfVersion(manager, PartnerEntity, 'Partner', before, changes);
  }

  private async replaceChildren(
    manager: EntityManager,
    partnerId: string,
    contacts: PartnerContactInput[] | undefined,
    qualifications: PartnerQualificationInput[] | undefined,
  ): Promise<void> {
    if (contacts !== undefined) {
      await manager.delete(PartnerContactEntity, { partnerId });
      if (contacts.length > 0) {
        await manager.insert(
          PartnerContactEntity,
          contacts.map((c, position) => ({
            id: newId(),
            partnerId,
            name: c.name,
            role: c.role ?? null,
            phone: c.phone ?? null,
            email: c.email ?? null,
            position,
          })),
        );
      }
    }
    if (qualifications !== undefined) {
      qualifications.forEach((q, i) => checkedDate(q.expiresOn, `qualifications.${i}.expiresOn`));
      await manager.delete(PartnerQualificationEntity, { partnerId });
      if (qualifications.length > 0) {
        await manager.insert(
          PartnerQualificationEntity,
          qualifications.map((q) => ({
            id: newId(),
            partnerId,
            type: q.type,
            number: q.number,
            expiresOn: q.expiresOn ?? null,
          })),
        );
      }
    }
  }
}
