import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Actor } from '../auth/actor';
import { applyPartnerScope, assertCanReadPartner } from '../auth/access';
import { AuditService } from '../audit/audit.service';
import { businessDateOf, isValidBusinessDate } from '../common/business-time';
import { Clock } from '../common/clock';
import { badInput, conflict, DomainError, notFound } from '../common/domain-error';
import { Money } from '../common/money';
import { APP_CONFIG, AppConfig } from '../config/config';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { uniqueViolationOf } from '../database/unique-violation';
import { ConnectionResult, PageArgs, paginate } from '../graphql/connection';
import { chunk } from '../graphql/loaders';
import { JobContext, JobsService } from '../jobs/jobs.service';
import { JobEntity } from '../jobs/entities/job.entity';
import { JobDispatcher } from '../jobs/queue/job-dispatcher';
import { EconomicsCategory } from '../programs/program.enums';
import { ProgramsService } from '../programs/programs.service';
import { PartnersService } from '../partners/partners.service';
import { lockPeriod } from './period-lock';
import {
  AccrualStatus,
  COMMISSION_RUN_JOB,
  isPostable,
  periodBounds,
  POSTABLE_PERIOD_STATUSES,
  periodTransitionAllowed,
  PeriodStatus,
  PlanStatus,
} from './commission.enums';
import {
  AccrualsFilter,
  AddCommissionPlanVersionInput,
  CommissionPlansFilter,
  CreateCommissionPlanInput,
  PeriodsFilter,
  RunCommissionCalculationInput,
  SimulateCommissionPlanInput,
} from './dto/commission.inputs';
import { CommissionAccrualEntity } from './entities/commission-accrual.entity';
import { CommissionPeriodEntity, CommissionRunEntity } from './entities/commission-period.entity';
import { CommissionPlanEntity, CommissionPlanVersionEntity } from './entities/commission-plan.entity';
import { CommissionFactSources, CustomerEventFactSource } from './fact-sources';
import { decodePlanBody, encodePlanBody, toPlanVersion } from './plan-codec';
import {
  calculate,
  CalculationResult,
  CommissionLine,
  diffAndHash,
  LedgerEntry,
  ledgerContentHash,
  Period,
  PlanVersion,
  PlanVersionResolver,
  planVersionResolver,
  PriorCustomerTotal,
  PriorRuleTotal,
  QualifyingFact,
  simulatePlan,
} from './rules';

/** Rows per multi-row INSERT of ledger rows (29 columns: under SQLite's 32,766 parameters). */
const INSERT_CHUNK = 1000;
const MAX_PARTNERS_PER_RUN = 1000;

export interface RunOptions {
  /** Partners per committed batch (COMMISSION_BATCH_PARTNERS, default 10). */
  batchPartners: number;
  /** Qualifying facts per committed batch (COMMISSION_BATCH_FACTS, default 10,000). */
  batchFacts: number;
  /** Test hook (COMMISSION_RUN_PAUSE_MS): pause after each committed batch, so a test can kill a worker mid-job. */
  pauseAfterBatchMs: number;
}

interface LoadedPlan {
  plan: CommissionPlanEntity;
  versions: PlanVersion[];
  resolve: PlanVersionResolver;
}

interface PreparedBatch {
  rows: CommissionAccrualEntity[];
  hashes: string[];
}

export interface RunResult {
  runId: string;
  linesAdded: number;
  contentHash: string;
  factPeriodKeys: string[];
}

function periodNotOpen(period: CommissionPeriodEntity): DomainError {
  return conflict('PERIOD_NOT_OPEN', `Period ${period.periodKey} is ${period.status}`, { field: 'periodId' });
}

function combineHashes(parts: string[]): string {
  const h = createHash('sha256');
  for (const p of [...parts].sort()) h.update(`${p}\n`);
  return h.digest('hex');
}

/** The stored row → the pure core's ledger entry. */
export function entryOf(row: CommissionAccrualEntity): LedgerEntry {
  return {
    idempotencyKey: row.idempotencyKey,
    kind: row.kind as LedgerEntry['kind'],
    // ADJUSTMENT rows have neither (the engine never reads them: its ledgers are per plan).
    planId: row.planId ?? '',
    planVersion: row.planVersion,
    ruleId: row.ruleId,
    sourceIds: row.sourceIds,
    customerId: row.customerId ?? '',
    partnerId: row.partnerId,
    programId: row.programId,
    periodKey: row.factPeriodKey,
    businessDate: row.businessDate,
    basisAmount:
      row.basisAmount !== null && row.basisCurrency ? Money.ofMinor(row.basisAmount, row.basisCurrency) : null,
    rateOrTier: row.rateOrTier,
    amount: Money.ofMinor(row.amount, row.currency),
    status: 'HELD',
    payableOn: row.payableOn,
    feeCategory: row.feeCategory,
    explanation: row.explanation,
    revision: row.revision,
    reversal: row.reversal,
    ledgerKey: row.ledgerKey,
  };
}

interface RawLedgerRow {
  ledgerKey: string;
  idempotencyKey: string;
  revision: number | string;
  reversal: number | string | boolean;
  kind: string;
  planId: string;
  planVersion: number | string;
  ruleId: string;
  partnerId: string;
  programId: string;
  customerId: string;
  businessDate: string;
  sourceIds: string;
  basisAmount: string | number | null;
  basisCurrency: string | null;
  rateOrTier: string;
  amount: string | number;
  currency: string;
  payableOn: string;
  feeCategory: string;
}

