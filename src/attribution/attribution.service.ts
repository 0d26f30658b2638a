import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import Decimal from 'decimal.js';
import { DataSource, EntityTarget, In } from 'typeorm';
import { Actor } from '../auth/actor';
import { Role } from '../auth/roles';
import { AuditService } from '../audit/audit.service';
import { businessDateOf, isValidBusinessDate } from '../common/business-time';
import { Clock } from '../common/clock';
import { badInput, forbidden, notFound } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { CustomerEventsService, isTouchEvent, RecordedEvents } from '../customers/customer-events.service';
import { LOOKUP_CHUNK, placeholders } from '../database/plain-sql';
import { CustomerEventEntity } from '../customers/entities/customer-event.entity';
import { CustomersService } from '../customers/customers.service';
import { CustomerEntity } from '../customers/entities/customer.entity';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { ConnectionResult, PageArgs, paginate } from '../graphql/connection';
import { chunk } from '../graphql/loaders';
import { PartnerEntity } from '../partners/entities/partner.entity';
import { PartnersService } from '../partners/partners.service';
import { ProgramEntity } from '../programs/entities/program.entity';
import { ProgramRuleVersionEntity } from '../programs/entities/program-rule-version.entity';
import { ProgramKind, RuleKind } from '../programs/program.enums';
import { ProgramsService } from '../programs/programs.service';
import {
  effectiveRule,
  parseAttributionRule,
  parseQualificationRule,
  QualificationRule,
} from '../programs/rules/program-rules';
import { SupplyChainService } from '../supply-chain/supply-chain.service';
import { AttributionEntity, AttributionTouchEntity } from './entities/attribution.entity';
import { EngineOutcome, REFERRAL_PORT, ReferralPort } from './referral-port';
import {
  attributeCustomer,
  canonicalEvents,
  Decision,
  EventFact,
  NEW_TO_BANK_KEY,
  qualify,
  QualificationResult,
  RuleInForce,
  Touch,
} from './rules/attribution-rules';
import { CurrentTouch, redecisionReason, StoredDecision, StoredTouch } from './rules/redecision';

export interface BroughtInFilter {
  productKeys?: string[];
  convertedFrom?: string;
  convertedTo?: string;
  qualified?: boolean;
}

export interface OverrideInput {
  customerId: string;
  productKey: string;
  winners: { programId: string; share: string }[];
  reason: string;
}

export interface RunSummary {
  customers: number;
  decisionsChanged: number;
}

export interface RecordedSummary extends RunSummary {
  /** Customers re-decided; the rest of `customers` were skipped as no new event could change them. */
  redecided: number;
  /** Why they were re-decided: customers per reason. */
  reasons: Record<string, number>;
}

const BATCH = 200;
const NO_DECISION_YET = 'no decision yet';
const INSERT_CHUNK = 100;

const ENGINE: Actor = {
  kind: 'user',
  id: '00000000-0000-7000-8000-00000000a771',
  name: 'attribution-engine',
  role: Role.ADMIN,
  partnerId: null,
  orgUnitId: null,
  orgScope: null,
  scopes: [],
};

interface RuleBook {
  attribution(programId: string, onDate: string): RuleInForce | null;
  qualification(programId: string, onDate: string): QualificationRule | null;
}

