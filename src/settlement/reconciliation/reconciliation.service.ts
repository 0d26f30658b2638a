import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Actor } from '../../auth/actor';
import { applyPartnerScope, assertCanReadPartner } from '../../auth/access';
import { AuditService } from '../../audit/audit.service';
import { businessDateOf } from '../../common/business-time';
import { Clock } from '../../common/clock';
import { badInput, conflict, DomainError, notFound } from '../../common/domain-error';
import { Money } from '../../common/money';
import { POSTABLE_PERIOD_STATUSES } from '../../commissions/commission.enums';
import { CommissionAccrualEntity } from '../../commissions/entities/commission-accrual.entity';
import { CommissionPeriodEntity } from '../../commissions/entities/commission-period.entity';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { CustomerEntity } from '../../customers/entities/customer.entity';
import { CustomerEventEntity } from '../../customers/entities/customer-event.entity';
import { newId } from '../../database/columns';
import { isSqlite } from '../../database/data-source';
import { TransactionService } from '../../database/transaction.service';
import { uniqueViolationOf } from '../../database/unique-violation';
import { ConnectionResult, PageArgs, paginate } from '../../graphql/connection';
import { chunk } from '../../graphql/loaders';
import { PartnerEntity } from '../../partners/entities/partner.entity';
import { ProgramEntity } from '../../programs/entities/program.entity';
import {
  ClaimColumnMapping,
  ClaimRowError,
  RECONCILIATION_OUTCOMES,
  ReconcilableLine,
  readClaimFile,
  reconcile,
} from '../claims';
import { SettlementStatementEntity } from '../entities/settlement.entities';
import { decideOnce } from '../four-eyes';
import { SettlementService } from '../settlement.service';
import { StatementStatus } from '../settlement.enums';
import {
  AdjustmentsFilter,
  ClaimMappingInput,
  CommentOnDisputeInput,
  DisputesFilter,
  ImportPartnerClaimInput,
  PrepareAdjustmentInput,
  RaiseDisputeInput,
  ReconciliationRowsFilter,
  RejectDisputeInput,
  ResolveDisputeInput,
} from './dto/reconciliation.inputs';
import {
  SettlementAdjustmentEntity,
  SettlementClaimEntity,
  SettlementClaimMappingEntity,
  SettlementClaimRowEntity,
  SettlementDisputeCommentEntity,
  SettlementDisputeEntity,
  SettlementReconciliationEntity,
  SettlementReconciliationRowEntity,
  StoredOutcomeSummary,
} from './entities/reconciliation.entities';
import {
  ADJUSTMENT_KIND,
  ADJUSTMENT_RULE_ID,
  AdjustmentStatus,
  DisputeSide,
  DisputeStatus,
} from './reconciliation.enums';

export interface ClaimImportResult {
  claim: SettlementClaimEntity;
  reconciliation: SettlementReconciliationEntity;
  issues: ClaimRowError[];
}

