import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../auth/actor';
import { applyPartnerScope } from '../auth/access';
import { AuditService } from '../audit/audit.service';
import { addDays, isValidBusinessDate } from '../common/business-time';
import { Clock } from '../common/clock';
import { badInput, DomainError, notFound } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { CustomerEventsService, RecordedEvents } from '../customers/customer-events.service';
import { CustomerEventEntity } from '../customers/entities/customer-event.entity';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { ConnectionResult, PageArgs, paginate } from '../graphql/connection';
import { chunk } from '../graphql/loaders';
import { JobsService } from '../jobs/jobs.service';
import { PartnersService } from '../partners/partners.service';
import { CustomerEventType } from '../programs/customer-event-type';
import { ProgramEntity } from '../programs/entities/program.entity';
import { acceptsNewBusiness, ProgramStatus, servesExistingCards } from '../programs/program.enums';
import { ProgramsService } from '../programs/programs.service';
import { CardStatus } from './card.enums';
import { CardsFilter } from './dto/card.inputs';
import { CardEntity } from './entities/card.entity';
import { CARD_EVENT_TYPES, CardFoldEvent, CardState, foldCardEvents, parseCardRef } from './rules/card-fold';

export const MARK_DORMANT_JOB = 'cards.markDormant';
const BATCH = 500;

interface CardGroup {
  customerId: string;
  programId: string;
  events: CardFoldEvent[];
}

/** Why a card event did not move a card (logged by event id only: never the card number). */
export enum CardEventSkip {
  INVALID_PAN = 'INVALID_PAN',
  NO_PROGRAM = 'NO_PROGRAM',
  BIN_OUTSIDE_PROGRAM = 'BIN_OUTSIDE_PROGRAM',
  NOT_CO_BRANDED = 'NOT_CO_BRANDED',
  PROGRAM_NOT_ACCEPTING_NEW_CARDS = 'PROGRAM_NOT_ACCEPTING_NEW_CARDS',
  PROGRAM_NOT_SERVING_CARDS = 'PROGRAM_NOT_SERVING_CARDS',
}

function isCardType(type: CustomerEventType): boolean {
  return CARD_EVENT_TYPES.includes(type);
}

