import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { businessDateOf, isValidBusinessDate } from '../common/business-time';
import { Clock } from '../common/clock';
import { badInput } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { uniqueViolationOf } from '../database/unique-violation';
import { chunk } from '../graphql/loaders';
import { AnalyticsAppliedFactEntity } from './entities/analytics-applied-fact.entity';
import { AnalyticsCursorEntity } from './entities/analytics-cursor.entity';
import {
  AccrualSourceRow,
  activityKey,
  aggregate,
  Aggregated,
  AnalyticsSource,
  cardMonthKey,
  customerMonthKey,
  dailyKey,
  EventSourceRow,
  eventFacts,
  LedgerFact,
  ProgramDims,
  ReferralSourceRow,
  referralFacts,
  accrualFacts,
  SOURCES,
} from './facts';
import { add, upsertRows } from './upsert';

/** How each source is read: its table, the high-water-mark column and the business-date column. */
interface SourceSpec {
  table: string;
  watermark: string;
  date: string;
}

const SOURCE_SPECS: Record<AnalyticsSource, SourceSpec> = {
  REFERRAL: { table: 'referrals', watermark: 'updated_at', date: 'submitted_on' },
  EVENT: { table: 'customer_events', watermark: 'recorded_at', date: 'business_date' },
  ACCRUAL: { table: 'commission_accruals', watermark: 'created_at', date: 'business_date' },
};

const EPOCH = new Date('1970-01-01T00:00:00.000Z');
const MAX_CONFLICT_RETRIES = 3;

export interface CatchUpResult {
  source: AnalyticsSource;
  read: number;
  applied: number;
  skipped: number;
  conflicts: number;
}

export interface RollupDifference {
  table: string;
  key: string;
  expected: string | null;
  actual: string | null;
}

function toBig(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'string') return BigInt(v.includes('.') ? v.slice(0, v.indexOf('.')) : v);
  return 0n;
}

/** MySQL/MariaDB chose this transaction as a deadlock victim (two runs upserting the same buckets in another order). */
function isDeadlock(error: unknown): boolean {
  const e = error as { driverError?: { errno?: number }; errno?: number } | null;
  return (e?.driverError?.errno ?? e?.errno) === 1213;
}

/** A SQL scalar as text (drivers return strings, numbers or bigints). */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return v.toString();
  return '';
}

function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  // SQLite returns 'YYYY-MM-DD HH:MM:SS.SSS' (UTC) as text.
  return new Date(`${String(v).replace(' ', 'T')}Z`);
}

function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const end = to.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    if (key > end) return out;
    out.push(key);
    m++;
    if (m === 13) [y, m] = [y + 1, 1];
  }
}

