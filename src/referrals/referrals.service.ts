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
import { checkTrackingCode } from '../channels/channel.rules';
import { parseInstant } from '../customers/rules/event-input';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { updateIfVersion } from '../database/versioned';
import { uniqueViolationOf } from '../database/unique-violation';
import { ConnectionResult, PageArgs, paginate } from '../graphql/connection';
import { chunk } from '../graphql/loaders';
import { JobsService } from '../jobs/jobs.service';
import { PartnersService } from '../partners/partners.service';
import { acceptsNewBusiness, ProgramStatus, RuleKind } from '../programs/program.enums';
import { ProgramsService } from '../programs/programs.service';
import { ProgramEntity } from '../programs/entities/program.entity';
import { ProgramRuleVersionEntity } from '../programs/entities/program-rule-version.entity';
import { effectiveRule, parseAttributionRule } from '../programs/rules/program-rules';
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
import { HashedProspect, hashProspect, payloadHashOf, ProspectFields } from './rules/prospect';
import {
  LOOKUP_CHUNK,
  insertRows,
  placeholders,
  selectEntities,
  selectRows,
  selectRowsByPairs,
} from '../database/plain-sql';

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

/** Work inside every transaction that inserted or changed referrals, after the rows are written. */
export type ReferralsWritingHook = (manager: EntityManager, referralIds: readonly string[]) => Promise<void>;

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

/** The referral columns an attribution touch needs. */
const TOUCH_PROPERTIES = [
  'id',
  'partnerId',
  'programId',
  'channelId',
  'submittedAt',
  'submittedOn',
  'expiresOn',
  'identityHash',
  'phoneHash',
  'productCode',
  'status',
] as const satisfies readonly (keyof ReferralEntity)[];

@Injectable()
export class ReferralsService {
  private readonly writingHooks: ReferralsWritingHook[] = [];

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

  /**
   * A later module's bookkeeping inside every transaction that inserts or changes referrals (analytics queues them
   * for its roll-ups): it commits or rolls back with the rows, so it never misses or doubles a change; a failing
   * hook rolls the write back. Referrals never import the modules that register these.
   */
  onWriting(hook: ReferralsWritingHook): void {
    this.writingHooks.push(hook);
  }

