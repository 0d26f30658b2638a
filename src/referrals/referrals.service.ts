import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../auth/actor';
import { applyPartnerScope } from '../auth/access';
import { Role } from '../auth/roles';
import { AuditService } from '../audit/audit.service';
import { addDays, businessDateOf, isValidBusinessDate } from '../common/business-time';
import { Clock } from '../common/clock';
import { badInput, conflict, DomainError, forbidden, notFound } from '../common/domain-error';
import { hmacIdentity } from '../common/pii';
import { APP_CONFIG, AppConfig } from '../config/config';
import { ChannelsService } from '../channels/channels.service';
import { ChannelStatus } from '../channels/channel.enums';
import { ChannelEntity } from '../channels/entities/channel.entity';
import { parseInstant } from '../customers/rules/event-input';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { updateIfVersion } from '../database/versioned';
import { uniqueViolationOf } from '../database/unique-violation';
import { ConnectionResult, PageArgs, paginate } from '../graphql/connection';
import { chunk } from '../graphql/loaders';
import { JobsService } from '../jobs/jobs.service';
import { PartnersService } from '../partners/partners.service';
import { acceptsNewBusiness, ProgramStatus } from '../programs/program.enums';
import { ProgramsService } from '../programs/programs.service';
import { ReferralFunnelFilter, ReferralsFilter, TransitionReferralInput } from './dto/referral.inputs';
import { ReferralStatusChangeEntity } from './entities/referral-status-change.entity';
import { ReferralEntity } from './entities/referral.entity';
import {
  DEFAULT_REFERRAL_WINDOW_DAYS,
  FunnelGroupBy,
  FunnelInterval,
  LADDER_RANK,
  OPEN_REFERRAL_STATUSES,
  REFERRAL_TRANSITIONS,
  REFERRALS_WRITE_SCOPE,
  ReferralStatus,
} from './referral.enums';
import { countOf, FunnelRow, mergeBuckets } from './rules/funnel';
import { hashProspect, payloadHashOf, ProspectFields } from './rules/prospect';

/** What submitReferral (GraphQL or one import row) carries; clear identity values live only here. */
export interface SubmitReferralFields {
  trackingCode?: string | null;
  channelId?: string | null;
  idempotencyKey?: string | null;
  prospect: ProspectFields;
  product?: string | null;
  submittedAt?: string | null;
}

/** CONTRACT (issue 4, REF ↔ ATTR): one referral as a competing touch for the attribution engine. */
export interface ReferralTouch {
  referralId: string;
  partnerId: string;
  programId: string;
  channelId: string | null;
  submittedAt: Date;
  submittedOn: string;
  expiresOn: string;
  identityHash: string | null;
  phoneHash: string | null;
  productCode: string | null;
  status: string;
}

/** CONTRACT (issue 4, REF ↔ ATTR): an engine decision about a referral. */
export interface EngineOutcome {
  referralId: string;
  to: 'CONVERTED' | 'QUALIFIED' | 'EXPIRED';
  customerId?: string;
  at: Date;
  reason: string;
}

export interface SubmitResult {
  referral: ReferralEntity;
  /** false when an earlier call with the same idempotency key and payload created it. */
  created: boolean;
}

export const EXPIRE_REFERRALS_JOB = 'referrals.expire';
const IDEMPOTENCY_KEY_RE = /^[\w.:-]{1,128}$/;
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const ENGINE_BATCH = 500;
/** Referrals per engine UPDATE: 100 × 14 parameters. */
const ENGINE_UPDATE_CHUNK = 100;

const GROUP_COLUMN: Record<FunnelGroupBy, string> = {
  [FunnelGroupBy.PARTNER]: 'r.partner_id',
  [FunnelGroupBy.PROGRAM]: 'r.program_id',
  [FunnelGroupBy.CHANNEL]: 'r.channel_id',
  [FunnelGroupBy.ORG_UNIT]: 'r.org_unit_id',
  [FunnelGroupBy.PARTNER_KIND]: '(SELECT fp.kind FROM partners fp WHERE fp.id = r.partner_id)',
};