function monthEnd(month: string): string {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${month}-${String(last).padStart(2, '0')}`;
}

/**
 * Incremental maintenance, rebuild and verification of the roll-ups (docs/analytics-design.md §5–6).
 *
 * Catch-up: per source, read rows whose high-water-mark column is ≥ cursor − overlap (ids and timestamps are
 * assigned before commit, so commit order ≠ timestamp order), in keyset batches; derive facts; in ONE
 * transaction skip the ids already in the ledger (other content → CONFLICT, logged, not applied), insert the
 * new ledger rows, upsert their pre-aggregated deltas and advance the cursor. A concurrent run in another
 * process loses on the ledger's unique key and retries: exactly-once. In this process runs of one source are
 * serialised.
 */
@Injectable()
export class AnalyticsMaintenanceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Analytics');
  private readonly chains = new Map<AnalyticsSource, Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  /** Per source: the re-read window this process last caught up completely, and its signature. */
  private readonly applied = new Map<AnalyticsSource, { since: number; signature: string }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const every = this.config.analytics.catchUpIntervalMs;
    if (every > 0) {
      // A lost trigger only delays: the periodic catch-up picks the rows up.
      this.timer = setInterval(() => {
        this.catchUpAll().catch((error: unknown) => this.logger.error({ err: error }, 'periodic catch-up failed'));
      }, every);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  // ---------- catch-up ----------

  async catchUpAll(): Promise<CatchUpResult[]> {
    const out: CatchUpResult[] = [];
    for (const source of SOURCES) out.push(await this.catchUp(source));
    return out;
  }

  /** Serialised per source in this process: a second caller waits, then catches up what arrived meanwhile. */
  catchUp(source: AnalyticsSource): Promise<CatchUpResult> {
    const previous = this.chains.get(source) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.catchUpNow(source));
    this.chains.set(source, next);
    return next;
  }

  private async catchUpNow(source: AnalyticsSource): Promise<CatchUpResult> {
    const spec = SOURCE_SPECS[source];
    const result: CatchUpResult = { source, read: 0, applied: 0, skipped: 0, conflicts: 0 };
    const cursor = await this.cursorOf(source);
    const since = new Date(cursor.getTime() - this.config.analytics.overlapSeconds * 1000);
    // Cheap "anything new?": the rows of the re-read window only grow (append-only sources) or change version
    // (referrals); if count and version sum are what this process last applied, the window holds nothing new.
    const window = await this.windowSignature(source, since);
    const memo = this.applied.get(source);
    if (memo && memo.since === since.getTime() && memo.signature === window) return result;
    let after: { at: Date; id: string } | null = null;
    for (;;) {
      const query = this.dataSource
        .createQueryBuilder()
        .select('s.id', 'id')
        .addSelect(`s.${spec.watermark}`, 'mark')
        .from(spec.table, 's')
        .orderBy(`s.${spec.watermark}`, 'ASC')
        .addOrderBy('s.id', 'ASC')
        .limit(this.config.analytics.batchSize);
      if (after === null) query.where(`s.${spec.watermark} >= :since`, { since });
      else
        query.where(`(s.${spec.watermark} > :at OR (s.${spec.watermark} = :at AND s.id > :id))`, {
          at: after.at,
          id: after.id,
        });
      const rows = await query.getRawMany<{ id: string; mark: unknown }>();
      if (rows.length === 0) {
        this.applied.set(source, { since: since.getTime(), signature: window });
        return result;
      }
      const last = rows[rows.length - 1] as { id: string; mark: unknown };
      after = { at: toDate(last.mark), id: last.id };
      const facts = await this.factsOf(
        source,
        rows.map((r) => r.id),
      );
      result.read += rows.length;
      const batch = await this.applyWithRetry(source, facts, after.at);
      result.applied += batch.applied;
      result.skipped += batch.skipped;
      result.conflicts += batch.conflicts;
    }
  }

  private async windowSignature(source: AnalyticsSource, since: Date): Promise<string> {
    const spec = SOURCE_SPECS[source];
    const row = await this.dataSource
      .createQueryBuilder()
      .select('COUNT(*)', 'n')
      .addSelect(source === 'REFERRAL' ? 'SUM(s.version)' : '0', 'v')
      .from(spec.table, 's')
      .where(`s.${spec.watermark} >= :since`, { since })
      .getRawOne<{ n: unknown; v: unknown }>();
    return `${text(row?.n)}/${text(row?.v)}`;
  }

  private async cursorOf(source: AnalyticsSource): Promise<Date> {
    const row = await this.dataSource.getRepository(AnalyticsCursorEntity).findOneBy({ source });
    return row ? row.watermark : EPOCH;
  }

  private async applyWithRetry(
    source: AnalyticsSource,
    facts: LedgerFact[],
    watermark: Date | null,
  ): Promise<{ applied: number; skipped: number; conflicts: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tx.run((manager) => this.applyFacts(manager, source, facts, watermark));
      } catch (error) {
        // Another process applied some of these facts first: run again; the ledger now skips them.
        if (attempt >= MAX_CONFLICT_RETRIES || !(uniqueViolationOf(error) || isDeadlock(error))) throw error;
      }
    }
  }

  /** The ledger check, the ledger insert, the upserts and the cursor, in the caller's transaction. */
  async applyFacts(
    manager: EntityManager,
    source: AnalyticsSource,
    facts: readonly LedgerFact[],
    watermark: Date | null,
  ): Promise<{ applied: number; skipped: number; conflicts: number }> {
    const unique = new Map<string, LedgerFact>();
    let conflicts = 0;
    for (const f of facts) {
      const seen = unique.get(f.id);
      if (seen && seen.fingerprint !== f.fingerprint) conflicts++;
      else unique.set(f.id, f);
    }
    const known = new Map<string, string>();
    for (const part of chunk([...unique.keys()])) {
      const rows = await manager.query<{ fact_id: string; fingerprint: string }[]>(
        `SELECT fact_id, fingerprint FROM analytics_applied_facts WHERE source = ? AND fact_id IN (${part.map(() => '?').join(', ')})`,
        [source, ...part],
      );
      for (const r of rows) known.set(r.fact_id, r.fingerprint);
    }
    const fresh: LedgerFact[] = [];
    let skipped = 0;
    for (const f of unique.values()) {
      const fp = known.get(f.id);
      if (fp === undefined) fresh.push(f);
      else if (fp === f.fingerprint) skipped++;
      else {
        conflicts++;
        this.logger.error(
          { source, factId: f.id, rule: 'ROLLUP_FACT_CHANGED' },
          'A source row changed after it was rolled up; not applied (sources are immutable)',
        );
      }
    }
    const now = this.clock.now();
    // A plain INSERT: a duplicate key here means a concurrent run won; the transaction is retried.
    for (const part of chunk(fresh, 400))
      await manager.insert(
        AnalyticsAppliedFactEntity,
        part.map((f) => ({
          id: newId(),
          source,
          factId: f.id,
          fingerprint: f.fingerprint,
          businessDate: f.date,
          appliedAt: now,
        })),
      );
    await this.writeAggregate(manager, aggregate(fresh));
    if (watermark !== null) await this.advanceCursor(manager, source, watermark);
    return { applied: fresh.length, skipped, conflicts };
  }

  private async advanceCursor(manager: EntityManager, source: AnalyticsSource, watermark: Date): Promise<void> {
    const now = this.clock.now();
    const row = await manager.findOneBy(AnalyticsCursorEntity, { source });
    if (!row) {
      await manager.insert(AnalyticsCursorEntity, { source, watermark, version: 1, updatedAt: now });
      return;
    }
    // Only forward; a concurrent advance makes this a no-op (the larger mark wins on its own update).
    if (row.watermark.getTime() >= watermark.getTime()) return;
    await manager.update(
      AnalyticsCursorEntity,
      { source, version: row.version },
      { watermark, version: row.version + 1, updatedAt: now },
    );
  }

  /** Adds pre-aggregated deltas to the roll-up tables (the upserts). */
  private async writeAggregate(manager: EntityManager, agg: Aggregated): Promise<void> {
    for (const [table, dateColumn, deltas] of [
      ['analytics_daily', 'business_date', agg.daily],
      ['analytics_monthly', 'month', agg.monthly],
    ] as const) {
      const key = [
        dateColumn,
        'partner_id',
        'program_id',
        'channel_id',
        'org_unit_id',
        'measure',
        'bucket_value',
        'currency',
      ];
      await upsertRows(
        manager,
        {
          table,
          columns: ['id', ...key.slice(0, 5), 'partner_kind', ...key.slice(5), 'fact_count', 'amount_minor'],
          key,
          assignments: [
            ['fact_count', add('fact_count')],
            ['amount_minor', add('amount_minor')],
          ],
        },
        // Key order: concurrent runs lock shared buckets in the same order (fewer deadlocks).
        [...deltas.entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([, d]) => [
            newId(),
            d.date,
            d.partnerId,
            d.programId,
            d.channelId,
            d.orgUnitId,
            d.partnerKind,
            d.measure,
            d.bucketValue,
            d.currency,
            d.count.toString(),
            d.amountMinor.toString(),
          ]),
      );
    }
    // "Latest wins" columns first (their condition reads the stored last_date / last_event_id), then the keys.
    const newer = (d: { incoming(c: string): string }): string =>
      `(${d.incoming('last_date')} > last_date OR (${d.incoming('last_date')} = last_date AND ${d.incoming('last_event_id')} > last_event_id))`;
    await upsertRows(
      manager,
      {
        table: 'analytics_customer_month',
        columns: [
          'id',
          'customer_id',
          'month',
          'measure',
          'currency',
          'fact_count',
          'amount_minor',
          'last_date',
          'last_event_id',
          'last_type',
          'last_amount_minor',
        ],
        key: ['customer_id', 'month', 'measure', 'currency'],
        assignments: [
          ['fact_count', add('fact_count')],
          ['amount_minor', add('amount_minor')],
          [
            'last_amount_minor',
            (d) => `CASE WHEN ${newer(d)} THEN ${d.incoming('last_amount_minor')} ELSE last_amount_minor END`,
          ],
          ['last_type', (d) => `CASE WHEN ${newer(d)} THEN ${d.incoming('last_type')} ELSE last_type END`],
          ['last_event_id', (d) => `CASE WHEN ${newer(d)} THEN ${d.incoming('last_event_id')} ELSE last_event_id END`],
          ['last_date', (d) => d.greatest('last_date', d.incoming('last_date'))],
        ],
      },
      [...agg.customerMonth.values()].map((d) => [
        newId(),
        d.customerId,
        d.month,
        d.measure,
        d.currency,
        d.count.toString(),
        d.amountMinor.toString(),
        d.lastDate,
        d.lastEventId,
        d.lastType,
        d.lastAmountMinor === null ? null : d.lastAmountMinor.toString(),
      ]),
    );
    await upsertRows(
      manager,
      {
        table: 'analytics_customer_activity',
        columns: ['id', 'customer_id', 'event_type', 'business_date'],
        key: ['customer_id', 'event_type', 'business_date'],
        assignments: [],
      },
      [...agg.activity.values()].map((a) => [newId(), a.customerId, a.eventType, a.date]),
    );
    await upsertRows(
      manager,
      {
        table: 'analytics_card_month',
        columns: ['id', 'program_id', 'card_ref', 'month', 'currency', 'spend_count', 'spend_minor'],
        key: ['program_id', 'card_ref', 'month', 'currency'],
        assignments: [
          ['spend_count', add('spend_count')],
          ['spend_minor', add('spend_minor')],
        ],
      },
      [...agg.cardMonth.values()].map((d) => [
        newId(),
        d.programId,
        d.cardRef,
        d.month,
        d.currency,
        d.count.toString(),
        d.amountMinor.toString(),
      ]),
    );
  }

  // ---------- source rows → facts ----------

  /** Facts of the given source rows (by id), read with their dimensions in a constant number of statements. */
  async factsOf(source: AnalyticsSource, ids: readonly string[], manager?: EntityManager): Promise<LedgerFact[]> {
    const m = manager ?? this.dataSource.manager;
    const facts: LedgerFact[] = [];
    for (const part of chunk([...ids])) {
      const marks = part.map(() => '?').join(', ');
      if (source === 'REFERRAL') {
        const rows = await m.query<Record<string, unknown>[]>(
          `SELECT r.id, r.partner_id, r.program_id, r.channel_id, r.org_unit_id, p.kind AS partner_kind, r.submitted_on,
                  r.status, r.reached_rank, r.converted_at, r.qualified_at,
                  (SELECT COUNT(*) FROM referral_status_changes h WHERE h.referral_id = r.id AND h.to_status = 'EXPIRED') AS expired_moves
             FROM referrals r JOIN partners p ON p.id = r.partner_id WHERE r.id IN (${marks})`,
          part,
        );
        for (const r of rows) facts.push(...referralFacts(this.referralRow(r)));
      } else if (source === 'ACCRUAL') {
        const rows = await m.query<Record<string, unknown>[]>(
          `SELECT a.ledger_key, a.kind, a.fee_category, a.business_date, a.amount, a.currency, a.partner_id, a.program_id,
                  g.org_unit_id, p.kind AS partner_kind
             FROM commission_accruals a JOIN programs g ON g.id = a.program_id JOIN partners p ON p.id = a.partner_id
            WHERE a.id IN (${marks})`,
          part,
        );
        for (const a of rows) facts.push(...accrualFacts(this.accrualRow(a)));
      } else {
        const rows = await m.query<Record<string, unknown>[]>(
          `SELECT e.id, e.customer_id, e.type, e.business_date, e.product_code, e.program_id, e.card_ref, e.amount, e.currency,
                  g.partner_id, g.org_unit_id, p.kind AS partner_kind
             FROM customer_events e LEFT JOIN programs g ON g.id = e.program_id LEFT JOIN partners p ON p.id = g.partner_id
            WHERE e.id IN (${marks})`,
          part,
        );
        for (const e of rows) {
          const [row, program] = this.eventRow(e);
          facts.push(...eventFacts(row, program));
        }
      }
    }
    return facts;
  }

  private referralRow(r: Record<string, unknown>): ReferralSourceRow {
    const zone = this.config.bankTimeZone;
    return {
      id: String(r.id),
      partnerId: String(r.partner_id),
      programId: String(r.program_id),
      channelId: r.channel_id === null ? null : text(r.channel_id),
      orgUnitId: String(r.org_unit_id),
      partnerKind: String(r.partner_kind),
      submittedOn: String(r.submitted_on),
      status: String(r.status),
      reachedRank: Number(r.reached_rank),
      convertedOn: r.converted_at === null ? null : businessDateOf(toDate(r.converted_at), zone),
      qualifiedOn: r.qualified_at === null ? null : businessDateOf(toDate(r.qualified_at), zone),
      everExpired: Number(r.expired_moves) > 0,
    };
  }

  private accrualRow(a: Record<string, unknown>): AccrualSourceRow {
    return {
      ledgerKey: String(a.ledger_key),
      kind: String(a.kind),
      feeCategory: String(a.fee_category),
      businessDate: String(a.business_date),
      amount: toBig(a.amount),
      currency: String(a.currency),
      partnerId: String(a.partner_id),
      programId: String(a.program_id),
      channelId: null,
      orgUnitId: String(a.org_unit_id),
      partnerKind: String(a.partner_kind),
    };
  }

  private eventRow(e: Record<string, unknown>): [EventSourceRow, ProgramDims | null] {
    const str = (v: unknown): string | null => (v === null || v === undefined ? null : text(v));
    const row: EventSourceRow = {
      id: String(e.id),
      customerId: String(e.customer_id),
      type: String(e.type),
      businessDate: String(e.business_date),
      productCode: str(e.product_code),
      programId: str(e.program_id),
      cardRef: str(e.card_ref),
      amount: e.amount === null || e.amount === undefined ? null : toBig(e.amount),
      currency: str(e.currency),
    };
    const program =
      e.partner_id === null || e.partner_id === undefined
        ? null
        : {
            partnerId: text(e.partner_id),
            programId: String(e.program_id),
            orgUnitId: String(e.org_unit_id),
            partnerKind: String(e.partner_kind),
          };
    return [row, program];
  }

  /** Ids of the source rows whose facts fall in [from, to] (their business date), keyset-paged. */
  private async sourceIdsInRange(
    source: AnalyticsSource,
    from: string,
    to: string,
    m: EntityManager,
  ): Promise<string[]> {
    const spec = SOURCE_SPECS[source];
    const ids: string[] = [];
    let last = '';
    for (;;) {
      const rows = await m.query<{ id: string }[]>(
        `SELECT id FROM ${spec.table} WHERE ${spec.date} >= ? AND ${spec.date} <= ? AND id > ? ORDER BY id LIMIT ${this.config.analytics.batchSize}`,
        [from, to, last],
      );
      if (rows.length === 0) return ids;
      for (const r of rows) ids.push(r.id);
      last = (rows[rows.length - 1] as { id: string }).id;
    }
  }

  // ---------- rebuild and verify ----------

  /** BAD_USER_INPUT naming `from` / `to` for a range rebuild and verify refuse. */
  checkRange(from: string, to: string): void {
    if (!isValidBusinessDate(from)) throw badInput('from', 'INVALID_DATE');
    if (!isValidBusinessDate(to)) throw badInput('to', 'INVALID_DATE');
    if (from > to) throw badInput('to', 'BEFORE_FROM');
    if (monthsBetween(from, to).length > 120) throw badInput('to', 'RANGE_TOO_LONG');
  }

  /**
   * Rebuilds whole months covering [from, to]: per month, in one transaction, deletes the month's roll-up rows
   * and ledger rows and re-applies every fact derived from the sources (the same derivation as the catch-up).
   * Cursors do not move: rows re-read later are skipped by the rebuilt ledger.
   */
  async rebuild(from: string, to: string): Promise<{ months: string[]; facts: number }> {
    this.checkRange(from, to);
    const months = monthsBetween(from, to);
    let total = 0;
    await this.exclusive(async () => {
      for (const month of months) {
        const [start, end] = [`${month}-01`, monthEnd(month)];
        await this.tx.run(async (manager) => {
          await manager.query('DELETE FROM analytics_monthly WHERE month = ?', [month]);
          await manager.query('DELETE FROM analytics_daily WHERE business_date >= ? AND business_date <= ?', [
            start,
            end,
          ]);
          await manager.query('DELETE FROM analytics_applied_facts WHERE business_date >= ? AND business_date <= ?', [
            start,
            end,
          ]);
          await manager.query('DELETE FROM analytics_customer_month WHERE month = ?', [month]);
          await manager.query(
            'DELETE FROM analytics_customer_activity WHERE business_date >= ? AND business_date <= ?',
            [start, end],
          );
          await manager.query('DELETE FROM analytics_card_month WHERE month = ?', [month]);
          for (const source of SOURCES) {
            const ids = await this.sourceIdsInRange(source, start, end, manager);
            for (const part of chunk(ids, this.config.analytics.batchSize)) {
              const facts = await this.factsOf(source, part, manager);
              total += (await this.applyFacts(manager, source, facts, null)).applied;
            }
          }
        });
      }
    });
    return { months, facts: total };
  }

  /** Runs work while no catch-up of any source runs in this process. */
  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const gate = Promise.all(SOURCES.map((s) => (this.chains.get(s) ?? Promise.resolve()).catch(() => undefined))).then(
      work,
    );
    for (const s of SOURCES) this.chains.set(s, gate);
    return gate;
  }

  /**
   * Catches up, then compares the live roll-ups of the months covering [from, to] with a rebuild in memory
   * (the same derivation); every difference names its table and bucket key.
   */
  async verify(
    from: string,
    to: string,
  ): Promise<{ months: string[]; buckets: number; differences: RollupDifference[] }> {
    this.checkRange(from, to);
    await this.catchUpAll();
    const months = monthsBetween(from, to);
    const [start, end] = [`${months[0] ?? ''}-01`, monthEnd(months[months.length - 1] ?? '')];
    const m = this.dataSource.manager;
    const expected = aggregate([]);
    for (const source of SOURCES) {
      const ids = await this.sourceIdsInRange(source, start, end, m);
      for (const part of chunk(ids, this.config.analytics.batchSize))
        aggregate(
          // The ledger de-duplicates by id; a rebuild in memory does the same.
          [...new Map((await this.factsOf(source, part)).map((f) => [f.id, f])).values()],
          expected,
        );
    }
    const actual = await this.readLive(start, end, months[0] ?? '', months[months.length - 1] ?? '');
    const differences: RollupDifference[] = [];
    const compare = (table: string, exp: Map<string, string>, act: Map<string, string>): void => {
      for (const key of new Set([...exp.keys(), ...act.keys()])) {
        const [e, a] = [exp.get(key) ?? null, act.get(key) ?? null];
        if (e !== a) differences.push({ table, key: key.split('\u0001').join('|'), expected: e, actual: a });
      }
    };
    compare(
      'analytics_daily',
      mapValues(expected.daily, (d) => `${d.count}/${d.amountMinor}`),
      actual.daily,
    );
    compare(
      'analytics_monthly',
      mapValues(expected.monthly, (d) => `${d.count}/${d.amountMinor}`),
      actual.monthly,
    );
    compare(
      'analytics_customer_month',
      mapValues(
        expected.customerMonth,
        (d) => `${d.count}/${d.amountMinor}/${d.lastDate}/${d.lastEventId}/${d.lastType}/${d.lastAmountMinor ?? ''}`,
      ),
      actual.customerMonth,
    );
    compare(
      'analytics_customer_activity',
      mapValues(expected.activity, () => '1'),
      actual.activity,
    );
    compare(
      'analytics_card_month',
      mapValues(expected.cardMonth, (d) => `${d.count}/${d.amountMinor}`),
      actual.cardMonth,
    );
    const buckets =
      expected.daily.size +
      expected.monthly.size +
      expected.customerMonth.size +
      expected.activity.size +
      expected.cardMonth.size;
    return { months, buckets, differences };
  }

  /** The live roll-up rows of a date range in the form verify compares. */
  async readLive(
    start: string,
    end: string,
    firstMonth: string,
    lastMonth: string,
  ): Promise<{
    daily: Map<string, string>;
    monthly: Map<string, string>;
    customerMonth: Map<string, string>;
    activity: Map<string, string>;
    cardMonth: Map<string, string>;
  }> {
    const m = this.dataSource.manager;
    const bucketsOf = async (sql: string, params: string[], dateColumn: string): Promise<Map<string, string>> => {
      const out = new Map<string, string>();
      for (const r of await m.query<Record<string, unknown>[]>(sql, params))
        out.set(
          dailyKey({
            date: text(r[dateColumn]),
            partnerId: text(r.partner_id),
            programId: text(r.program_id),
            channelId: text(r.channel_id),
            orgUnitId: text(r.org_unit_id),
            measure: text(r.measure),
            bucketValue: Number(r.bucket_value),
            currency: text(r.currency),
            partnerKind: '',
            count: 0n,
            amountMinor: 0n,
          }),
          `${toBig(r.fact_count)}/${toBig(r.amount_minor)}`,
        );
      return out;
    };
    const daily = await bucketsOf(
      'SELECT * FROM analytics_daily WHERE business_date >= ? AND business_date <= ?',
      [start, end],
      'business_date',
    );
    const monthly = await bucketsOf(
      'SELECT * FROM analytics_monthly WHERE month >= ? AND month <= ?',
      [firstMonth, lastMonth],
      'month',
    );
    const customerMonth = new Map<string, string>();
    for (const r of await m.query<Record<string, unknown>[]>(
      'SELECT * FROM analytics_customer_month WHERE month >= ? AND month <= ?',
      [firstMonth, lastMonth],
    )) {
      const key = customerMonthKey({
        customerId: String(r.customer_id),
        month: String(r.month),
        measure: String(r.measure),
        currency: String(r.currency),
      } as never);
      const last = r.last_amount_minor === null ? '' : toBig(r.last_amount_minor).toString();
      customerMonth.set(
        key,
        `${toBig(r.fact_count)}/${toBig(r.amount_minor)}/${String(r.last_date)}/${String(r.last_event_id)}/${String(r.last_type)}/${last}`,
      );
    }
    const activity = new Map<string, string>();
    for (const r of await m.query<Record<string, unknown>[]>(
      'SELECT * FROM analytics_customer_activity WHERE business_date >= ? AND business_date <= ?',
      [start, end],
    ))
      activity.set(
        activityKey({
          customerId: String(r.customer_id),
          eventType: String(r.event_type),
          date: String(r.business_date),
        }),
        '1',
      );
    const cardMonth = new Map<string, string>();
    for (const r of await m.query<Record<string, unknown>[]>(
      'SELECT * FROM analytics_card_month WHERE month >= ? AND month <= ?',
      [firstMonth, lastMonth],
    ))
      cardMonth.set(
        cardMonthKey({
          programId: String(r.program_id),
          cardRef: String(r.card_ref),
          month: String(r.month),
          currency: String(r.currency),
        } as never),
        `${toBig(r.spend_count)}/${toBig(r.spend_minor)}`,
      );
    return { daily, monthly, customerMonth, activity, cardMonth };
  }

  /** Test and operations hook: forget a source's cursor, so the next catch-up re-delivers every row. */
  async resetCursor(source: AnalyticsSource): Promise<void> {
    await this.dataSource.query('DELETE FROM analytics_cursors WHERE source = ?', [source]);
    this.applied.delete(source);
  }
}

function mapValues<V>(m: Map<string, V>, f: (v: V) => string): Map<string, string> {
  return new Map([...m].map(([k, v]) => [k, f(v)]));
}
