import { Inject, Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../auth/actor';
import { applyPartnerScope, assertCanReadPartner } from '../auth/access';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { badInput, conflict, notFound } from '../common/domain-error';
import { Money } from '../common/money';
import { PeriodStatus } from '../commissions/commission.enums';
import { CommissionsService } from '../commissions/commissions.service';
import { APP_CONFIG, AppConfig } from '../config/config';
import { CommissionAccrualEntity } from '../commissions/entities/commission-accrual.entity';
import { CommissionPeriodEntity, CommissionRunEntity } from '../commissions/entities/commission-period.entity';
import { bigintTransformer, newId } from '../database/columns';
import { JobEntity } from '../jobs/entities/job.entity';
import { JobStatus } from '../jobs/job.enums';
import { TransactionService } from '../database/transaction.service';
import { ConnectionResult, PageArgs, paginate } from '../graphql/connection';
import { PartnerEntity } from '../partners/entities/partner.entity';
import { PartnersService } from '../partners/partners.service';
import { ProgramEntity } from '../programs/entities/program.entity';
import { StatementDocument, statementTotals } from './exports';
import { SetSettlementTermsInput, StatementsFilter } from './dto/settlement.inputs';
import {
  SettlementPartnerTermsEntity,
  SettlementStatementEntity,
  SettlementStatementLineEntity,
} from './entities/settlement.entities';
import { DEFAULT_PRICES_INCLUDE_TAX, DEFAULT_TAX_RATE, StatementStatus } from './settlement.enums';
import { PartnerBankAccountEntity } from './payouts/entities/payout.entities';
import { maskAccount, unpaidStatementCount } from './payouts/payout-gate';
import { lockPeriod } from '../commissions/period-lock';
import { decideOnce } from './four-eyes';

export interface PartnerTerms {
  taxRate: string;
  pricesIncludeTax: boolean;
  /** Minor units: the largest invoice difference (金额 and 税额 each) still accepted. */
  invoiceTolerance: bigint;
}

/** Shown where the partner has no account on file yet: the statement can be checked, not paid. */
export const ACCOUNT_NOT_ON_FILE = '未登记 not on file';

/** "合作机构P-BJ · 6222***********0001 · 中国工商银行北京分行": holder, masked number, bank. */
export function accountLine(a: PartnerBankAccountEntity): string {
  const bank = a.bankName ?? a.bic ?? a.cnaps;
  return [a.accountName, maskAccount(a.iban ?? a.accountNumber ?? ''), ...(bank ? [bank] : [])].join(' · ');
}

/** A partner's ledger lines of a period summed by program, rule and currency: one statement line. */
interface LedgerSum {
  programId: string;
  ruleId: string;
  currency: string;
  count: number;
  amount: bigint;
}

const SETTLEMENT_MOVES: readonly string[] = [PeriodStatus.APPROVED, PeriodStatus.CLOSED, PeriodStatus.PAID];

/**
 * Statements per partner per period, their four-eyes approval, and the settlement moves of a period
 * (CALCULATED → UNDER_REVIEW → APPROVED → CLOSED). Periods themselves belong to CommissionsService.
 */
@Injectable()
export class SettlementService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly partners: PartnersService,
    private readonly commissions: CommissionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // ---------- reads ----------

  async get(actor: Actor, id: string): Promise<SettlementStatementEntity> {
    const statement = await this.dataSource.getRepository(SettlementStatementEntity).findOneBy({ id });
    if (!statement) throw notFound('Statement', id);
    const partner = await this.dataSource.getRepository(PartnerEntity).findOneBy({ id: statement.partnerId });
    if (!partner) throw notFound('Statement', id);
    assertCanReadPartner(actor, partner, 'Statement', id);
    // A DRAFT is finance's working copy: partner users see a statement once it is prepared.
    if (actor.partnerId !== null && (statement.status as StatementStatus) === StatementStatus.DRAFT)
      throw notFound('Statement', id);
    return statement;
  }

  list(actor: Actor, filter: StatementsFilter, page: PageArgs): Promise<ConnectionResult<SettlementStatementEntity>> {
    const q = this.dataSource.getRepository(SettlementStatementEntity).createQueryBuilder('s');
    applyPartnerScope(q, actor, 's.partnerId');
    if (actor.partnerId !== null) q.andWhere('s.status <> :draft', { draft: StatementStatus.DRAFT });
    if (filter.periodIds?.length) q.andWhere('s.periodId IN (:...periodIds)', { periodIds: filter.periodIds });
    if (filter.partnerIds?.length) q.andWhere('s.partnerId IN (:...partnerIds)', { partnerIds: filter.partnerIds });
    if (filter.statuses?.length) q.andWhere('s.status IN (:...statuses)', { statuses: filter.statuses });
    return paginate(q, page, (r) => r);
  }

  /** Lines of statements the caller has already been allowed to read. */
  linesOf(statementIds: readonly string[]): Promise<SettlementStatementLineEntity[]> {
    return this.dataSource
      .getRepository(SettlementStatementLineEntity)
      .find({ where: { statementId: In([...statementIds]) }, order: { position: 'ASC' } });
  }

  async termsOf(manager: EntityManager, partnerId: string): Promise<PartnerTerms> {
    const row = await manager.findOneBy(SettlementPartnerTermsEntity, { partnerId });
    return row
      ? { taxRate: row.taxRate, pricesIncludeTax: row.pricesIncludeTax, invoiceTolerance: row.invoiceTolerance }
      : { taxRate: DEFAULT_TAX_RATE, pricesIncludeTax: DEFAULT_PRICES_INCLUDE_TAX, invoiceTolerance: 0n };
  }

  /** The partner's settlement terms (the defaults when none were set); partner users: their own. */
  async terms(actor: Actor, partnerId: string): Promise<PartnerTerms> {
    const partner = await this.dataSource.getRepository(PartnerEntity).findOneBy({ id: partnerId });
    if (!partner) throw notFound('Partner', partnerId);
    assertCanReadPartner(actor, partner);
    return this.termsOf(this.dataSource.manager, partnerId);
  }

  /** The statement as the export libraries take it; its totals are the stored ones, recomputed. */
  async document(actor: Actor, id: string): Promise<StatementDocument> {
    const statement = await this.get(actor, id);
    const partner = await this.dataSource.getRepository(PartnerEntity).findOneByOrFail({ id: statement.partnerId });
    const period = await this.commissions.getPeriod(statement.periodId);
    const lines = await this.linesOf([statement.id]);
    const account = await this.dataSource.getRepository(PartnerBankAccountEntity).findOneBy({ partnerId: partner.id });
    return {
      number: statement.number,
      partner: {
        name: partner.nameZh,
        ...(partner.uscc ? { uscc: partner.uscc } : {}),
        account: account ? accountLine(account) : ACCOUNT_NOT_ON_FILE,
      },
      period: period.periodKey,
      currency: statement.currency,
      taxRate: statement.taxRate,
      pricesIncludeTax: statement.pricesIncludeTax,
      lines: lines.map((l) => ({
        ref: `${l.programId}/${l.ruleId}`,
        program: l.programName,
        rule: l.ruleId,
        description: `${l.accrualCount} accrual line(s)`,
        amount: Money.ofMinor(l.amount, l.currency),
      })),
    };
  }

  // ---------- writes ----------

  setTerms(actor: Actor, input: SetSettlementTermsInput): Promise<PartnerTerms> {
    const rate = new Decimal(input.taxRate);
    if (rate.greaterThan(1)) throw badInput('taxRate', 'INVALID_RATE');
    const tolerance =
      input.invoiceTolerance === undefined || input.invoiceTolerance === null
        ? null
        : Money.parse(input.invoiceTolerance, this.config.defaultCurrency, 'invoiceTolerance');
    if (tolerance?.isNegative()) throw badInput('invoiceTolerance', 'NEGATIVE');
    return this.tx.run(async (manager) => {
      const partner = await manager.findOneBy(PartnerEntity, { id: input.partnerId });
      if (!partner) throw notFound('Partner', input.partnerId);
      assertCanReadPartner(actor, partner);
      const now = this.clock.now();
      const existing = await manager.findOneBy(SettlementPartnerTermsEntity, { partnerId: partner.id });
      const after: PartnerTerms = {
        taxRate: rate.toFixed(),
        pricesIncludeTax: input.pricesIncludeTax,
        invoiceTolerance: tolerance?.minor ?? existing?.invoiceTolerance ?? 0n,
      };
      if (existing) {
        await manager.update(
          SettlementPartnerTermsEntity,
          { id: existing.id },
          { ...after, version: existing.version + 1, updatedAt: now },
        );
      } else {
        await manager.insert(SettlementPartnerTermsEntity, {
          id: newId(),
          partnerId: partner.id,
          ...after,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
      }
      await this.audit.record(manager, actor, {
        action: 'settlementTerms.set',
        entityType: 'Partner',
        entityId: partner.id,
        before: existing
          ? {
              taxRate: existing.taxRate,
              pricesIncludeTax: existing.pricesIncludeTax,
              invoiceTolerance: existing.invoiceTolerance,
            }
          : null,
        after,
      });
      return after;
    });
  }

  /**
   * One DRAFT statement per partner with ledger lines posted in the period (all of them, net of
   * reversals and clawbacks), then CALCULATED → UNDER_REVIEW. Partners outside the caller's scope are refused.
   */
  generate(actor: Actor, periodId: string): Promise<SettlementStatementEntity[]> {
    return this.tx.run(async (manager) => {
      // Locked before the ledger is read: an adjustment being approved into this period either commits
      // first (and is in the statement) or waits and then finds the period no longer open for postings.
      const period = await lockPeriod(manager, periodId);
      if (period.status !== PeriodStatus.CALCULATED)
        throw conflict('PERIOD_NOT_CALCULATED', `Period ${period.periodKey} is ${period.status}`, {
          field: 'periodId',
        });
      // A run's batches take this lock too and stop once the period is past CALCULATED, but an unfinished run
      // would then stop half-way: statements wait until it has finished.
      const running = await manager
        .getRepository(CommissionRunEntity)
        .createQueryBuilder('r')
        .innerJoin(JobEntity, 'j', 'j.id = r.jobId')
        .where('r.periodId = :periodId', { periodId })
        .andWhere('j.status IN (:...live)', { live: [JobStatus.QUEUED, JobStatus.RUNNING] })
        .getCount();
      if (running > 0)
        throw conflict('COMMISSION_RUN_IN_PROGRESS', `A commission run of ${period.periodKey} has not finished`, {
          field: 'periodId',
        });
      // The statement lines are the ledger summed by partner, program and rule: summed by the database (a
      // large bank posts millions of lines a month; reading them whole held gigabytes in this process).
      const sums = await manager
        .createQueryBuilder(CommissionAccrualEntity, 'a')
        .select('a.partnerId', 'partnerId')
        .addSelect('a.programId', 'programId')
        .addSelect('a.ruleId', 'ruleId')
        .addSelect('a.currency', 'currency')
        .addSelect('COUNT(*)', 'count')
        .addSelect('SUM(a.amount)', 'amount')
        .where('a.periodId = :periodId', { periodId })
        .groupBy('a.partnerId')
        .addGroupBy('a.programId')
        .addGroupBy('a.ruleId')
        .addGroupBy('a.currency')
        .getRawMany<{
          partnerId: string;
          programId: string;
          ruleId: string;
          currency: string;
          count: unknown;
          amount: unknown;
        }>();
      const byPartner = new Map<string, LedgerSum[]>();
      for (const r of sums) {
        const sum: LedgerSum = {
          programId: r.programId,
          ruleId: r.ruleId,
          currency: r.currency,
          count: Number(r.count),
          amount: bigintTransformer.from(r.amount) as bigint,
        };
        const list = byPartner.get(r.partnerId);
        if (list) list.push(sum);
        else byPartner.set(r.partnerId, [sum]);
      }
      const partnerIds = [...byPartner.keys()].sort();
      const partners = partnerIds.length ? await manager.findBy(PartnerEntity, { id: In(partnerIds) }) : [];
      const programIds = [...new Set(sums.map((r) => r.programId))];
      const programs = programIds.length ? await manager.findBy(ProgramEntity, { id: In(programIds) }) : [];
      const programName = new Map(programs.map((p) => [p.id, p.nameZh]));
      const now = this.clock.now();
      const out: SettlementStatementEntity[] = [];
      for (const partner of partners.sort((a, b) => a.code.localeCompare(b.code))) {
        assertCanReadPartner(actor, partner);
        const rows = byPartner.get(partner.id) ?? [];
        const currencies = new Set(rows.map((r) => r.currency));
        if (currencies.size > 1)
          throw conflict('MIXED_CURRENCY', `Partner ${partner.code} has accruals in several currencies`);
        const currency = rows[0]?.currency ?? 'CNY';
        const sorted = rows.sort(
          (a, b) =>
            (programName.get(a.programId) ?? '').localeCompare(programName.get(b.programId) ?? '') ||
            a.programId.localeCompare(b.programId) ||
            a.ruleId.localeCompare(b.ruleId),
        );
        const terms = await this.termsOf(manager, partner.id);
        const totals = statementTotals({
          number: '',
          partner: { name: partner.nameZh, account: '' },
          period: period.periodKey,
          currency,
          taxRate: terms.taxRate,
          pricesIncludeTax: terms.pricesIncludeTax,
          lines: sorted.map((g) => ({
            ref: '',
            program: '',
            rule: g.ruleId,
            description: '',
            amount: Money.ofMinor(g.amount, currency),
          })),
        });
        const statement: SettlementStatementEntity = {
          id: newId(),
          number: `ST-${period.periodKey}-${partner.code}`,
          periodId,
          partnerId: partner.id,
          status: StatementStatus.DRAFT,
          currency,
          linesTotal: totals.linesTotal.minor,
          net: totals.net.minor,
          tax: totals.tax.minor,
          gross: totals.gross.minor,
          taxRate: terms.taxRate,
          pricesIncludeTax: terms.pricesIncludeTax,
          accrualCount: rows.reduce((n, r) => n + r.count, 0),
          preparedById: null,
          preparedAt: null,
          approvedById: null,
          approvedAt: null,
          rejectedById: null,
          rejectedAt: null,
          rejectReason: null,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
        await manager.insert(SettlementStatementEntity, statement);
        const lines = sorted.map((g, i): SettlementStatementLineEntity => ({
          id: newId(),
          statementId: statement.id,
          position: i + 1,
          programId: g.programId,
          programName: programName.get(g.programId) ?? g.programId,
          ruleId: g.ruleId,
          accrualCount: g.count,
          amount: g.amount,
          currency,
        }));
        if (lines.length) await manager.insert(SettlementStatementLineEntity, lines);
        await this.audit.record(manager, actor, {
          action: 'statement.generate',
          entityType: 'Statement',
          entityId: statement.id,
          after: { ...statement, lines },
        });
        out.push(statement);
      }
      await this.commissions.transitionPeriod(manager, actor, periodId, PeriodStatus.UNDER_REVIEW);
      return out;
    });
  }

  prepare(actor: Actor, id: string): Promise<SettlementStatementEntity> {
    return this.decide(actor, id, 'statement.prepare', [StatementStatus.DRAFT, StatementStatus.REJECTED], {
      status: StatementStatus.PREPARED,
      preparedById: actor.id,
      preparedAt: this.clock.now(),
      rejectedById: null,
      rejectedAt: null,
      rejectReason: null,
    });
  }

  approve(actor: Actor, id: string): Promise<SettlementStatementEntity> {
    return this.decide(
      actor,
      id,
      'statement.approve',
      [StatementStatus.PREPARED],
      { status: StatementStatus.APPROVED, approvedById: actor.id, approvedAt: this.clock.now() },
      true,
    );
  }

  reject(actor: Actor, id: string, reason: string): Promise<SettlementStatementEntity> {
    if (reason.trim() === '') throw badInput('reason', 'REQUIRED');
    return this.decide(
      actor,
      id,
      'statement.reject',
      [StatementStatus.PREPARED],
      {
        status: StatementStatus.REJECTED,
        rejectedById: actor.id,
        rejectedAt: this.clock.now(),
        rejectReason: reason.trim(),
      },
      true,
    );
  }

  /**
   * One conditional UPDATE … WHERE status IN (from) [AND prepared_by_id <> actor]: of two racing callers
   * exactly one matches; the other gets CONFLICT (or FORBIDDEN/FOUR_EYES when it prepared the statement).
   */
  private async decide(
    actor: Actor,
    id: string,
    action: string,
    from: StatementStatus[],
    changes: Partial<SettlementStatementEntity>,
    fourEyesCheck = false,
  ): Promise<SettlementStatementEntity> {
    await this.get(actor, id);
    return this.tx.run(async (manager) => {
      const before = await manager.findOneByOrFail(SettlementStatementEntity, { id });
      const period = await manager.findOneByOrFail(CommissionPeriodEntity, { id: before.periodId });
      if (period.status !== PeriodStatus.UNDER_REVIEW)
        throw conflict('PERIOD_LOCKED', `Period ${period.periodKey} is ${period.status}`, { field: 'id' });
      await decideOnce(manager, SettlementStatementEntity, {
        actor,
        before,
        from,
        changes,
        now: this.clock.now(),
        fourEyes: fourEyesCheck ? 'a statement' : null,
        stale: (current) =>
          conflict('STATEMENT_STATUS', `Statement ${current.number} is ${current.status}`, { field: 'id' }),
      });
      const after = await manager.findOneByOrFail(SettlementStatementEntity, { id });
      await this.audit.record(manager, actor, {
        action,
        entityType: 'Statement',
        entityId: id,
        before: { status: before.status, version: before.version },
        after: { ...changes, version: after.version },
      });
      return after;
    });
  }

  /** Settlement moves of a period: UNDER_REVIEW → APPROVED (all statements approved) → CLOSED → PAID. */
  async transitionPeriod(actor: Actor, periodId: string, to: string): Promise<CommissionPeriodEntity> {
    if (!SETTLEMENT_MOVES.includes(to)) throw badInput('to', 'NOT_A_SETTLEMENT_MOVE');
    await this.tx.run(async (manager) => {
      const period = await lockPeriod(manager, periodId);
      if (to === PeriodStatus.APPROVED) {
        const pending = await manager
          .getRepository(SettlementStatementEntity)
          .createQueryBuilder('s')
          .where('s.periodId = :periodId', { periodId })
          .andWhere('s.status <> :approved', { approved: StatementStatus.APPROVED })
          .getCount();
        if (pending > 0)
          throw conflict('STATEMENTS_NOT_APPROVED', `${pending} statement(s) of ${period.periodKey} are not approved`);
      }
      if (to === PeriodStatus.PAID) {
        const unpaid = await unpaidStatementCount(manager, periodId);
        if (unpaid > 0)
          throw conflict('PAYOUTS_NOT_SETTLED', `${unpaid} statement(s) of ${period.periodKey} are not paid yet`);
      }
      await this.commissions.transitionPeriod(manager, actor, periodId, to);
    });
    return this.commissions.getPeriod(periodId);
  }
}