/** The funnel's conditional sums: one pass, one GROUP BY, portable to SQLite, MySQL and TiDB. */
export const FUNNEL_SUMS = [
  'SUM(CASE WHEN r.reached_rank >= 1 THEN 1 ELSE 0 END) AS submitted',
  'SUM(CASE WHEN r.reached_rank >= 2 THEN 1 ELSE 0 END) AS contacted',
  'SUM(CASE WHEN r.reached_rank >= 3 THEN 1 ELSE 0 END) AS applied',
  'SUM(CASE WHEN r.reached_rank >= 4 THEN 1 ELSE 0 END) AS converted',
  'SUM(CASE WHEN r.reached_rank >= 5 THEN 1 ELSE 0 END) AS qualified',
  "SUM(CASE WHEN r.status = 'REJECTED' THEN 1 ELSE 0 END) AS rejected",
  "SUM(CASE WHEN r.status = 'EXPIRED' THEN 1 ELSE 0 END) AS expired",
  "SUM(CASE WHEN r.status = 'DUPLICATE' THEN 1 ELSE 0 END) AS duplicate",
];

/** DAY and WEEK group by the day (weeks are merged in code: ISO weeks are not portable SQL); MONTH by 'YYYY-MM'. */
export function funnelBucketExpression(interval: FunnelInterval): string {
  return interval === FunnelInterval.MONTH ? 'SUBSTR(r.submitted_on, 1, 7)' : 'r.submitted_on';
}

export function funnelGroupExpression(groupBy: FunnelGroupBy): string {
  return GROUP_COLUMN[groupBy];
}

function checkedDate(value: string | undefined, field: string): void {
  if (value !== undefined && !isValidBusinessDate(value)) throw badInput(field, 'INVALID_DATE');
}

function present(value: string | null | undefined): value is string {
  return value !== undefined && value !== null && value.trim() !== '';
}