@Injectable()
export class AttributionService implements OnModuleInit {
  private readonly logger = new Logger('Attribution');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly customers: CustomersService,
    private readonly events: CustomerEventsService,
    private readonly programs: ProgramsService,
    private readonly partners: PartnersService,
    @Inject(REFERRAL_PORT) private readonly referrals: ReferralPort,
    @Optional() private readonly supplyChain?: SupplyChainService,
  ) {}

  onModuleInit(): void {
    // Re-attribute the customers a recording touched, after its commit, in one batch.
    this.events.onRecorded(async (recorded) => {
      await this.afterRecorded(recorded);
    });
  }

  /**
   * The after-commit work of one recording: re-decides, through the same path as a run, only the customers
   * the new events can move (see redecisionReason); the others keep decisions that a re-decision would
   * reproduce unchanged. Customers without any decision yet always take the run's path.
   */
  async afterRecorded(recorded: RecordedEvents): Promise<RecordedSummary> {
    const reasons: Record<string, number> = {};
    const known: KnownCustomers = { hashes: new Map(), decided: new Set() };
    const redecide = await this.customersToRedecide(recorded, reasons, known);
    const summary = await this.attributeCustomers(redecide, null, customersTouchedBy(recorded.events), known);
    return {
      customers: recorded.customerIds.length,
      redecided: redecide.length,
      decisionsChanged: summary.decisionsChanged,
      reasons,
    };
  }

  // ---------- the engine ----------

  /**
   * Decides (or re-decides) every product key of these customers; returns how many decisions changed.
   * `touched`: customers already known to have a touch (e.g. from the events just recorded).
   */
  async attributeCustomers(
    customerIds: readonly string[],
    actor: Actor | null = null,
    touched: ReadonlySet<string> = new Set(),
    known?: KnownCustomers,
  ): Promise<RunSummary> {
    let changed = 0;
    const ids = [...new Set(customerIds)];
    const possible = await this.withPossibleDecisions(ids, touched, known);
    for (let i = 0; i < possible.length; i += BATCH)
      changed += await this.attributeBatch(possible.slice(i, i + BATCH), actor);
    return { customers: ids.length, decisionsChanged: changed };
  }

  /** A full re-run over every customer (keyset walk, bounded batches). */
  async runAll(actor: Actor | null = null): Promise<RunSummary> {
    let last = '';
    const summary: RunSummary = { customers: 0, decisionsChanged: 0 };
    for (;;) {
      const rows = await this.dataSource
        .getRepository(CustomerEntity)
        .createQueryBuilder('c')
        .select('c.id', 'id')
        .where('c.id > :last', { last })
        .orderBy('c.id', 'ASC')
        .limit(BATCH * 5)
        .getRawMany<{ id: string }>();
      if (rows.length === 0) return summary;
      const part = await this.attributeCustomers(
        rows.map((r) => r.id),
        actor,
      );
      summary.customers += part.customers;
      summary.decisionsChanged += part.decisionsChanged;
      last = (rows[rows.length - 1] as { id: string }).id;
    }
  }

  private async attributeBatch(customerIds: string[], actor: Actor | null): Promise<number> {
    const customers = await this.customers.findByIds(customerIds);
    if (customers.length === 0) return 0;
    const eventRows = await this.events.eventsOfCustomers(customers.map((c) => c.id));
    const eventsOf = new Map<string, EventFact[]>();
    for (const e of eventRows) {
      const list = eventsOf.get(e.customerId) ?? [];
      list.push({
        id: e.id,
        externalId: e.externalId,
        type: e.type,
        occurredAt: e.occurredAt,
        businessDate: e.businessDate,
        programId: e.programId,
        employerUscc: e.employerUscc,
        amount: e.amount,
        currency: e.currency,
      });
      eventsOf.set(e.customerId, list);
    }
    const touchesOf = await this.gatherTouches(customers, eventsOf);
    const programIds = new Set<string>();
    for (const list of touchesOf.values()) for (const t of list) programIds.add(t.programId);
    const rules = await this.ruleBook([...programIds]);
    const today = businessDateOf(this.clock.now(), this.config.bankTimeZone);

    const planned: { customer: CustomerEntity; decision: Decision; quals: Map<string, QualificationResult> }[] = [];
    for (const customer of customers) {
      const events = eventsOf.get(customer.id) ?? [];
      const decisions = attributeCustomer(
        { onboardedOn: customer.onboardedOn, events },
        touchesOf.get(customer.id) ?? [],
        (p, d) => rules.attribution(p, d),
      );
      for (const decision of decisions) {
        const quals = new Map<string, QualificationResult>();
        for (const w of decision.winners)
          quals.set(
            w.touch.programId,
            qualify(
              rules.qualification(w.touch.programId, decision.conversion.businessDate),
              decision.conversion,
              events,
              today,
            ),
          );
        planned.push({ customer, decision, quals });
      }
    }

    return this.tx.run(async (manager) => {
      const existing = new Map<string, AttributionEntity>();
      for (const part of chunk(customers.map((c) => c.id)))
        for (const row of await manager.findBy(AttributionEntity, { customerId: In(part) }))
          existing.set(`${row.customerId}|${row.productKey}`, row);
      const now = this.clock.now();
      let changed = 0;
      const newTouches: AttributionTouchEntity[] = [];
      const outcomes: EngineOutcome[] = [];
      const replaced: string[] = [];
      const created: AttributionEntity[] = [];
      const createdAudit: Record<string, unknown>[] = [];
      for (const { customer, decision, quals } of planned) {
        const key = `${customer.id}|${decision.productKey}`;
        const before = existing.get(key);
        existing.delete(key);
        const hash = inputsHash(decision, quals);
        if (before && (before.inputsHash === hash || before.overridden)) continue;
        // Only changed decisions move referrals (applyEngineOutcomes is idempotent anyway).
        this.collectOutcomes(customer.id, decision, quals, outcomes);
        const row: AttributionEntity = {
          id: before?.id ?? newId(),
          customerId: customer.id,
          productKey: decision.productKey,
          convertedAt: decision.conversion.occurredAt,
          convertedOn: decision.conversion.businessDate,
          conversionEventId: decision.conversion.externalId,
          ruleSnapshot: { rules: snapshotRules(decision) },
          reason: decision.reason,
          decidedAt: now,
          inputsHash: hash,
          overridden: false,
          overriddenById: null,
          overrideReason: null,
          overriddenAt: null,
          version: before ? before.version + 1 : 1,
          createdAt: before?.createdAt ?? now,
          updatedAt: now,
        };
        if (before) {
          replaced.push(before.id);
          await manager.update(AttributionEntity, { id: before.id }, { ...row, version: before.version + 1 });
        } else created.push(row);
        for (const j of decision.touches) {
          const q = j.outcome === 'WON' ? quals.get(j.touch.programId) : undefined;
          newTouches.push(touchRow(row, j, q));
        }
        changed++;
        const after = {
          id: row.id,
          customerId: row.customerId,
          productKey: row.productKey,
          winners: decision.winners.map((w) => `${w.touch.programId}:${w.share ?? ''}`),
        };
        // A re-decision is audited on its own; first decisions of a batch share one audit record.
        if (before)
          await this.audit.record(manager, actor, {
            action: 'attribution.redecide',
            entityType: 'Attribution',
            entityId: row.id,
            before: { reason: before.reason, inputsHash: before.inputsHash },
            after,
          });
        else createdAudit.push(after);
      }
      for (let i = 0; i < created.length; i += INSERT_CHUNK)
        await manager.insert(AttributionEntity, created.slice(i, i + INSERT_CHUNK));
      // Audit rows stay small (MariaDB TEXT): 100 decisions per record; the reasons live on the decisions.
      for (const part of chunk(createdAudit, 100))
        await this.audit.record(manager, actor, {
          action: 'attribution.decide',
          entityType: 'AttributionBatch',
          entityId: newId(),
          after: part,
        });
      for (const part of chunk(replaced)) await manager.delete(AttributionTouchEntity, { attributionId: In(part) });
      for (let i = 0; i < newTouches.length; i += INSERT_CHUNK)
        await manager.insert(AttributionTouchEntity, newTouches.slice(i, i + INSERT_CHUNK));
      // Decisions that no longer have any touch (e.g. a referral turned DUPLICATE) go, unless overridden.
      for (const gone of existing.values()) {
        if (gone.overridden) continue;
        await manager.delete(AttributionTouchEntity, { attributionId: gone.id });
        await manager.delete(AttributionEntity, { id: gone.id });
        await this.audit.record(manager, actor, {
          action: 'attribution.withdraw',
          entityType: 'Attribution',
          entityId: gone.id,
          before: { customerId: gone.customerId, productKey: gone.productKey, reason: gone.reason },
        });
        changed++;
      }
      if (outcomes.length > 0) await this.referrals.applyEngineOutcomes(manager, outcomes);
      return changed;
    });
  }

  /**
   * A customer without any touch gets no decision, so one that has neither a touch source (referral by
   * identity/phone, card program or payroll event, supply-chain link) nor an existing decision to revisit
   * cannot change: it is left out before its events are loaded. Set-based: one query per source and
   * 1,000 customers, whatever the length of their histories. Order is kept, so matching stays the same.
   */
  private async withPossibleDecisions(
    customerIds: readonly string[],
    touched: ReadonlySet<string>,
    known?: KnownCustomers,
  ): Promise<string[]> {
    const customers: { id: string; identityHash: string | null; phoneHash: string | null }[] = [];
    // The after-recording check has just read these customers and their decisions: not asked twice.
    const prefetched = known !== undefined && customerIds.every((id) => known.hashes.has(id));
    if (prefetched) for (const id of new Set(customerIds)) customers.push({ id, ...known.hashes.get(id)! });
    else
      for (const part of chunk([...new Set(customerIds)], LOOKUP_CHUNK))
        customers.push(
          ...(await this.dataSource.query<{ id: string; identityHash: string | null; phoneHash: string | null }[]>(
            `SELECT id AS "id", identity_hash AS "identityHash", phone_hash AS "phoneHash" FROM customers
           WHERE id IN (${placeholders(part.length)})`,
            part,
          )),
        );
    // The database returns them in its own order: keep the callers' (matching depends on it).
    const at = new Map(customerIds.map((id, i) => [id, i]));
    customers.sort((a, b) => (at.get(a.id) ?? 0) - (at.get(b.id) ?? 0));
    if (customers.length === 0) return [];
    const keep = new Set(
      customers.filter((c) => touched.has(c.id) || (prefetched && known.decided.has(c.id))).map((c) => c.id),
    );
    const open = customers.filter((c) => !keep.has(c.id));
    if (open.length === 0) return customers.map((c) => c.id);
    const ids = open.map((c) => c.id);
    const identities = new Set<string>();
    const phones = new Set<string>();
    for (const c of open) {
      if (c.identityHash) identities.add(c.identityHash);
      if (c.phoneHash) phones.add(c.phoneHash);
    }
    // Independent reads: asked at once (separate pooled connections on MariaDB), so the wait is the slowest one.
    const [decided, referralTouches, supplyChainTouches, eventTouches] = await Promise.all([
      prefetched ? Promise.resolve([]) : this.customersWithDecisions(ids),
      identities.size > 0 || phones.size > 0
        ? this.referrals.referralTouches([...identities], [...phones])
        : Promise.resolve([]),
      this.supplyChain ? this.supplyChain.touchesForCustomers(ids) : Promise.resolve([]),
      this.events.customersWithTouchEvents(ids),
    ]);
    for (const id of decided) keep.add(id);
    for (const t of supplyChainTouches) keep.add(t.customerId);
    for (const id of eventTouches) keep.add(id);
    const hashes = new Set<string>();
    for (const r of referralTouches) {
      if (r.identityHash) hashes.add(`i:${r.identityHash}`);
      if (r.phoneHash) hashes.add(`p:${r.phoneHash}`);
    }
    for (const c of open)
      if ((c.identityHash && hashes.has(`i:${c.identityHash}`)) || (c.phoneHash && hashes.has(`p:${c.phoneHash}`)))
        keep.add(c.id);
    return customers.filter((c) => keep.has(c.id)).map((c) => c.id);
  }

  /**
   * Of the customers these new events belong to, those to re-decide: every customer without a decision yet,
   * and those for whom redecisionReason finds something that may change. Set-based, never reading histories:
   * per 1,000 customers one query each for decisions, touches, referral and supply-chain touches, rule
   * versions, plus card programs and payroll employers when the events name them (the customers themselves
   * come with the recorded events).
   */
  private async customersToRedecide(
    recorded: RecordedEvents,
    reasons: Record<string, number>,
    known: KnownCustomers,
  ): Promise<string[]> {
    const newOf = new Map<string, CustomerEventEntity[]>();
    for (const e of recorded.events) pushTo(newOf, e.customerId, e);
    const out: string[] = [];
    for (const part of chunk([...newOf.keys()], LOOKUP_CHUNK))
      out.push(...(await this.redecideAmong(part, newOf, recorded.customers, reasons, known)));
    return out;
  }

  private async redecideAmong(
    ids: readonly string[],
    newOf: ReadonlyMap<string, readonly CustomerEventEntity[]>,
    facts: RecordedEvents['customers'],
    reasons: Record<string, number>,
    known: KnownCustomers,
  ): Promise<string[]> {
    // The customers as the recording read them (identity, onboarding): not read again.
    const customers = ids.map((id) => {
      const customer = facts.get(id);
      if (!customer) throw new Error(`recorded events without their customer ${id}`);
      return customer;
    });
    const decisionsOf = await this.storedDecisions(ids);
    for (const c of customers) known.hashes.set(c.id, { identityHash: c.identityHash, phoneHash: c.phoneHash });
    for (const id of decisionsOf.keys()) known.decided.add(id);
    const undecided = ids.filter((id) => !decisionsOf.has(id));
    if (undecided.length > 0) reasons[NO_DECISION_YET] = (reasons[NO_DECISION_YET] ?? 0) + undecided.length;
    const decided = customers.filter((c) => decisionsOf.has(c.id));
    if (decided.length === 0) return [...ids];
    const decidedIds = decided.map((c) => c.id);
    const newEvents = decidedIds.flatMap((id) => newOf.get(id) ?? []);
    const programIds = new Set<string>();
    const payrollPartners = new Set<string>();
    for (const list of decisionsOf.values())
      for (const d of list)
        for (const t of d.touches) {
          programIds.add(t.programId);
          if (t.source === 'PAYROLL') payrollPartners.add(t.partnerId);
        }
    const cardPrograms = new Set<string>();
    const usccs = new Set<string>();
    for (const e of newEvents)
      if (isTouchEvent(e)) {
        if (e.type.startsWith('CARD_') && e.programId !== null) cardPrograms.add(e.programId);
        else if (e.employerUscc !== null) usccs.add(e.employerUscc);
      }
    const [current, versions, programs, employers] = await Promise.all([
      this.currentTouches(decided),
      this.programs.ruleVersionsOf([...programIds]),
      this.programs.findProgramsByIds([...cardPrograms]),
      this.employersByUscc([...usccs]),
    ]);
    for (const partnerId of employers.values()) payrollPartners.add(partnerId);
    const payrollPrograms = new Map<string, string[]>();
    for (const p of payrollPartners.size > 0 ? await this.programs.programsOfPartners([...payrollPartners]) : [])
      if (p.kind === (ProgramKind.PAYROLL as string)) pushTo(payrollPrograms, p.partnerId, p.id);
    const coBranded = new Set(
      programs
        .filter((p): p is ProgramEntity => p !== null && p.kind === (ProgramKind.CO_BRANDED_CARD as string))
        .map((p) => p.id),
    );
    const versionsOf = new Map<string, ProgramRuleVersionEntity[]>();
    for (const v of versions) pushTo(versionsOf, `${v.kind}|${v.programId}`, v);
    // Thousands of touches share a few (program, date) pairs: parse each rule in force once.
    const memo = new Map<string, unknown>();
    const inForce = <T>(
      kind: RuleKind,
      programId: string,
      onDate: string,
      build: (v: ProgramRuleVersionEntity) => T,
    ) => {
      const key = `${kind}|${programId}|${onDate}`;
      if (!memo.has(key)) {
        const found = effectiveRule(versionsOf.get(`${kind}|${programId}`) ?? [], onDate);
        memo.set(key, found ? build(found) : null);
      }
      return memo.get(key) as T | null;
    };
    const lookups = {
      attributionRule: (programId: string, onDate: string): RuleInForce | null =>
        inForce(RuleKind.ATTRIBUTION, programId, onDate, (v) => ({
          version: v.version,
          rule: parseAttributionRule(v.body),
        })),
      qualificationRule: (programId: string, onDate: string) =>
        inForce(RuleKind.QUALIFICATION, programId, onDate, (v) => ({
          rule: parseQualificationRule(v.body),
          createdAt: v.createdAt,
        })),
      isCoBrandedCardProgram: (programId: string) => coBranded.has(programId),
      employerOf: (uscc: string) => employers.get(uscc) ?? null,
      payrollProgramsOf: (partnerId: string) => payrollPrograms.get(partnerId) ?? [],
    };
    const today = businessDateOf(this.clock.now(), this.config.bankTimeZone);
    const redecide = new Set(undecided);
    for (const c of decided) {
      const reason = redecisionReason(
        {
          onboardedOn: c.onboardedOn,
          decisions: decisionsOf.get(c.id) ?? [],
          newEvents: newOf.get(c.id) ?? [],
          currentTouches: current.get(c.id) ?? [],
          today,
        },
        lookups,
      );
      if (reason === null) continue;
      redecide.add(c.id);
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
    return ids.filter((id) => redecide.has(id));
  }

  /** Stored decisions with every NEW_TO_BANK touch and the WON touches of the other keys, by customer. */
  private async storedDecisions(ids: readonly string[]): Promise<Map<string, StoredDecision[]>> {
    const out = new Map<string, StoredDecision[]>();
    if (ids.length === 0) return out;
    const among = `customer_id IN (${placeholders(ids.length)})`;
    const [rows, touchRows] = await Promise.all([
      this.dataSource.query<Record<string, unknown>[]>(
        `SELECT id AS "id", customer_id AS "customerId", product_key AS "productKey", converted_at AS "convertedAt",
         converted_on AS "convertedOn", decided_at AS "decidedAt", overridden AS "overridden"
         FROM attributions WHERE ${among}`,
        [...ids],
      ),
      this.dataSource.query<Record<string, unknown>[]>(
        `SELECT attribution_id AS "attributionId", source AS "source", source_ref AS "ref", partner_id AS "partnerId",
         program_id AS "programId", channel_id AS "channelId", touched_at AS "touchedAt", touched_on AS "touchedOn",
         rule_version AS "ruleVersion", outcome AS "outcome", qualification_status AS "qualificationStatus",
         qualified_at AS "qualifiedAt"
         FROM attribution_touches WHERE ${among} AND (product_key = ? OR outcome = ?)`,
        [...ids, NEW_TO_BANK_KEY, 'WON'],
      ),
    ]);
    const a = this.hydrator(AttributionEntity);
    const t = this.hydrator(AttributionTouchEntity);
    const touchesOf = new Map<string, StoredTouch[]>();
    for (const r of touchRows) {
      const id = r.attributionId as string;
      pushTo(touchesOf, id, {
        source: r.source as string,
        ref: r.ref as string,
        partnerId: r.partnerId as string,
        programId: r.programId as string,
        channelId: (r.channelId as string | null) ?? null,
        touchedAt: t(r, 'touchedAt') as Date,
        touchedOn: r.touchedOn as string,
        ruleVersion: r.ruleVersion === null ? null : Number(r.ruleVersion),
        outcome: r.outcome as string,
        qualificationStatus: (r.qualificationStatus as string | null) ?? null,
        qualifiedAt: (t(r, 'qualifiedAt') as Date | null) ?? null,
      });
    }
    for (const r of rows) {
      const customerId = r.customerId as string;
      pushTo(out, customerId, {
        productKey: r.productKey as string,
        convertedAt: a(r, 'convertedAt') as Date,
        convertedOn: r.convertedOn as string,
        decidedAt: a(r, 'decidedAt') as Date,
        overridden: a(r, 'overridden') === true,
        touches: touchesOf.get(r.id as string) ?? [],
      });
    }
    return out;
  }

  /** Referral and supply-chain touches of these customers as their sources hold them now. */
  private async currentTouches(
    customers: readonly { id: string; identityHash: string | null; phoneHash: string | null }[],
  ): Promise<Map<string, CurrentTouch[]>> {
    const identities = new Set<string>();
    const phones = new Set<string>();
    for (const c of customers) {
      if (c.identityHash) identities.add(c.identityHash);
      if (c.phoneHash) phones.add(c.phoneHash);
    }
    const [referrals, supplyChain] = await Promise.all([
      identities.size > 0 || phones.size > 0
        ? this.referrals.referralTouches([...identities], [...phones])
        : Promise.resolve([]),
      this.supplyChain ? this.supplyChain.touchesForCustomers(customers.map((c) => c.id)) : Promise.resolve([]),
    ]);
    const byIdentity = new Map<string, string[]>();
    const byPhone = new Map<string, string[]>();
    for (const c of customers) {
      if (c.identityHash) pushTo(byIdentity, c.identityHash, c.id);
      if (c.phoneHash) pushTo(byPhone, c.phoneHash, c.id);
    }
    const out = new Map<string, CurrentTouch[]>();
    const add = (customerId: string, t: CurrentTouch): void => pushTo(out, customerId, t);
    for (const r of referrals) {
      // Every customer the referral could match (the run matches by identity first): a superset, so a
      // referral the stored decision did not take means "re-decide", never a skip.
      const matched = new Set([
        ...(r.identityHash ? (byIdentity.get(r.identityHash) ?? []) : []),
        ...(r.phoneHash ? (byPhone.get(r.phoneHash) ?? []) : []),
      ]);
      for (const customerId of matched)
        add(customerId, {
          source: 'REFERRAL',
          ref: r.referralId,
          programId: r.programId,
          channelId: r.channelId,
          touchedAt: r.submittedAt,
          productHint: productHintOf(r.productCode),
        });
    }
    for (const sc of supplyChain)
      if (sc.programId !== null)
        add(sc.customerId, {
          source: 'SUPPLY_CHAIN',
          ref: `${sc.coreEnterpriseId}:${sc.memberCompanyId}`,
          programId: sc.programId,
          channelId: null,
          touchedAt: sc.touchedAt,
          productHint: null,
        });
    return out;
  }

  /** Partner id by USCC, for the employers named by new payroll credits. */
  private async employersByUscc(usccs: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunk(usccs, LOOKUP_CHUNK))
      for (const row of await this.dataSource.query<{ id: string; uscc: string }[]>(
        `SELECT id AS "id", uscc AS "uscc" FROM partners WHERE uscc IN (${placeholders(part.length)})`,
        part,
      ))
        out.set(row.uscc, row.id);
    return out;
  }

  /** Raw rows → entity values through the column's own driver conversion (instants, booleans). */
  private hydrator(entity: EntityTarget<object>): (row: Record<string, unknown>, property: string) => unknown {
    const meta = this.dataSource.getMetadata(entity);
    const driver = this.dataSource.driver;
    return (row, property) => {
      const column = meta.findColumnWithPropertyName(property);
      const value = row[property];
      if (!column || value === null || value === undefined) return value;
      return driver.prepareHydratedValue(value, column) as unknown;
    };
  }

  private async customersWithDecisions(customerIds: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const part of chunk(customerIds, LOOKUP_CHUNK)) {
      const rows = await this.dataSource.query<{ customerId: string }[]>(
        `SELECT DISTINCT customer_id AS "customerId" FROM attributions WHERE customer_id IN (${placeholders(part.length)})`,
        part,
      );
      out.push(...rows.map((r) => r.customerId));
    }
    return out;
  }

  private collectOutcomes(
    customerId: string,
    decision: Decision,
    quals: Map<string, QualificationResult>,
    out: EngineOutcome[],
  ): void {
    for (const j of decision.touches) {
      if (j.touch.source !== 'REFERRAL' || !j.touch.referralId) continue;
      if (j.outcome === 'WON') {
        out.push({
          referralId: j.touch.referralId,
          to: 'CONVERTED',
          customerId,
          at: decision.conversion.occurredAt,
          reason: decision.reason,
        });
        const q = quals.get(j.touch.programId);
        if (q?.status === 'QUALIFIED' && q.qualifiedAt)
          out.push({
            referralId: j.touch.referralId,
            to: 'QUALIFIED',
            customerId,
            at: q.qualifiedAt,
            reason: `qualification rule met on ${q.qualifiedOn ?? ''} by events ${q.eventExternalIds.join(', ')}`,
          });
      } else if (j.outcome === 'OUT_OF_WINDOW') {
        out.push({
          referralId: j.touch.referralId,
          to: 'EXPIRED',
          at: decision.conversion.occurredAt,
          reason: `customer converted ${decision.conversion.businessDate}, after the attribution window`,
        });
      }
    }
  }

  /** Referral, co-branded card, supply-chain and payroll touches of each customer. */
  private async gatherTouches(
    customers: readonly CustomerEntity[],
    eventsOf: ReadonlyMap<string, EventFact[]>,
  ): Promise<Map<string, Touch[]>> {
    const tz = this.config.bankTimeZone;
    const out = new Map<string, Touch[]>();
    const add = (customerId: string, t: Touch): void => {
      const list = out.get(customerId) ?? [];
      list.push(t);
      out.set(customerId, list);
    };
    // Referrals by identity or phone hash.
    const byIdentity = new Map<string, string>();
    const byPhone = new Map<string, string[]>();
    for (const c of customers) {
      if (c.identityHash) byIdentity.set(c.identityHash, c.id);
      if (c.phoneHash) byPhone.set(c.phoneHash, [...(byPhone.get(c.phoneHash) ?? []), c.id]);
    }
    const referralTouches = await this.referrals.referralTouches([...byIdentity.keys()], [...byPhone.keys()]);
    for (const r of referralTouches) {
      const matched = new Set<string>();
      const viaId = r.identityHash ? byIdentity.get(r.identityHash) : undefined;
      if (viaId) matched.add(viaId);
      else if (r.phoneHash) for (const id of byPhone.get(r.phoneHash) ?? []) matched.add(id);
      for (const customerId of matched)
        add(customerId, {
          ref: r.referralId,
          source: 'REFERRAL',
          partnerId: r.partnerId,
          programId: r.programId,
          channelId: r.channelId,
          referralId: r.referralId,
          touchedAt: r.submittedAt,
          touchedOn: r.submittedOn,
          productHint: productHintOf(r.productCode),
        });
    }
    // Co-branded card programs (the card events' programId) and payroll employers.
    const cardFirst = new Map<string, { customerId: string; event: EventFact }>();
    const payrollFirst = new Map<string, { customerId: string; event: EventFact }>();
    for (const [customerId, events] of eventsOf)
      for (const e of canonicalEvents(events)) {
        if (e.type.startsWith('CARD_') && e.programId) {
          const k = `${customerId}|${e.programId}`;
          if (!cardFirst.has(k)) cardFirst.set(k, { customerId, event: e });
        }
        if (e.type === 'PAYROLL_CREDIT' && e.employerUscc) {
          const k = `${customerId}|${e.employerUscc}`;
          if (!payrollFirst.has(k)) payrollFirst.set(k, { customerId, event: e });
        }
      }
    const cardProgramIds = [...new Set([...cardFirst.values()].map((v) => v.event.programId as string))];
    const programs = new Map(
      (await this.programs.findProgramsByIds(cardProgramIds))
        .filter((p): p is ProgramEntity => p !== null)
        .map((p) => [p.id, p]),
    );
    for (const { customerId, event } of cardFirst.values()) {
      const program = programs.get(event.programId as string);
      if (!program || program.kind !== (ProgramKind.CO_BRANDED_CARD as string)) continue;
      add(customerId, {
        ref: event.externalId,
        source: 'CO_BRANDED_CARD',
        partnerId: program.partnerId,
        programId: program.id,
        channelId: null,
        referralId: null,
        touchedAt: event.occurredAt,
        touchedOn: event.businessDate,
        productHint: `CARD:${program.id}`,
      });
    }
    const usccs = [...new Set([...payrollFirst.values()].map((v) => v.event.employerUscc as string))];
    if (usccs.length > 0) {
      const employers: PartnerEntity[] = [];
      for (const part of chunk(usccs))
        employers.push(...(await this.dataSource.getRepository(PartnerEntity).findBy({ uscc: In(part) })));
      const payrollPrograms = (await this.programs.programsOfPartners(employers.map((p) => p.id))).filter(
        (p) => p.kind === (ProgramKind.PAYROLL as string),
      );
      for (const { customerId, event } of payrollFirst.values()) {
        const employer = employers.find((p) => p.uscc === event.employerUscc);
        if (!employer) continue;
        for (const program of payrollPrograms.filter((p) => p.partnerId === employer.id))
          add(customerId, {
            ref: event.externalId,
            source: 'PAYROLL',
            partnerId: employer.id,
            programId: program.id,
            channelId: null,
            referralId: null,
            touchedAt: event.occurredAt,
            touchedOn: event.businessDate,
            productHint: null,
          });
      }
    }
    if (this.supplyChain) {
      const sc = (await this.supplyChain.touchesForCustomers(customers.map((c) => c.id))).filter(
        (t) => t.programId !== null,
      );
      const scPrograms = new Map(
        (await this.programs.findProgramsByIds([...new Set(sc.map((t) => t.programId as string))]))
          .filter((p): p is ProgramEntity => p !== null)
          .map((p) => [p.id, p]),
      );
      for (const t of sc) {
        const program = scPrograms.get(t.programId as string);
        if (!program) continue;
        add(t.customerId, {
          ref: `${t.coreEnterpriseId}:${t.memberCompanyId}`,
          source: 'SUPPLY_CHAIN',
          partnerId: program.partnerId,
          programId: program.id,
          channelId: null,
          referralId: null,
          touchedAt: t.touchedAt,
          touchedOn: businessDateOf(t.touchedAt, tz),
          productHint: null,
        });
      }
    }
    return out;
  }

  private async ruleBook(programIds: string[]): Promise<RuleBook> {
    const versions = await this.programs.ruleVersionsOf(programIds);
    const of = (programId: string, kind: RuleKind) =>
      versions.filter((v) => v.programId === programId && v.kind === (kind as string));
    const cache = new Map<string, unknown>();
    return {
      attribution: (programId, onDate) => {
        const k = `A|${programId}|${onDate}`;
        if (!cache.has(k)) {
          const found = effectiveRule(of(programId, RuleKind.ATTRIBUTION), onDate);
          cache.set(k, found ? { version: found.version, rule: parseAttributionRule(found.body) } : null);
        }
        return cache.get(k) as RuleInForce | null;
      },
      qualification: (programId, onDate) => {
        const k = `Q|${programId}|${onDate}`;
        if (!cache.has(k)) {
          const found = effectiveRule(of(programId, RuleKind.QUALIFICATION), onDate);
          cache.set(k, found ? parseQualificationRule(found.body) : null);
        }
        return cache.get(k) as QualificationRule | null;
      },
    };
  }

  // ---------- reads ----------

  /** Decisions of one customer the caller may already read; partner users see only what their partner won. */
  async attributionsOf(
    actor: Actor,
    customerIds: readonly string[],
  ): Promise<{ attribution: AttributionEntity; touches: AttributionTouchEntity[] }[]> {
    const rows: AttributionEntity[] = [];
    for (const part of chunk([...new Set(customerIds)]))
      rows.push(
        ...(await this.dataSource
          .getRepository(AttributionEntity)
          .find({ where: { customerId: In(part) }, order: { productKey: 'ASC' } })),
      );
    const touches: AttributionTouchEntity[] = [];
    for (const part of chunk(rows.map((r) => r.id)))
      touches.push(
        ...(await this.dataSource
          .getRepository(AttributionTouchEntity)
          .find({ where: { attributionId: In(part) }, order: { touchedAt: 'ASC', sourceRef: 'ASC' } })),
      );
    const out = rows.map((attribution) => ({
      attribution,
      touches: touches.filter((t) => t.attributionId === attribution.id),
    }));
    if (actor.partnerId === null) return out;
    return out
      .filter((a) => a.touches.some((t) => t.outcome === 'WON' && t.partnerId === actor.partnerId))
      .map((a) => ({ ...a, touches: a.touches.filter((t) => t.partnerId === actor.partnerId) }));
  }

  /** Contract name: the decisions of one customer, without access checks (system use). */
  async attributionOf(
    customerId: string,
  ): Promise<{ attribution: AttributionEntity; touches: AttributionTouchEntity[] }[]> {
    return this.attributionsOf(ENGINE, [customerId]);
  }

  async isBroughtInBy(partnerId: string, customerId: string): Promise<boolean> {
    const n = await this.dataSource
      .getRepository(AttributionTouchEntity)
      .countBy({ partnerId, customerId, outcome: 'WON' });
    return n > 0;
  }

  /** Customers a partner (or a program) brought in, as a customers connection. */
  async broughtInCustomers(
    actor: Actor,
    by: { partnerId?: string; programId?: string },
    filter: BroughtInFilter,
    page: PageArgs,
  ): Promise<ConnectionResult<CustomerEntity>> {
    const sub = this.dataSource
      .getRepository(AttributionTouchEntity)
      .createQueryBuilder('bt')
      .select('bt.customerId')
      .where('bt.outcome = :won');
    const params: Record<string, unknown> = { won: 'WON' };
    if (by.partnerId) {
      sub.andWhere('bt.partnerId = :byPartner');
      params.byPartner = by.partnerId;
    }
    if (by.programId) {
      sub.andWhere('bt.programId = :byProgram');
      params.byProgram = by.programId;
    }
    if (actor.partnerId !== null) {
      sub.andWhere('bt.partnerId = :actorPartner');
      params.actorPartner = actor.partnerId;
    }
    if (filter.productKeys?.length) {
      sub.andWhere('bt.productKey IN (:...productKeys)');
      params.productKeys = filter.productKeys;
    }
    for (const [field, value] of [
      ['filter.convertedFrom', filter.convertedFrom],
      ['filter.convertedTo', filter.convertedTo],
    ] as const)
      if (value !== undefined && !isValidBusinessDate(value)) throw badInput(field, 'INVALID_DATE');
    if (filter.convertedFrom) {
      sub.andWhere('bt.convertedOn >= :convertedFrom');
      params.convertedFrom = filter.convertedFrom;
    }
    if (filter.convertedTo) {
      sub.andWhere('bt.convertedOn <= :convertedTo');
      params.convertedTo = filter.convertedTo;
    }
    if (filter.qualified !== undefined) {
      sub.andWhere(
        filter.qualified
          ? 'bt.qualificationStatus = :q'
          : '(bt.qualificationStatus IS NULL OR bt.qualificationStatus <> :q)',
      );
      params.q = 'QUALIFIED';
    }
    const query = this.dataSource
      .getRepository(CustomerEntity)
      .createQueryBuilder('c')
      .where(`c.id IN (${sub.getQuery()})`, params);
    return paginate(query, page, (row) => row);
  }

  /** Contract name (sic): ids of customers brought in by any of these partners or programs, one page. */
  async brokenInCustomerIds(
    by: { partnerIds?: string[]; programIds?: string[] },
    page: { first: number; afterCustomerId?: string },
  ): Promise<string[]> {
    const q = this.dataSource
      .getRepository(AttributionTouchEntity)
      .createQueryBuilder('t')
      .select('DISTINCT t.customerId', 'customerId')
      .where('t.outcome = :won', { won: 'WON' });
    if (by.partnerIds?.length) q.andWhere('t.partnerId IN (:...pids)', { pids: by.partnerIds });
    if (by.programIds?.length) q.andWhere('t.programId IN (:...prids)', { prids: by.programIds });
    if (page.afterCustomerId) q.andWhere('t.customerId > :after', { after: page.afterCustomerId });
    const rows = await q.orderBy('t.customerId', 'ASC').limit(page.first).getRawMany<{ customerId: string }>();
    return rows.map((r) => r.customerId);
  }

  // ---------- manager override ----------

  async override(actor: Actor, input: OverrideInput): Promise<AttributionEntity> {
    if (actor.role !== Role.ADMIN && actor.role !== Role.PARTNERSHIP_MANAGER)
      throw forbidden('Only managers may override an attribution');
    await this.customers.get(actor, input.customerId);
    if (input.winners.length === 0) throw badInput('winners', 'AT_LEAST_ONE');
    const programIds = input.winners.map((w) => w.programId);
    if (new Set(programIds).size !== programIds.length) throw badInput('winners', 'DUPLICATE_PROGRAM');
    let sum = new Decimal(0);
    input.winners.forEach((w, i) => {
      let share: Decimal;
      try {
        share = new Decimal(w.share);
      } catch {
        throw badInput(`winners.${i}.share`, 'INVALID_RATE');
      }
      if (share.lte(0) || share.gt(1)) throw badInput(`winners.${i}.share`, 'OUT_OF_RANGE');
      sum = sum.plus(share);
    });
    if (!sum.equals(1)) throw badInput('winners', 'SHARES_MUST_SUM_TO_ONE');
    const programs = await this.programs.findProgramsByIds(programIds, actor);
    return this.tx.run(async (manager) => {
      const before = await manager.findOneBy(AttributionEntity, {
        customerId: input.customerId,
        productKey: input.productKey,
      });
      if (!before) throw notFound('Attribution', `${input.customerId}/${input.productKey}`);
      for (const [i, program] of programs.entries()) {
        if (!program) throw badInput(`winners.${i}.programId`, 'UNKNOWN_PROGRAM');
        await this.partners.requireManageable(manager, actor, program.partnerId, `winners.${i}.programId`);
      }
      const now = this.clock.now();
      await manager.update(
        AttributionTouchEntity,
        { attributionId: before.id, outcome: 'WON' },
        {
          outcome: 'OVERRULED',
          share: null,
          qualificationStatus: null,
          qualifiedAt: null,
          qualifiedOn: null,
          qualifyingEvents: null,
        },
      );
      await manager.delete(AttributionTouchEntity, { attributionId: before.id, source: 'OVERRIDE' });
      const rows: AttributionTouchEntity[] = programs.map((program, i) => ({
        id: newId(),
        attributionId: before.id,
        customerId: before.customerId,
        productKey: before.productKey,
        convertedOn: before.convertedOn,
        source: 'OVERRIDE',
        sourceRef: actor.id,
        partnerId: (program as ProgramEntity).partnerId,
        programId: (program as ProgramEntity).id,
        channelId: null,
        referralId: null,
        touchedAt: now,
        touchedOn: businessDateOf(now, this.config.bankTimeZone),
        rank: null,
        ruleVersion: null,
        outcome: 'WON',
        share: new Decimal((input.winners[i] as { share: string }).share).toString(),
        qualificationStatus: null,
        qualifiedAt: null,
        qualifiedOn: null,
        qualifyingEvents: null,
      }));
      await manager.insert(AttributionTouchEntity, rows);
      const reason = input.reason.trim();
      if (reason.length === 0) throw badInput('reason', 'REQUIRED');
      await manager.update(
        AttributionEntity,
        { id: before.id },
        {
          overridden: true,
          overriddenById: actor.id,
          overrideReason: reason,
          overriddenAt: now,
          version: before.version + 1,
          updatedAt: now,
        },
      );
      await this.audit.record(manager, actor, {
        action: 'attribution.override',
        entityType: 'Attribution',
        entityId: before.id,
        before: { reason: before.reason, overridden: before.overridden },
        after: { winners: input.winners, reason },
      });
      return (await manager.findOneBy(AttributionEntity, { id: before.id })) as AttributionEntity;
    });
  }

  /** Removes an override: the next run decides again from the facts. */
  async clearOverride(actor: Actor, customerId: string, productKey: string): Promise<void> {
    if (actor.role !== Role.ADMIN && actor.role !== Role.PARTNERSHIP_MANAGER)
      throw forbidden('Only managers may clear an override');
    await this.customers.get(actor, customerId);
    await this.tx.run(async (manager) => {
      const before = await manager.findOneBy(AttributionEntity, { customerId, productKey });
      if (!before || !before.overridden) throw notFound('AttributionOverride', `${customerId}/${productKey}`);
      const winners = await manager.findBy(AttributionTouchEntity, { attributionId: before.id, source: 'OVERRIDE' });
      for (const w of winners) await this.partners.requireManageable(manager, actor, w.partnerId);
      await manager.update(
        AttributionEntity,
        { id: before.id },
        { overridden: false, inputsHash: 'cleared', version: before.version + 1, updatedAt: this.clock.now() },
      );
      await this.audit.record(manager, actor, {
        action: 'attribution.clearOverride',
        entityType: 'Attribution',
        entityId: before.id,
        before: { overrideReason: before.overrideReason },
      });
    });
    await this.attributeCustomers([customerId], actor);
  }

  assertCanRun(actor: Actor): void {
    if (actor.role !== Role.ADMIN && actor.role !== Role.PARTNERSHIP_MANAGER)
      throw forbidden('Only managers may run attribution');
    if (actor.orgScope !== null) throw forbidden('A full re-run needs bank-wide scope');
  }

  /** Scope helper for other modules: restrict a query on a customer id column to customers the partner brought in. */
  static partnerScopeSql(customerIdExpr: string): string {
    return `${customerIdExpr} IN (SELECT bt.customer_id FROM attribution_touches bt WHERE bt.partner_id = :scopePartnerId AND bt.outcome = 'WON')`;
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Customers whose newly recorded events already make a touch (card event naming a program, payroll employer). */
/** What the after-recording check read about its customers, so the decision pass does not read it again. */
interface KnownCustomers {
  hashes: Map<string, { identityHash: string | null; phoneHash: string | null }>;
  decided: Set<string>;
}

function customersTouchedBy(events: readonly CustomerEventEntity[]): Set<string> {
  const out = new Set<string>();
  for (const e of events) if (isTouchEvent(e)) out.add(e.customerId);
  return out;
}

function productHintOf(productCode: string | null): string | null {
  if (!productCode) return null;
  const code = productCode.toUpperCase();
  return ['ACCOUNT', 'CARD', 'FUND', 'INSURANCE', 'LOAN', 'PAYROLL'].includes(code) ? code : null;
}

function snapshotRules(decision: Decision): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [programId, r] of Object.entries(decision.rules)) out[programId] = { version: r.version, ...r.rule };
  return out;
}