const LEDGER_SELECT = [
  'a.ledger_key AS "ledgerKey"',
  'a.idempotency_key AS "idempotencyKey"',
  'a.revision AS "revision"',
  'a.reversal AS "reversal"',
  'a.kind AS "kind"',
  'a.plan_id AS "planId"',
  'a.plan_version AS "planVersion"',
  'a.rule_id AS "ruleId"',
  'a.partner_id AS "partnerId"',
  'a.program_id AS "programId"',
  'a.customer_id AS "customerId"',
  'a.business_date AS "businessDate"',
  'a.source_ids AS "sourceIds"',
  'a.basis_amount AS "basisAmount"',
  'a.basis_currency AS "basisCurrency"',
  'a.rate_or_tier AS "rateOrTier"',
  'a.amount AS "amount"',
  'a.currency AS "currency"',
  'a.payable_on AS "payableOn"',
  'a.fee_category AS "feeCategory"',
];

function entryOfRaw(r: RawLedgerRow, factPeriodKey: string): LedgerEntry {
  return {
    idempotencyKey: r.idempotencyKey,
    kind: r.kind as LedgerEntry['kind'],
    planId: r.planId,
    planVersion: Number.parseInt(String(r.planVersion), 10),
    ruleId: r.ruleId,
    sourceIds: JSON.parse(r.sourceIds) as string[],
    customerId: r.customerId,
    partnerId: r.partnerId,
    programId: r.programId,
    periodKey: factPeriodKey,
    businessDate: r.businessDate,
    basisAmount:
      r.basisAmount !== null && r.basisCurrency ? Money.ofMinor(BigInt(r.basisAmount), r.basisCurrency) : null,
    rateOrTier: r.rateOrTier,
    amount: Money.ofMinor(BigInt(r.amount), r.currency),
    status: 'HELD',
    payableOn: r.payableOn,
    feeCategory: r.feeCategory,
    explanation: '',
    revision: Number.parseInt(String(r.revision), 10),
    reversal: r.reversal === true || r.reversal === 1 || r.reversal === '1',
    ledgerKey: r.ledgerKey,
  };
}

/**
 * Status of a row, derived when read (rows are never updated): REVERSED for reversals and clawbacks,
 * and for lines reversed since (a reversal of their revision, or a live clawback of their accrual);
 * otherwise PAYABLE once payableOn has come, HELD before.
 */
export function statusOf(
  row: CommissionAccrualEntity,
  related: readonly CommissionAccrualEntity[],
  today: string,
): AccrualStatus {
  if (row.reversal || row.kind === 'CLAWBACK') return AccrualStatus.REVERSED;
  const reversed = (r: CommissionAccrualEntity): boolean =>
    related.some((x) => x.reversal && x.idempotencyKey === r.idempotencyKey && x.revision === r.revision);
  if (reversed(row)) return AccrualStatus.REVERSED;
  const clawed = related.some(
    (x) => x.kind === 'CLAWBACK' && !x.reversal && x.accrualKey === row.accrualKey && !reversed(x),
  );
  if (clawed) return AccrualStatus.REVERSED;
  return row.payableOn <= today ? AccrualStatus.PAYABLE : AccrualStatus.HELD;
}

const REVERSED_SQL = `(a.reversal = 1 OR a.kind = 'CLAWBACK'
  OR EXISTS (SELECT 1 FROM commission_accruals rv WHERE rv.idempotency_key = a.idempotency_key AND rv.revision = a.revision AND rv.reversal = 1)
  OR EXISTS (SELECT 1 FROM commission_accruals cb WHERE cb.accrual_key = a.accrual_key AND cb.kind = 'CLAWBACK' AND cb.reversal = 0
    AND NOT EXISTS (SELECT 1 FROM commission_accruals cr WHERE cr.idempotency_key = cb.idempotency_key AND cr.revision = cb.revision AND cr.reversal = 1)))`;