@Injectable()
export class ReferralsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly partners: PartnersService,
    private readonly programs: ProgramsService,
    private readonly channels: ChannelsService,
    private readonly jobs: JobsService,
  ) {}

  // ---------- access ----------

  /** Partner systems with referrals:write (a partner-bound key only for its own channels), admins and managers. */
  assertCanSubmit(actor: Actor): void {
    if (actor.kind === 'apiKey') {
      if (actor.scopes.includes(REFERRALS_WRITE_SCOPE)) return;
      throw forbidden('This API key may not submit referrals');
    }
    if (actor.role !== Role.ADMIN && actor.role !== Role.PARTNERSHIP_MANAGER)
      throw forbidden(`Role ${actor.role} may not submit referrals`);
  }

  // ---------- intake ----------

  async submit(actor: Actor, input: SubmitReferralFields): Promise<SubmitResult> {
    this.assertCanSubmit(actor);
    const now = this.clock.now();
    const hasCode = present(input.trackingCode);
    const hasChannel = present(input.channelId);
    if (hasCode === hasChannel) throw badInput('trackingCode', 'EXACTLY_ONE_OF_TRACKING_CODE_OR_CHANNEL_ID');
    const key = (input.idempotencyKey ?? '').trim();
    if (key === '') throw badInput('idempotencyKey', 'REQUIRED');
    if (!IDEMPOTENCY_KEY_RE.test(key)) throw badInput('idempotencyKey', 'INVALID_FORMAT');
    const prospect = hashProspect(input.prospect, this.config.identityHashKey, now);
    const productCode = present(input.product) ? input.product.trim() : null;
    if (productCode !== null && productCode.length > 40) throw badInput('product', 'TOO_LONG');
    let submittedAt = now;
    if (present(input.submittedAt)) {
      submittedAt = parseInstant(input.submittedAt, 'submittedAt');
      if (submittedAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) throw badInput('submittedAt', 'IN_FUTURE');
    }

    const channel = await this.resolveChannel(actor, input);
    const payloadHash = payloadHashOf({
      channelId: channel.id,
      prospect,
      nameKey: hmacIdentity(this.config.identityHashKey, `NAME:${(input.prospect.name ?? '').trim()}`),
      productCode,
      submittedAt: present(input.submittedAt) ? submittedAt.toISOString() : null,
    });
    const scope = actor.id;

    const replay = await this.replayOf(scope, key, payloadHash);
    if (replay) return { referral: replay, created: false };

    const [program] = await this.programs.findProgramsByIds([channel.programId]);
    if (!program) throw notFound('Channel', channel.id);
    if ((channel.status as ChannelStatus) !== ChannelStatus.ACTIVE)
      throw conflict('CHANNEL_NOT_ACTIVE', `Channel is ${channel.status}`, {
        field: 'trackingCode',
        status: channel.status,
      });
    if (!acceptsNewBusiness(program.status as ProgramStatus))
      throw conflict('PROGRAM_NOT_ACTIVE', `Program is ${program.status}`, {
        field: 'trackingCode',
        status: program.status,
      });

    const submittedOn = businessDateOf(submittedAt, this.config.bankTimeZone);
    const rule = await this.programs.attributionRuleOn(program.id, submittedOn);
    const expiresOn = addDays(submittedOn, rule?.rule.windowDays ?? DEFAULT_REFERRAL_WINDOW_DAYS);

    try {
      const referral = await this.tx.run(async (manager) => {
        const earlier = await this.earlierReferral(manager, channel.partnerId, prospect, submittedOn);
        const duplicate = earlier !== null;
        const status = duplicate ? ReferralStatus.DUPLICATE : ReferralStatus.SUBMITTED;
        const entity: ReferralEntity = {
          id: newId(),
          partnerId: channel.partnerId,
          programId: program.id,
          channelId: channel.id,
          orgUnitId: program.orgUnitId,
          idempotencyKey: key,
          idempotencyScope: scope,
          payloadHash,
          idType: prospect.idType,
          identityHash: prospect.identityHash,
          phoneHash: prospect.phoneHash,
          maskedName: prospect.maskedName,
          maskedIdNumber: prospect.maskedIdNumber,
          maskedPhone: prospect.maskedPhone,
          productCode,
          submittedAt,
          submittedOn,
          expiresOn,
          status,
          statusReason: duplicate ? 'Already referred by this partner inside the window' : null,
          reachedRank: LADDER_RANK[status],
          duplicateOfId: earlier?.id ?? null,
          customerId: null,
          convertedAt: null,
          qualifiedAt: null,
          submittedById: actor.id,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
        await manager.insert(ReferralEntity, entity);
        await this.writeHistory(manager, [
          {
            referralId: entity.id,
            fromStatus: null,
            toStatus: status,
            reason: entity.statusReason,
            actorId: actor.id,
            at: now,
          },
        ]);
        await this.audit.record(manager, actor, {
          action: 'referral.submit',
          entityType: 'Referral',
          entityId: entity.id,
          after: auditView(entity),
        });
        return entity;
      });
      return { referral, created: true };
    } catch (error) {
      // A concurrent call with the same key won: answer like a replay.
      if (uniqueViolationOf(error)) {
        const again = await this.replayOf(scope, key, payloadHash);
        if (again) return { referral: again, created: false };
      }
      throw error;
    }
  }

  private async resolveChannel(actor: Actor, input: SubmitReferralFields): Promise<ChannelEntity> {
    let channel: ChannelEntity | null;
    let ref: string;
    if (present(input.trackingCode)) {
      ref = input.trackingCode;
      channel = await this.programs.resolveChannelByTrackingCode(input.trackingCode);
    } else {
      ref = input.channelId ?? '';
      [channel = null] = await this.channels.findByIds([ref]);
    }
    const field = present(input.trackingCode) ? 'trackingCode' : 'channelId';
    if (!channel) throw new DomainError('NOT_FOUND', 'Channel not found', { entity: 'Channel', id: ref, field });
    const [partner] = await this.partners.findVisibleByIds(actor, [channel.partnerId]);
    if (!partner) throw new DomainError('NOT_FOUND', 'Channel not found', { entity: 'Channel', id: ref, field });
    return channel;
  }

  private async replayOf(scope: string, key: string, payloadHash: string): Promise<ReferralEntity | null> {
    const existing = await this.dataSource
      .getRepository(ReferralEntity)
      .findOneBy({ idempotencyScope: scope, idempotencyKey: key });
    if (!existing) return null;
    if (existing.payloadHash !== payloadHash)
      throw conflict('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was used for a different referral', {
        field: 'idempotencyKey',
      });
    return existing;
  }

  /**
   * The same prospect (identity or phone hash) referred by the same partner, whose window is still open
   * on `submittedOn`. DUPLICATE and REJECTED referrals do not block a new one.
   */
  private async earlierReferral(
    manager: EntityManager,
    partnerId: string,
    prospect: { identityHash: string | null; phoneHash: string | null },
    submittedOn: string,
  ): Promise<ReferralEntity | null> {
    const match: string[] = [];
    const params: Record<string, string> = { partnerId, submittedOn };
    if (prospect.identityHash) {
      match.push('r.identityHash = :identityHash');
      params.identityHash = prospect.identityHash;
    }
    if (prospect.phoneHash) {
      match.push('r.phoneHash = :phoneHash');
      params.phoneHash = prospect.phoneHash;
    }
    return manager
      .createQueryBuilder(ReferralEntity, 'r')
      .where('r.partnerId = :partnerId', params)
      .andWhere(`(${match.join(' OR ')})`)
      .andWhere('r.status NOT IN (:...excluded)', { excluded: [ReferralStatus.DUPLICATE, ReferralStatus.REJECTED] })
      .andWhere('r.submittedOn <= :submittedOn AND r.expiresOn >= :submittedOn')
      .orderBy('r.submittedAt', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .getOne();
  }

  // ---------- reads ----------

  async get(actor: Actor, id: string): Promise<ReferralEntity> {
    const referral = await this.dataSource.getRepository(ReferralEntity).findOneBy({ id });
    if (!referral) throw notFound('Referral', id);
    const [partner] = await this.partners.findVisibleByIds(actor, [referral.partnerId]);
    if (!partner) throw notFound('Referral', id);
    return referral;
  }

  list(actor: Actor, filter: ReferralsFilter, page: PageArgs): Promise<ConnectionResult<ReferralEntity>> {
    checkedDate(filter.submittedFrom, 'filter.submittedFrom');
    checkedDate(filter.submittedTo, 'filter.submittedTo');
    const query = this.dataSource.getRepository(ReferralEntity).createQueryBuilder('r');
    applyPartnerScope(query, actor, 'r.partnerId');
    if (filter.partnerIds?.length) query.andWhere('r.partnerId IN (:...partnerIds)', { partnerIds: filter.partnerIds });
    if (filter.programIds?.length) query.andWhere('r.programId IN (:...programIds)', { programIds: filter.programIds });
    if (filter.channelIds?.length) query.andWhere('r.channelId IN (:...channelIds)', { channelIds: filter.channelIds });
    if (filter.statuses?.length) query.andWhere('r.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.submittedFrom) query.andWhere('r.submittedOn >= :from', { from: filter.submittedFrom });
    if (filter.submittedTo) query.andWhere('r.submittedOn <= :to', { to: filter.submittedTo });
    return paginate(query, page, (row) => row);
  }

  /** Status history of referrals the caller has already been allowed to read (DataLoader batch). */
  async historyOf(referralIds: readonly string[]): Promise<ReferralStatusChangeEntity[]> {
    const rows: ReferralStatusChangeEntity[] = [];
    for (const part of chunk([...new Set(referralIds)]))
      rows.push(
        ...(await this.dataSource
          .getRepository(ReferralStatusChangeEntity)
          .find({ where: { referralId: In(part) }, order: { changedAt: 'ASC', id: 'ASC' } })),
      );
    return rows;
  }

  // ---------- manager transitions ----------

  transition(actor: Actor, input: TransitionReferralInput): Promise<ReferralEntity> {
    return this.tx.run(async (manager) => {
      const before = await manager.findOneBy(ReferralEntity, { id: input.id });
      if (!before) throw notFound('Referral', input.id);
      await this.partners.requireManageable(manager, actor, before.partnerId, 'id').catch((error: unknown) => {
        if (error instanceof DomainError && error.code === 'NOT_FOUND') throw notFound('Referral', input.id);
        throw error;
      });
      if (before.version !== input.version)
        throw conflict('STALE_VERSION', 'Referral was changed by someone else', {
          field: 'version',
          currentVersion: before.version,
        });
      const reason = input.reason.trim();
      if (reason === '') throw badInput('reason', 'REQUIRED');
      const from = before.status as ReferralStatus;
      if (!REFERRAL_TRANSITIONS[from].includes(input.to))
        throw conflict('REFERRAL_STATUS_TRANSITION', `A referral cannot move from ${from} to ${input.to}`, {
          from,
          to: input.to,
        });
      const now = this.clock.now();
      const after: ReferralEntity = {
        ...before,
        status: input.to,
        statusReason: reason,
        reachedRank: Math.max(before.reachedRank, LADDER_RANK[input.to]),
        version: before.version + 1,
        updatedAt: now,
      };
      await this.saveVersioned(manager, before, after);
      await this.writeHistory(manager, [
        { referralId: before.id, fromStatus: from, toStatus: input.to, reason, actorId: actor.id, at: now },
      ]);
      await this.audit.record(manager, actor, {
        action: 'referral.transition',
        entityType: 'Referral',
        entityId: before.id,
        before: { status: from, version: before.version },
        after: { status: input.to, reason, version: after.version },
      });
      return after;
    });
  }

  // ---------- engines ----------

  /** Marks SUBMITTED/CONTACTED/APPLIED referrals whose window ended before `asOf` as EXPIRED; a job, re-runnable. */
  async expireReferrals(actor: Actor, asOf: string): Promise<{ jobId: string; changed: number }> {
    if (!isValidBusinessDate(asOf)) throw badInput('asOf', 'INVALID_DATE');
    const { job } = await this.jobs.create(actor, { type: EXPIRE_REFERRALS_JOB, payload: { asOf } });
    let changed = 0;
    const finished = await this.jobs.run(job.id, async (ctx) => {
      for (;;) {
        const batch = await this.dataSource
          .getRepository(ReferralEntity)
          .createQueryBuilder('r')
          .where('r.status IN (:...open)', { open: OPEN_REFERRAL_STATUSES })
          .andWhere('r.expiresOn < :asOf', { asOf })
          .orderBy('r.id', 'ASC')
          .take(ENGINE_BATCH)
          .getMany();
        if (batch.length === 0) break;
        await this.tx.run(async (manager) => {
          const n = await this.applyWithin(
            manager,
            batch.map((r) => ({
              referralId: r.id,
              to: 'EXPIRED' as const,
              at: this.clock.now(),
              reason: `Window ended on ${r.expiresOn}`,
            })),
            actor,
          );
          changed += n;
          await ctx.progress(manager, changed);
        });
      }
      return { asOf, expired: changed };
    });
    if (finished.error) throw new DomainError('INTERNAL_SERVER_ERROR', finished.error);
    return { jobId: job.id, changed };
  }

  /** CONTRACT: referrals that may compete for a customer (DUPLICATE and REJECTED left out). */
  async referralTouches(identityHashes: string[], phoneHashes: string[]): Promise<ReferralTouch[]> {
    const found = new Map<string, ReferralEntity>();
    const load = async (column: 'identityHash' | 'phoneHash', values: string[]): Promise<void> => {
      for (const part of chunk([...new Set(values)])) {
        const rows = await this.dataSource
          .getRepository(ReferralEntity)
          .createQueryBuilder('r')
          .where(`r.${column} IN (:...values)`, { values: part })
          .andWhere('r.status NOT IN (:...excluded)', { excluded: [ReferralStatus.DUPLICATE, ReferralStatus.REJECTED] })
          .getMany();
        for (const row of rows) found.set(row.id, row);
      }
    };
    await load('identityHash', identityHashes);
    await load('phoneHash', phoneHashes);
    return [...found.values()]
      .sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime() || a.id.localeCompare(b.id))
      .map((r) => ({
        referralId: r.id,
        partnerId: r.partnerId,
        programId: r.programId,
        channelId: r.channelId,
        submittedAt: r.submittedAt,
        submittedOn: r.submittedOn,
        expiresOn: r.expiresOn,
        identityHash: r.identityHash,
        phoneHash: r.phoneHash,
        productCode: r.productCode,
        status: r.status,
      }));
  }

  /** CONTRACT: applies engine decisions in the caller's transaction; idempotent and never backwards. */
  async applyEngineOutcomes(manager: EntityManager, outcomes: EngineOutcome[]): Promise<void> {
    await this.applyWithin(manager, outcomes, null);
  }

  private async applyWithin(
    manager: EntityManager,
    outcomes: readonly EngineOutcome[],
    auditActor: Actor | null,
  ): Promise<number> {
    if (outcomes.length === 0) return 0;
    const current = new Map<string, ReferralEntity>();
    for (const part of chunk([...new Set(outcomes.map((o) => o.referralId))]))
      for (const row of await manager.findBy(ReferralEntity, { id: In(part) })) current.set(row.id, row);
    const original = new Map([...current].map(([id, r]) => [id, { ...r }]));
    const history: HistoryRow[] = [];
    for (const outcome of outcomes) {
      const r = current.get(outcome.referralId);
      if (!r) throw notFound('Referral', outcome.referralId);
      const steps = engineSteps(r.status as ReferralStatus, outcome.to);
      for (const to of steps) {
        history.push({
          referralId: r.id,
          fromStatus: r.status,
          toStatus: to,
          reason: outcome.reason,
          actorId: null,
          at: outcome.at,
        });
        r.status = to;
        r.statusReason = outcome.reason;
        r.reachedRank = Math.max(r.reachedRank, LADDER_RANK[to]);
        if (to === ReferralStatus.CONVERTED) {
          r.convertedAt = r.convertedAt ?? outcome.at;
          r.customerId = outcome.customerId ?? r.customerId;
        }
        if (to === ReferralStatus.QUALIFIED) {
          r.qualifiedAt = r.qualifiedAt ?? outcome.at;
          r.customerId = outcome.customerId ?? r.customerId;
        }
      }
    }
    const now = this.clock.now();
    const moved: { before: ReferralEntity; after: ReferralEntity }[] = [];
    for (const [id, after] of current) {
      const before = original.get(id);
      if (!before || before.status === after.status) continue;
      moved.push({ before, after: { ...after, version: before.version + 1, updatedAt: now } });
    }
    for (const part of chunk(moved, ENGINE_UPDATE_CHUNK)) await this.saveVersionedMany(manager, part);
    await this.audit.recordMany(
      manager,
      auditActor,
      moved.map(({ before, after }) => ({
        action: 'referral.engineOutcome',
        entityType: 'Referral',
        entityId: before.id,
        before: { status: before.status, version: before.version },
        after: { status: after.status, customerId: after.customerId, reason: after.statusReason },
      })),
    );
    await this.writeHistory(manager, history);
    return moved.length;
  }

  /**
   * The engine's referral changes in one UPDATE per chunk: each column set by `CASE id`, each row guarded
   * by its version; if any row was changed meanwhile the whole batch is a CONFLICT (STALE_VERSION), as
   * one row would be with updateIfVersion.
   */
  private async saveVersionedMany(
    manager: EntityManager,
    rows: readonly { before: ReferralEntity; after: ReferralEntity }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const driver = manager.connection.driver;
    const meta = manager.connection.getMetadata(ReferralEntity);
    const fields = ['status', 'statusReason', 'reachedRank', 'customerId', 'convertedAt', 'qualifiedAt'] as const;
    const params: unknown[] = [];
    const sets = fields.map((field) => {
      const column = meta.findColumnWithPropertyName(field);
      if (!column) throw new Error(`referrals has no column ${field}`);
      const cases = rows.map(({ before, after }) => {
        const value = field === 'statusReason' && after.statusReason ? after.statusReason.slice(0, 500) : after[field];
        params.push(before.id, driver.preparePersistentValue(value, column));
        return 'WHEN ? THEN ?';
      });
      return `${driver.escape(column.databaseName)} = CASE ${driver.escape('id')} ${cases.join(' ')} END`;
    });
    const updatedAt = meta.findColumnWithPropertyName('updatedAt');
    if (!updatedAt) throw new Error('referrals has no column updatedAt');
    params.push(driver.preparePersistentValue(rows[0]?.after.updatedAt, updatedAt));
    const guards = rows.map(({ before }) => {
      params.push(before.id, before.version);
      return '(id = ? AND version = ?)';
    });
    const sql =
      `UPDATE ${driver.escape(meta.tableName)} SET ${sets.join(', ')}, version = version + 1, ` +
      `${driver.escape(updatedAt.databaseName)} = ? WHERE ${guards.join(' OR ')}`;
    // The query runner's structured result carries the affected-row count on both drivers.
    const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
    let affected: number | undefined;
    try {
      affected = (await runner.query(sql, params, true)).affected;
    } finally {
      if (!manager.queryRunner) await runner.release();
    }
    if (affected !== rows.length)
      throw conflict('STALE_VERSION', 'Referral was changed by someone else', { field: 'version' });
  }

  // ---------- funnel ----------

  /**
   * One GROUP BY over referrals (scoped, filtered) with conditional sums per reached stage; WEEK buckets
   * are merged from the per-day rows in code (ISO weeks are not portable SQL).
   */
  async funnel(
    actor: Actor,
    filter: ReferralFunnelFilter,
    groupBy: FunnelGroupBy,
    interval: FunnelInterval,
  ): Promise<FunnelRow[]> {
    checkedDate(filter.submittedFrom, 'filter.submittedFrom');
    checkedDate(filter.submittedTo, 'filter.submittedTo');
    const group = funnelGroupExpression(groupBy);
    const bucket = funnelBucketExpression(interval);
    const query = this.dataSource
      .getRepository(ReferralEntity)
      .createQueryBuilder('r')
      .select(`${group}`, 'group_key')
      .addSelect(bucket, 'bucket');
    for (const sum of FUNNEL_SUMS) {
      const [expr, alias] = sum.split(' AS ');
      query.addSelect(expr ?? '', alias);
    }
    applyPartnerScope(query, actor, 'r.partnerId');
    if (filter.partnerIds?.length) query.andWhere('r.partnerId IN (:...partnerIds)', { partnerIds: filter.partnerIds });
    if (filter.programIds?.length) query.andWhere('r.programId IN (:...programIds)', { programIds: filter.programIds });
    if (filter.channelIds?.length) query.andWhere('r.channelId IN (:...channelIds)', { channelIds: filter.channelIds });
    if (filter.submittedFrom) query.andWhere('r.submittedOn >= :from', { from: filter.submittedFrom });
    if (filter.submittedTo) query.andWhere('r.submittedOn <= :to', { to: filter.submittedTo });
    query.groupBy(group).addGroupBy(bucket);
    const raw = await query.getRawMany<Record<string, unknown>>();
    return mergeBuckets(
      interval,
      raw.map((row) => ({
        groupKey: typeof row.group_key === 'string' ? row.group_key : null,
        sqlBucket: String(row.bucket),
        submitted: countOf(row.submitted),
        contacted: countOf(row.contacted),
        applied: countOf(row.applied),
        converted: countOf(row.converted),
        qualified: countOf(row.qualified),
        rejected: countOf(row.rejected),
        expired: countOf(row.expired),
        duplicate: countOf(row.duplicate),
      })),
    );
  }

  // ---------- internals ----------

  private async writeHistory(manager: EntityManager, rows: readonly HistoryRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 100)
      await manager.insert(
        ReferralStatusChangeEntity,
        rows.slice(i, i + 100).map((h) => ({
          id: newId(),
          referralId: h.referralId,
          fromStatus: h.fromStatus,
          toStatus: h.toStatus,
          reason: h.reason ? h.reason.slice(0, 500) : null,
          actorId: h.actorId,
          changedAt: h.at,
        })),
      );
  }

  private async saveVersioned(manager: EntityManager, before: ReferralEntity, after: ReferralEntity): Promise<void> {
    await updateIfVersion(manager, ReferralEntity, 'Referral', before, {
      status: after.status,
      statusReason: after.statusReason ? after.statusReason.slice(0, 500) : null,
      reachedRank: after.reachedRank,
      customerId: after.customerId,
      convertedAt: after.convertedAt,
      qualifiedAt: after.qualifiedAt,
      version: after.version,
      updatedAt: after.updatedAt,
    });
  }
}

