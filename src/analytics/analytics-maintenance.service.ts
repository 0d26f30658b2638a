import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { businessDateOf, isValidBusinessDate } from '../common/business-time';
import { runEvery } from '../common/periodic';
import { Clock } from '../common/clock';
import { badInput } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { uniqueViolationOf } from '../database/unique-violation';
import { chunk } from '../graphql/loaders';
import { LOOKUP_CHUNK, placeholders } from '../database/plain-sql';
import { AnalyticsCursorEntity } from './entities/analytics-cursor.entity';
import {
  AccrualSourceRow,
  activityKey,
  aggregate,
  Aggregated,
  AnalyticsSource,
  cardMonthKey,
  customerMonthKey,
  DailyDelta,
  dailyKey,
  EventSourceRow,
  eventFacts,
  isMedianMeasure,
  LedgerFact,
  partnerMonthMedianKey,
  partnerMonthMedians,
  partnerMonthMediansOfRows,
  ProgramDims,
  ReferralSourceRow,
  referralFacts,
  accrualFacts,
  SOURCES,
} from './facts';
import { add, forUpdate, isSqlite, upsertRows } from './upsert';

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

/** The columns each source's facts are derived from (besides id and its mark). */
const SOURCE_COLUMNS: Record<AnalyticsSource, readonly string[]> = {
  REFERRAL: [
    'partner_id',
    'program_id',
    'channel_id',
    'org_unit_id',
    'submitted_on',
    'status',
    'reached_rank',
    'converted_at',
    'qualified_at',
    'version',
  ],
  EVENT: ['customer_id', 'type', 'business_date', 'product_code', 'program_id', 'card_ref', 'amount', 'currency'],
  ACCRUAL: ['ledger_key', 'kind', 'fee_category', 'business_date', 'amount', 'currency', 'partner_id', 'program_id'],
};

/** Fact ids per ledger look-up and ledger rows per INSERT (7 placeholders each: below both drivers' limits). */
const LEDGER_CHECK_CHUNK = 2000;
const LEDGER_INSERT_CHUNK = 2000;

/** Ledger rows deleted per statement by pruneLedger (short statements beside the catch-up). */
const PRUNE_BATCH = 1000;
/** Sources whose rows never change once written: their ledger rows are pruned below the cursor. */
const PRUNABLE_SOURCES: readonly AnalyticsSource[] = ['ACCRUAL'];
/**
 * Events and referrals reach the roll-ups through the outbox written in their transactions; accruals (written in
 * bulk by INSERT … SELECT) are read past a cursor.
 */
const OUTBOX_SOURCES: readonly AnalyticsSource[] = ['EVENT', 'REFERRAL'];
/** Events never change once recorded, and each is taken from the outbox once: they need no ledger. */
const LEDGERLESS_SOURCE: AnalyticsSource = 'EVENT';
/** Row ids per outbox row (the JSON must fit MySQL's TEXT) and outbox rows read per drain statement. */
const OUTBOX_IDS_PER_ROW = 1000;
const OUTBOX_ROWS_PER_READ = 50;

/**
 * Lost races in a row before a drain gives up: each loss means another drain took those rows (progress was made),
 * so a drain among several may lose more often than a ledger write does.
 */
const OUTBOX_RACE_RETRIES = 30;

/** Another process took (deleted) some of the outbox rows this drain read: roll back and read again. */
class OutboxTaken extends Error {}

const EPOCH = new Date('1970-01-01T00:00:00.000Z');

/**
 * A fact with the high-water mark of the source row it came from (the ledger keeps it, for pruning), and
 * whether that row is in its first version (events and accruals always; a referral never updated): such a row
 * past the cursor was never applied by a finished run, so the catch-up inserts its facts without a look-up.
 */
export type MarkedFact = LedgerFact & { mark: Date; firstVersion: boolean };

/** A bound instant: mysql2 formats a Date in the connection's zone ('Z'); better-sqlite3 binds text. */
function instantParam(manager: EntityManager, d: Date): Date | string {
  return isSqlite(manager) ? d.toISOString().replace('T', ' ').replace('Z', '') : d;
}

/**
 * The dimensions of the programs and partners one run meets, each read once per run with one IN query (so a
 * batch needs no join, and a change of a partner's kind is seen by the next run, as before).
 */
class DimensionCache {
  private readonly kinds = new Map<string, string>();
  private readonly programDims = new Map<string, ProgramDims | null>();

  constructor(private readonly m: EntityManager) {}

  async partnerKinds(ids: readonly string[]): Promise<Map<string, string>> {
    const missing = [...new Set(ids)].filter((id) => !this.kinds.has(id));
    for (const part of chunk(missing))
      for (const r of await this.m.query<{ id: string; kind: string }[]>(
        `SELECT id, kind FROM partners WHERE id IN (${part.map(() => '?').join(', ')})`,
        part,
      ))
        this.kinds.set(r.id, r.kind);
    return this.kinds;
  }