  private async written(manager: EntityManager, referralIds: readonly string[]): Promise<void> {
    if (referralIds.length === 0) return;
    for (const hook of this.writingHooks) await hook(manager, referralIds);
  }

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
    const [outcome] = await this.submitMany(actor, [input]);
    if (outcome === undefined) throw new Error('submitMany returned no outcome');
    if (outcome instanceof DomainError) throw outcome;
    return outcome;
  }

  /**
   * Many submissions in one transaction, each answered exactly as `submit` would answer it if the rows were
   * submitted one after another in this order (a replay or CONFLICT for a key used earlier in the batch, a
   * DUPLICATE of a prospect referred earlier in the batch); lookups are set-based and inserts multi-row.
   * A row's refusal is its DomainError in the result; anything else fails the whole batch. `within` runs in
   * the same transaction after the writes (the import job's report and progress commit with its batch).
   */
  async submitMany(
    actor: Actor,
    inputs: readonly SubmitReferralFields[],
    within?: (manager: EntityManager, outcomes: readonly SubmitOutcome[]) => Promise<void>,
  ): Promise<SubmitOutcome[]> {
    this.assertCanSubmit(actor);
    try {
      return await this.intake(actor, inputs, within);
    } catch (error) {
      // A concurrent call with one of the same keys won: once more, those rows now answer as replays.
      if (uniqueViolationOf(error)) return this.intake(actor, inputs, within);
      throw error;
    }
  }

  private async intake(
    actor: Actor,
    inputs: readonly SubmitReferralFields[],
    within: ((manager: EntityManager, outcomes: readonly SubmitOutcome[]) => Promise<void>) | undefined,
  ): Promise<SubmitOutcome[]> {
    const now = this.clock.now();
    const outcomes: (SubmitOutcome | null)[] = inputs.map(() => null);
    const attempt = <T>(i: number, work: () => T): T | null => {
      try {
        return work();
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        outcomes[i] = error;
        return null;
      }
    };
    const parsed = inputs.map((input, i) => attempt(i, () => this.parseSubmission(input, now)));
    const channels = await this.resolveChannels(actor, parsed);
    const rows = parsed.map((p, i) =>
      p === null ? null : attempt(i, () => ({ ...p, channel: requiredChannel(channels, p) })),
    );
    const ready = rows.filter((r): r is NonNullable<typeof r> => r !== null);
    const scope = actor.id;
    const existing = new Map<string, ReferralEntity>();
    for (const part of chunk([...new Set(ready.map((r) => r.key))], LOOKUP_CHUNK))
      for (const row of await selectEntities(
        this.dataSource.manager,
        ReferralEntity,
        `idempotency_scope = ? AND idempotency_key IN (${placeholders(part.length)})`,
        [scope, ...part],
      ))
        existing.set(row.idempotencyKey, row);
    const programIds = [...new Set(ready.map((r) => r.channel.programId))];
    const programs = new Map<string, ProgramEntity>();
    for (const program of await this.programs.findProgramsByIds(programIds))
      if (program) programs.set(program.id, program);
    const windowDaysOf = await this.windowDaysOf(programIds);

    return this.tx.run(async (manager) => {
      const earlier = await this.loadEarlierCandidates(
        manager,
        ready.map((r) => ({ partnerId: r.channel.partnerId, prospect: r.prospect, submittedOn: r.submittedOn })),
      );
      const created: ReferralEntity[] = [];
      for (const [i, row] of rows.entries()) {
        if (row === null) continue;
        const payloadHash = payloadHashOf({
          channelId: row.channel.id,
          prospect: row.prospect,
          nameKey: row.nameKey,
          productCode: row.productCode,
          submittedAt: row.explicitSubmittedAt ? row.submittedAt.toISOString() : null,
        });
        const replay = attempt(i, () => replayOf(existing.get(row.key), payloadHash));
        if (outcomes[i] !== null) continue;
        if (replay) {
          outcomes[i] = { referral: replay, created: false };
          continue;
        }
        const program = attempt(i, () => acceptingProgram(row.channel, programs.get(row.channel.programId)));
        if (program === null) continue;
        const { submittedOn } = row;
        // A rule that cannot be read refuses this row only, as it refused one submit.
        const windowDays = attempt(i, () => windowDaysOf(program.id, submittedOn));
        if (windowDays === null) continue;
        const expiresOn = addDays(submittedOn, windowDays);
        const first = firstEarlierReferral(
          earlier.candidatesOf(row.prospect),
          row.channel.partnerId,
          row.prospect,
          submittedOn,
        );
        const duplicate = first !== null;
        const status = duplicate ? ReferralStatus.DUPLICATE : ReferralStatus.SUBMITTED;
        const entity: ReferralEntity = {
          id: newId(),
          partnerId: row.channel.partnerId,
          programId: program.id,
          channelId: row.channel.id,
          orgUnitId: program.orgUnitId,
          idempotencyKey: row.key,
          idempotencyScope: scope,
          payloadHash,
          idType: row.prospect.idType,
          identityHash: row.prospect.identityHash,
          phoneHash: row.prospect.phoneHash,
          maskedName: row.prospect.maskedName,
          maskedIdNumber: row.prospect.maskedIdNumber,
          maskedPhone: row.prospect.maskedPhone,
          productCode: row.productCode,
          submittedAt: row.submittedAt,
          submittedOn,
          expiresOn,
          status,
          statusReason: duplicate ? 'Already referred by this partner inside the window' : null,
          reachedRank: LADDER_RANK[status],
          duplicateOfId: first?.id ?? null,
          customerId: null,
          convertedAt: null,
          qualifiedAt: null,
          submittedById: actor.id,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
        // Later rows of the batch see this one, as they would after its own transaction.
        existing.set(entity.idempotencyKey, entity);
        earlier.add(entity);
        created.push(entity);
        outcomes[i] = { referral: entity, created: true };
      }
      await insertRows(manager, ReferralEntity, created, REFERRALS_PER_INSERT);
      await this.written(
        manager,
        created.map((r) => r.id),
      );
      await this.writeHistory(
        manager,
        created.map((r) => ({
          referralId: r.id,
          fromStatus: null,
          toStatus: r.status,
          reason: r.statusReason,
          actorId: actor.id,
          at: now,
        })),
      );
      await this.audit.recordMany(
        manager,
        actor,
        created.map((r) => ({
          action: 'referral.submit',
          entityType: 'Referral',
          entityId: r.id,
          after: auditView(r),
        })),
      );
      const answered = outcomes.map((o) => {
        if (o === null) throw new Error('a submission was left without an outcome');
        return o;
      });
      if (within) await within(manager, answered);
      return answered;
    });
  }

  /**
   * The window (days) of each program's attribution rule in force on a date, as attributionRuleOn reads it:
   * the programs' versions in one query, each (program, date) parsed once; a stored rule that cannot be
   * parsed throws its DomainError for the rows that need it.
   */
  private async windowDaysOf(programIds: readonly string[]): Promise<(programId: string, on: string) => number> {
    const versions = new Map<string, ProgramRuleVersionEntity[]>();
    for (const v of await this.programs.ruleVersionsOf(programIds)) {
      if (v.kind !== (RuleKind.ATTRIBUTION as string)) continue;
      const list = versions.get(v.programId);
      if (list) list.push(v);
      else versions.set(v.programId, [v]);
    }
    const memo = new Map<string, number | DomainError>();
    return (programId, on) => {
      const key = `${programId}|${on}`;
      let days = memo.get(key);
      if (days === undefined) {
        try {
          const found = effectiveRule(versions.get(programId) ?? [], on);
          days = found ? parseAttributionRule(found.body).windowDays : DEFAULT_REFERRAL_WINDOW_DAYS;
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          days = error;
        }
        memo.set(key, days);
      }
      if (days instanceof DomainError) throw days;
      return days;
    };
  }

  /** Input checks and hashing, in the order submit reports them; clear identity values stop here. */
  private parseSubmission(input: SubmitReferralFields, now: Date): ParsedSubmission {
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
    const channelRef: ChannelRef = hasCode
      ? {
          field: 'trackingCode',
          ref: input.trackingCode ?? '',
          code: checkTrackingCode(input.trackingCode ?? '', 'trackingCode'),
        }
      : { field: 'channelId', ref: input.channelId ?? '', code: null };
    return {
      key,
      prospect,
      productCode,
      submittedAt,
      submittedOn: businessDateOf(submittedAt, this.config.bankTimeZone),
      explicitSubmittedAt: present(input.submittedAt),
      nameKey: hmacIdentity(this.config.identityHashKey, `NAME:${(input.prospect.name ?? '').trim()}`),
      channelRef,
    };
  }

  /** Channels by tracking code and by id, in a few statements; a channel of a partner the actor may not see is left out. */
  private async resolveChannels(actor: Actor, parsed: readonly (ParsedSubmission | null)[]): Promise<ResolvedChannels> {
    const codes = new Set<string>();
    const ids = new Set<string>();
    for (const p of parsed) {
      if (p === null) continue;
      if (p.channelRef.code !== null) codes.add(p.channelRef.code);
      else ids.add(p.channelRef.ref);
    }
    const repo = this.dataSource.getRepository(ChannelEntity);
    const found: ChannelEntity[] = [];
    for (const part of chunk([...codes])) found.push(...(await repo.findBy({ trackingCode: In(part) })));
    for (const part of chunk([...ids])) found.push(...(await repo.findBy({ id: In(part) })));
    const partnerIds = [...new Set(found.map((c) => c.partnerId))];
    const visible = new Set(
      (await this.partners.findVisibleByIds(actor, partnerIds)).flatMap((partner) => (partner ? [partner.id] : [])),
    );
    const result: ResolvedChannels = { byCode: new Map(), byId: new Map() };
    for (const c of found) {
      if (!visible.has(c.partnerId)) continue;
      result.byCode.set(c.trackingCode, c);
      result.byId.set(c.id, c);
    }
    return result;
  }

  /**
   * Referrals that may make a submission a DUPLICATE (same partner, same identity or phone hash, window not
   * ended before the batch's first day), indexed by hash; rows created in the batch are added as they come.
   */
  private async loadEarlierCandidates(
    manager: EntityManager,
    wanted: readonly { partnerId: string; prospect: HashedProspect; submittedOn: string }[],
  ): Promise<EarlierCandidates> {
    const byHash = new Map<string, Candidate[]>();
    const add = (r: Candidate): void => {
      for (const hash of [r.identityHash && `i:${r.identityHash}`, r.phoneHash && `p:${r.phoneHash}`]) {
        if (!hash) continue;
        const list = byHash.get(hash);
        if (list) list.push(r);
        else byHash.set(hash, [r]);
      }
    };
    const candidates: EarlierCandidates = {
      add,
      candidatesOf: (p) => {
        const seen = new Map<string, Candidate>();
        for (const hash of [p.identityHash && `i:${p.identityHash}`, p.phoneHash && `p:${p.phoneHash}`])
          for (const r of (hash && byHash.get(hash)) || []) seen.set(r.id, r);
        return [...seen.values()];
      },
    };
    if (wanted.length === 0) return candidates;
    const from = wanted.map((w) => w.submittedOn).reduce((a, b) => (a < b ? a : b));
    const loaded = new Map<string, Candidate>();
    // Only the same partner's referrals can make a DUPLICATE: look up (hash, partner) pairs, not every partner's
    // referrals of a hash (a prospect touched by several partners' campaigns has one per partner).
    const load = async (
      column: 'identity_hash' | 'phone_hash',
      index: 'ix_referrals_identity_partner' | 'ix_referrals_phone_partner',
      hashOf: (p: HashedProspect) => string | null,
    ) => {
      const pairs = new Map<string, readonly [string, string]>();
      for (const w of wanted) {
        const hash = hashOf(w.prospect);
        if (hash !== null) pairs.set(`${hash}\u0000${w.partnerId}`, [hash, w.partnerId]);
      }
      for (const r of await selectRowsByPairs(
        manager,
        ReferralEntity,
        CANDIDATE_FIELDS,
        [column, 'partner_id'],
        index,
        [...pairs.values()],
        `t.status NOT IN (${placeholders(NOT_BLOCKING.length)}) AND t.expires_on >= ?`,
        [...NOT_BLOCKING, from],
      ))
        loaded.set(r.id, r);
    };
    await load('identity_hash', 'ix_referrals_identity_partner', (p) => p.identityHash);
    await load('phone_hash', 'ix_referrals_phone_partner', (p) => p.phoneHash);
    for (const r of loaded.values()) add(r);
    return candidates;
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
    const found = new Map<string, ReferralTouch>();
    const excluded = [ReferralStatus.DUPLICATE, ReferralStatus.REJECTED];
    const load = async (column: 'identity_hash' | 'phone_hash', values: string[]): Promise<void> => {
      // Plain SQL and only the touch's columns: this runs after every recorded batch of events.
      for (const part of chunk([...new Set(values)], LOOKUP_CHUNK)) {
        const rows = await selectRows(
          this.dataSource.manager,
          ReferralEntity,
          TOUCH_PROPERTIES,
          `${column} IN (${placeholders(part.length)}) AND status NOT IN (${placeholders(excluded.length)})`,
          [...part, ...excluded],
        );
        for (const r of rows) found.set(r.id, { ...r, referralId: r.id });
      }
    };
    // Independent reads (pooled connections on MySQL); the map de-duplicates a referral matched by both.
    await Promise.all([load('identity_hash', identityHashes), load('phone_hash', phoneHashes)]);
    return [...found.values()]
      .sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime() || a.referralId.localeCompare(b.referralId))
      .map((r) => ({
        referralId: r.referralId,
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
    await this.written(
      manager,
      rows.map((r) => r.before.id),
    );
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
    await insertRows(
      manager,
      ReferralStatusChangeEntity,
      rows.map((h) => ({
        id: newId(),
        referralId: h.referralId,
        fromStatus: h.fromStatus,
        toStatus: h.toStatus,
        reason: h.reason ? h.reason.slice(0, 500) : null,
        actorId: h.actorId,
        changedAt: h.at,
      })),
      HISTORY_PER_INSERT,
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
    await this.written(manager, [before.id]);
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

/** One submission's answer: its result, or the DomainError that refused it. */
export type SubmitOutcome = SubmitResult | DomainError;

/** Referrals in these statuses never make a later submission a DUPLICATE. */
const NOT_BLOCKING: readonly string[] = [ReferralStatus.DUPLICATE, ReferralStatus.REJECTED];
/** Referrals per multi-row INSERT: 500 × 29 parameters stays under SQLite's 32,766. */
const REFERRALS_PER_INSERT = 500;
/** Status changes per multi-row INSERT (7 columns). */
const HISTORY_PER_INSERT = 1000;

interface ChannelRef {
  field: 'trackingCode' | 'channelId';
  /** As given, for the NOT_FOUND answer. */
  ref: string;
  /** The checked tracking code, or null when the channel is named by id. */
  code: string | null;
}

interface ParsedSubmission {
  key: string;
  prospect: HashedProspect;
  productCode: string | null;
  submittedAt: Date;
  /** The business date of submittedAt, computed once (a time-zone conversion per row is not free). */
  submittedOn: string;
  explicitSubmittedAt: boolean;
  nameKey: string;
  channelRef: ChannelRef;
}

interface ResolvedChannels {
  byCode: Map<string, ChannelEntity>;
  byId: Map<string, ChannelEntity>;
}

/** What DUPLICATE detection reads of an earlier referral. */
const CANDIDATE_FIELDS = [
  'id',
  'partnerId',
  'identityHash',
  'phoneHash',
  'status',
  'submittedAt',
  'submittedOn',
  'expiresOn',
] as const;
type Candidate = Pick<ReferralEntity, (typeof CANDIDATE_FIELDS)[number]>;

interface EarlierCandidates {
  add(referral: Candidate): void;
  candidatesOf(prospect: HashedProspect): Candidate[];
}

/** The channel a submission names, among those visible to the actor (a partner-bound key sees only its own). */
function requiredChannel(channels: ResolvedChannels, p: ParsedSubmission): ChannelEntity {
  const { field, ref, code } = p.channelRef;
  const channel = code !== null ? channels.byCode.get(code) : channels.byId.get(ref);
  if (!channel) throw new DomainError('NOT_FOUND', 'Channel not found', { entity: 'Channel', id: ref, field });
  return channel;
}

/** The referral an earlier call with this key created when the payload is the same; CONFLICT when it is not. */
function replayOf(existing: ReferralEntity | undefined, payloadHash: string): ReferralEntity | null {
  if (!existing) return null;
  if (existing.payloadHash !== payloadHash)
    throw conflict('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was used for a different referral', {
      field: 'idempotencyKey',
    });
  return existing;
}

/** A channel takes referrals only while it is ACTIVE and its program accepts new business. */
function acceptingProgram(channel: ChannelEntity, program: ProgramEntity | undefined): ProgramEntity {
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
  return program;
}

/**
 * The referral that makes a submission a DUPLICATE: the same prospect (identity or phone hash) referred by
 * the same partner, whose window is still open on `submittedOn`; the earliest submitted one. DUPLICATE and
 * REJECTED referrals do not block a new one.
 */
export function firstEarlierReferral<C extends Candidate>(
  candidates: readonly C[],
  partnerId: string,
  prospect: Pick<HashedProspect, 'identityHash' | 'phoneHash'>,
  submittedOn: string,
): C | null {
  let first: C | null = null;
  for (const r of candidates) {
    const samePerson =
      (prospect.identityHash !== null && r.identityHash === prospect.identityHash) ||
      (prospect.phoneHash !== null && r.phoneHash === prospect.phoneHash);
    if (!samePerson || r.partnerId !== partnerId || NOT_BLOCKING.includes(r.status)) continue;
    if (r.submittedOn > submittedOn || r.expiresOn < submittedOn) continue;
    const t = r.submittedAt.getTime();
    if (first === null || t < first.submittedAt.getTime() || (t === first.submittedAt.getTime() && r.id < first.id))
      first = r;
  }
  return first;
}
