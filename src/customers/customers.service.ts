import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../auth/actor';
import { Role } from '../auth/roles';
import { AuditService } from '../audit/audit.service';
import { businessDateOf, isValidBusinessDate } from '../common/business-time';
import { Clock } from '../common/clock';
import { badInput, conflict, DomainError, forbidden, notFound } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { uniqueViolationOf } from '../database/unique-violation';
import { ConnectionResult, PageArgs, paginate } from '../graphql/connection';
import { chunk } from '../graphql/loaders';
import { OrgUnitEntity } from '../org-units/entities/org-unit.entity';
import { UpsertOutcome } from './customer.enums';
import { CustomersFilter } from './dto/customer.inputs';
import { CustomerEntity } from './entities/customer.entity';
import { CustomerFields, identityHashOf, normalizeCustomer, NormalizedCustomer } from './rules/customer-input';

/** One row for a batch upsert: `orgUnitCode` may stand in for `orgUnitId` (import files name units by code). */
export interface CustomerRow {
  key: number;
  fields: CustomerFields & { orgUnitCode?: string };
}

export type CustomerRowStatus = UpsertOutcome | 'REJECTED';

export interface CustomerRowResult {
  key: number;
  customerNumber: string | null;
  status: CustomerRowStatus;
  field: string | null;
  reason: string | null;
  customer: CustomerEntity | null;
  before: CustomerEntity | null;
}

/** Scope of the writes a batch may do in its transaction, e.g. an import's report and progress. */
export type WithinBatch = (manager: EntityManager, results: readonly CustomerRowResult[]) => Promise<void>;

const INSERT_CHUNK = 100;
const MAX_ATTEMPTS = 3;

/** Customers a partner brought in: the attribution module's WON touches (a scoped sub-select). */
const BROUGHT_IN_SQL =
  "c.id IN (SELECT bt.customer_id FROM attribution_touches bt WHERE bt.partner_id = :scopePartnerId AND bt.outcome = 'WON')";

/** The API-key scope that lets the bank's systems write customers and events. */
export const EVENTS_WRITE_SCOPE = 'events:write';

function sameContent(a: CustomerEntity, b: NormalizedCustomer): boolean {
  return (
    a.name === b.name &&
    a.idType === b.idType &&
    a.identityHash === b.identityHash &&
    a.idNumberMasked === b.idNumberMasked &&
    a.phoneHash === b.phoneHash &&
    a.phoneMasked === b.phoneMasked &&
    a.uscc === b.uscc &&
    a.industry === b.industry &&
    a.size === b.size &&
    a.orgUnitId === b.orgUnitId &&
    a.onboardedOn === b.onboardedOn &&
    a.status === (b.status as string)
  );
}

/** What the audit trail keeps of a customer: hashes and masks only (the entity never holds clear values). */
function auditView(c: CustomerEntity | null): unknown {
  if (c === null) return null;
  const { orgUnit: _unit, ...rest } = c;
  return rest;
}