  async programs(ids: readonly string[]): Promise<Map<string, ProgramDims | null>> {
    const missing = [...new Set(ids)].filter((id) => !this.programDims.has(id));
    for (const part of chunk(missing)) {
      for (const id of part) this.programDims.set(id, null);
      for (const r of await this.m.query<Record<string, unknown>[]>(
        `SELECT g.id, g.partner_id, g.org_unit_id, p.kind FROM programs g JOIN partners p ON p.id = g.partner_id
          WHERE g.id IN (${part.map(() => '?').join(', ')})`,
        part,
      ))
        this.programDims.set(String(r.id), {
          programId: String(r.id),
          partnerId: text(r.partner_id),
          orgUnitId: String(r.org_unit_id),
          partnerKind: String(r.kind),
        });
    }
    return this.programDims;
  }
}

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
 * Catch-up of events and referrals: drain the outbox their writing transactions filled (drainOutbox). Of accruals:
 * read rows whose high-water-mark column is ≥ cursor − overlap (ids and timestamps are assigned before commit, so
 * commit order ≠ timestamp order), in keyset batches; derive facts; in ONE transaction skip the ids already in the
 * ledger (other content → CONFLICT, logged, not applied), insert the new ledger rows, upsert their pre-aggregated
 * deltas and advance the cursor. A concurrent run in another process loses on the ledger's unique key (or on an
 * outbox row) and retries: exactly-once. In this process runs of one source are serialised.
 */
