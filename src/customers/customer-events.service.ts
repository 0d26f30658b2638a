import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { badInput, DomainError } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { newId } from '../database/columns';
import { LOOKUP_CHUNK, insertRows, placeholders } from '../database/plain-sql';
import { isSqlite } from '../database/data-source';
import { TransactionService } from '../database/transaction.service';
import { uniqueViolationOf } from '../database/unique-violation';
import { ConnectionResult, PageArgs, paginate } from '../graphql/connection';
import { readAhead } from '../imports/records';
import { chunk } from '../graphql/loaders';
import { CustomerEventType } from '../programs/customer-event-type';
import { EventRowStatus, MAX_EVENTS_PER_CALL } from './customer.enums';
import { CustomersService } from './customers.service';
import { CustomerEventEntity } from './entities/customer-event.entity';
import { CustomerEntity } from './entities/customer.entity';
import { EventFields, normalizeEvent, NormalizedEvent } from './rules/event-input';

export interface EventRowResult {
  index: number;
  status: EventRowStatus;
  field: string | null;
  reason: string | null;
  /** Internal id of the stored event: the new one, or the earlier one for a DUPLICATE. */
  eventId: string | null;
  externalId: string | null;
}

/** Published after commit: what a call (or an import batch) added. */
export interface RecordedEvents {
  eventIds: string[];
  customerIds: string[];
  types: CustomerEventType[];
  /** The stored rows themselves, so listeners fold the new events without reading them back. */
  events: readonly CustomerEventEntity[];
  /** A batch of a bulk import: work that can wait for the whole import waits for bulkFinished. */
  bulk: boolean;
  /** The customers of these events by id, as read to record them (listeners need not read them again). */
  customers: ReadonlyMap<string, RecordedCustomer>;
}

/** What the recording read of each customer: identity and onboarding, the facts attribution starts from. */
export type RecordedCustomer = Pick<CustomerEntity, 'id' | 'identityHash' | 'phoneHash' | 'onboardedOn'>;

const TOUCH_CARD_TYPES: readonly string[] = Object.values(CustomerEventType).filter((t) => t.startsWith('CARD_'));

/** Can this event alone make an attribution touch (the same test as customersWithTouchEvents)? */
export function isTouchEvent(e: Pick<CustomerEventEntity, 'type' | 'programId' | 'employerUscc'>): boolean {
  return (
    (TOUCH_CARD_TYPES.includes(e.type) && e.programId !== null) ||
    (e.type === (CustomerEventType.PAYROLL_CREDIT as string) && e.employerUscc !== null)
  );
}

type CustomerRef = RecordedCustomer & Pick<CustomerEntity, 'customerNumber' | 'orgUnitId'>;

interface EventLookups {
  /** External event id → stored id, for the ids already recorded. */
  existing: ReadonlyMap<string, string>;
  customers: ReadonlyMap<string, CustomerRef>;
}

/** A batch validated and looked up, not yet written (see CustomerEventsService.prepare). */
interface PreparedEvents {
  readonly normalized: readonly (NormalizedEvent | EventRowResult)[];
  readonly now: Date;
  readonly lookups: EventLookups;
}

export type RecordedListener = (recorded: RecordedEvents) => void | Promise<void>;

export type WithinEventBatch = (manager: EntityManager, results: readonly EventRowResult[]) => Promise<void>;

/** Work that must commit or roll back with the recorded events (e.g. the analytics outbox row). */
export type RecordingHook = (manager: EntityManager, accepted: readonly CustomerEventEntity[]) => Promise<void>;

/** Rows per INSERT statement: 1,000 × 16 placeholders stays under both SQLite's and MariaDB's limits. */
const INSERT_CHUNK = 1000;
const MAX_ATTEMPTS = 3;
/**
 * Bulk imports in one process that may hold a batch's transaction open while the previous batch's listeners
 * run. Each holder keeps a pooled connection the listeners cannot use; with the pool of 10, at most this many
 * holders leave the listeners (and other requests) connections. Further imports wait for their listeners
 * before opening the next transaction, as on SQLite.
 */
export const MAX_OVERLAPPING_IMPORTS = 4;