@Injectable()
export class CustomersService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  // ---------- access ----------

  /** Internal roles read customers of their org scope; partner users see none until attribution credits them. */
  canRead(actor: Actor, customer: { orgUnitId: string }): boolean {
    if (actor.partnerId !== null || actor.role === Role.PARTNER_USER) return false;
    return actor.orgScope === null || actor.orgScope.includes(customer.orgUnitId);
  }

  /** Admins and partnership managers, and the bank's systems through an API key with events:write. */
  assertCanWrite(actor: Actor): void {
    if (actor.kind === 'apiKey') {
      if (actor.partnerId === null && actor.scopes.includes(EVENTS_WRITE_SCOPE)) return;
      throw forbidden('This API key may not write customers');
    }
    if (actor.role !== Role.ADMIN && actor.role !== Role.PARTNERSHIP_MANAGER)
      throw forbidden(`Role ${actor.role} may not write customers`);
  }

  /** Keyed hash of an identity document, for lookups: the clear number goes no further than this call. */
  identityHashOf(idType: string, idNumber: string): string {
    return identityHashOf(this.config.identityHashKey, idType, idNumber, this.clock.now());
  }

  // ---------- reads ----------

  async get(actor: Actor, id: string): Promise<CustomerEntity> {
    const customer = await this.dataSource.getRepository(CustomerEntity).findOneBy({ id });
    if (customer && actor.partnerId !== null && (await this.broughtInBy(actor.partnerId, id))) return customer;
    if (!customer || !this.canRead(actor, customer)) throw notFound('Customer', id);
    return customer;
  }

  list(actor: Actor, filter: CustomersFilter, page: PageArgs): Promise<ConnectionResult<CustomerEntity>> {
    const query = this.dataSource.getRepository(CustomerEntity).createQueryBuilder('c');
    // Partner users see the customers their partner brought in (attribution won), names masked by the mapper.
    if (actor.partnerId !== null) query.andWhere(BROUGHT_IN_SQL, { scopePartnerId: actor.partnerId });
    else if (actor.role === Role.PARTNER_USER) query.andWhere('1 = 0');
    else if (actor.orgScope !== null) {
      if (actor.orgScope.length === 0) query.andWhere('1 = 0');
      else query.andWhere('c.orgUnitId IN (:...scopeOrgUnitIds)', { scopeOrgUnitIds: actor.orgScope });
    }
    if (filter.types?.length) query.andWhere('c.type IN (:...types)', { types: filter.types });
    if (filter.statuses?.length) query.andWhere('c.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.orgUnitIds?.length) query.andWhere('c.orgUnitId IN (:...orgUnitIds)', { orgUnitIds: filter.orgUnitIds });
    if (filter.customerNumber)
      query.andWhere('c.customerNumber = :customerNumber', { customerNumber: filter.customerNumber.trim() });
    if (filter.idType !== undefined || filter.idNumber !== undefined) {
      if (filter.idType === undefined) throw badInput('filter.idType', 'REQUIRED');
      if (filter.idNumber === undefined) throw badInput('filter.idNumber', 'REQUIRED');
      let hash: string;
      try {
        hash = this.identityHashOf(filter.idType, filter.idNumber);
      } catch (error) {
        if (error instanceof DomainError && error.details.field)
          throw badInput(`filter.${error.details.field}`, error.details.reason ?? 'INVALID');
        throw error;
      }
      query.andWhere('c.identityHash = :identityHash', { identityHash: hash });
    }
    for (const [field, value] of [
      ['filter.onboardedFrom', filter.onboardedFrom],
      ['filter.onboardedTo', filter.onboardedTo],
    ] as const) {
      if (value !== undefined && !isValidBusinessDate(value)) throw badInput(field, 'INVALID_DATE');
    }
    if (filter.onboardedFrom) query.andWhere('c.onboardedOn >= :from', { from: filter.onboardedFrom });
    if (filter.onboardedTo) query.andWhere('c.onboardedOn <= :to', { to: filter.onboardedTo });
    return paginate(query, page, (row) => row);
  }

  /** Whether the partner won an attribution for this customer (table owned by the attribution module). */
  private async broughtInBy(partnerId: string, customerId: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      'SELECT 1 FROM attribution_touches WHERE partner_id = ? AND customer_id = ? AND outcome = ? LIMIT 1',
      [partnerId, customerId, 'WON'],
    );
    return rows.length > 0;
  }

  /** For other modules (attribution, referrals): no actor check, callers decide what to show. */
  findByIdentityHash(identityHash: string): Promise<CustomerEntity | null> {
    return this.dataSource.getRepository(CustomerEntity).findOneBy({ identityHash });
  }

  findByCustomerNumber(customerNumber: string): Promise<CustomerEntity | null> {
    return this.dataSource.getRepository(CustomerEntity).findOneBy({ customerNumber });
  }

  async findByIds(ids: readonly string[]): Promise<CustomerEntity[]> {
    const rows: CustomerEntity[] = [];
    for (const part of chunk([...new Set(ids)]))
      rows.push(...(await this.dataSource.getRepository(CustomerEntity).findBy({ id: In(part) })));
    return rows;
  }

  /** Customers by number, in one query per 500 (event recording resolves references this way). */
  async findByCustomerNumbers(manager: EntityManager, numbers: readonly string[]): Promise<CustomerEntity[]> {
    const rows: CustomerEntity[] = [];
    for (const part of chunk([...new Set(numbers)]))
      rows.push(...(await manager.findBy(CustomerEntity, { customerNumber: In(part) })));
    return rows;
  }

  // ---------- writes ----------

  /** Idempotent by customer number; an unchanged resubmission writes nothing. */
  async upsert(actor: Actor, fields: CustomerFields): Promise<{ customer: CustomerEntity; outcome: UpsertOutcome }> {
    this.assertCanWrite(actor);
    const [result] = await this.withRetry(() =>
      this.tx.run(async (manager) => {
        const results = await this.upsertWithin(manager, actor, [{ key: 0, fields }]);
        const row = results[0];
        if (!row) throw new Error('upsert produced no result');
        if (row.status === 'REJECTED') {
          const field = row.field ?? 'input';
          const reason = row.reason ?? 'INVALID';
          if (reason.endsWith('BELONGS_TO_OTHER_CUSTOMER'))
            throw conflict(reason, `That ${field} belongs to another customer`, { field });
          if (reason === 'TYPE_CHANGE_NOT_ALLOWED')
            throw conflict(reason, 'A customer’s type cannot change', { field });
          if (reason === 'OUT_OF_SCOPE') throw forbidden('That org unit is outside your scope');
          throw badInput(field, reason);
        }
        if (row.status !== UpsertOutcome.UNCHANGED && row.customer) {
          await this.audit.record(manager, actor, {
            action: row.status === UpsertOutcome.CREATED ? 'customer.create' : 'customer.update',
            entityType: 'Customer',
            entityId: row.customer.id,
            before: auditView(row.before),
            after: auditView(row.customer),
          });
        }
        return results;
      }),
    );
    if (!result?.customer) throw new Error('upsert produced no customer');
    return { customer: result.customer, outcome: result.status as UpsertOutcome };
  }

  /**
   * Upserts a batch (an import's 1,000 rows) in one transaction: bad rows are reported, good rows kept.
   * One audit record names every customer created or updated by the batch.
   */
  upsertBatch(
    actor: Actor,
    rows: readonly CustomerRow[],
    within?: WithinBatch,
    jobId?: string,
  ): Promise<CustomerRowResult[]> {
    this.assertCanWrite(actor);
    return this.withRetry(() =>
      this.tx.run(async (manager) => {
        const results = await this.upsertWithin(manager, actor, rows);
        const created = results.filter((r) => r.status === UpsertOutcome.CREATED).map((r) => r.customer?.id);
        const updated = results.filter((r) => r.status === UpsertOutcome.UPDATED).map((r) => r.customer?.id);
        if (created.length + updated.length > 0) {
          await this.audit.record(manager, actor, {
            action: 'customer.importBatch',
            entityType: jobId ? 'Job' : 'CustomerBatch',
            entityId: jobId ?? newId(),
            after: { created, updated },
          });
        }
        if (within) await within(manager, results);
        return results;
      }),
    );
  }

  private async withRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        // A concurrent writer inserted the same key first: run again, and the row becomes an update.
        if (attempt >= MAX_ATTEMPTS || !uniqueViolationOf(error)) throw error;
      }
    }
  }

  private async upsertWithin(
    manager: EntityManager,
    actor: Actor,
    rows: readonly CustomerRow[],
  ): Promise<CustomerRowResult[]> {
    const now = this.clock.now();
    const today = businessDateOf(now, this.config.bankTimeZone);
    const units = await this.resolveOrgUnits(manager, rows);
    const results: CustomerRowResult[] = [];
    const normalized: { row: CustomerRow; value: NormalizedCustomer; result: CustomerRowResult }[] = [];
    for (const row of rows) {
      const number = row.fields.customerNumber?.trim() || null;
      const reject = (field: string, reason: string): void => {
        results.push({
          key: row.key,
          customerNumber: number,
          status: 'REJECTED',
          field,
          reason,
          customer: null,
          before: null,
        });
      };
      let orgUnitId = row.fields.orgUnitId?.trim() || undefined;
      const code = row.fields.orgUnitCode?.trim();
      if (orgUnitId === undefined && code) {
        orgUnitId = units.byCode.get(code);
        if (orgUnitId === undefined) {
          reject('orgUnitCode', 'UNKNOWN_ORG_UNIT');
          continue;
        }
      }
      try {
        const value = normalizeCustomer(
          { ...row.fields, orgUnitId },
          { hashKey: this.config.identityHashKey, now, today },
        );
        if (!units.ids.has(value.orgUnitId)) {
          reject('orgUnitId', 'UNKNOWN_ORG_UNIT');
          continue;
        }
        if (actor.orgScope !== null && !actor.orgScope.includes(value.orgUnitId)) {
          reject('orgUnitId', 'OUT_OF_SCOPE');
          continue;
        }
        const result: CustomerRowResult = {
          key: row.key,
          customerNumber: value.customerNumber,
          status: UpsertOutcome.UNCHANGED,
          field: null,
          reason: null,
          customer: null,
          before: null,
        };
        results.push(result);
        normalized.push({ row, value, result });
      } catch (error) {
        if (error instanceof DomainError && error.code === 'BAD_USER_INPUT') {
          reject(String(error.details.field ?? 'input'), String(error.details.reason ?? 'INVALID'));
          continue;
        }
        throw error;
      }
    }
    if (normalized.length === 0) return results;

    // Current state of every customer number, identity and USCC the batch touches: three IN queries.
    const current = new Map<string, CustomerEntity>();
    const identityOwner = new Map<string, string>();
    const usccOwner = new Map<string, string>();
    const load = async (
      where: 'customerNumber' | 'identityHash' | 'uscc',
      values: (string | null)[],
    ): Promise<void> => {
      const distinct = [...new Set(values.filter((v): v is string => v !== null))];
      for (const part of chunk(distinct)) {
        for (const c of await manager.findBy(CustomerEntity, { [where]: In(part) })) {
          current.set(c.customerNumber, c);
          if (c.identityHash) identityOwner.set(c.identityHash, c.customerNumber);
          if (c.uscc) usccOwner.set(c.uscc, c.customerNumber);
        }
      }
    };
    await load(
      'customerNumber',
      normalized.map((n) => n.value.customerNumber),
    );
    await load(
      'identityHash',
      normalized.map((n) => n.value.identityHash),
    );
    await load(
      'uscc',
      normalized.map((n) => n.value.uscc),
    );

    const inserts = new Map<string, CustomerEntity>();
    const updates = new Map<string, { before: CustomerEntity; after: CustomerEntity }>();
    for (const { value, result } of normalized) {
      const reject = (field: string, reason: string): void => {
        result.status = 'REJECTED';
        result.field = field;
        result.reason = reason;
      };
      const existing = current.get(value.customerNumber);
      if (existing && actor.orgScope !== null && !actor.orgScope.includes(existing.orgUnitId)) {
        reject('customerNumber', 'OUT_OF_SCOPE');
        continue;
      }
      if (existing && existing.type !== (value.type as string)) {
        reject('type', 'TYPE_CHANGE_NOT_ALLOWED');
        continue;
      }
      if (
        value.identityHash &&
        (identityOwner.get(value.identityHash) ?? value.customerNumber) !== value.customerNumber
      ) {
        reject('idNumber', 'IDENTITY_BELONGS_TO_OTHER_CUSTOMER');
        continue;
      }
      if (value.uscc && (usccOwner.get(value.uscc) ?? value.customerNumber) !== value.customerNumber) {
        reject('uscc', 'USCC_BELONGS_TO_OTHER_CUSTOMER');
        continue;
      }
      if (existing && sameContent(existing, value)) {
        result.customer = existing;
        result.before = existing;
        continue;
      }
      const after: CustomerEntity = existing
        ? { ...existing, ...value, version: existing.version + 1, updatedAt: now }
        : { id: newId(), ...value, version: 1, createdAt: now, updatedAt: now };
      if (existing) {
        if (existing.identityHash && existing.identityHash !== after.identityHash)
          identityOwner.delete(existing.identityHash);
        if (existing.uscc && existing.uscc !== after.uscc) usccOwner.delete(existing.uscc);
      }
      if (after.identityHash) identityOwner.set(after.identityHash, after.customerNumber);
      if (after.uscc) usccOwner.set(after.uscc, after.customerNumber);
      const pendingInsert = inserts.get(after.customerNumber);
      if (pendingInsert || !existing) {
        inserts.set(after.customerNumber, after);
        result.status = pendingInsert ? UpsertOutcome.UPDATED : UpsertOutcome.CREATED;
      } else {
        const earlier = updates.get(after.customerNumber);
        updates.set(after.customerNumber, { before: earlier?.before ?? existing, after });
        result.status = UpsertOutcome.UPDATED;
      }
      result.before = existing ?? null;
      result.customer = after;
      current.set(after.customerNumber, after);
    }

    const toInsert = [...inserts.values()];
    for (let i = 0; i < toInsert.length; i += INSERT_CHUNK) {
      await manager.insert(CustomerEntity, toInsert.slice(i, i + INSERT_CHUNK));
    }
    for (const { before, after } of updates.values()) {
      const { id: _id, createdAt: _created, orgUnit: _unit, ...changes } = after;
      const outcome = await manager
        .createQueryBuilder()
        .update(CustomerEntity)
        .set({ ...changes, version: before.version + 1 })
        .where('id = :id AND version = :version', { id: before.id, version: before.version })
        .execute();
      if (outcome.affected !== 1)
        throw conflict('STALE_VERSION', 'Customer was changed concurrently', { field: 'customerNumber' });
      after.version = before.version + 1;
    }
    return results;
  }

  private async resolveOrgUnits(
    manager: EntityManager,
    rows: readonly CustomerRow[],
  ): Promise<{ byCode: Map<string, string>; ids: Set<string> }> {
    const codes = new Set<string>();
    const ids = new Set<string>();
    for (const row of rows) {
      const id = row.fields.orgUnitId?.trim();
      const code = row.fields.orgUnitCode?.trim();
      if (id) ids.add(id);
      else if (code) codes.add(code);
    }
    const found: OrgUnitEntity[] = [];
    for (const part of chunk([...codes])) found.push(...(await manager.findBy(OrgUnitEntity, { code: In(part) })));
    for (const part of chunk([...ids])) found.push(...(await manager.findBy(OrgUnitEntity, { id: In(part) })));
    return { byCode: new Map(found.map((u) => [u.code, u.id])), ids: new Set(found.map((u) => u.id)) };
  }

  // ---------- queries added for supply-chain (issue 5) ----------

  /** Customers holding any of these unified social credit codes (normalised), one IN query per 500. */
  async findByUsccs(usccs: readonly string[]): Promise<CustomerEntity[]> {
    const rows: CustomerEntity[] = [];
    for (const part of chunk([...new Set(usccs)]))
      rows.push(...(await this.dataSource.getRepository(CustomerEntity).findBy({ uscc: In(part) })));
    return rows;
  }
}