@Injectable()
export class AnalyticsMaintenanceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Analytics');
  private readonly chains = new Map<AnalyticsSource, Promise<unknown>>();
  private stopTimer: () => void = () => undefined;
  /** Per cursor source: a window [from, ∞) of marks whose rows were all applied when this process counted them. */
  private readonly applied = new Map<AnalyticsSource, { from: number; signature: string }>();
  /** Per source: the cursor as this process last saw it (see cursorOf). */
  private readonly cursors = new Map<AnalyticsSource, Date>();
  /** Per source: a queued run that has not started yet (it will see everything committed before it starts). */
  private readonly queued = new Map<AnalyticsSource, Promise<CatchUpResult>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // A lost trigger only delays: the periodic catch-up picks the rows up.
    this.stopTimer = runEvery(
      this.config.analytics.catchUpIntervalMs,
      () => this.catchUpAll().then(() => this.pruneLedger()),
      (error) => this.logger.error({ err: error }, 'periodic catch-up failed'),
    );
  }

  /** Stops the timer and lets runs in flight (e.g. after the last recorded events) finish before the pool closes. */
  async onModuleDestroy(): Promise<void> {
    this.stopPeriodicCatchUp();
    await Promise.allSettled([...this.chains.values()]);
  }

  /** Stops this process's periodic catch-up (shutdown; a benchmark that times one catch-up on its own). */
  stopPeriodicCatchUp(): void {
    this.stopTimer();
  }

  // ---------- catch-up ----------

  async catchUpAll(): Promise<CatchUpResult[]> {
    const out: CatchUpResult[] = [];
    for (const source of SOURCES) out.push(await this.catchUp(source));
    return out;
  }

  /**
   * Serialised per source in this process: a second caller waits, then catches up what arrived meanwhile. Callers
   * that come while a run is queued but not started share it (it starts after their commits), so a burst of
   * triggers — one per recorded batch — costs one run, not one each.
   */
  catchUp(source: AnalyticsSource): Promise<CatchUpResult> {
    const waiting = this.queued.get(source);
    if (waiting) return waiting;
    const previous = this.chains.get(source) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => {
        this.queued.delete(source);
        return this.catchUpNow(source);
      });
    this.queued.set(source, next);
    this.chains.set(source, next);
    return next;
  }

  /**
   * Inside the transaction that wrote them: queue these events or referrals for the roll-ups (committed with them,
   * or not at all). One outbox row per 1,000 ids.
   */
  async enqueue(manager: EntityManager, source: AnalyticsSource, rowIds: readonly string[]): Promise<void> {
    if (!OUTBOX_SOURCES.includes(source)) throw new Error(`${source} is not queued in the outbox`);
    const now = instantParam(manager, this.clock.now());
    for (const part of chunk(rowIds, OUTBOX_IDS_PER_ROW))
      await manager.query('INSERT INTO analytics_outbox (id, source, row_ids, created_at) VALUES (?, ?, ?, ?)', [
        newId(),
        source,
        JSON.stringify(part),
        now,
      ]);
  }

  private async catchUpNow(source: AnalyticsSource): Promise<CatchUpResult> {
    if (OUTBOX_SOURCES.includes(source)) return this.drainOutbox(source);
    const result: CatchUpResult = { source, read: 0, applied: 0, skipped: 0, conflicts: 0 };
    const overlapMs = this.config.analytics.overlapSeconds * 1000;
    // A process that has not checked yet starts from the check kept with the cursor (another process's, or
    // its own before a restart), so its first report counts the window instead of re-reading it.
    const memo = this.applied.get(source) ?? (await this.storedCheck(source));
    if (memo) {
      // Cheap "anything new?": the remembered window's rows only grow (the cursor sources are append-only). When
      // its count is unchanged, every row is applied; and since a row not yet committed carries a mark
      // no older than now − overlap, the next check need only cover marks from then on. So after a bulk load the
      // window shrinks to the recent writes instead of staying as long as the overlap before the cursor.
      const settled = Math.max(memo.from, this.clock.now().getTime() - overlapMs);
      const { whole, newer } = await this.windowSignature(source, new Date(memo.from), new Date(settled));
      if (whole === memo.signature) {
        this.applied.set(source, { from: settled, signature: newer });
        return result;
      }
    }
    const cursor = await this.cursorOf(source);
    const since = new Date(cursor.getTime() - overlapMs);
    // Taken before reading: a row committed meanwhile is read now and makes the next check read again.
    const { whole: window } = await this.windowSignature(source, since);
    const dims = new DimensionCache(this.dataSource.manager);
    const spec = SOURCE_SPECS[source];
    let after: { at: Date; id: string } | null = null;
    for (;;) {
      const from = after;
      // One keyset read returns every column the facts need (no second read by id).
      const batch = await this.readFacts(source, this.dataSource.manager, dims, (q) => {
        if (from === null) q.where(`s.${spec.watermark} >= :since`, { since });
        else
          q.where(`s.${spec.watermark} >= :at AND (s.${spec.watermark} > :at OR s.id > :id)`, {
            at: from.at,
            id: from.id,
          });
        q.orderBy(`s.${spec.watermark}`, 'ASC').addOrderBy('s.id', 'ASC').limit(this.config.analytics.batchSize);
      });
      if (batch.last === null) {
        this.applied.set(source, { from: since.getTime(), signature: window });
        // Beside the cursor, not through it: its version guards the cursor's advances only.
        await this.dataSource.query(
          'UPDATE analytics_cursors SET checked_from = ?, checked_signature = ? WHERE source = ?',
          [instantParam(this.dataSource.manager, since), window, source],
        );
        return result;
      }
      after = batch.last;
      result.read += batch.rows;
      const applied = await this.applyWithRetry(source, batch.facts, after.at, cursor);
      result.applied += applied.applied;
      result.skipped += applied.skipped;
      result.conflicts += applied.conflicts;
    }
  }

  /**
   * Applies the queued rows of a source, oldest outbox rows first, about `batchSize` ids per transaction: the
   * outbox rows are deleted and their source rows' deltas upserted in one transaction, so each queued write counts
   * exactly once even with several processes draining (a row another drain took first makes this one roll back
   * and read again). Referrals also pass the ledger: a changed referral re-derives every fact it has reached.
   * An empty outbox costs one indexed read and no transaction (every report's check).
   */
  private async drainOutbox(source: AnalyticsSource): Promise<CatchUpResult> {
    const result: CatchUpResult = { source, read: 0, applied: 0, skipped: 0, conflicts: 0 };
    const queued = await this.dataSource.query<unknown[]>(
      `SELECT id FROM analytics_outbox WHERE source = ? ORDER BY id LIMIT 1`,
      [source],
    );
    if (queued.length === 0) return result;
    const dims = new DimensionCache(this.dataSource.manager);
    let lookUpAll = false;
    for (let attempt = 1; ;) {
      try {
        const drained = await this.tx.run((manager) =>
          this.takeOutboxBatch(manager, source, dims, () => true, false, lookUpAll),
        );
        if (drained.rows === 0) return result;
        result.read += drained.ids;
        result.applied += drained.applied;
        result.skipped += drained.skipped;
        result.conflicts += drained.conflicts;
        [attempt, lookUpAll] = [1, false];
      } catch (error) {
        // A referral's ledger rows written by someone else first (a rebuild, a re-queued row): look every fact up.
        if (uniqueViolationOf(error)) lookUpAll = true;
        else if (!(error instanceof OutboxTaken || isDeadlock(error))) throw error;
        if (attempt++ >= OUTBOX_RACE_RETRIES) throw error;
      }
    }
  }

  /**
   * In the caller's transaction: takes a source's oldest outbox rows (about `batchSize` ids), deletes them and
   * applies the facts of their source rows that `apply` accepts (a rebuild skips the dates it re-derives itself).
   * `all`: every row now in the outbox instead of one batch. Unless `lookUpAll`, referrals in their first version
   * skip the ledger look-up (only a rebuild or a re-queue applied them before; its ledger rows fail the INSERT and
   * the drain retries with look-ups).
   */
  private async takeOutboxBatch(
    manager: EntityManager,
    source: AnalyticsSource,
    dims: DimensionCache,
    apply: (businessDate: string) => boolean,
    all = false,
    lookUpAll = true,
  ): Promise<{ rows: number; ids: number; applied: number; skipped: number; conflicts: number }> {
    const taken: string[] = [];
    const ids = new Set<string>();
    for (let after = ''; all || ids.size < this.config.analytics.batchSize;) {
      const rows = await manager.query<{ id: string; row_ids: string }[]>(
        `SELECT id, row_ids FROM analytics_outbox WHERE source = ? AND id > ? ORDER BY id LIMIT ${OUTBOX_ROWS_PER_READ}`,
        [source, after],
      );
      for (const r of rows) {
        if (!all && ids.size >= this.config.analytics.batchSize) break;
        taken.push(r.id);
        for (const id of JSON.parse(r.row_ids) as string[]) ids.add(id);
        after = r.id;
      }
      if (rows.length < OUTBOX_ROWS_PER_READ) break;
    }
    if (taken.length === 0) return { rows: 0, ids: 0, applied: 0, skipped: 0, conflicts: 0 };
    let deleted = 0;
    for (const part of chunk(taken, LEDGER_CHECK_CHUNK)) {
      const outcome = await manager
        .createQueryBuilder()
        .delete()
        .from('analytics_outbox')
        .where('id IN (:...ids)', { ids: part })
        .execute();
      deleted += outcome.affected ?? 0;
    }
    if (deleted !== taken.length) throw new OutboxTaken();
    const facts: MarkedFact[] = [];
    for (const part of chunk([...ids], LEDGER_CHECK_CHUNK)) {
      const batch = await this.readFacts(source, manager, dims, (q) => q.where('s.id IN (:...ids)', { ids: part }));
      for (const f of batch.facts) if (apply(f.date)) facts.push(f);
    }
    const outcome = await this.applyFacts(manager, source, facts, null, (f) => !lookUpAll && f.firstVersion);
    return { rows: taken.length, ids: ids.size, ...outcome };
  }

  /**
   * Deletes, in bounded batches, the ledger rows of the append-only sources (events, accruals) whose source
   * row's mark lies below the stored cursor minus twice the overlap: the catch-up re-reads only from the cursor
   * minus the overlap and cursors only move forward, so those ids are never delivered again (a rebuild
   * re-inserts the rows of its range). Referral ledger rows are kept: a referral is re-read whenever it changes
   * and re-derives every fact it has reached, so its ledger rows are what keeps those facts from counting twice.
   */
  async pruneLedger(batchSize = PRUNE_BATCH): Promise<{ source: AnalyticsSource; deleted: number }[]> {
    const out: { source: AnalyticsSource; deleted: number }[] = [];
    for (const source of PRUNABLE_SOURCES) {
      const row = await this.dataSource.getRepository(AnalyticsCursorEntity).findOneBy({ source });
      let deleted = 0;
      if (row) {
        const below = new Date(row.watermark.getTime() - 2 * this.config.analytics.overlapSeconds * 1000);
        const m = this.dataSource.manager;
        for (;;) {
          const ids = await m
            .createQueryBuilder()
            .select('f.id', 'id')
            .from('analytics_applied_facts', 'f')
            .where('f.source = :source AND f.source_mark < :below', { source, below })
            .limit(batchSize)
            .getRawMany<{ id: string }>();
          if (ids.length === 0) break;
          const part = ids.map((r) => r.id);
          await m.query(`DELETE FROM analytics_applied_facts WHERE id IN (${part.map(() => '?').join(', ')})`, part);
          deleted += part.length;
        }
      }
      out.push({ source, deleted });
    }
    return out;
  }

  /**
   * Count of the source rows marked from `from` on (`whole`) and from `newerFrom` on (`newer`, in the same scan;
   * without `newerFrom` it is the same window). The cursor sources are append-only: a count tells new rows apart.
   */
  private async windowSignature(
    source: AnalyticsSource,
    from: Date,
    newerFrom: Date | null = null,
  ): Promise<{ whole: string; newer: string }> {
    const spec = SOURCE_SPECS[source];
    const q = this.dataSource
      .createQueryBuilder()
      .select('COUNT(*)', 'n')
      .from(spec.table, 's')
      .where(`s.${spec.watermark} >= :from`, { from });
    if (newerFrom !== null)
      q.addSelect(`SUM(CASE WHEN s.${spec.watermark} >= :newerFrom THEN 1 ELSE 0 END)`, 'n2').setParameter(
        'newerFrom',
        newerFrom,
      );
    const row = await q.getRawOne<{ n: unknown; n2?: unknown }>();
    // COUNT and SUM come back as numbers or strings by driver, and SUM over no rows as NULL: compare as numbers.
    const n = (v: unknown): string => String(Number(text(v) || '0'));
    const whole = n(row?.n);
    return { whole, newer: newerFrom === null ? whole : n(row?.n2) };
  }

  /**
   * The "anything new?" check the last whole read of the window left with the cursor, if any. The cursor comes
   * with it: a changed window then reads from it without asking for the same row again (see cursorOf).
   */
  private async storedCheck(source: AnalyticsSource): Promise<{ from: number; signature: string } | null> {
    const row = await this.dataSource.getRepository(AnalyticsCursorEntity).findOneBy({ source });
    if (row && !this.cursors.has(source)) this.cursors.set(source, row.watermark);
    if (!row?.checkedFrom || row.checkedSignature === null) return null;
    return { from: row.checkedFrom.getTime(), signature: row.checkedSignature };
  }

  /**
   * The cursor this process last read or wrote: an older cursor than the stored one (another process advanced
   * it) only makes the catch-up re-read more, and the ledger skips what was applied; so a report pays one query.
   */
  private async cursorOf(source: AnalyticsSource): Promise<Date> {
    const known = this.cursors.get(source);
    if (known) return known;
    const row = await this.dataSource.getRepository(AnalyticsCursorEntity).findOneBy({ source });
    const mark = row ? row.watermark : EPOCH;
    this.cursors.set(source, mark);
    return mark;
  }

  private async applyWithRetry(
    source: AnalyticsSource,
    facts: MarkedFact[],
    watermark: Date | null,
    cursorAtStart: Date,
  ): Promise<{ applied: number; skipped: number; conflicts: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        // First attempt: rows in their first version past the cursor the run started from skip the ledger
        // look-up (no finished run applied them). A rebuild or a concurrent run that did makes the plain ledger
        // INSERT fail on its unique key; the retry then looks every fact up.
        const unseen = attempt === 1 ? (f: MarkedFact) => f.firstVersion && f.mark > cursorAtStart : () => false;
        const out = await this.tx.run((manager) => this.applyFacts(manager, source, facts, watermark, unseen));
        if (watermark !== null && watermark.getTime() > (this.cursors.get(source)?.getTime() ?? 0))
          this.cursors.set(source, watermark);
        return out;
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
    facts: readonly MarkedFact[],
    watermark: Date | null,
    unseen: (f: MarkedFact) => boolean = () => false,
  ): Promise<{ applied: number; skipped: number; conflicts: number }> {
    const unique = new Map<string, MarkedFact>();
    let conflicts = 0;
    for (const f of facts) {
      const seen = unique.get(f.id);
      if (seen && seen.fingerprint !== f.fingerprint) conflicts++;
      else unique.set(f.id, f);
    }
    if (source === LEDGERLESS_SOURCE) {
      // Exactly once by the outbox row taken in this transaction (or by the rebuild that read the events).
      await this.writeAggregate(manager, aggregate(unique.values()));
      return { applied: unique.size, skipped: 0, conflicts };
    }
    const known = new Map<string, string>();
    const toLookUp = [...unique.values()].filter((f) => !unseen(f)).map((f) => f.id);
    for (const part of chunk(toLookUp, LEDGER_CHECK_CHUNK)) {
      const rows = await manager.query<{ fact_id: string; fingerprint: string }[]>(
        `SELECT fact_id, fingerprint FROM analytics_applied_facts WHERE source = ? AND fact_id IN (${part.map(() => '?').join(', ')})`,
        [source, ...part],
      );
      for (const r of rows) known.set(r.fact_id, r.fingerprint);
    }
    const fresh: MarkedFact[] = [];
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
    const now = instantParam(manager, this.clock.now());
    // A plain multi-row INSERT: a duplicate key here means a concurrent run won; the transaction is retried.
    for (const part of chunk(fresh, LEDGER_INSERT_CHUNK))
      await manager.query(
        `INSERT INTO analytics_applied_facts (id, source, fact_id, fingerprint, business_date, source_mark, applied_at)
         VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        part.flatMap((f) => [newId(), source, f.id, f.fingerprint, f.date, instantParam(manager, f.mark), now]),
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
    const dims = ['partner_id', 'program_id', 'channel_id', 'org_unit_id'];
    const bucket = ['measure', 'bucket_value', 'currency'];
    const value: Record<string, (d: DailyDelta) => unknown> = {
      business_date: (d) => d.date,
      month: (d) => d.date,
      partner_id: (d) => d.partnerId,
      program_id: (d) => d.programId,
      channel_id: (d) => d.channelId,
      org_unit_id: (d) => d.orgUnitId,
      partner_kind: (d) => d.partnerKind,
      measure: (d) => d.measure,
      bucket_value: (d) => d.bucketValue,
      currency: (d) => d.currency,
      fact_count: (d) => d.count.toString(),
      amount_minor: (d) => d.amountMinor.toString(),
    };
    for (const [table, key, deltas] of [
      ['analytics_daily', ['business_date', ...dims, ...bucket], agg.daily],
      ['analytics_monthly', ['month', ...dims, ...bucket], agg.monthly],
      ['analytics_partner_monthly', ['month', 'partner_id', ...bucket], agg.partnerMonthly],
    ] as const) {
      const columns = [...key, 'partner_kind', 'fact_count', 'amount_minor'];
      const read = columns.map((c) => value[c] as (d: DailyDelta) => unknown);
      await upsertRows(
        manager,
        {
          table,
          columns,
          key,
          assignments: [
            ['fact_count', add('fact_count')],
            ['amount_minor', add('amount_minor')],
          ],
        },
        // Key order: concurrent runs lock shared buckets in the same order (fewer deadlocks).
        [...deltas.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => read.map((f) => f(d))),
      );
    }
    await this.refreshPartnerMonthMedians(manager, agg.partnerMonthly.values());
    // "Latest wins" columns first (their condition reads the stored last_date / last_event_id), then the keys.
    const newer = (d: { incoming(c: string): string }): string =>
      `(${d.incoming('last_date')} > last_date OR (${d.incoming('last_date')} = last_date AND ${d.incoming('last_event_id')} > last_event_id))`;
    await upsertRows(
      manager,
      {
        table: 'analytics_customer_month',
        columns: [
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
        columns: ['customer_id', 'event_type', 'business_date'],
        key: ['customer_id', 'event_type', 'business_date'],
        assignments: [],
      },
      [...agg.activity.values()].map((a) => [a.customerId, a.eventType, a.date]),
    );
    await upsertRows(
      manager,
      {
        table: 'analytics_card_month',
        columns: ['program_id', 'card_ref', 'month', 'currency', 'spend_count', 'spend_minor'],
        key: ['program_id', 'card_ref', 'month', 'currency'],
        assignments: [
          ['spend_count', add('spend_count')],
          ['spend_minor', add('spend_minor')],
        ],
      },
      [...agg.cardMonth.values()].map((d) => [
        d.programId,
        d.cardRef,
        d.month,
        d.currency,
        d.count.toString(),
        d.amountMinor.toString(),
      ]),
    );
  }

  /**
   * Recomputes the stored median of every partner-month day histogram these deltas changed, from the histogram
   * as it now stands (read back in this transaction, one query per month and 1,000 partners). The read locks: two
   * processes' drains may change other buckets of the same histogram, and a snapshot read would miss the other's.
   */
  private async refreshPartnerMonthMedians(manager: EntityManager, deltas: Iterable<DailyDelta>): Promise<void> {
    const touched = new Map<string, Map<string, Set<string>>>();
    for (const d of deltas) {
      if (!isMedianMeasure(d.measure)) continue;
      let partners = touched.get(d.date);
      if (!partners) touched.set(d.date, (partners = new Map<string, Set<string>>()));
      let measures = partners.get(d.partnerId);
      if (!measures) partners.set(d.partnerId, (measures = new Set<string>()));
      measures.add(d.measure);
    }
    for (const month of [...touched.keys()].sort()) {
      const partners = touched.get(month) as Map<string, Set<string>>;
      for (const part of chunk([...partners.keys()].sort(), LOOKUP_CHUNK)) {
        const measures = [...new Set(part.flatMap((p) => [...(partners.get(p) as Set<string>)]))];
        const rows = await manager.query<Record<string, unknown>[]>(
          `SELECT partner_id, measure, bucket_value, fact_count FROM analytics_partner_monthly
            WHERE month = ? AND partner_id IN (${placeholders(part.length)}) AND measure IN (${placeholders(measures.length)})${forUpdate(manager)}`,
          [month, ...part, ...measures],
        );
        const medians = partnerMonthMediansOfRows(month, rows);
        // Every touched histogram has just been added to, so each has a median.
        const upserts = part.flatMap((partnerId) =>
          [...(partners.get(partnerId) as Set<string>)]
            .sort()
            .map((measure) => [
              month,
              partnerId,
              measure,
              medians.get(partnerMonthMedianKey(month, partnerId, measure)) as number,
            ]),
        );
        await upsertRows(
          manager,
          {
            table: 'analytics_partner_month_medians',
            columns: ['month', 'partner_id', 'measure', 'median_half_days'],
            key: ['month', 'partner_id', 'measure'],
            assignments: [['median_half_days', (d) => d.incoming('median_half_days')]],
          },
          upserts,
        );
      }
    }
  }

  // ---------- source rows → facts ----------

  /**
   * Reads source rows (`shape` adds the WHERE, order and limit) with every column their facts need in one
   * statement, their dimensions through the run's cache, and derives their facts, each carrying its row's mark.
   */
  async readFacts(
    source: AnalyticsSource,
    m: EntityManager,
    dims: DimensionCache,
    shape: (q: SelectQueryBuilder<ObjectLiteral>) => void,
  ): Promise<{ facts: MarkedFact[]; rows: number; last: { at: Date; id: string } | null }> {
    const spec = SOURCE_SPECS[source];
    const q = m
      .createQueryBuilder()
      .from(spec.table, 's')
      .select('s.id', 'id')
      .addSelect(`s.${spec.watermark}`, 'mark');
    for (const column of SOURCE_COLUMNS[source]) q.addSelect(`s.${column}`, column);
    shape(q);
    const rows = await q.getRawMany<Record<string, unknown>>();
    const facts: MarkedFact[] = [];
    const push = (derived: LedgerFact[], mark: Date, firstVersion = true): void => {
      for (const f of derived) facts.push({ ...f, mark, firstVersion });
    };
    if (source === 'REFERRAL') {
      // From the append-only status history: whether EXPIRED was ever reached, and the first CONTACTED / APPLIED.
      const history = new Map<string, Map<string, Date>>();
      for (const part of chunk(
        rows.map((r) => String(r.id)),
        LEDGER_CHECK_CHUNK,
      ))
        for (const e of await m.query<{ referral_id: string; to_status: string; first_at: unknown }[]>(
          `SELECT referral_id, to_status, MIN(changed_at) AS first_at FROM referral_status_changes
            WHERE to_status IN ('EXPIRED', 'CONTACTED', 'APPLIED') AND referral_id IN (${part.map(() => '?').join(', ')})
            GROUP BY referral_id, to_status`,
          part,
        )) {
          const firsts = history.get(e.referral_id) ?? new Map<string, Date>();
          firsts.set(e.to_status, toDate(e.first_at));
          history.set(e.referral_id, firsts);
        }
      const kinds = await dims.partnerKinds(rows.map((r) => String(r.partner_id)));
      for (const r of rows) {
        const kind = kinds.get(String(r.partner_id));
        if (kind !== undefined)
          push(
            referralFacts(this.referralRow(r, kind, history.get(String(r.id)))),
            toDate(r.mark),
            Number(r.version) === 1,
          );
      }
    } else if (source === 'ACCRUAL') {
      const programs = await dims.programs(rows.map((r) => String(r.program_id)));
      for (const a of rows) {
        const program = programs.get(String(a.program_id));
        if (program) push(accrualFacts(this.accrualRow(a, program)), toDate(a.mark));
      }
    } else {
      const programs = await dims.programs(rows.flatMap((r) => (r.program_id ? [text(r.program_id)] : [])));
      for (const e of rows) {
        const program = e.program_id ? (programs.get(text(e.program_id)) ?? null) : null;
        push(eventFacts(this.eventRow(e), program), toDate(e.mark));
      }
    }
    const last = rows[rows.length - 1];
    return { facts, rows: rows.length, last: last ? { at: toDate(last.mark), id: String(last.id) } : null };
  }

  /** Facts of the source rows whose business date falls in [from, to], in keyset batches by id. */
  private async forEachInRange(
    source: AnalyticsSource,
    from: string,
    to: string,
    m: EntityManager,
    work: (facts: MarkedFact[]) => Promise<void>,
  ): Promise<void> {
    const spec = SOURCE_SPECS[source];
    const dims = new DimensionCache(m);
    let last = '';
    for (;;) {
      const after = last;
      const batch = await this.readFacts(source, m, dims, (q) =>
        q
          .where(`s.${spec.date} >= :from AND s.${spec.date} <= :to AND s.id > :after`, { from, to, after })
          .orderBy('s.id', 'ASC')
          .limit(this.config.analytics.batchSize),
      );
      if (batch.last === null) return;
      last = batch.last.id;
      await work(batch.facts);
    }
  }

  private referralRow(
    r: Record<string, unknown>,
    partnerKind: string,
    firstMoves: ReadonlyMap<string, Date> | undefined,
  ): ReferralSourceRow {
    const zone = this.config.bankTimeZone;
    const firstOn = (status: string): string | null => {
      const at = firstMoves?.get(status);
      return at === undefined ? null : businessDateOf(at, zone);
    };
    return {
      id: String(r.id),
      partnerId: String(r.partner_id),
      programId: String(r.program_id),
      channelId: r.channel_id === null ? null : text(r.channel_id),
      orgUnitId: String(r.org_unit_id),
      partnerKind,
      submittedOn: String(r.submitted_on),
      status: String(r.status),
      reachedRank: Number(r.reached_rank),
      convertedOn: r.converted_at === null ? null : businessDateOf(toDate(r.converted_at), zone),
      qualifiedOn: r.qualified_at === null ? null : businessDateOf(toDate(r.qualified_at), zone),
      contactedOn: firstOn('CONTACTED'),
      appliedOn: firstOn('APPLIED'),
      everExpired: firstMoves?.has('EXPIRED') ?? false,
    };
  }

  private accrualRow(a: Record<string, unknown>, program: ProgramDims): AccrualSourceRow {
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
      orgUnitId: program.orgUnitId,
      partnerKind: program.partnerKind,
    };
  }

  private eventRow(e: Record<string, unknown>): EventSourceRow {
    const str = (v: unknown): string | null => (v === null || v === undefined ? null : text(v));
    return {
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
   * Cursors do not move: rows re-read later are skipped by the rebuilt ledger. Queued events and referrals are
   * drained first; those queued meanwhile are taken in the month's transaction (after its deletes, before it reads
   * the sources): the month's own are counted by the re-derivation, the others applied as a drain would.
   */
  async rebuild(from: string, to: string): Promise<{ months: string[]; facts: number }> {
    this.checkRange(from, to);
    const months = monthsBetween(from, to);
    let total = 0;
    await this.exclusive(async () => {
      for (const source of OUTBOX_SOURCES) await this.drainOutbox(source);
      for (const month of months) {
        const [start, end] = [`${month}-01`, monthEnd(month)];
        await this.tx.run(async (manager) => {
          await manager.query('DELETE FROM analytics_monthly WHERE month = ?', [month]);
          await manager.query('DELETE FROM analytics_partner_monthly WHERE month = ?', [month]);
          await manager.query('DELETE FROM analytics_partner_month_medians WHERE month = ?', [month]);
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
          for (const source of OUTBOX_SOURCES)
            await this.takeOutboxBatch(
              manager,
              source,
              new DimensionCache(manager),
              (date) => date < start || date > end,
              true,
            );
          for (const source of SOURCES)
            await this.forEachInRange(source, start, end, manager, async (facts) => {
              total += (await this.applyFacts(manager, source, facts, null)).applied;
            });
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
    for (const source of SOURCES)
      await this.forEachInRange(source, start, end, m, (facts) => {
        // The ledger de-duplicates by id; a rebuild in memory does the same.
        aggregate([...new Map(facts.map((f) => [f.id, f])).values()], expected);
        return Promise.resolve();
      });
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
      'analytics_partner_monthly',
      mapValues(expected.partnerMonthly, (d) => `${d.count}/${d.amountMinor}`),
      actual.partnerMonthly,
    );
    const expectedMedians = partnerMonthMedians(
      [...expected.partnerMonthly.values()].map((d) => ({
        month: d.date,
        partnerId: d.partnerId,
        measure: d.measure,
        bucketValue: d.bucketValue,
        count: d.count,
      })),
    );
    compare('analytics_partner_month_medians', mapValues(expectedMedians, String), actual.partnerMonthMedians);
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
      expected.partnerMonthly.size +
      expectedMedians.size +
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
    partnerMonthly: Map<string, string>;
    partnerMonthMedians: Map<string, string>;
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
            // analytics_partner_monthly has none of these: text() gives '', as in its deltas.
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
    const partnerMonthly = await bucketsOf(
      'SELECT * FROM analytics_partner_monthly WHERE month >= ? AND month <= ?',
      [firstMonth, lastMonth],
      'month',
    );
    const partnerMonthMedians = new Map<string, string>();
    for (const r of await m.query<Record<string, unknown>[]>(
      'SELECT * FROM analytics_partner_month_medians WHERE month >= ? AND month <= ?',
      [firstMonth, lastMonth],
    ))
      partnerMonthMedians.set(
        partnerMonthMedianKey(String(r.month), String(r.partner_id), String(r.measure)),
        String(Number(r.median_half_days)),
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
    return { daily, monthly, partnerMonthly, partnerMonthMedians, customerMonth, activity, cardMonth };
  }

  /** Test and operations hook: forget a cursor source's cursor, so the next catch-up re-delivers every row. */
  async resetCursor(source: AnalyticsSource): Promise<void> {
    await this.dataSource.query('DELETE FROM analytics_cursors WHERE source = ?', [source]);
    this.applied.delete(source);
    this.cursors.delete(source);
  }
}

function mapValues<V>(m: Map<string, V>, f: (v: V) => string): Map<string, string> {
  return new Map([...m].map(([k, v]) => [k, f(v)]));
}