function inputsHash(decision: Decision, quals: Map<string, QualificationResult>): string {
  const canonical = {
    key: decision.productKey,
    conversion: [decision.conversion.externalId, decision.conversion.occurredAt.toISOString()],
    touches: decision.touches.map((j) => [
      j.touch.source,
      j.touch.ref,
      j.touch.programId,
      j.touch.touchedAt.toISOString(),
      j.outcome,
      j.rank,
      j.ruleVersion,
      j.share,
    ]),
    quals: [...quals.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([p, q]) => [p, q.status, q.qualifiedAt?.toISOString() ?? null, q.eventExternalIds]),
    reason: decision.reason,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

function touchRow(
  attribution: AttributionEntity,
  j: Decision['touches'][number],
  q: QualificationResult | undefined,
): AttributionTouchEntity {
  return {
    id: newId(),
    attributionId: attribution.id,
    customerId: attribution.customerId,
    productKey: attribution.productKey,
    convertedOn: attribution.convertedOn,
    source: j.touch.source,
    sourceRef: j.touch.ref,
    partnerId: j.touch.partnerId,
    programId: j.touch.programId,
    channelId: j.touch.channelId,
    referralId: j.touch.referralId,
    touchedAt: j.touch.touchedAt,
    touchedOn: j.touch.touchedOn,
    rank: j.rank,
    ruleVersion: j.ruleVersion,
    outcome: j.outcome,
    share: j.share,
    qualificationStatus: q ? q.status : null,
    qualifiedAt: q?.qualifiedAt ?? null,
    qualifiedOn: q?.qualifiedOn ?? null,
    qualifyingEvents: q && q.status === 'QUALIFIED' ? q.eventExternalIds : null,
  };
}
