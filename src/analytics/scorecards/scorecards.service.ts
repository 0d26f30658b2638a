import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '../../auth/actor';
import { applyPartnerScope, canManagePartner } from '../../auth/access';
import { Role } from '../../auth/roles';
import { AuditService } from '../../audit/audit.service';
import { isValidBusinessDate, periodKeyOf } from '../../common/business-time';
import { Clock } from '../../common/clock';
import { badInput, conflict, DomainError, forbidden } from '../../common/domain-error';
import { parseRate } from '../../common/rate';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { CommissionPeriodEntity } from '../../commissions/entities/commission-period.entity';
import { newId } from '../../database/columns';
import { TransactionService } from '../../database/transaction.service';
import { ConnectionResult, PageArgs } from '../../graphql/connection';
import { chunk } from '../../graphql/loaders';
import { JobContext, JobsService } from '../../jobs/jobs.service';
import { JobEntity } from '../../jobs/entities/job.entity';
import { JobDispatcher } from '../../jobs/queue/job-dispatcher';
import { PartnersService } from '../../partners/partners.service';
import { ahpWeights } from '../rules/ahp';
import {
  DEFAULT_RATING_POINTS,
  SCORECARD_DIMENSIONS,
  ScorecardWeights,
  scorePartners,
  validateThresholds,
  validateWeights,
} from '../rules/scorecard';
import {
  CalculatePartnerScorecardsInput,
  PartnerScorecardsFilter,
  RecordPartnerComplaintInput,
  RecordPartnerExternalRatingInput,
  SetScorecardWeightsInput,
} from './dto/scorecard.inputs';
import {
  PartnerComplaintEntity,
  PartnerExternalRatingEntity,
  PartnerScorecardEntity,
  ScorecardWeightSetEntity,
} from './entities/scorecard.entities';
import { FACT_STEPS, gatherScorecardFacts } from './scorecard-facts';
import {
  DEFAULT_WEIGHT_SET,
  LOCKED_PERIOD_STATUSES,
  PARTNER_SCORECARDS_JOB,
  ScorecardWeightMode,
} from './scorecard.enums';

/** Rows per multi-row INSERT of scorecards. */
const INSERT_CHUNK = 200;
const MAX_HISTORY = 500;

/** How the contribution dimension values brought-in customers (the bank-wide ANALYTICS_* rates by default). */
interface ValuationRates {
  interchangeRate: string;
  agencyFeeRate: string;
  balanceMarginRate: string;
}

export interface ScorecardRunResult {
  periodId: string;
  weightSetId: string;
  partnersScored: number;
}

/** The built-in set used (and then stored) when no set is in force for a period. */
function defaultWeightSet(
  effectiveFrom: string,
  valuation: ValuationRates,
): Omit<ScorecardWeightSetEntity, 'id' | 'createdAt'> {
  const d = DEFAULT_WEIGHT_SET;
  return {
    effectiveFrom,
    mode: ScorecardWeightMode.DIRECT,
    weightContribution: d.weights.contribution,
    weightRisk: d.weights.risk,
    weightReputation: d.weights.reputation,
    weightRelatedness: d.weights.relatedness,
    ahpMatrix: null,
    consistencyRatio: null,
    lambdaMax: null,
    thresholdStrategic: d.thresholds.strategic,
    thresholdCore: d.thresholds.core,
    thresholdGeneral: d.thresholds.general,
    interchangeRate: valuation.interchangeRate,
    agencyFeeRate: valuation.agencyFeeRate,
    balanceMarginRate: valuation.balanceMarginRate,
    earlyClosureDays: d.earlyClosureDays,
    note: 'Built-in defaults: no weights were set for this period',
    createdById: null,
    version: 1,
  };
}

export function weightsOf(
  set: Pick<ScorecardWeightSetEntity, 'weightContribution' | 'weightRisk' | 'weightReputation' | 'weightRelatedness'>,
): ScorecardWeights {
  return {
    contribution: set.weightContribution,
    risk: set.weightRisk,
    reputation: set.weightReputation,
    relatedness: set.weightRelatedness,
  };
}