@Injectable()
export class CardsService implements OnModuleInit {
  private readonly logger = new Logger('Cards');
  /** The last refresh's skipped events (event id → reason), for operators and tests. */
  lastSkipped = new Map<string, CardEventSkip>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: CustomerEventsService,
    private readonly programs: ProgramsService,
    private readonly partners: PartnersService,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.events.onRecorded((recorded) => this.onRecorded(recorded));
  }

  async onRecorded(recorded: RecordedEvents): Promise<void> {
    if (!recorded.types.some(isCardType)) return;
    await this.applyRecorded(recorded.events.filter((e) => isCardType(e.type as CustomerEventType)));
  }

  // ---------- reads ----------

  async get(actor: Actor, id: string): Promise<CardEntity> {
    const card = await this.dataSource.getRepository(CardEntity).findOneBy({ id });
    if (!card) throw notFound('Card', id);
    const [partner] = await this.partners.findVisibleByIds(actor, [card.partnerId]);
    if (!partner) throw notFound('Card', id);
    return card;
  }

  list(actor: Actor, filter: CardsFilter, page: PageArgs): Promise<ConnectionResult<CardEntity>> {
    const query = this.dataSource.getRepository(CardEntity).createQueryBuilder('c');
    applyPartnerScope(query, actor, 'c.partnerId');
    if (filter.partnerIds?.length) query.andWhere('c.partnerId IN (:...partnerIds)', { partnerIds: filter.partnerIds });
    if (filter.programIds?.length) query.andWhere('c.programId IN (:...programIds)', { programIds: filter.programIds });
    if (filter.customerIds?.length)
      query.andWhere('c.customerId IN (:...customerIds)', { customerIds: filter.customerIds });
    if (filter.statuses?.length) query.andWhere('c.status IN (:...statuses)', { statuses: filter.statuses });
    return paginate(query, page, (row) => row);
  }

  // ---------- event-driven state ----------

  /**
   * Moves cards by newly recorded events without re-reading history where it cannot matter: a customer
   * whose cards all exist and whose earlier card events all occurred before the earliest new one gets the
   * new events folded onto the stored card state (the same result as a full fold, whose order is
   * occurrence order). Late or out-of-order events, and keys without a card yet, take the full re-fold.
   */
  async applyRecorded(events: readonly CustomerEventEntity[]): Promise<void> {
    this.lastSkipped = new Map();
    const groups = await this.groupByCard(events);
    if (groups.size === 0) return;
    const customerIds = [...new Set([...groups.values()].map((g) => g.customerId))];
    const cards = await this.cardsOf(this.dataSource.manager, customerIds);
    const full = new Set<string>();
    for (const [key, group] of groups) if (!cards.has(key)) full.add(group.customerId);
    const earliest = new Map<string, Date>();
    for (const e of events) {
      const at = earliest.get(e.customerId);
      if (!full.has(e.customerId) && (!at || e.occurredAt < at)) earliest.set(e.customerId, e.occurredAt);
    }
    for (const id of await this.customersWithCardEventsSince(
      earliest,
      events.map((e) => e.id),
    ))
      full.add(id);
    const incremental = [...groups].filter(([, g]) => !full.has(g.customerId));
    if (incremental.length > 0) await this.foldOnto(incremental, customerIds);
    if (full.size > 0) await this.refold([...full]);
  }

  /** Re-folds every card event of these customers (late and out-of-order events land the same way). */
  async refresh(customerIds: readonly string[]): Promise<void> {
    this.lastSkipped = new Map();
    await this.refold(customerIds);
  }

  /**
   * The full re-fold: every card event of these customers, and the cards that changed written, audited,
   * in one transaction. New cards need a program that accepts new business (not WINDING_DOWN); existing
   * cards are served while the program still serves cards.
   */
  private async refold(customerIds: readonly string[]): Promise<void> {
    const events = await this.events.eventsOfCustomers(customerIds, CARD_EVENT_TYPES);
    if (events.length === 0) return;
    const groups = await this.groupByCard(events);
    const context = await this.programContext(groups);
    await this.tx.run(async (manager) => {
      const existing = await this.cardsOf(manager, customerIds);
      const now = this.clock.now();
      for (const [key, group] of groups) {
        const program = context.programs.get(group.programId);
        const productId = context.products.get(group.programId);
        if (!program || !productId) {
          for (const e of group.events) this.skip(e.id, CardEventSkip.NOT_CO_BRANDED);
          continue;
        }
        const folded = foldCardEvents(group.events);
        if (folded.status === null) continue;
        const before = existing.get(key);
        if (!before) {
          if (!acceptsNewBusiness(program.status as ProgramStatus)) {
            for (const e of group.events) this.skip(e.id, CardEventSkip.PROGRAM_NOT_ACCEPTING_NEW_CARDS);
            continue;
          }
          const card: CardEntity = {
            id: newId(),
            customerId: group.customerId,
            programId: program.id,
            productId,
            partnerId: program.partnerId,
            ...stateColumns(folded, null),
            version: 1,
            createdAt: now,
            updatedAt: now,
          };
          await manager.insert(CardEntity, card);
          await this.audit.record(manager, null, {
            action: 'card.create',
            entityType: 'Card',
            entityId: card.id,
            after: card,
          });
          continue;
        }
        await this.update(manager, program, group, before, folded, now);
      }
    });
  }

  /** The incremental path: new events folded onto stored cards (all of them exist), in one transaction. */
  private async foldOnto(groups: [string, CardGroup][], customerIds: readonly string[]): Promise<void> {
    const context = await this.programContext(new Map(groups));
    await this.tx.run(async (manager) => {
      const existing = await this.cardsOf(manager, customerIds);
      const now = this.clock.now();
      for (const [key, group] of groups) {
        const program = context.programs.get(group.programId);
        const before = existing.get(key);
        if (!program || !context.products.get(group.programId) || !before) {
          for (const e of group.events) this.skip(e.id, CardEventSkip.NOT_CO_BRANDED);
          continue;
        }
        await this.update(manager, program, group, before, foldCardEvents(group.events, foldedStateOf(before)), now);
      }
    });
  }

  private async update(
    manager: EntityManager,
    program: ProgramEntity,
    group: CardGroup,
    before: CardEntity,
    folded: CardState,
    now: Date,
  ): Promise<void> {
    if (!servesExistingCards(program.status as ProgramStatus)) {
      for (const e of group.events) this.skip(e.id, CardEventSkip.PROGRAM_NOT_SERVING_CARDS);
      return;
    }
    const next = stateColumns(folded, before);
    if (sameState(before, next)) return;
    const after: CardEntity = { ...before, ...next, version: before.version + 1, updatedAt: now };
    await this.saveVersioned(manager, before, after);
    await this.audit.record(manager, null, {
      action: 'card.update',
      entityType: 'Card',
      entityId: before.id,
      before: { status: before.status, lastActivityOn: before.lastActivityOn, version: before.version },
      after: { status: after.status, lastActivityOn: after.lastActivityOn, version: after.version },
    });
  }

  /** Card events by card (customer | program, the program named or owning the BIN); unusable ones skipped. */
  private async groupByCard(events: readonly CustomerEventEntity[]): Promise<Map<string, CardGroup>> {
    const groups = new Map<string, CardGroup>();
    const ownerOfBin = new Map<string, string | null>();
    for (const e of events) {
      let ref;
      try {
        ref = parseCardRef(e.cardRef);
      } catch {
        this.skip(e.id, CardEventSkip.INVALID_PAN);
        continue;
      }
      let owner: string | null = null;
      if (ref) {
        if (!ownerOfBin.has(ref.bin)) ownerOfBin.set(ref.bin, await this.programs.binRangeOwner(ref.bin));
        owner = ownerOfBin.get(ref.bin) ?? null;
        if (owner === null || (e.programId !== null && owner !== e.programId)) {
          this.skip(e.id, CardEventSkip.BIN_OUTSIDE_PROGRAM);
          continue;
        }
      }
      const programId = e.programId ?? owner;
      if (programId === null) {
        this.skip(e.id, CardEventSkip.NO_PROGRAM);
        continue;
      }
      const key = `${e.customerId}|${programId}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { customerId: e.customerId, programId, events: [] }));
      group.events.push({
        type: e.type as CustomerEventType,
        occurredAt: e.occurredAt,
        businessDate: e.businessDate,
        id: e.id,
        ref,
      });
    }
    return groups;
  }

  private async programContext(
    groups: ReadonlyMap<string, CardGroup>,
  ): Promise<{ programs: Map<string, ProgramEntity>; products: Map<string, string> }> {
    const programIds = [...new Set([...groups.values()].map((g) => g.programId))];
    const programs = new Map(
      (await this.programs.findProgramsByIds(programIds))
        .filter((p): p is ProgramEntity => p !== null)
        .map((p) => [p.id, p]),
    );
    const products = new Map(
      (await this.programs.productsOfPrograms(programIds)).map((p) => [p.product.programId, p.product.id]),
    );
    return { programs, products };
  }

  private async cardsOf(manager: EntityManager, customerIds: readonly string[]): Promise<Map<string, CardEntity>> {
    const out = new Map<string, CardEntity>();
    for (const part of chunk([...new Set(customerIds)], 1000))
      for (const card of await manager.findBy(CardEntity, { customerId: In(part) }))
        out.set(`${card.customerId}|${card.programId}`, card);
    return out;
  }

  /**
   * Of these customers, those with a card event other than `exceptIds` occurring at or after the given
   * instant: one range read per customer on (customer_id, occurred_at), however long the history.
   */
  private async customersWithCardEventsSince(
    since: ReadonlyMap<string, Date>,
    exceptIds: readonly string[],
  ): Promise<Set<string>> {
    const out = new Set<string>();
    const except = new Set(exceptIds);
    for (const part of chunk([...since], 200)) {
      const query = this.dataSource
        .getRepository(CustomerEventEntity)
        .createQueryBuilder('e')
        .select(['e.id AS "id"', 'e.customer_id AS "customerId"'])
        .where('e.type IN (:...types)', { types: [...CARD_EVENT_TYPES] });
      const ranges = part.map((_, i) => `(e.customer_id = :c${i} AND e.occurred_at >= :t${i})`);
      const params: Record<string, unknown> = {};
      part.forEach(([customerId, at], i) => {
        params[`c${i}`] = customerId;
        params[`t${i}`] = at;
      });
      query.andWhere(`(${ranges.join(' OR ')})`, params);
      for (const row of await query.getRawMany<{ id: string; customerId: string }>())
        if (!except.has(row.id)) out.add(row.customerId);
    }
    return out;
  }

  /** ACTIVATED cards with no activation or spend for `days` (default CARD_DORMANT_DAYS) before asOf turn DORMANT. */
  async markDormantCards(actor: Actor, asOf: string, days?: number): Promise<{ jobId: string; changed: number }> {
    if (!isValidBusinessDate(asOf)) throw badInput('asOf', 'INVALID_DATE');
    const window = days ?? this.config.cardDormantDays;
    if (!Number.isInteger(window) || window < 1 || window > 3650) throw badInput('days', 'OUT_OF_RANGE');
    const cutoff = addDays(asOf, -window);
    const { job } = await this.jobs.create(actor, { type: MARK_DORMANT_JOB, payload: { asOf, days: window } });
    let changed = 0;
    const finished = await this.jobs.run(job.id, async (ctx) => {
      for (;;) {
        const batch = await this.dataSource
          .getRepository(CardEntity)
          .createQueryBuilder('c')
          .select(['c.id'])
          .where('c.status = :status', { status: CardStatus.ACTIVATED })
          .andWhere('c.lastActivityOn <= :cutoff', { cutoff })
          .orderBy('c.id', 'ASC')
          .take(BATCH)
          .getMany();
        if (batch.length === 0) break;
        await this.tx.run(async (manager) => {
          const ids = batch.map((c) => c.id);
          const result = await manager
            .createQueryBuilder()
            .update(CardEntity)
            .set({
              status: CardStatus.DORMANT,
              dormantSince: asOf,
              updatedAt: this.clock.now(),
              version: () => 'version + 1',
            })
            .where('id IN (:...ids) AND status = :status', { ids, status: CardStatus.ACTIVATED })
            .execute();
          changed += result.affected ?? 0;
          await this.audit.record(manager, actor, {
            action: 'card.markDormant',
            entityType: 'CardBatch',
            entityId: job.id,
            after: { asOf, days: window, cardIds: ids },
          });
          await ctx.progress(manager, changed);
        });
      }
      return { asOf, days: window, dormant: changed };
    });
    if (finished.error) throw new DomainError('INTERNAL_SERVER_ERROR', finished.error);
    return { jobId: job.id, changed };
  }

  // ---------- internals ----------

  private skip(eventId: string, reason: CardEventSkip): void {
    this.lastSkipped.set(eventId, reason);
    this.logger.warn({ eventId, reason }, 'A card event did not move a card');
  }

  private async saveVersioned(manager: EntityManager, before: CardEntity, after: CardEntity): Promise<void> {
    const {
      id: _id,
      createdAt: _c,
      customerId: _cu,
      programId: _p,
      productId: _pr,
      partnerId: _pa,
      ...changes
    } = after;
    const result = await manager
      .createQueryBuilder()
      .update(CardEntity)
      .set(changes)
      .where('id = :id AND version = :version', { id: before.id, version: before.version })
      .execute();
    if (result.affected !== 1)
      throw new DomainError('CONFLICT', 'Card was changed concurrently', { rule: 'STALE_VERSION' });
  }
}

type StateColumns = Pick<
  CardEntity,
  | 'maskedPan'
  | 'bin'
  | 'status'
  | 'appliedAt'
  | 'decidedAt'
  | 'activatedAt'
  | 'lastSpendAt'
  | 'lastActivityOn'
  | 'dormantSince'
  | 'closedAt'
>;

/** Folded state as columns; a DORMANT card stays DORMANT until an activation or spend newer than its last. */
function stateColumns(folded: CardState, before: CardEntity | null): StateColumns {
  let status = folded.status ?? CardStatus.APPLIED;
  let dormantSince: string | null = null;
  if (
    before &&
    (before.status as CardStatus) === CardStatus.DORMANT &&
    status === CardStatus.ACTIVATED &&
    (folded.lastActivityOn ?? '') <= (before.lastActivityOn ?? '')
  ) {
    status = CardStatus.DORMANT;
    dormantSince = before.dormantSince;
  }
  return {
    maskedPan: folded.maskedPan ?? before?.maskedPan ?? null,
    bin: folded.bin ?? before?.bin ?? null,
    status,
    appliedAt: folded.appliedAt,
    decidedAt: folded.decidedAt,
    activatedAt: folded.activatedAt,
    lastSpendAt: folded.lastSpendAt,
    lastActivityOn: folded.lastActivityOn,
    dormantSince,
    closedAt: folded.closedAt,
  };
}

/** A stored card as the fold's state: DORMANT is the fold's ACTIVATED (stateColumns restores it). */
function foldedStateOf(card: CardEntity): CardState {
  const status = card.status as CardStatus;
  return {
    status: status === CardStatus.DORMANT ? CardStatus.ACTIVATED : status,
    maskedPan: card.maskedPan,
    bin: card.bin,
    appliedAt: card.appliedAt,
    decidedAt: card.decidedAt,
    activatedAt: card.activatedAt,
    lastSpendAt: card.lastSpendAt,
    lastActivityOn: card.lastActivityOn,
    closedAt: card.closedAt,
  };
}

function sameTime(a: Date | null, b: Date | null): boolean {
  return (a?.getTime() ?? null) === (b?.getTime() ?? null);
}

function sameState(a: CardEntity, b: StateColumns): boolean {
  return (
    a.status === b.status &&
    a.maskedPan === b.maskedPan &&
    a.bin === b.bin &&
    a.lastActivityOn === b.lastActivityOn &&
    a.dormantSince === b.dormantSince &&
    sameTime(a.appliedAt, b.appliedAt) &&
    sameTime(a.decidedAt, b.decidedAt) &&
    sameTime(a.activatedAt, b.activatedAt) &&
    sameTime(a.lastSpendAt, b.lastSpendAt) &&
    sameTime(a.closedAt, b.closedAt)
  );
}