@Injectable()
export class CommissionsService {
  private readonly options: RunOptions = { batchPartners: 10, batchFacts: 10_000, pauseAfterBatchMs: 0 };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly partners: PartnersService,
    private readonly programs: ProgramsService,
    private readonly jobs: JobsService,
    private readonly dispatcher: JobDispatcher,
    private readonly factSources: CommissionFactSources,
    private readonly eventSource: CustomerEventFactSource,
  ) {
    this.options.pauseAfterBatchMs = this.config.jobs.commissionPauseAfterBatchMs;
    this.options.batchPartners = this.config.jobs.commissionBatchPartners;
    this.options.batchFacts = this.config.jobs.commissionBatchFacts;
  }

  today(): string {
    return businessDateOf(this.clock.now(), this.config.bankTimeZone);
  }

  // ---------- plans ----------

  async getPlan(actor: Actor, id: string): Promise<CommissionPlanEntity> {
    const plan = await this.dataSource.getRepository(CommissionPlanEntity).findOneBy({ id });
    if (!plan) throw notFound('CommissionPlan', id);
    const [partner] = await this.partners.findVisibleByIds(actor, [plan.partnerId]);
    if (!partner) throw notFound('CommissionPlan', id);
    return plan;
  }

  listPlans(
    actor: Actor,
    filter: CommissionPlansFilter,
    page: PageArgs,
  ): Promise<ConnectionResult<CommissionPlanEntity>> {
    const q = this.dataSource.getRepository(CommissionPlanEntity).createQueryBuilder('p');
    applyPartnerScope(q, actor, 'p.partnerId');
    if (filter.partnerIds?.length) q.andWhere('p.partnerId IN (:...partnerIds)', { partnerIds: filter.partnerIds });
    if (filter.programIds?.length) q.andWhere('p.programId IN (:...programIds)', { programIds: filter.programIds });
    return paginate(q, page, (r) => r);
  }

  versionsOf(planIds: readonly string[]): Promise<CommissionPlanVersionEntity[]> {
    return this.dataSource
      .getRepository(CommissionPlanVersionEntity)
      .find({ where: { planId: In([...planIds]) }, order: { versionNumber: 'ASC' } });
  }

  createPlan(actor: Actor, input: CreateCommissionPlanInput): Promise<CommissionPlanEntity> {
    return this.tx.run(async (manager) => {
      const partner = await this.partners.requireManageable(manager, actor, input.partnerId);
      if (input.programId) {
        const [program] = await this.programs.findProgramsByIds([input.programId], actor);
        if (!program || program.partnerId !== partner.id)
          throw new DomainError('NOT_FOUND', 'Program not found', { field: 'programId', entity: 'Program' });
      }
      const now = this.clock.now();
      const plan: CommissionPlanEntity = {
        id: newId(),
        partnerId: partner.id,
        programId: input.programId ?? null,
        name: input.name.trim(),
        status: PlanStatus.ACTIVE,
        createdById: actor.id,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      const body = await this.checkBody(input.rulesJson, partner.kind);
      toPlanVersion(body, plan.id, 1, this.checkDate(input.effectiveFrom, 'effectiveFrom'));
      await manager.insert(CommissionPlanEntity, plan);
      const version = await this.insertVersion(manager, actor, plan.id, 1, input.effectiveFrom, encodePlanBody(body));
      await this.audit.record(manager, actor, {
        action: 'commissionPlan.create',
        entityType: 'CommissionPlan',
        entityId: plan.id,
        after: { plan, version: { versionNumber: 1, effectiveFrom: version.effectiveFrom, body: version.body } },
      });
      return plan;
    });
  }

  /**
   * Appends a version (back-dating allowed). After the commit, every CALCULATED period the new version
   * reaches (to ≥ effectiveFrom) is recalculated for the plan's partner: those runs are returned.
   */
  async addVersion(
    actor: Actor,
    input: AddCommissionPlanVersionInput,
  ): Promise<{ version: CommissionPlanVersionEntity; runs: CommissionRunEntity[] }> {
    const { version, partnerId } = await this.tx.run(async (manager) => {
      const plan = await manager.findOneBy(CommissionPlanEntity, { id: input.planId });
      if (!plan) throw new DomainError('NOT_FOUND', 'Plan not found', { field: 'planId', entity: 'CommissionPlan' });
      const partner = await this.partners.requireManageable(manager, actor, plan.partnerId, 'planId');
      const body = await this.checkBody(input.rulesJson, partner.kind);
      const last = await manager.findOne(CommissionPlanVersionEntity, {
        where: { planId: plan.id },
        order: { versionNumber: 'DESC' },
      });
      const number = (last?.versionNumber ?? 0) + 1;
      toPlanVersion(body, plan.id, number, this.checkDate(input.effectiveFrom, 'effectiveFrom'));
      const version = await this.insertVersion(
        manager,
        actor,
        plan.id,
        number,
        input.effectiveFrom,
        encodePlanBody(body),
      );
      plan.updatedAt = this.clock.now();
      await manager.update(
        CommissionPlanEntity,
        { id: plan.id },
        { updatedAt: plan.updatedAt, version: plan.version + 1 },
      );
      await this.audit.record(manager, actor, {
        action: 'commissionPlan.addVersion',
        entityType: 'CommissionPlan',
        entityId: plan.id,
        after: { versionNumber: number, effectiveFrom: input.effectiveFrom, body: version.body },
      });
      return { version, partnerId: plan.partnerId };
    });
    const affected = await this.dataSource
      .getRepository(CommissionPeriodEntity)
      .createQueryBuilder('p')
      .where('p.status = :status', { status: PeriodStatus.CALCULATED })
      .andWhere('p.toDate >= :from', { from: version.effectiveFrom })
      .orderBy('p.periodKey', 'ASC')
      .getMany();
    const runs: CommissionRunEntity[] = [];
    for (const period of affected)
      runs.push(await this.startRun(actor, { periodId: period.id, partnerIds: [partnerId] }));
    return { version, runs };
  }

  /** What a draft would have paid over past events of one program: the pure engine, writing nothing. */
  async simulate(actor: Actor, input: SimulateCommissionPlanInput): Promise<CalculationResult[]> {
    const program = await this.programs.getProgram(actor, input.programId);
    const from = this.checkDate(input.from, 'from');
    const to = this.checkDate(input.to, 'to');
    if (from > to) throw badInput('to', 'BEFORE_FROM');
    if (from.slice(0, 7) > to.slice(0, 7) || monthsBetween(from, to) > 24) throw badInput('to', 'RANGE_TOO_LONG');
    const body = decodePlanBody(input.rulesJson, 'draft');
    const draft = toPlanVersion(body, 'draft', 1, from);
    const results: CalculationResult[] = [];
    for (let key = from.slice(0, 7); key <= to.slice(0, 7); key = nextKey(key)) {
      const b = periodBounds(key);
      const period: Period = { key, from: b.from > from ? b.from : from, to: b.to < to ? b.to : to };
      const facts = (await this.factSources.factsFor([program.partnerId], period)).filter(
        (f) => f.programId === program.id,
      );
      const clawbacks = await this.eventSource.clawbackFactsFor(
        facts.map((f) => f.customerId),
        period.from,
        this.today(),
      );
      results.push(simulatePlan(draft, { facts, clawbackFacts: clawbacks, period, asOf: this.today() }));
    }
    return results;
  }

  // ---------- periods ----------

  async getPeriod(id: string): Promise<CommissionPeriodEntity> {
    const p = await this.dataSource.getRepository(CommissionPeriodEntity).findOneBy({ id });
    if (!p) throw notFound('CommissionPeriod', id);
    return p;
  }

  listPeriods(filter: PeriodsFilter, page: PageArgs): Promise<ConnectionResult<CommissionPeriodEntity>> {
    const q = this.dataSource.getRepository(CommissionPeriodEntity).createQueryBuilder('p');
    if (filter.statuses?.length) q.andWhere('p.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.fromKey) q.andWhere('p.periodKey >= :fromKey', { fromKey: filter.fromKey });
    if (filter.toKey) q.andWhere('p.periodKey <= :toKey', { toKey: filter.toKey });
    return paginate(q, page, (r) => r);
  }

  /** The period of a month, created OPEN when missing (idempotent). */
  async ensurePeriod(actor: Actor, key: string): Promise<CommissionPeriodEntity> {
    const bounds = periodBounds(key, 'key');
    const existing = await this.dataSource.getRepository(CommissionPeriodEntity).findOneBy({ periodKey: key });
    if (existing) return existing;
    try {
      return await this.tx.run(async (manager) => {
        const now = this.clock.now();
        const period: CommissionPeriodEntity = {
          id: newId(),
          periodKey: key,
          fromDate: bounds.from,
          toDate: bounds.to,
          status: PeriodStatus.OPEN,
          calculatedAt: null,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
        await manager.insert(CommissionPeriodEntity, period);
        await this.audit.record(manager, actor, {
          action: 'commissionPeriod.open',
          entityType: 'CommissionPeriod',
          entityId: period.id,
          after: period,
        });
        return period;
      });
    } catch (error) {
      const again = await this.dataSource.getRepository(CommissionPeriodEntity).findOneBy({ periodKey: key });
      if (again) return again;
      throw error;
    }
  }

  /** Moves a period along PERIOD_TRANSITIONS (for this module and the settlement module), audited. */
  async transitionPeriod(manager: EntityManager, actor: Actor | null, periodId: string, to: string): Promise<void> {
    const period = await manager.findOneBy(CommissionPeriodEntity, { id: periodId });
    if (!period) throw notFound('CommissionPeriod', periodId);
    if (!periodTransitionAllowed(period.status, to))
      throw conflict('PERIOD_TRANSITION_NOT_ALLOWED', `Period ${period.periodKey} cannot move to ${to}`, {
        field: 'status',
      });
    const now = this.clock.now();
    await manager.update(
      CommissionPeriodEntity,
      { id: periodId },
      {
        status: to,
        updatedAt: now,
        version: period.version + 1,
        ...(to === 'CALCULATED' ? { calculatedAt: now } : {}),
      },
    );
    await this.audit.record(manager, actor, {
      action: 'commissionPeriod.transition',
      entityType: 'CommissionPeriod',
      entityId: periodId,
      before: { status: period.status },
      after: { status: to },
    });
  }

  // ---------- runs ----------

  async startRun(actor: Actor, input: RunCommissionCalculationInput): Promise<CommissionRunEntity> {
    const period = await this.getPeriod(input.periodId).catch(() => {
      throw new DomainError('NOT_FOUND', 'Period not found', { field: 'periodId', entity: 'CommissionPeriod' });
    });
    if (!isPostable(period.status)) throw periodNotOpen(period);
    let partnerIds = [...new Set(input.partnerIds ?? [])].sort();
    if (partnerIds.length > MAX_PARTNERS_PER_RUN) throw badInput('partnerIds', 'TOO_MANY');
    if (partnerIds.length === 0) {
      const q = this.dataSource
        .getRepository(CommissionPlanEntity)
        .createQueryBuilder('p')
        .select('DISTINCT p.partner_id', 'id');
      applyPartnerScope(q, actor, 'p.partnerId');
      partnerIds = (await q.getRawMany<{ id: string }>()).map((r) => r.id).sort();
    } else {
      const visible = await this.partners.findVisibleByIds(actor, partnerIds);
      const missing = partnerIds.findIndex((_, i) => visible[i] === null);
      if (missing >= 0)
        throw new DomainError('NOT_FOUND', 'Partner not found', { field: `partnerIds[${missing}]`, entity: 'Partner' });
    }
    const { job } = await this.jobs.create(actor, {
      type: COMMISSION_RUN_JOB,
      payload: { periodId: period.id, partnerIds },
      total: partnerIds.length,
    });
    const run: CommissionRunEntity = {
      id: newId(),
      jobId: job.id,
      periodId: period.id,
      partnerIds,
      asOf: this.today(),
      linesAdded: 0,
      contentHash: null,
      factPeriodKeys: null,
      createdById: actor.id,
      createdAt: this.clock.now(),
      finishedAt: null,
    };
    await this.tx.run(async (manager) => {
      await manager.insert(CommissionRunEntity, run as QueryDeepPartialEntity<CommissionRunEntity>);
      await this.audit.record(manager, actor, {
        action: 'commissionRun.start',
        entityType: 'CommissionRun',
        entityId: run.id,
        after: { jobId: job.id, periodId: period.id, partnerIds },
      });
    });
    await this.dispatcher.dispatch(job);
    return run;
  }

  async getRun(actor: Actor, id: string): Promise<{ run: CommissionRunEntity; job: JobEntity }> {
    const run = await this.dataSource.getRepository(CommissionRunEntity).findOneBy({ id });
    if (!run) throw notFound('CommissionRun', id);
    const visible = await this.partners.findVisibleByIds(actor, run.partnerIds);
    if (visible.some((p) => p === null)) throw notFound('CommissionRun', id);
    const job = await this.dataSource.getRepository(JobEntity).findOneByOrFail({ id: run.jobId });
    return { run, job };
  }

  runOfJob(jobId: string): Promise<CommissionRunEntity | null> {
    return this.dataSource.getRepository(CommissionRunEntity).findOneBy({ jobId });
  }

  /**
   * The work of a run job, in bounded batches: at most COMMISSION_BATCH_PARTNERS partners (default 10) and
   * COMMISSION_BATCH_FACTS qualifying facts (default 10,000; a partner with more is a batch of its own, as a
   * plan's period is calculated whole), so memory follows the batch size, not how events are spread over
   * partners. For each batch every plan is calculated once with only its own facts, diffed against the
   * stored ledger of its fact period, and the whole difference appended in ONE transaction together with
   * the job's progress, under the period's row lock and only while the period still takes postings: once
   * settlement has moved it on (statements generated), the run stops with CONFLICT PERIOD_NOT_OPEN and
   * writes nothing more. A crash loses nothing: a re-run recomputes, finds the committed batches unchanged
   * and appends the rest. Facts of locked (non-postable) earlier periods are recalculated too; their
   * differences are posted in this run's period as adjustments.
   */
  async executeRun(jobId: string, ctx: JobContext): Promise<RunResult> {
    const run = await this.dataSource.getRepository(CommissionRunEntity).findOneByOrFail({ jobId });
    const period = await this.getPeriod(run.periodId);
    if (!isPostable(period.status)) throw periodNotOpen(period);
    const locked = await this.dataSource
      .getRepository(CommissionPeriodEntity)
      .createQueryBuilder('p')
      .where('p.periodKey < :key', { key: period.periodKey })
      .andWhere('p.status NOT IN (:...open)', { open: [...POSTABLE_PERIOD_STATUSES] })
      .orderBy('p.periodKey', 'ASC')
      .getMany();
    const factPeriods: Period[] = [...locked, period].map((p) => ({
      key: p.periodKey,
      from: p.fromDate,
      to: p.toDate,
    }));
    const plans = await this.loadPlans(run.partnerIds);
    const hashes: string[] = [];
    let added = 0;
    let processed = 0;
    const batches = await this.batchesOf(run.partnerIds, factPeriods);
    const prepare = (batch: readonly string[]): Promise<PreparedBatch> => {
      const prepared = this.prepareBatch(batch, plans, factPeriods, period.id, run);
      // Observed here so a failure while the previous batch is being written is not an unhandled rejection;
      // it is thrown where the batch is awaited.
      prepared.catch(() => undefined);
      return prepared;
    };
    // The next batch is calculated while this one is written, so its reads and CPU work overlap the insert
    // (two batches at most are held). Batches hold disjoint partners (and so disjoint plans): neither sees
    // the other's rows.
    let next = batches[0] ? prepare(batches[0]) : null;
    for (const [i, batch] of batches.entries()) {
      processed += batch.length;
      let prepared = await (next as Promise<PreparedBatch>);
      // Dropped at once: the promise would keep this batch alive while the next one is calculated.
      next = null;
      // A concurrent run of the same scope may commit the same ledger keys first: recompute the batch
      // against what is now stored (the unique ledgerKey guarantees nothing is posted twice).
      for (let attempt = 1; ; attempt++) {
        const rows = prepared.rows;
        try {
          await this.tx.run(async (manager) => {
            await this.lockPostable(manager, period.id);
            // Started only once the period is known to take postings, so a stopped run calculates no more.
            const following = batches[i + 1];
            if (following && !next) next = prepare(following);
            await this.appendRows(manager, rows);
            await ctx.progress(manager, processed, run.partnerIds.length);
          });
          added += rows.length;
          hashes.push(...prepared.hashes);
          break;
        } catch (error) {
          if (attempt >= 3 || !uniqueViolationOf(error)) throw error;
          prepared = await this.prepareBatch(batch, plans, factPeriods, period.id, run);
        }
      }
      if (this.options.pauseAfterBatchMs > 0) await new Promise((r) => setTimeout(r, this.options.pauseAfterBatchMs));
    }
    const contentHash = combineHashes(hashes);
    const factPeriodKeys = factPeriods.map((p) => p.key);
    await this.tx.run(async (manager) => {
      await this.lockPostable(manager, period.id);
      await manager.update(
        CommissionRunEntity,
        { id: run.id },
        { linesAdded: added, contentHash, factPeriodKeys, finishedAt: this.clock.now() },
      );
      await this.transitionPeriod(manager, null, period.id, PeriodStatus.CALCULATED);
      await this.audit.record(manager, null, {
        action: 'commissionRun.finish',
        entityType: 'CommissionRun',
        entityId: run.id,
        after: { linesAdded: added, contentHash, factPeriodKeys },
      });
    });
    return { runId: run.id, linesAdded: added, contentHash, factPeriodKeys };
  }

  /**
   * Locks the run's period row (see lockPeriod) for the rest of the transaction and refuses when it no
   * longer takes postings: rows written after settlement built its statements would be in none of them.
   */
  private async lockPostable(manager: EntityManager, periodId: string): Promise<void> {
    const period = await lockPeriod(manager, periodId);
    if (!isPostable(period.status)) throw periodNotOpen(period);
  }

  /**
   * Partners in run order, cut into batches of at most batchPartners partners and batchFacts facts (over
   * all the run's fact periods, counted by the sources that can); a partner above batchFacts alone.
   */
  private async batchesOf(partnerIds: readonly string[], factPeriods: readonly Period[]): Promise<string[][]> {
    const facts = new Map<string, number>();
    for (const fp of factPeriods)
      for (const [partnerId, n] of await this.factSources.countsFor(partnerIds, fp))
        facts.set(partnerId, (facts.get(partnerId) ?? 0) + n);
    const batches: string[][] = [];
    let current: string[] = [];
    let held = 0;
    for (const partnerId of partnerIds) {
      const n = facts.get(partnerId) ?? 0;
      if (current.length > 0 && (current.length >= this.options.batchPartners || held + n > this.options.batchFacts)) {
        batches.push(current);
        current = [];
        held = 0;
      }
      current.push(partnerId);
      held += n;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  /**
   * One batch's difference against the stored ledger, computed without writing: the rows to append (in
   * one transaction with the progress) and the content hash of each plan's recomputed ledger.
   */
  private async prepareBatch(
    batch: readonly string[],
    plans: readonly LoadedPlan[],
    factPeriods: readonly Period[],
    postingPeriodId: string,
    run: CommissionRunEntity,
  ): Promise<PreparedBatch> {
    const rows: CommissionAccrualEntity[] = [];
    const hashes: string[] = [];
    const wanted = new Set(batch);
    const planIds = plans.filter((p) => wanted.has(p.plan.partnerId)).map((p) => p.plan.id);
    for (const fp of factPeriods) {
      // The facts and the stored ledger are independent reads: asked at once.
      const [outcomes, existing] = await Promise.all([
        this.calculateBatch(batch, plans, fp, run.asOf),
        this.ledgerOfPlans(planIds, fp.key),
      ]);
      for (const o of outcomes) {
        const { diff, hash } = diffAndHash(existing.get(o.planId) ?? [], o.result.lines);
        if (o.result.lines.length > 0) hashes.push(`${o.planId}|${fp.key}|${hash}`);
        if (diff.length === 0) continue;
        const kindOf = new Map(o.facts.map((f) => [f.sourceId, f.kind]));
        for (const e of diff)
          rows.push(this.rowOf(e, postingPeriodId, run.id, kindOf.get(e.sourceIds[0] ?? '') ?? 'EVENT'));
      }
    }
    return { rows, hashes };
  }

  /** The hash a clean calculation of the run's scope gives now (computed in memory, writing nothing). */
  async cleanHash(periodKeys: readonly string[], partnerIds: readonly string[], asOf: string): Promise<string> {
    const hashes: string[] = [];
    const plans = await this.loadPlans(partnerIds);
    const periods = periodKeys.map((key) => ({ key, ...periodBounds(key) }));
    for (const batch of await this.batchesOf(partnerIds, periods))
      for (const { key, ...b } of periods) {
        for (const o of await this.calculateBatch(batch, plans, { key, ...b }, asOf))
          if (o.result.lines.length > 0) hashes.push(`${o.planId}|${key}|${ledgerContentHash(o.result.lines)}`);
      }
    return combineHashes(hashes);
  }

  /** The same hash from the stored ledger (live lines per plan and fact period). */
  async storedHash(periodKeys: readonly string[], partnerIds: readonly string[]): Promise<string> {
    const hashes: string[] = [];
    const empty = ledgerContentHash([]);
    const plans = await this.loadPlans(partnerIds);
    for (const key of periodKeys) {
      const ledgers = await this.ledgerOfPlans(
        plans.map((p) => p.plan.id),
        key,
      );
      for (const [planId, entries] of ledgers) {
        const h = ledgerContentHash(entries);
        if (h !== empty) hashes.push(`${planId}|${key}|${h}`);
      }
    }
    return combineHashes(hashes);
  }

  /** ACTIVE plans of these partners with their decoded versions (once per run). */
  private async loadPlans(partnerIds: readonly string[]): Promise<LoadedPlan[]> {
    const plans: CommissionPlanEntity[] = [];
    for (const part of chunk([...new Set(partnerIds)]))
      plans.push(
        ...(await this.dataSource
          .getRepository(CommissionPlanEntity)
          .find({ where: { partnerId: In(part), status: PlanStatus.ACTIVE } })),
      );
    plans.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const versions: CommissionPlanVersionEntity[] = [];
    for (const part of chunk(plans.map((p) => p.id))) versions.push(...(await this.versionsOf(part)));
    return plans.map((plan) => {
      const pvs = versions
        .filter((v) => v.planId === plan.id)
        .map((v) => toPlanVersion(decodePlanBody(v.body), plan.id, v.versionNumber, v.effectiveFrom));
      return { plan, versions: pvs, resolve: planVersionResolver(pvs) };
    });
  }

  private async calculateBatch(
    partnerIds: readonly string[],
    allPlans: readonly LoadedPlan[],
    period: Period,
    asOf: string,
  ): Promise<{ planId: string; facts: QualifyingFact[]; result: CalculationResult }[]> {
    const wanted = new Set(partnerIds);
    const plans = allPlans.filter((p) => wanted.has(p.plan.partnerId));
    if (plans.length === 0) return [];
    const facts = await this.factSources.factsFor([...new Set(plans.map((p) => p.plan.partnerId))], period);
    // A program's own plan takes its facts; a partner-wide plan takes the partner's other programs' facts.
    const programPlan = new Map<string, string>();
    const partnerPlan = new Map<string, string>();
    for (const p of plans) {
      if (p.plan.programId) programPlan.set(p.plan.programId, p.plan.id);
      else if (!partnerPlan.has(p.plan.partnerId)) partnerPlan.set(p.plan.partnerId, p.plan.id);
    }
    const byPlan = new Map<string, QualifyingFact[]>();
    for (const f of facts) {
      const planId = programPlan.get(f.programId) ?? partnerPlan.get(f.partnerId);
      if (!planId) continue;
      const list = byPlan.get(planId);
      if (list) list.push(f);
      else byPlan.set(planId, [f]);
    }
    const out: { planId: string; facts: QualifyingFact[]; result: CalculationResult }[] = [];
    for (const { plan, versions, resolve } of plans) {
      const planFacts = byPlan.get(plan.id) ?? [];
      const clawbackFacts =
        planFacts.length > 0 && versions.some((v) => v.rules.some((r) => r.clawback))
          ? await this.eventSource.clawbackFactsFor(
              planFacts.map((f) => f.customerId),
              period.from,
              asOf,
            )
          : [];
      const priors = await this.priorTotals(plan.id, period.key, versions);
      const result = calculate({ planVersionAt: resolve, facts: planFacts, clawbackFacts, period, asOf, ...priors });
      out.push({ planId: plan.id, facts: planFacts, result });
    }
    return out;
  }

  private async priorTotals(
    planId: string,
    periodKey: string,
    pvs: readonly PlanVersion[],
  ): Promise<{ priorLifetimeTotals: PriorRuleTotal[]; priorCustomerTotals: PriorCustomerTotal[] }> {
    const needs = pvs.some((v) =>
      v.rules.some((r) => r.caps?.perCustomer || r.caps?.perProgramLifetime || r.basis.kind === 'FLAT_PER_CUSTOMER'),
    );
    if (!needs) return { priorLifetimeTotals: [], priorCustomerTotals: [] };
    const base = () =>
      this.dataSource
        .getRepository(CommissionAccrualEntity)
        .createQueryBuilder('a')
        .where('a.planId = :planId AND a.factPeriodKey < :key', { planId, key: periodKey });
    const lifetime = await base()
      .select(['a.rule_id AS "ruleId"', 'a.program_id AS "programId"', 'a.currency AS "currency"'])
      .addSelect('SUM(a.amount)', 'amount')
      .groupBy('a.rule_id')
      .addGroupBy('a.program_id')
      .addGroupBy('a.currency')
      .getRawMany<{ ruleId: string; programId: string; currency: string; amount: string | number }>();
    const customers = await base()
      .andWhere("a.kind = 'ACCRUAL'")
      .select(['a.rule_id AS "ruleId"', 'a.customer_id AS "customerId"', 'a.currency AS "currency"'])
      .addSelect('SUM(a.amount)', 'amount')
      .groupBy('a.rule_id')
      .addGroupBy('a.customer_id')
      .addGroupBy('a.currency')
      .getRawMany<{ ruleId: string; customerId: string; currency: string; amount: string | number }>();
    return {
      priorLifetimeTotals: lifetime.map((r) => ({
        ruleId: r.ruleId,
        programId: r.programId,
        amount: Money.ofMinor(BigInt(r.amount), r.currency),
      })),
      priorCustomerTotals: customers.map((r) => ({
        ruleId: r.ruleId,
        customerId: r.customerId,
        amount: Money.ofMinor(BigInt(r.amount), r.currency),
      })),
    };
  }

  /**
   * Every stored row (reversals included) of these plans for one fact period, by plan: raw columns
   * without entity hydration or the explanation text (neither the diff nor the hash reads it).
   */
  private async ledgerOfPlans(planIds: readonly string[], factPeriodKey: string): Promise<Map<string, LedgerEntry[]>> {
    const out = new Map<string, LedgerEntry[]>();
    for (const part of chunk([...new Set(planIds)])) {
      const rows = await this.dataSource
        .getRepository(CommissionAccrualEntity)
        .createQueryBuilder('a')
        .select(LEDGER_SELECT)
        .where('a.plan_id IN (:...ids)', { ids: part })
        .andWhere('a.fact_period_key = :key', { key: factPeriodKey })
        .getRawMany<RawLedgerRow>();
      for (const r of rows) {
        const entry = entryOfRaw(r, factPeriodKey);
        const list = out.get(r.planId);
        if (list) list.push(entry);
        else out.set(r.planId, [entry]);
      }
    }
    return out;
  }

  /**
   * Multi-row INSERTs of ledger rows with the driver's own value conversion (transformers, booleans,
   * instants) but without the query builder's per-parameter bookkeeping, which dominates big batches.
   */
  private async appendRows(manager: EntityManager, rows: readonly CommissionAccrualEntity[]): Promise<void> {
    if (rows.length === 0) return;
    const driver = this.dataSource.driver;
    const meta = this.dataSource.getMetadata(CommissionAccrualEntity);
    const columns = meta.columns;
    const head = `INSERT INTO ${driver.escape(meta.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES `;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const part = rows.slice(i, i + INSERT_CHUNK);
      const params: unknown[] = [];
      for (const row of part)
        for (const c of columns) params.push(driver.preparePersistentValue(c.getEntityValue(row), c));
      await manager.query(head + part.map(() => tuple).join(', '), params);
    }
  }

  private rowOf(e: LedgerEntry, periodId: string, runId: string, sourceKind: string): CommissionAccrualEntity {
    const accrualKey = e.kind === 'CLAWBACK' ? e.idempotencyKey.replace(/\|CLAWBACK$/, '') : e.idempotencyKey;
    return {
      id: newId(),
      ledgerKey: e.ledgerKey,
      idempotencyKey: e.idempotencyKey,
      accrualKey,
      revision: e.revision,
      reversal: e.reversal,
      kind: e.kind,
      planId: e.planId,
      planVersion: e.planVersion,
      ruleId: e.ruleId,
      partnerId: e.partnerId,
      programId: e.programId,
      customerId: e.customerId,
      periodId,
      factPeriodKey: e.periodKey,
      businessDate: e.businessDate,
      sourceIds: [...e.sourceIds],
      basisAmount: e.basisAmount?.minor ?? null,
      basisCurrency: e.basisAmount?.currency ?? null,
      rateOrTier: e.rateOrTier,
      sourceKind,
      amount: e.amount.minor,
      currency: e.amount.currency,
      payableOn: e.payableOn,
      feeCategory: e.feeCategory,
      explanation: e.explanation,
      runId,
      createdAt: this.clock.now(),
    };
  }

  // ---------- accruals ----------

  async getAccrual(actor: Actor, id: string): Promise<CommissionAccrualEntity> {
    const row = await this.dataSource.getRepository(CommissionAccrualEntity).findOneBy({ id });
    if (!row) throw notFound('Accrual', id);
    const [partner] = await this.partners.findVisibleByIds(actor, [row.partnerId]);
    if (!partner) throw notFound('Accrual', id);
    assertCanReadPartner(actor, partner, 'Accrual', id);
    return row;
  }

  listAccruals(
    actor: Actor,
    filter: AccrualsFilter,
    page: PageArgs,
  ): Promise<ConnectionResult<CommissionAccrualEntity>> {
    const q = this.dataSource.getRepository(CommissionAccrualEntity).createQueryBuilder('a');
    applyPartnerScope(q, actor, 'a.partnerId');
    if (filter.periodId) q.andWhere('a.periodId = :periodId', { periodId: filter.periodId });
    if (filter.partnerIds?.length) q.andWhere('a.partnerId IN (:...partnerIds)', { partnerIds: filter.partnerIds });
    if (filter.programIds?.length) q.andWhere('a.programId IN (:...programIds)', { programIds: filter.programIds });
    if (filter.statuses?.length) {
      const today = this.today();
      const parts: string[] = [];
      if (filter.statuses.includes(AccrualStatus.REVERSED)) parts.push(REVERSED_SQL);
      if (filter.statuses.includes(AccrualStatus.PAYABLE))
        parts.push(`(NOT ${REVERSED_SQL} AND a.payable_on <= :today)`);
      if (filter.statuses.includes(AccrualStatus.HELD)) parts.push(`(NOT ${REVERSED_SQL} AND a.payable_on > :today)`);
      q.andWhere(`(${parts.join(' OR ')})`, { today });
    }
    return paginate(q, page, (r) => r);
  }

  /** Rows related to these (same accrual key): what statusOf needs. One query per 500 keys. */
  async relatedRows(accrualKeys: readonly string[]): Promise<CommissionAccrualEntity[]> {
    const out: CommissionAccrualEntity[] = [];
    for (const part of chunk([...new Set(accrualKeys)]))
      out.push(...(await this.dataSource.getRepository(CommissionAccrualEntity).findBy({ accrualKey: In(part) })));
    return out;
  }

  // ---------- internals ----------

  private checkDate(value: string, field: string): string {
    if (!isValidBusinessDate(value)) throw badInput(field, 'INVALID_DATE');
    return value;
  }

  /** Decodes and validates a body and checks each rule's fee category against the compliance policy. */
  private async checkBody(json: string, partnerKind: string): Promise<ReturnType<typeof decodePlanBody>> {
    const body = decodePlanBody(json);
    const policy = await this.programs.listPolicyRules();
    const categories = Object.values(EconomicsCategory) as string[];
    body.rules.forEach((rule, i) => {
      if (!categories.includes(rule.feeCategory)) throw badInput(`rules[${i}].feeCategory`, 'UNKNOWN_FEE_CATEGORY');
      const blocked = policy.find(
        (p) => p.category === rule.feeCategory && (p.partnerKind === null || p.partnerKind === partnerKind),
      );
      if (blocked)
        throw new DomainError('BAD_USER_INPUT', `${rule.feeCategory} is blocked by the compliance policy`, {
          field: `rules[${i}].feeCategory`,
          reason: 'BLOCKED_BY_COMPLIANCE_POLICY',
          rule: blocked.code,
        });
    });
    return body;
  }

  private async insertVersion(
    manager: EntityManager,
    actor: Actor,
    planId: string,
    number: number,
    effectiveFrom: string,
    body: string,
  ): Promise<CommissionPlanVersionEntity> {
    const v: CommissionPlanVersionEntity = {
      id: newId(),
      planId,
      versionNumber: number,
      effectiveFrom,
      body,
      createdById: actor.id,
      createdAt: this.clock.now(),
    };
    await manager.insert(CommissionPlanVersionEntity, v);
    return v;
  }
}

function nextKey(key: string): string {
  const y = Number.parseInt(key.slice(0, 4), 10);
  const m = Number.parseInt(key.slice(5, 7), 10);
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${key.slice(0, 4)}-${String(m + 1).padStart(2, '0')}`;
}

function monthsBetween(from: string, to: string): number {
  const a = Number.parseInt(from.slice(0, 4), 10) * 12 + Number.parseInt(from.slice(5, 7), 10);
  const b = Number.parseInt(to.slice(0, 4), 10) * 12 + Number.parseInt(to.slice(5, 7), 10);
  return b - a;
}

export type { CommissionLine };