/** Keyset cursor on the rank (unique per period). */
export function encodeRankCursor(rank: number): string {
  return Buffer.from(JSON.stringify({ rank })).toString('base64url');
}

function decodeRankCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { rank?: unknown };
    if (typeof parsed.rank === 'number' && Number.isSafeInteger(parsed.rank) && parsed.rank >= 0) return parsed.rank;
  } catch {
    // fall through to the uniform error
  }
  throw badInput('after', 'MALFORMED_CURSOR', 'after is not a cursor this API issued');
}

/**
 * Partner scorecards (issue 8 item 4): weight sets, complaints and external ratings, the calculation job per
 * commission period, and scoped reads. Ranks and tiers are bank-wide (every partner scored together), so
 * the bank-wide settings and the calculation are for admins and head-office partnership managers.
 */
@Injectable()
export class ScorecardsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly dispatcher: JobDispatcher,
    private readonly partners: PartnersService,
  ) {}

  /** Scorecards rank the whole bank: only admins and managers without an org restriction change them. */
  private assertBankWideManager(actor: Actor): void {
    const manager = actor.role === Role.ADMIN || actor.role === Role.PARTNERSHIP_MANAGER;
    if (!manager || actor.partnerId !== null || actor.orgScope !== null)
      throw forbidden('Scorecard settings and calculations are bank-wide: admins and head-office managers only');
  }

  private currentPeriodKey(): string {
    return periodKeyOf(this.clock.now(), this.config.bankTimeZone);
  }

  // ---------- weight sets ----------

  async setWeights(actor: Actor, input: SetScorecardWeightsInput): Promise<ScorecardWeightSetEntity> {
    this.assertBankWideManager(actor);
    const hasWeights = input.weights !== undefined && input.weights !== null;
    const hasMatrix = input.ahpMatrix !== undefined && input.ahpMatrix !== null;
    if (hasWeights === hasMatrix)
      throw badInput('weights', 'EXACTLY_ONE_OF_WEIGHTS_OR_AHP_MATRIX', 'Give either weights or ahpMatrix');
    let weights: ScorecardWeights;
    let ahp: { matrix: string[][]; consistencyRatio: string; lambdaMax: string } | null = null;
    if (hasMatrix) {
      const matrix = input.ahpMatrix as string[][];
      if (matrix.length !== SCORECARD_DIMENSIONS.length) throw badInput('ahpMatrix', 'SIZE_OUT_OF_RANGE');
      const result = ahpWeights(matrix, 'ahpMatrix');
      weights = {} as ScorecardWeights;
      SCORECARD_DIMENSIONS.forEach((d, i) => (weights[d] = result.weights[i] ?? '0'));
      ahp = {
        matrix: matrix.map((row) => row.map((c) => c.trim())),
        consistencyRatio: result.consistencyRatio,
        lambdaMax: result.lambdaMax,
      };
    } else {
      const given = input.weights as ScorecardWeights;
      const parsed = validateWeights(given, 'weights');
      weights = {} as ScorecardWeights;
      for (const d of SCORECARD_DIMENSIONS) weights[d] = parsed[d].toFixed();
    }
    const t = input.thresholds ?? DEFAULT_WEIGHT_SET.thresholds;
    const thresholds = validateThresholds({ strategic: t.strategic, core: t.core, general: t.general }, 'thresholds');
    const v = input.valuation ?? this.config.analytics;
    const row: ScorecardWeightSetEntity = {
      id: newId(),
      effectiveFrom: input.effectiveFrom ?? this.currentPeriodKey(),
      mode: ahp ? ScorecardWeightMode.AHP : ScorecardWeightMode.DIRECT,
      weightContribution: weights.contribution,
      weightRisk: weights.risk,
      weightReputation: weights.reputation,
      weightRelatedness: weights.relatedness,
      ahpMatrix: ahp?.matrix ?? null,
      consistencyRatio: ahp?.consistencyRatio ?? null,
      lambdaMax: ahp?.lambdaMax ?? null,
      thresholdStrategic: thresholds.strategic.toFixed(),
      thresholdCore: thresholds.core.toFixed(),
      thresholdGeneral: thresholds.general.toFixed(),
      interchangeRate: parseRate(v.interchangeRate, 'valuation.interchangeRate'),
      agencyFeeRate: parseRate(v.agencyFeeRate, 'valuation.agencyFeeRate'),
      balanceMarginRate: parseRate(v.balanceMarginRate, 'valuation.balanceMarginRate'),
      earlyClosureDays: input.earlyClosureDays ?? DEFAULT_WEIGHT_SET.earlyClosureDays,
      note: input.note ?? null,
      createdById: actor.id,
      version: 1,
      createdAt: this.clock.now(),
    };
    await this.tx.run(async (manager) => {
      await manager.insert(ScorecardWeightSetEntity, row);
      await this.audit.record(manager, actor, {
        action: 'scorecardWeights.set',
        entityType: 'ScorecardWeightSet',
        entityId: row.id,
        after: row,
      });
    });
    return row;
  }

  /** The set in force for a period: the latest effectiveFrom ≤ key, the latest written among equals. */
  async weightSetFor(periodKey: string, manager: EntityManager = this.dataSource.manager) {
    return manager
      .getRepository(ScorecardWeightSetEntity)
      .createQueryBuilder('w')
      .where('w.effectiveFrom <= :key', { key: periodKey })
      .orderBy('w.effectiveFrom', 'DESC')
      .addOrderBy('w.id', 'DESC')
      .getOne();
  }

  /** Current set for a period key (default: this month), or the unsaved built-in defaults, plus history. */
  async weightSettings(periodKey: string | undefined): Promise<{
    current: ScorecardWeightSetEntity | (Omit<ScorecardWeightSetEntity, 'id' | 'createdAt'> & { id: null });
    history: ScorecardWeightSetEntity[];
  }> {
    if (periodKey !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(periodKey))
      throw badInput('periodKey', 'INVALID_PERIOD');
    const key = periodKey ?? this.currentPeriodKey();
    const current = (await this.weightSetFor(key)) ?? { ...defaultWeightSet(key, this.config.analytics), id: null };
    const history = await this.dataSource
      .getRepository(ScorecardWeightSetEntity)
      .createQueryBuilder('w')
      .orderBy('w.id', 'DESC')
      .take(MAX_HISTORY)
      .getMany();
    return { current, history };
  }

  // ---------- complaints and external ratings ----------

  /** Managers of the partner's org subtree record; others who can see the partner get FORBIDDEN, the rest NOT_FOUND. */
  private async managedPartner(actor: Actor, partnerId: string): Promise<void> {
    const [partner] = await this.partners.findVisibleByIds(actor, [partnerId]);
    if (!partner) throw new DomainError('NOT_FOUND', 'Partner not found', { field: 'partnerId', entity: 'Partner' });
    if (!canManagePartner(actor, partner)) throw forbidden('Only managers of the partner record this');
  }

  async recordComplaint(actor: Actor, input: RecordPartnerComplaintInput): Promise<PartnerComplaintEntity> {
    await this.managedPartner(actor, input.partnerId);
    if (!isValidBusinessDate(input.receivedOn)) throw badInput('receivedOn', 'INVALID_DATE');
    const row: PartnerComplaintEntity = {
      id: newId(),
      partnerId: input.partnerId,
      receivedOn: input.receivedOn,
      category: input.category,
      summary: input.summary.trim(),
      recordedById: actor.id,
      createdAt: this.clock.now(),
    };
    if (row.summary === '') throw badInput('summary', 'REQUIRED');
    await this.tx.run(async (manager) => {
      await manager.insert(PartnerComplaintEntity, row);
      await this.audit.record(manager, actor, {
        action: 'partnerComplaint.record',
        entityType: 'PartnerComplaint',
        entityId: row.id,
        after: row,
      });
    });
    return row;
  }

  async recordExternalRating(
    actor: Actor,
    input: RecordPartnerExternalRatingInput,
  ): Promise<PartnerExternalRatingEntity> {
    await this.managedPartner(actor, input.partnerId);
    const rating = input.rating.trim().toUpperCase();
    if (DEFAULT_RATING_POINTS[rating] === undefined) throw badInput('rating', 'UNKNOWN_GRADE');
    if (!isValidBusinessDate(input.ratedOn)) throw badInput('ratedOn', 'INVALID_DATE');
    const row: PartnerExternalRatingEntity = {
      id: newId(),
      partnerId: input.partnerId,
      rating,
      agency: input.agency.trim(),
      ratedOn: input.ratedOn,
      recordedById: actor.id,
      createdAt: this.clock.now(),
    };
    await this.tx.run(async (manager) => {
      await manager.insert(PartnerExternalRatingEntity, row);
      await this.audit.record(manager, actor, {
        action: 'partnerExternalRating.record',
        entityType: 'PartnerExternalRating',
        entityId: row.id,
        after: row,
      });
    });
    return row;
  }

  // ---------- calculation ----------

  private async periodOf(periodId: string, manager: EntityManager = this.dataSource.manager) {
    const period = await manager.findOneBy(CommissionPeriodEntity, { id: periodId });
    if (!period)
      throw new DomainError('NOT_FOUND', 'Period not found', { field: 'periodId', entity: 'CommissionPeriod' });
    return period;
  }

  private async assertNotHistory(manager: EntityManager, period: CommissionPeriodEntity, force: boolean) {
    if (force || !LOCKED_PERIOD_STATUSES.includes(period.status)) return;
    const kept = await manager.countBy(PartnerScorecardEntity, { periodId: period.id });
    if (kept > 0)
      throw conflict(
        'SCORECARDS_KEPT_AS_HISTORY',
        `Period ${period.periodKey} is ${period.status}: its scorecards are kept; pass force to recompute`,
        { field: 'force' },
      );
  }

  /** Starts the calculation job for a period (a CLOSED/PAID period's scorecards only with force). */
  async startCalculation(actor: Actor, input: CalculatePartnerScorecardsInput): Promise<JobEntity> {
    this.assertBankWideManager(actor);
    const period = await this.periodOf(input.periodId);
    const force = input.force === true;
    await this.assertNotHistory(this.dataSource.manager, period, force);
    const { job } = await this.jobs.create(actor, {
      type: PARTNER_SCORECARDS_JOB,
      payload: { periodId: period.id, force, requestedById: actor.id },
      total: FACT_STEPS + 1,
    });
    await this.dispatcher.dispatch(job);
    return job;
  }

  /**
   * The work of the job: resolve the weight set (storing the built-in defaults when none is in force), gather
   * the facts with set-based queries, score, then replace the period's rows in ONE transaction (idempotent:
   * a re-run leaves the same rows).
   */
  async executeCalculation(ctx: JobContext): Promise<ScorecardRunResult> {
    const payload = ctx.job.payload as { periodId: string; force: boolean };
    const period = await this.periodOf(payload.periodId);
    await this.assertNotHistory(this.dataSource.manager, period, payload.force);
    let set = await this.weightSetFor(period.periodKey);
    if (!set) {
      const created: ScorecardWeightSetEntity = {
        ...defaultWeightSet(period.periodKey, this.config.analytics),
        id: newId(),
        createdAt: this.clock.now(),
      };
      await this.tx.run(async (manager) => {
        await manager.insert(ScorecardWeightSetEntity, created);
        await this.audit.record(manager, null, {
          action: 'scorecardWeights.default',
          entityType: 'ScorecardWeightSet',
          entityId: created.id,
          after: created,
        });
      });
      set = created;
    }
    const weightSet = set;
    const facts = await gatherScorecardFacts(
      this.dataSource.manager,
      {
        periodId: period.id,
        from: period.fromDate,
        to: period.toDate,
        currency: this.config.defaultCurrency,
        interchangeRate: weightSet.interchangeRate,
        agencyFeeRate: weightSet.agencyFeeRate,
        balanceMarginRate: weightSet.balanceMarginRate,
        earlyClosureDays: weightSet.earlyClosureDays,
      },
      (done) => ctx.progress(this.dataSource.manager, done, FACT_STEPS + 1),
    );
    const scored =
      facts.length === 0
        ? []
        : scorePartners(facts, {
            weights: weightsOf(weightSet),
            thresholds: {
              strategic: weightSet.thresholdStrategic,
              core: weightSet.thresholdCore,
              general: weightSet.thresholdGeneral,
            },
          });
    const now = this.clock.now();
    const rows: PartnerScorecardEntity[] = scored.map((s) => ({
      id: newId(),
      periodId: period.id,
      partnerId: s.partnerId,
      weightSetId: weightSet.id,
      rank: s.rank,
      tier: s.tier,
      composite: s.composite,
      contributionScore: s.scores.contribution,
      riskScore: s.scores.risk,
      reputationScore: s.scores.reputation,
      relatednessScore: s.scores.relatedness,
      indicators: s.indicators,
      populationSize: scored.length,
      computedAt: now,
    }));
    await this.tx.run(async (manager) => {
      // Re-checked inside the writing transaction: the period may have been closed while facts were gathered.
      await this.assertNotHistory(manager, await this.periodOf(period.id, manager), payload.force);
      await manager.delete(PartnerScorecardEntity, { periodId: period.id });
      for (const part of chunk(rows, INSERT_CHUNK)) await manager.insert(PartnerScorecardEntity, part);
      await ctx.progress(manager, FACT_STEPS + 1, FACT_STEPS + 1);
      await this.audit.record(manager, null, {
        action: 'partnerScorecards.calculate',
        entityType: 'CommissionPeriod',
        entityId: period.id,
        after: { jobId: ctx.job.id, weightSetId: weightSet.id, partnersScored: rows.length, force: payload.force },
      });
    });
    return { periodId: period.id, weightSetId: weightSet.id, partnersScored: rows.length };
  }

  // ---------- reads ----------

  async list(
    actor: Actor,
    periodId: string,
    filter: PartnerScorecardsFilter,
    page: PageArgs,
  ): Promise<ConnectionResult<PartnerScorecardEntity>> {
    await this.periodOf(periodId);
    if (filter.partnerIds?.length) {
      const visible = await this.partners.findVisibleByIds(actor, filter.partnerIds);
      const missing = visible.findIndex((p) => p === null);
      if (missing >= 0)
        throw new DomainError('NOT_FOUND', 'Partner not found', {
          field: `filter.partnerIds[${missing}]`,
          entity: 'Partner',
        });
    }
    const query = this.dataSource
      .getRepository(PartnerScorecardEntity)
      .createQueryBuilder('s')
      .where('s.periodId = :periodId', { periodId });
    applyPartnerScope(query, actor, 's.partnerId');
    if (filter.tiers?.length) query.andWhere('s.tier IN (:...tiers)', { tiers: filter.tiers });
    if (filter.partnerIds?.length) query.andWhere('s.partnerId IN (:...pids)', { pids: filter.partnerIds });
    const countQuery = query.clone();
    if (page.after) query.andWhere('s.rank > :afterRank', { afterRank: decodeRankCursor(page.after) });
    const rows = await query
      .orderBy('s.rank', 'ASC')
      .take(page.first + 1)
      .getMany();
    const pageRows = rows.slice(0, page.first);
    const edges = pageRows.map((row) => ({ cursor: encodeRankCursor(row.rank), node: row }));
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > page.first,
        hasPreviousPage: page.after !== undefined,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
      totalCount: () => countQuery.getCount(),
    };
  }

  /** For the Partner.scorecard loader: the rows of (period, partner) pairs the actor may see, one query per period. */
  async scorecardsOf(
    actor: Actor,
    keys: readonly { periodId: string; partnerId: string }[],
  ): Promise<PartnerScorecardEntity[]> {
    const byPeriod = new Map<string, string[]>();
    for (const k of keys) byPeriod.set(k.periodId, [...(byPeriod.get(k.periodId) ?? []), k.partnerId]);
    const out: PartnerScorecardEntity[] = [];
    for (const [periodId, partnerIds] of byPeriod)
      for (const part of chunk([...new Set(partnerIds)])) {
        const q = this.dataSource
          .getRepository(PartnerScorecardEntity)
          .createQueryBuilder('s')
          .where('s.periodId = :periodId', { periodId })
          .andWhere('s.partnerId IN (:...part)', { part });
        applyPartnerScope(q, actor, 's.partnerId');
        out.push(...(await q.getMany()));
      }
    return out;
  }
}