/** A statement's ledger lines behind one reference, as reconciliation matches them. */
interface BankLine extends ReconcilableLine {
  programId: string;
  accrualIds: string[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function sideOf(actor: Actor): DisputeSide {
  return actor.partnerId !== null ? DisputeSide.PARTNER : DisputeSide.BANK;
}

function mappingOf(input: ClaimMappingInput): ClaimColumnMapping {
  const out: ClaimColumnMapping = { reference: input.reference.trim(), amount: input.amount.trim() };
  for (const k of ['referenceKind', 'customerRef', 'eventId', 'description'] as const) {
    const v = input[k]?.trim();
    if (v) out[k] = v;
  }
  return out;
}

/**
 * Claims and their reconciliation against a statement's ledger lines, disputes with comments from both
 * sides, and four-eyes adjustments posted to the ledger of the next open period.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly statements: SettlementService,
  ) {}

  // ---------- claim mappings ----------

  private async visiblePartner(manager: EntityManager, actor: Actor, partnerId: string): Promise<PartnerEntity> {
    const partner = await manager.findOneBy(PartnerEntity, { id: partnerId });
    if (!partner) throw notFound('Partner', partnerId);
    assertCanReadPartner(actor, partner);
    return partner;
  }

  async getMapping(actor: Actor, partnerId: string): Promise<SettlementClaimMappingEntity | null> {
    await this.visiblePartner(this.dataSource.manager, actor, partnerId);
    return this.dataSource.getRepository(SettlementClaimMappingEntity).findOneBy({ partnerId });
  }

  setMapping(actor: Actor, partnerId: string, input: ClaimMappingInput): Promise<SettlementClaimMappingEntity> {
    const mapping = mappingOf(input);
    return this.tx.run(async (manager) => {
      await this.visiblePartner(manager, actor, partnerId);
      await this.saveMapping(manager, actor, partnerId, mapping);
      return manager.findOneByOrFail(SettlementClaimMappingEntity, { partnerId });
    });
  }

  private async saveMapping(
    manager: EntityManager,
    actor: Actor,
    partnerId: string,
    mapping: ClaimColumnMapping,
  ): Promise<void> {
    const now = this.clock.now();
    const existing = await manager.findOneBy(SettlementClaimMappingEntity, { partnerId });
    if (existing) {
      const result = await manager
        .createQueryBuilder()
        .update(SettlementClaimMappingEntity)
        .set({ mapping, updatedById: actor.id, updatedAt: now, version: () => 'version + 1' })
        .where('id = :id AND version = :version', { id: existing.id, version: existing.version })
        .execute();
      if (result.affected !== 1) throw conflict('STALE_VERSION', 'The claim mapping was changed by someone else');
    } else {
      await manager.insert(SettlementClaimMappingEntity, {
        id: newId(),
        partnerId,
        mapping,
        updatedById: actor.id,
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
    }
    await this.audit.record(manager, actor, {
      action: 'claimMapping.set',
      entityType: 'Partner',
      entityId: partnerId,
      before: existing?.mapping ?? null,
      after: mapping,
    });
  }

  // ---------- claims and reconciliation ----------

  /**
   * Reads the file, reconciles it against the statement's ledger lines and, in one transaction, stores
   * the claim, its rows and the reconciliation rows and makes them the statement's current
   * reconciliation. Any invalid row rejects the whole file with every row's problem; nothing is stored.
   */
  async importClaim(actor: Actor, input: ImportPartnerClaimInput): Promise<ClaimImportResult> {
    const statement = await this.statements.get(actor, input.statementId);
    const saved = await this.dataSource
      .getRepository(SettlementClaimMappingEntity)
      .findOneBy({ partnerId: statement.partnerId });
    const mapping = input.mapping ? mappingOf(input.mapping) : saved?.mapping;
    if (!mapping) throw badInput('mapping', 'REQUIRED', 'No mapping given and none saved for this partner');
    const base64 = input.contentBase64.replace(/\s+/g, '');
    if (!BASE64.test(base64) || base64.length % 4 !== 0) throw badInput('contentBase64', 'NOT_BASE64');
    const buf = Buffer.from(base64, 'base64');
    const file = await readClaimFile(buf, { format: input.format, mapping, currency: statement.currency });
    const invalid = file.errors.filter((e) => e.reason !== 'DUPLICATE_REFERENCE');
    if (invalid.length > 0)
      throw new DomainError('BAD_USER_INPUT', `${invalid.length} row(s) of the claim file are invalid`, {
        field: 'contentBase64',
        reason: 'INVALID_ROWS',
        rows: invalid,
      });
    if (file.rows.length === 0) throw badInput('contentBase64', 'NO_ROWS', 'The claim file has no rows');
    const lines = await this.statementLines(statement);
    const result = reconcile(lines, file.rows, statement.currency);

    const now = this.clock.now();
    const claim: SettlementClaimEntity = {
      id: newId(),
      statementId: statement.id,
      partnerId: statement.partnerId,
      format: input.format,
      encoding: file.encoding,
      fileName: input.fileName?.trim() || null,
      fileSha256: createHash('sha256').update(buf).digest('hex'),
      mapping,
      rowCount: file.rows.length,
      importedById: actor.id,
      createdAt: now,
    };
    const claimRowIdByLine = new Map<number, string>();
    const claimRows = file.rows.map((r): SettlementClaimRowEntity => {
      const id = newId();
      claimRowIdByLine.set(r.line, id);
      return {
        id,
        claimId: claim.id,
        line: r.line,
        reference: r.reference.slice(0, 128),
        referenceKind: r.referenceKind,
        customerRef: r.customerRef?.slice(0, 64) ?? null,
        eventId: r.eventId?.slice(0, 64) ?? null,
        description: r.description,
        amount: r.amount.minor,
        currency: r.amount.currency,
        raw: r.raw,
      };
    });
    const recRows = result.items.map((it, i): SettlementReconciliationRowEntity => {
      const line = it.line as BankLine | null;
      return {
        id: newId(),
        claimId: claim.id,
        statementId: statement.id,
        position: i + 1,
        outcome: it.outcome,
        reference: it.reference.slice(0, 128),
        claimRowId: it.claim ? (claimRowIdByLine.get(it.claim.line) ?? null) : null,
        claimLine: it.claim?.line ?? null,
        programId: line?.programId ?? null,
        accrualIds: line?.accrualIds ?? [],
        customerRef: line?.customerRef ?? it.claim?.customerRef?.slice(0, 64) ?? null,
        eventId: line?.eventId ?? it.claim?.eventId?.slice(0, 64) ?? null,
        bankAmount: it.bankAmount.minor,
        claimAmount: it.claimAmount.minor,
        difference: it.difference.minor,
        currency: statement.currency,
        reason: it.reason.slice(0, 64),
      };
    });
    const summary: Record<string, StoredOutcomeSummary> = {};
    for (const o of RECONCILIATION_OUTCOMES) {
      const s = result.summary[o];
      summary[o] = {
        count: s.count,
        bankTotal: s.bankTotal.minor.toString(),
        claimTotal: s.claimTotal.minor.toString(),
        difference: s.difference.minor.toString(),
      };
    }
    const totals = {
      claimId: claim.id,
      summary,
      bankTotal: result.summary.bankTotal.minor,
      claimTotal: result.summary.claimTotal.minor,
      difference: result.summary.difference.minor,
      currency: statement.currency,
      balanced: result.summary.balanced,
    };

    try {
      const reconciliation = await this.tx.run(async (manager) => {
        await manager.insert(SettlementClaimEntity, claim);
        for (const part of chunk(claimRows, 200)) await manager.insert(SettlementClaimRowEntity, part);
        for (const part of chunk(recRows, 200)) await manager.insert(SettlementReconciliationRowEntity, part);
        const existing = await manager.findOneBy(SettlementReconciliationEntity, { statementId: statement.id });
        if (existing) {
          const updated = await manager
            .createQueryBuilder()
            .update(SettlementReconciliationEntity)
            .set({ ...totals, updatedAt: now, version: () => 'version + 1' })
            .where('id = :id AND version = :version', { id: existing.id, version: existing.version })
            .execute();
          if (updated.affected !== 1)
            throw conflict('STALE_VERSION', 'Another claim import for this statement finished first');
        } else {
          await manager.insert(SettlementReconciliationEntity, {
            id: newId(),
            statementId: statement.id,
            ...totals,
            version: 1,
            createdAt: now,
            updatedAt: now,
          });
        }
        if (input.mapping && input.saveMapping) await this.saveMapping(manager, actor, statement.partnerId, mapping);
        await this.audit.record(manager, actor, {
          action: 'claim.import',
          entityType: 'Statement',
          entityId: statement.id,
          before: existing ? { claimId: existing.claimId } : null,
          after: {
            claimId: claim.id,
            encoding: claim.encoding,
            fileSha256: claim.fileSha256,
            rows: claim.rowCount,
            summary,
          },
        });
        return manager.findOneByOrFail(SettlementReconciliationEntity, { statementId: statement.id });
      });
      return { claim, reconciliation, issues: file.errors };
    } catch (error) {
      if (uniqueViolationOf(error))
        throw conflict('STALE_VERSION', 'Another claim import for this statement finished first');
      throw error;
    }
  }

  /**
   * The statement's ledger lines (the partner's rows posted in the statement's period) grouped by the
   * reference a partner quotes: the event's own id for event commissions, the referral id for referral
   * commissions, the adjustment id for adjustments. Reversals and revisions net into their reference,
   * so the lines add up to the statement total to the fen. A customer number identifies a line only
   * when that customer has exactly one line (otherwise a claim by customer would be ambiguous).
   */
  async statementLines(statement: SettlementStatementEntity): Promise<BankLine[]> {
    const rows = await this.dataSource.getRepository(CommissionAccrualEntity).find({
      where: { periodId: statement.periodId, partnerId: statement.partnerId },
      order: { id: 'ASC' },
    });
    const eventIds = [...new Set(rows.filter((r) => r.sourceKind === 'EVENT').map((r) => r.sourceIds[0] ?? ''))].filter(
      (id) => id !== '',
    );
    const externalOf = new Map<string, string>();
    for (const part of chunk(eventIds))
      for (const e of await this.dataSource
        .getRepository(CustomerEventEntity)
        .find({ select: { id: true, externalId: true }, where: { id: In(part) } }))
        externalOf.set(e.id, e.externalId);
    const customerIds = [...new Set(rows.map((r) => r.customerId).filter((id): id is string => id !== null))];
    const numberOf = new Map<string, string>();
    for (const part of chunk(customerIds))
      for (const c of await this.dataSource
        .getRepository(CustomerEntity)
        .find({ select: { id: true, customerNumber: true }, where: { id: In(part) } }))
        numberOf.set(c.id, c.customerNumber);

    interface Group {
      ref: string;
      eventId: string | null;
      programId: string;
      rules: Set<string>;
      customers: Set<string>;
      accrualIds: string[];
      amount: bigint;
    }
    const groups = new Map<string, Group>();
    for (const r of rows) {
      const source = r.sourceIds[0] ?? r.id;
      const eventId = r.sourceKind === 'EVENT' ? (externalOf.get(source) ?? source) : null;
      const ref = eventId ?? source;
      const key = ref.trim().toUpperCase();
      const g = groups.get(key) ?? {
        ref,
        eventId,
        programId: r.programId,
        rules: new Set<string>(),
        customers: new Set<string>(),
        accrualIds: [],
        amount: 0n,
      };
      g.rules.add(r.ruleId);
      if (r.customerId) g.customers.add(r.customerId);
      g.accrualIds.push(r.id);
      g.amount += r.amount;
      groups.set(key, g);
    }
    const linesOfCustomer = new Map<string, number>();
    for (const g of groups.values())
      for (const c of g.customers) linesOfCustomer.set(c, (linesOfCustomer.get(c) ?? 0) + 1);
    return [...groups.values()].map((g): BankLine => {
      const [only] = [...g.customers];
      const customerRef =
        g.customers.size === 1 && only !== undefined && linesOfCustomer.get(only) === 1
          ? (numberOf.get(only) ?? null)
          : null;
      return {
        ref: g.ref,
        program: g.programId,
        rule: [...g.rules].sort().join(','),
        description: `${g.accrualIds.length} ledger line(s)`,
        amount: Money.ofMinor(g.amount, statement.currency),
        customerRef,
        eventId: g.eventId,
        programId: g.programId,
        accrualIds: g.accrualIds,
      };
    });
  }

  async currentReconciliation(
    actor: Actor,
    statementId: string,
  ): Promise<{ reconciliation: SettlementReconciliationEntity; claim: SettlementClaimEntity } | null> {
    await this.statements.get(actor, statementId);
    const reconciliation = await this.dataSource
      .getRepository(SettlementReconciliationEntity)
      .findOneBy({ statementId });
    if (!reconciliation) return null;
    const claim = await this.dataSource
      .getRepository(SettlementClaimEntity)
      .findOneByOrFail({ id: reconciliation.claimId });
    return { reconciliation, claim };
  }

  /** Rows of the statement's current reconciliation; the caller has been allowed to read the statement. */
  rows(
    claimId: string,
    filter: ReconciliationRowsFilter,
    page: PageArgs,
  ): Promise<ConnectionResult<SettlementReconciliationRowEntity>> {
    const q = this.dataSource
      .getRepository(SettlementReconciliationRowEntity)
      .createQueryBuilder('r')
      .where('r.claimId = :claimId', { claimId });
    if (filter.outcomes?.length) q.andWhere('r.outcome IN (:...outcomes)', { outcomes: filter.outcomes });
    return paginate(q, page, (r) => r);
  }

  // ---------- disputes ----------

  /** A dispute the actor may see: its statement must be visible (partner users: their own, never DRAFT). */
  async getDispute(actor: Actor, id: string, manager = this.dataSource.manager): Promise<SettlementDisputeEntity> {
    const dispute = await manager.findOneBy(SettlementDisputeEntity, { id });
    if (!dispute) throw notFound('Dispute', id);
    try {
      await this.statements.get(actor, dispute.statementId);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') throw notFound('Dispute', id);
      throw error;
    }
    return dispute;
  }

  listDisputes(
    actor: Actor,
    filter: DisputesFilter,
    page: PageArgs,
  ): Promise<ConnectionResult<SettlementDisputeEntity>> {
    const q = this.dataSource.getRepository(SettlementDisputeEntity).createQueryBuilder('d');
    applyPartnerScope(q, actor, 'd.partnerId');
    if (actor.partnerId !== null)
      q.andWhere('d.statement_id IN (SELECT vs.id FROM settlement_statements vs WHERE vs.status <> :draftStatus)', {
        draftStatus: StatementStatus.DRAFT,
      });
    if (filter.statementIds?.length) q.andWhere('d.statementId IN (:...sids)', { sids: filter.statementIds });
    if (filter.partnerIds?.length) q.andWhere('d.partnerId IN (:...pids)', { pids: filter.partnerIds });
    if (filter.statuses?.length) q.andWhere('d.status IN (:...statuses)', { statuses: filter.statuses });
    return paginate(q, page, (r) => r);
  }

  /** Comments of disputes the caller has already been allowed to read, oldest first. */
  commentsOf(disputeIds: readonly string[]): Promise<SettlementDisputeCommentEntity[]> {
    return this.dataSource
      .getRepository(SettlementDisputeCommentEntity)
      .find({ where: { disputeId: In([...disputeIds]) }, order: { id: 'ASC' } });
  }

  async raiseDispute(actor: Actor, input: RaiseDisputeInput): Promise<SettlementDisputeEntity> {
    const statement = await this.statements.get(actor, input.statementId);
    const reason = input.reason.trim();
    if (reason === '') throw badInput('reason', 'REQUIRED');
    if (input.reconciliationRowId) {
      const row = await this.dataSource
        .getRepository(SettlementReconciliationRowEntity)
        .findOneBy({ id: input.reconciliationRowId, statementId: statement.id });
      if (!row) throw badInput('reconciliationRowId', 'NOT_OF_STATEMENT');
    }
    return this.tx.run(async (manager) => {
      const now = this.clock.now();
      const dispute: SettlementDisputeEntity = {
        id: newId(),
        statementId: statement.id,
        partnerId: statement.partnerId,
        reconciliationRowId: input.reconciliationRowId ?? null,
        status: DisputeStatus.OPEN,
        reason,
        raisedById: actor.id,
        raisedBySide: sideOf(actor),
        adjustmentId: null,
        decidedById: null,
        decidedAt: null,
        decisionReason: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await manager.insert(SettlementDisputeEntity, dispute as QueryDeepPartialEntity<SettlementDisputeEntity>);
      await this.audit.record(manager, actor, {
        action: 'dispute.raise',
        entityType: 'Dispute',
        entityId: dispute.id,
        after: dispute,
      });
      return dispute;
    });
  }

  async comment(actor: Actor, input: CommentOnDisputeInput): Promise<SettlementDisputeCommentEntity> {
    const body = input.body.trim();
    if (body === '') throw badInput('body', 'REQUIRED');
    await this.getDispute(actor, input.disputeId);
    return this.tx.run(async (manager) => {
      const dispute = await manager.findOneByOrFail(SettlementDisputeEntity, { id: input.disputeId });
      if ((dispute.status as DisputeStatus) !== DisputeStatus.OPEN)
        throw conflict('DISPUTE_CLOSED', `The dispute is ${dispute.status}`, { field: 'disputeId' });
      const comment: SettlementDisputeCommentEntity = {
        id: newId(),
        disputeId: dispute.id,
        authorId: actor.id,
        authorSide: sideOf(actor),
        body,
        createdAt: this.clock.now(),
      };
      await manager.insert(
        SettlementDisputeCommentEntity,
        comment as QueryDeepPartialEntity<SettlementDisputeCommentEntity>,
      );
      await this.audit.record(manager, actor, {
        action: 'dispute.comment',
        entityType: 'Dispute',
        entityId: dispute.id,
        after: { commentId: comment.id, side: comment.authorSide },
      });
      return comment;
    });
  }

  async resolveDispute(actor: Actor, input: ResolveDisputeInput): Promise<SettlementDisputeEntity> {
    await this.getDispute(actor, input.disputeId);
    return this.tx.run(async (manager) => {
      const dispute = await manager.findOneByOrFail(SettlementDisputeEntity, { id: input.disputeId });
      const adjustment = await manager.findOneBy(SettlementAdjustmentEntity, { id: input.adjustmentId });
      if (!adjustment || adjustment.partnerId !== dispute.partnerId) throw badInput('adjustmentId', 'NOT_OF_PARTNER');
      if ((adjustment.status as AdjustmentStatus) !== AdjustmentStatus.APPROVED)
        throw badInput('adjustmentId', 'NOT_APPROVED');
      if (adjustment.disputeId !== null && adjustment.disputeId !== dispute.id)
        throw badInput('adjustmentId', 'SETTLES_ANOTHER_DISPUTE');
      return this.decideDispute(manager, actor, dispute, {
        status: DisputeStatus.RESOLVED,
        adjustmentId: adjustment.id,
        decisionReason: input.note?.trim() || null,
      });
    });
  }

  async rejectDispute(actor: Actor, input: RejectDisputeInput): Promise<SettlementDisputeEntity> {
    const reason = input.reason.trim();
    if (reason === '') throw badInput('reason', 'REQUIRED');
    await this.getDispute(actor, input.disputeId);
    return this.tx.run(async (manager) => {
      const dispute = await manager.findOneByOrFail(SettlementDisputeEntity, { id: input.disputeId });
      return this.decideDispute(manager, actor, dispute, { status: DisputeStatus.REJECTED, decisionReason: reason });
    });
  }

  /** OPEN → RESOLVED / REJECTED with one conditional UPDATE: of two racing deciders exactly one wins. */
  private async decideDispute(
    manager: EntityManager,
    actor: Actor,
    dispute: SettlementDisputeEntity,
    changes: Partial<SettlementDisputeEntity>,
  ): Promise<SettlementDisputeEntity> {
    const closed = (): DomainError =>
      conflict('DISPUTE_CLOSED', `The dispute is ${dispute.status}`, { field: 'disputeId' });
    if ((dispute.status as DisputeStatus) !== DisputeStatus.OPEN) throw closed();
    let result;
    try {
      result = await manager
        .createQueryBuilder()
        .update(SettlementDisputeEntity)
        .set({
          ...changes,
          decidedById: actor.id,
          decidedAt: this.clock.now(),
          updatedAt: this.clock.now(),
          version: () => 'version + 1',
        })
        .where('id = :id AND status = :open', { id: dispute.id, open: DisputeStatus.OPEN })
        .execute();
    } catch (error) {
      if (uniqueViolationOf(error)) throw badInput('adjustmentId', 'SETTLES_ANOTHER_DISPUTE');
      throw error;
    }
    if (result.affected !== 1) throw closed();
    await this.audit.record(manager, actor, {
      action: changes.status === DisputeStatus.RESOLVED ? 'dispute.resolve' : 'dispute.reject',
      entityType: 'Dispute',
      entityId: dispute.id,
      before: { status: dispute.status },
      after: changes,
    });
    return manager.findOneByOrFail(SettlementDisputeEntity, { id: dispute.id });
  }

  // ---------- adjustments ----------

  private async visibleAdjustment(
    manager: EntityManager,
    actor: Actor,
    id: string,
  ): Promise<SettlementAdjustmentEntity> {
    const adjustment = await manager.findOneBy(SettlementAdjustmentEntity, { id });
    if (!adjustment) throw notFound('Adjustment', id);
    const partner = await manager.findOneByOrFail(PartnerEntity, { id: adjustment.partnerId });
    assertCanReadPartner(actor, partner, 'Adjustment', id);
    if (actor.partnerId !== null && (adjustment.status as AdjustmentStatus) !== AdjustmentStatus.APPROVED)
      throw notFound('Adjustment', id);
    return adjustment;
  }

  getAdjustment(actor: Actor, id: string): Promise<SettlementAdjustmentEntity> {
    return this.visibleAdjustment(this.dataSource.manager, actor, id);
  }

  listAdjustments(
    actor: Actor,
    filter: AdjustmentsFilter,
    page: PageArgs,
  ): Promise<ConnectionResult<SettlementAdjustmentEntity>> {
    const q = this.dataSource.getRepository(SettlementAdjustmentEntity).createQueryBuilder('a');
    applyPartnerScope(q, actor, 'a.partnerId');
    if (actor.partnerId !== null) q.andWhere('a.status = :approved', { approved: AdjustmentStatus.APPROVED });
    if (filter.partnerIds?.length) q.andWhere('a.partnerId IN (:...pids)', { pids: filter.partnerIds });
    if (filter.statuses?.length) q.andWhere('a.status IN (:...statuses)', { statuses: filter.statuses });
    return paginate(q, page, (r) => r);
  }

  async prepareAdjustment(actor: Actor, input: PrepareAdjustmentInput): Promise<SettlementAdjustmentEntity> {
    const amount = Money.parse(input.amount.amount, input.amount.currency ?? this.config.defaultCurrency, 'amount');
    if (amount.isZero()) throw badInput('amount', 'ZERO');
    const reason = input.reason.trim();
    if (reason === '') throw badInput('reason', 'REQUIRED');
    return this.tx.run(async (manager) => {
      const partner = await this.visiblePartner(manager, actor, input.partnerId);
      let programId = input.programId ?? null;
      if (input.disputeId) {
        const dispute = await this.getDispute(actor, input.disputeId, manager);
        if (dispute.partnerId !== partner.id) throw badInput('disputeId', 'NOT_OF_PARTNER');
        if ((dispute.status as DisputeStatus) !== DisputeStatus.OPEN) throw badInput('disputeId', 'DISPUTE_CLOSED');
        if (programId === null && dispute.reconciliationRowId) {
          const row = await manager.findOneByOrFail(SettlementReconciliationRowEntity, {
            id: dispute.reconciliationRowId,
          });
          programId = row.programId;
        }
      }
      if (programId === null)
        throw badInput('programId', 'REQUIRED', 'Name the program the adjustment is booked under');
      const program = await manager.findOneBy(ProgramEntity, { id: programId });
      if (!program || program.partnerId !== partner.id) throw badInput('programId', 'NOT_OF_PARTNER');
      const now = this.clock.now();
      const adjustment: SettlementAdjustmentEntity = {
        id: newId(),
        partnerId: partner.id,
        programId: program.id,
        disputeId: input.disputeId ?? null,
        amount: amount.minor,
        currency: amount.currency,
        reason,
        status: AdjustmentStatus.PREPARED,
        preparedById: actor.id,
        preparedAt: now,
        approvedById: null,
        approvedAt: null,
        rejectedById: null,
        rejectedAt: null,
        rejectReason: null,
        postedPeriodId: null,
        accrualId: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await manager.insert(
        SettlementAdjustmentEntity,
        adjustment as QueryDeepPartialEntity<SettlementAdjustmentEntity>,
      );
      await this.audit.record(manager, actor, {
        action: 'adjustment.prepare',
        entityType: 'Adjustment',
        entityId: adjustment.id,
        after: adjustment,
      });
      return adjustment;
    });
  }

  /**
   * PREPARED → APPROVED by someone other than the preparer (a conditional UPDATE; the table's CHECK
   * refuses it too), then posted in the same transaction as an ADJUSTMENT row of the commission ledger
   * in the earliest open period (after the disputed statement's period, if any) — never in a closed
   * one. A dispute it settles is resolved with it.
   */
  approveAdjustment(actor: Actor, id: string): Promise<SettlementAdjustmentEntity> {
    return this.tx.run(async (manager) => {
      const before = await this.decideAdjustment(manager, actor, id, {
        status: AdjustmentStatus.APPROVED,
        approvedById: actor.id,
        approvedAt: this.clock.now(),
      });
      let afterKey: string | null = null;
      let dispute: SettlementDisputeEntity | null = null;
      if (before.disputeId) {
        dispute = await manager.findOneByOrFail(SettlementDisputeEntity, { id: before.disputeId });
        if ((dispute.status as DisputeStatus) !== DisputeStatus.OPEN)
          throw conflict('DISPUTE_CLOSED', `The dispute it settles is ${dispute.status}`, { field: 'id' });
        const statement = await manager.findOneByOrFail(SettlementStatementEntity, { id: dispute.statementId });
        afterKey = (await manager.findOneByOrFail(CommissionPeriodEntity, { id: statement.periodId })).periodKey;
      }
      const period = await this.postingPeriod(manager, afterKey);
      const today = businessDateOf(this.clock.now(), this.config.bankTimeZone);
      const idempotencyKey = `ADJ|${before.id}`;
      const accrual: CommissionAccrualEntity = {
        id: newId(),
        ledgerKey: `${idempotencyKey}#0`,
        idempotencyKey,
        accrualKey: idempotencyKey,
        revision: 0,
        reversal: false,
        kind: ADJUSTMENT_KIND,
        planId: null,
        planVersion: 0,
        ruleId: ADJUSTMENT_RULE_ID,
        partnerId: before.partnerId,
        programId: before.programId,
        customerId: null,
        periodId: period.id,
        factPeriodKey: afterKey ?? period.periodKey,
        businessDate: today,
        sourceIds: [before.id],
        basisAmount: null,
        basisCurrency: null,
        rateOrTier: '',
        sourceKind: ADJUSTMENT_KIND,
        amount: before.amount,
        currency: before.currency,
        payableOn: today,
        feeCategory: ADJUSTMENT_KIND,
        explanation: `adjustment ${before.id}: ${before.reason}`,
        runId: null,
        createdAt: this.clock.now(),
      };
      await manager.insert(CommissionAccrualEntity, accrual as QueryDeepPartialEntity<CommissionAccrualEntity>);
      await manager.update(
        SettlementAdjustmentEntity,
        { id: before.id },
        { postedPeriodId: period.id, accrualId: accrual.id },
      );
      if (dispute)
        await this.decideDispute(manager, actor, dispute, {
          status: DisputeStatus.RESOLVED,
          adjustmentId: before.id,
          decisionReason: null,
        });
      const after = await manager.findOneByOrFail(SettlementAdjustmentEntity, { id: before.id });
      await this.audit.record(manager, actor, {
        action: 'adjustment.approve',
        entityType: 'Adjustment',
        entityId: before.id,
        before: { status: before.status, version: before.version },
        after: { status: after.status, postedPeriodId: period.id, accrualId: accrual.id, version: after.version },
      });
      return after;
    });
  }

  rejectAdjustment(actor: Actor, id: string, reason: string): Promise<SettlementAdjustmentEntity> {
    const why = reason.trim();
    if (why === '') throw badInput('reason', 'REQUIRED');
    return this.tx.run(async (manager) => {
      const before = await this.decideAdjustment(manager, actor, id, {
        status: AdjustmentStatus.REJECTED,
        rejectedById: actor.id,
        rejectedAt: this.clock.now(),
        rejectReason: why,
      });
      const after = await manager.findOneByOrFail(SettlementAdjustmentEntity, { id });
      await this.audit.record(manager, actor, {
        action: 'adjustment.reject',
        entityType: 'Adjustment',
        entityId: id,
        before: { status: before.status, version: before.version },
        after: { status: after.status, rejectReason: why, version: after.version },
      });
      return after;
    });
  }

  /**
   * One conditional UPDATE … WHERE status = PREPARED AND prepared_by_id <> actor: of two racing approvers
   * exactly one matches, the other gets CONFLICT; the preparer gets FORBIDDEN (FOUR_EYES).
   */
  private async decideAdjustment(
    manager: EntityManager,
    actor: Actor,
    id: string,
    changes: Partial<SettlementAdjustmentEntity>,
  ): Promise<SettlementAdjustmentEntity> {
    const before = await this.visibleAdjustment(manager, actor, id);
    await decideOnce(manager, SettlementAdjustmentEntity, {
      actor,
      before,
      from: [AdjustmentStatus.PREPARED],
      changes,
      now: this.clock.now(),
      fourEyes: 'an adjustment',
      stale: (current) => conflict('ADJUSTMENT_STATUS', `The adjustment is ${current.status}`, { field: 'id' }),
    });
    return before;
  }

  /**
   * The earliest period still open for postings (OPEN or CALCULATED), after `afterKey` when given. On
   * MariaDB the row is locked FOR UPDATE so the period cannot move on while the adjustment is posted
   * (SQLite runs one transaction at a time).
   */
  private async postingPeriod(manager: EntityManager, afterKey: string | null): Promise<CommissionPeriodEntity> {
    const q = manager
      .getRepository(CommissionPeriodEntity)
      .createQueryBuilder('p')
      .where('p.status IN (:...open)', { open: [...POSTABLE_PERIOD_STATUSES] })
      .orderBy('p.periodKey', 'ASC');
    if (afterKey !== null) q.andWhere('p.periodKey > :afterKey', { afterKey });
    if (!isSqlite(this.dataSource)) q.setLock('pessimistic_write');
    const period = await q.getOne();
    if (!period)
      throw conflict(
        'NO_OPEN_PERIOD',
        afterKey ? `No period after ${afterKey} is open: open the next period first` : 'No period is open',
        { field: 'id' },
      );
    return period;
  }
}