interface HistoryRow {
  referralId: string;
  fromStatus: string | null;
  toStatus: string;
  reason: string | null;
  actorId: string | null;
  at: Date;
}

/**
 * The statuses an engine outcome walks through from `from` (empty = no-op). Never backwards: CONVERTED and
 * QUALIFIED stay; REJECTED and DUPLICATE are never touched; an EXPIRED referral may still convert when
 * late events prove a conversion inside the window (the attribution engine decides that).
 */
export function engineSteps(from: ReferralStatus, to: EngineOutcome['to']): ReferralStatus[] {
  const open = OPEN_REFERRAL_STATUSES.includes(from);
  switch (to) {
    case 'EXPIRED':
      return open ? [ReferralStatus.EXPIRED] : [];
    case 'CONVERTED':
      return open || from === ReferralStatus.EXPIRED ? [ReferralStatus.CONVERTED] : [];
    case 'QUALIFIED':
      if (from === ReferralStatus.CONVERTED) return [ReferralStatus.QUALIFIED];
      return open || from === ReferralStatus.EXPIRED ? [ReferralStatus.CONVERTED, ReferralStatus.QUALIFIED] : [];
    default:
      return [];
  }
}

/** What the audit trail keeps of a referral: masked values and references, never hashes. */
function auditView(r: ReferralEntity): Record<string, unknown> {
  return {
    partnerId: r.partnerId,
    programId: r.programId,
    channelId: r.channelId,
    idempotencyKey: r.idempotencyKey,
    maskedName: r.maskedName,
    maskedIdNumber: r.maskedIdNumber,
    maskedPhone: r.maskedPhone,
    productCode: r.productCode,
    submittedAt: r.submittedAt,
    expiresOn: r.expiresOn,
    status: r.status,
    duplicateOfId: r.duplicateOfId,
  };
}