@Injectable()
export class CustomerEventsService {
  private readonly logger = new Logger('CustomerEvents');
  private readonly listeners: RecordedListener[] = [];
  private readonly recordingHooks: RecordingHook[] = [];
  private readonly bulkListeners: (() => void | Promise<void>)[] = [];
  /** Bulk imports holding a transaction open for their previous batch's listeners (see MAX_OVERLAPPING_IMPORTS). */
  private overlapping = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly customers: CustomersService,
  ) {}

  /**
   * A small typed bus for later modules (attribution, cards, commissions): listeners run after the
   * commit, in registration order; a failing listener is logged and does not undo the recording.
   * Returns an unsubscribe function.
   */
  onRecorded(listener: RecordedListener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  /**
   * Work inside every recording transaction that added events, after the rows are written (a later module's
   * own bookkeeping that must never miss or double an event); a failing hook rolls the recording back.
   */
  onRecording(hook: RecordingHook): void {
    this.recordingHooks.push(hook);
  }

  /** Called when a bulk import has recorded its last batch. */
  onBulkFinished(listener: () => void | Promise<void>): void {
    this.bulkListeners.push(listener);
  }

  /** A bulk import has recorded its last batch (see RecordedEvents.bulk). */
  private async bulkFinished(): Promise<void> {
    for (const listener of [...this.bulkListeners]) {
      try {
        await listener();
      } catch (error) {
        this.logger.error({ err: error }, 'A bulk-finished listener failed');
      }
    }
  }

  /**
   * Records up to 1,000 events in one transaction (multi-row inserts): good rows are kept, bad rows reported
   * with field and reason, resubmitted event ids reported as DUPLICATE. Late and out-of-order events are
   * simply facts with an earlier occurredAt. Returns once the after-commit listeners have run.
   */
  async record(actor: Actor, inputs: readonly EventFields[], within?: WithinEventBatch): Promise<EventRowResult[]> {
    const { results, published } = await this.commit(actor, await this.prepare(actor, inputs), within, false);
    await published;
    return results;
  }

  /**
   * A bulk import's batches, each recorded as `record` records one call, in order. Pipelined: the next
   * batch is validated and looked up while this one is written, and on MariaDB a batch is written while the
   * previous batch's after-commit listeners run — its commit waits for them, so listeners never see a later
   * batch's events and run one batch at a time, as without the overlap. (SQLite has one connection: a
   * transaction held open would block the listeners' own, so there each batch's listeners run first.)
   * Work a bulk import may postpone waits for bulkFinished, called at the end, also after a failure. At most
   * MAX_OVERLAPPING_IMPORTS imports overlap at once; the others wait for their listeners, so many concurrent
   * imports cannot take every pooled connection from the listeners they wait for.
   */
  async recordInBulk<B extends { inputs: readonly EventFields[] }>(
    actor: Actor,
    batches: AsyncIterable<B>,
    handlers: {
      /** Inside the batch's transaction (its report, its progress). */
      within: (batch: B, manager: EntityManager, results: readonly EventRowResult[]) => Promise<void>;
      /** After the batch has committed. */
      recorded: (batch: B, results: readonly EventRowResult[]) => void;
    },
  ): Promise<void> {
    // Event ids are looked up before writing only while duplicates turn up (a file sent again); otherwise the
    // unique index finds them, and a batch that meets one is written again after looking its ids up.
    let duplicatesSeen = false;
    const prepare = (inputs: readonly EventFields[]): Promise<PreparedEvents> =>
      this.prepare(actor, inputs, duplicatesSeen);
    const prepared = async function* (): AsyncGenerator<{ batch: B; prepared: PreparedEvents }> {
      for await (const batch of batches) yield { batch, prepared: await prepare(batch.inputs) };
    };
    const overlap = !isSqlite(this.dataSource);
    let previousListeners: Promise<void> = Promise.resolve();
    try {
      for await (const { batch, prepared: ready } of readAhead(prepared())) {
        const hold = overlap && this.overlapping < MAX_OVERLAPPING_IMPORTS;
        if (hold) this.overlapping++;
        else await previousListeners;
        const { results, published } = await this.commit(
          actor,
          ready,
          async (manager, rows) => {
            await handlers.within(batch, manager, rows);
            await previousListeners;
          },
          true,
        ).finally(() => {
          if (hold) this.overlapping--;
        });
        previousListeners = published;
        if (!overlap) await published;
        duplicatesSeen = results.some((r) => r.status === EventRowStatus.DUPLICATE);
        handlers.recorded(batch, results);
      }
    } finally {
      await previousListeners;
      // Also after a failed batch: what the earlier batches committed is followed up.
      await this.bulkFinished();
    }
  }

  /**
   * Validates the rows and looks up their customers and already recorded event ids: reads only. An event id
   * committed after the look-up fails the unique index, and commit's retry reports it as DUPLICATE.
   */
  private async prepare(actor: Actor, inputs: readonly EventFields[], lookUpEventIds = true): Promise<PreparedEvents> {
    this.customers.assertCanWrite(actor);
    if (inputs.length > MAX_EVENTS_PER_CALL) throw badInput('events', 'TOO_MANY');
    const now = this.clock.now();
    const normalized: (NormalizedEvent | EventRowResult)[] = inputs.map((input, index) => {
      try {
        return normalizeEvent(input, {
          timeZone: this.config.bankTimeZone,
          defaultCurrency: this.config.defaultCurrency,
          now,
        });
      } catch (error) {
        if (error instanceof DomainError && error.code === 'BAD_USER_INPUT')
          return {
            index,
            status: EventRowStatus.REJECTED,
            field: String(error.details.field ?? 'input'),
            reason: String(error.details.reason ?? 'INVALID'),
            eventId: null,
            externalId: input.eventId?.trim() || null,
          };
        throw error;
      }
    });
    return { normalized, now, lookups: await this.lookups(normalized, lookUpEventIds) };
  }

  /**
   * One transaction for a prepared batch; returns after its commit, with the after-commit listeners started
   * (`published` settles when they have run; a failing listener is logged, never rejected).
   */
  private async commit(
    actor: Actor,
    prepared: PreparedEvents,
    within: WithinEventBatch | undefined,
    bulk: boolean,
  ): Promise<{ results: EventRowResult[]; published: Promise<void> }> {
    const { normalized, now } = prepared;
    let accepted: CustomerEventEntity[] = [];
    let customersOf: ReadonlyMap<string, CustomerRef> = new Map();
    let prefetched: EventLookups | null = prepared.lookups;
    const results = await this.withRetry(async () => {
      // A retry follows a unique violation (an event id recorded meanwhile): it looks again.
      const { existing, customers } = prefetched ?? (await this.lookups(normalized));
      prefetched = null;
      customersOf = customers;
      return this.tx.run(async (manager) => {
        const outcome = await this.recordWithin(manager, actor, normalized, now, new Map(existing), customers);
        accepted = outcome.accepted;
        if (accepted.length > 0) {
          await this.audit.record(manager, actor, {
            action: 'customerEvents.record',
            entityType: 'CustomerEventBatch',
            entityId: newId(),
            after: { accepted: accepted.map((e) => e.externalId) },
          });
          for (const hook of this.recordingHooks) await hook(manager, accepted);
        }
        if (within) await within(manager, outcome.results);
        return outcome.results;
      });
    });
    return {
      results,
      published: accepted.length > 0 ? this.publish(accepted, customersOf, bulk) : Promise.resolve(),
    };
  }

  /** Events of the given customers, oldest first; optional type filter and [from, to) instant range. */
  async eventsOfCustomers(
    customerIds: readonly string[],
    types?: readonly CustomerEventType[],
    from?: Date,
    to?: Date,
  ): Promise<CustomerEventEntity[]> {
    const rows: CustomerEventEntity[] = [];
    for (const part of chunk([...new Set(customerIds)])) {
      const query = this.dataSource
        .getRepository(CustomerEventEntity)
        .createQueryBuilder('e')
        .where('e.customerId IN (:...ids)', { ids: part });
      if (types?.length) query.andWhere('e.type IN (:...types)', { types: [...types] });
      if (from) query.andWhere('e.occurredAt >= :from', { from });
      if (to) query.andWhere('e.occurredAt < :to', { to });
      rows.push(...(await query.getMany()));
    }
    return rows.sort(
      (a, b) =>
        a.customerId.localeCompare(b.customerId) ||
        a.occurredAt.getTime() - b.occurredAt.getTime() ||
        a.id.localeCompare(b.id),
    );
  }

  /**
   * Of these customers, those with at least one event that can make an attribution touch (a card event
   * naming a program, or a payroll credit naming an employer). No event rows are loaded, and the two kinds
   * are asked separately so each can use its own index (program, type) instead of walking every event of
   * every customer: the cost follows the touch events, not the length of the customers' histories.
   */
  async customersWithTouchEvents(customerIds: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const part of chunk([...new Set(customerIds)], LOOKUP_CHUNK)) {
      const among = `customer_id IN (${placeholders(part.length)})`;
      const [cards, payroll] = await Promise.all([
        this.dataSource.query<{ customerId: string }[]>(
          `SELECT DISTINCT customer_id AS "customerId" FROM customer_events
           WHERE ${among} AND program_id IS NOT NULL AND type IN (${placeholders(TOUCH_CARD_TYPES.length)})`,
          [...part, ...TOUCH_CARD_TYPES],
        ),
        this.dataSource.query<{ customerId: string }[]>(
          `SELECT DISTINCT customer_id AS "customerId" FROM customer_events
           WHERE ${among} AND type = ? AND employer_uscc IS NOT NULL`,
          [...part, CustomerEventType.PAYROLL_CREDIT],
        ),
      ]);
      for (const row of [...cards, ...payroll]) out.add(row.customerId);
    }
    return out;
  }

  findByIds(ids: readonly string[]): Promise<CustomerEventEntity[]> {
    return this.dataSource.getRepository(CustomerEventEntity).findBy({ id: In([...ids]) });
  }

  /** One customer's events for GraphQL (the caller has already been allowed to read the customer). */
  listForCustomer(
    customerId: string,
    types: readonly CustomerEventType[] | undefined,
    page: PageArgs,
  ): Promise<ConnectionResult<CustomerEventEntity>> {
    const query = this.dataSource
      .getRepository(CustomerEventEntity)
      .createQueryBuilder('e')
      .where('e.customerId = :customerId', { customerId });
    if (types?.length) query.andWhere('e.type IN (:...types)', { types: [...types] });
    return paginate(query, page, (row) => row);
  }

  // ---------- internals ----------

  private async recordWithin(
    manager: EntityManager,
    actor: Actor,
    normalized: readonly (NormalizedEvent | EventRowResult)[],
    now: Date,
    existing: Map<string, string>,
    customers: ReadonlyMap<string, CustomerRef>,
  ): Promise<{ results: EventRowResult[]; accepted: CustomerEventEntity[] }> {
    const results: EventRowResult[] = [];
    const accepted: CustomerEventEntity[] = [];
    normalized.forEach((n, index) => {
      if (!('occurredAt' in n)) {
        results.push(n);
        return;
      }
      const earlier = existing.get(n.externalId);
      if (earlier !== undefined) {
        results.push({
          index,
          status: EventRowStatus.DUPLICATE,
          field: 'eventId',
          reason: 'ALREADY_RECORDED',
          eventId: earlier,
          externalId: n.externalId,
        });
        return;
      }
      const customer = customers.get(n.customerNumber);
      // Customers outside a scoped writer's org units are reported as unknown, never revealed.
      if (!customer || (actor.orgScope !== null && !actor.orgScope.includes(customer.orgUnitId))) {
        results.push({
          index,
          status: EventRowStatus.REJECTED,
          field: 'customerNumber',
          reason: 'UNKNOWN_CUSTOMER',
          eventId: null,
          externalId: n.externalId,
        });
        return;
      }
      const entity: CustomerEventEntity = {
        id: newId(),
        externalId: n.externalId,
        customerId: customer.id,
        type: n.type,
        occurredAt: n.occurredAt,
        businessDate: n.businessDate,
        productCode: n.productCode,
        programId: n.programId,
        cardRef: n.cardRef,
        merchantCategory: n.merchantCategory,
        counterpartyUscc: n.counterpartyUscc,
        counterpartyName: n.counterpartyName,
        employerUscc: n.employerUscc,
        amount: n.amount,
        currency: n.currency,
        recordedAt: now,
      };
      existing.set(n.externalId, entity.id);
      accepted.push(entity);
      results.push({
        index,
        status: EventRowStatus.ACCEPTED,
        field: null,
        reason: null,
        eventId: entity.id,
        externalId: n.externalId,
      });
    });
    await insertRows(manager, CustomerEventEntity, accepted, INSERT_CHUNK);
    return { results, accepted };
  }

  /** Both look-ups at once, outside any transaction (pooled connections). */
  private async lookups(
    normalized: readonly (NormalizedEvent | EventRowResult)[],
    lookUpEventIds = true,
  ): Promise<EventLookups> {
    const valid = normalized.filter((n): n is NormalizedEvent => 'occurredAt' in n);
    const [existing, customers] = await Promise.all([
      lookUpEventIds
        ? this.storedIdsOf(
            this.dataSource.manager,
            valid.map((v) => v.externalId),
          )
        : new Map<string, string>(),
      this.customersByNumber(
        this.dataSource.manager,
        valid.map((v) => v.customerNumber),
      ),
    ]);
    return { existing, customers };
  }

  /** External event id → stored id, for those already recorded: plain rows, one query per 1,000 ids. */
  private async storedIdsOf(manager: EntityManager, externalIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunk([...new Set(externalIds)], LOOKUP_CHUNK)) {
      const rows = await manager.query<{ id: string; externalId: string }[]>(
        `SELECT id AS "id", external_id AS "externalId" FROM customer_events WHERE external_id IN (${placeholders(part.length)})`,
        part,
      );
      for (const row of rows) out.set(row.externalId, row.id);
    }
    return out;
  }

  /** The customer columns an event needs (id, org unit for the writer's scope) and its listeners, keyed by number. */
  private async customersByNumber(
    manager: EntityManager,
    numbers: readonly string[],
  ): Promise<Map<string, CustomerRef>> {
    const out = new Map<string, CustomerRef>();
    for (const part of chunk([...new Set(numbers)], LOOKUP_CHUNK)) {
      const rows = await manager.query<CustomerRef[]>(
        `SELECT id AS "id", customer_number AS "customerNumber", org_unit_id AS "orgUnitId",
         identity_hash AS "identityHash", phone_hash AS "phoneHash", onboarded_on AS "onboardedOn"
         FROM customers WHERE customer_number IN (${placeholders(part.length)})`,
        part,
      );
      for (const row of rows) out.set(row.customerNumber, row);
    }
    return out;
  }

  private async withRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        // A concurrent call recorded the same event id first: run again and report it as DUPLICATE.
        if (attempt >= MAX_ATTEMPTS || !uniqueViolationOf(error)) throw error;
      }
    }
  }

  private async publish(
    accepted: readonly CustomerEventEntity[],
    byNumber: ReadonlyMap<string, CustomerRef>,
    bulk: boolean,
  ): Promise<void> {
    const customerIds = new Set(accepted.map((e) => e.customerId));
    const customers = new Map<string, RecordedCustomer>();
    for (const c of byNumber.values()) if (customerIds.has(c.id)) customers.set(c.id, c);
    const recorded: RecordedEvents = {
      bulk,
      eventIds: accepted.map((e) => e.id),
      customerIds: [...customerIds],
      types: [...new Set(accepted.map((e) => e.type as CustomerEventType))],
      customers,
      events: accepted,
    };
    for (const listener of [...this.listeners]) {
      try {
        await listener(recorded);
      } catch (error) {
        this.logger.error({ err: error }, 'A customer-events listener failed');
      }
    }
  }

  // ---------- queries added for supply-chain (issue 5) ----------

  /** PAYROLL_CREDIT events an employer (by USCC) paid, oldest first. */
  payrollCreditsOfEmployer(employerUscc: string): Promise<CustomerEventEntity[]> {
    return this.dataSource
      .getRepository(CustomerEventEntity)
      .createQueryBuilder('e')
      .where('e.type = :type AND e.employerUscc = :uscc', {
        type: CustomerEventType.PAYROLL_CREDIT,
        uscc: employerUscc,
      })
      .orderBy('e.occurredAt', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .getMany();
  }
}
