import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR_FOR_BENCH } from '../system-actor';
import { competingReferralPrograms } from './attribution';
import { BenchContext, BenchRow, Scenario, benchInt, ratio } from '../harness';
import { AttributionService, RecordedSummary } from '../../src/attribution/attribution.service';
import { CustomerEventsService, isTouchEvent, RecordedEvents } from '../../src/customers/customer-events.service';
import { CustomerEventEntity } from '../../src/customers/entities/customer-event.entity';
import { CustomerEntity } from '../../src/customers/entities/customer.entity';
import { newId } from '../../src/database/columns';
import { Rng } from '../../src/demo/generator/prng';
import { OrgUnitsService } from '../../src/org-units/org-units.service';
import { QualificationMeasure } from '../../src/programs/program.enums';
import { ProgramsService } from '../../src/programs/programs.service';
import { ReferralEntity } from '../../src/referrals/entities/referral.entity';

const CHUNK = 200;
const BATCH = 1000;
const DAY = 86_400_000;
/** Customers are onboarded over these months, their later events run until the day before "now" (real clock). */
const FIRST_ONBOARDING = Date.UTC(2026, 1, 1, 2);
const LAST_ONBOARDING = Date.UTC(2026, 9, 31, 2);
const TYPES = ['CARD_SPEND', 'PAYMENT_SENT', 'PAYMENT_RECEIVED', 'DEPOSIT_BALANCE_SNAPSHOT'] as const;

async function insertChunked<T extends object>(ds: DataSource, entity: new () => T, rows: T[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await ds.getRepository(entity).insert(rows.slice(i, i + CHUNK));
}

/** The listener as it was: every customer of the recording re-decided from its whole history. */
function fullRedecision(engine: AttributionService, recorded: RecordedEvents): Promise<RecordedSummary> {
  const touched = new Set(recorded.events.filter((e) => isTouchEvent(e)).map((e) => e.customerId));
  return engine
    .attributeCustomers(recorded.customerIds, null, touched)
    .then((s) => ({ ...s, redecided: recorded.customerIds.length, reasons: {} }));
}

interface ModeTotals {
  batches: number;
  events: number;
  attributionMs: number;
  recordMs: number;
  customers: number;
  redecided: number;
  changed: number;
  reasons: Map<string, number>;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en', { maximumFractionDigits: digits });

/**
 * N customers brought in by referrals (decided once), then M later events (card spend, payments, balance
 * snapshots) recorded in batches of 1,000 through CustomerEventsService.record, as a daily feed would bring
 * them. Batches alternate between the after-commit listener with the skip and the old full re-decision, so
 * both see the same growing histories; only the listener's own time is compared.
 */
export const attributionEvents: Scenario = {
  name: 'attribution-events',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const customers = benchInt('BENCH_ATTR_EVENTS_CUSTOMERS', 20_000);
    const total = benchInt('BENCH_ATTR_EVENTS_EVENTS', 100_000);
    const ds = ctx.app.get(DataSource);
    const head = await ctx.app.get(OrgUnitsService).create(SYSTEM_ACTOR_FOR_BENCH, { code: 'HO', name: 'Head office' });
    const programs = ctx.app.get(ProgramsService);
    const qualifications = [
      {
        eventType: 'DEPOSIT_BALANCE_SNAPSHOT',
        measure: QualificationMeasure.SUM_AMOUNT,
        amount: { amount: '5000.00' },
      },
      { eventType: 'PAYMENT_RECEIVED', measure: QualificationMeasure.COUNT, count: 3 },
      { eventType: 'CARD_SPEND', measure: QualificationMeasure.SUM_AMOUNT, amount: { amount: '1000.00' } },
    ];
    const { programIds, partnerIds } = await competingReferralPrograms(ctx, head.id, {
      code: 'AE',
      nameZh: '事件归因基准',
      usccSerial: 71000,
    });
    for (const [p, programId] of programIds.entries())
      await programs.setQualificationRule(SYSTEM_ACTOR_FOR_BENCH, {
        programId,
        effectiveFrom: '2026-01-01',
        withinDays: 30 * (p + 1),
        all: [qualifications[p]] as never,
      });

    // Customers onboarded one after another over nine months, each with its account opening and one or two
    // referrals shortly before (fixtures written in bulk: this measures the event path, not the imports).
    const now = new Date();
    const hashOf = (i: number): string => createHash('sha256').update(`bench-events-${i}`).digest('hex');
    const onboardAt = (j: number): number =>
      FIRST_ONBOARDING + Math.floor(((LAST_ONBOARDING - FIRST_ONBOARDING) * j) / customers / DAY) * DAY;
    const customerRows: CustomerEntity[] = [];
    const eventRows: CustomerEventEntity[] = [];
    const referralRows: ReferralEntity[] = [];
    for (let j = 0; j < customers; j++) {
      const rng = Rng.indexed(7, 'attribution-events', j);
      const id = newId();
      const opened = new Date(onboardAt(j));
      customerRows.push({
        id,
        customerNumber: `AEC${String(j).padStart(9, '0')}`,
        type: 'INDIVIDUAL',
        name: '客户',
        idType: 'RESIDENT_ID',
        identityHash: hashOf(j),
        idNumberMasked: '110101********0000',
        phoneHash: null,
        phoneMasked: null,
        uscc: null,
        industry: null,
        size: null,
        orgUnitId: head.id,
        onboardedOn: opened.toISOString().slice(0, 10),
        status: 'ACTIVE',
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      eventRows.push({
        id: newId(),
        externalId: `AEO${String(j).padStart(9, '0')}`,
        customerId: id,
        type: 'ACCOUNT_OPENED',
        occurredAt: opened,
        businessDate: opened.toISOString().slice(0, 10),
        productCode: null,
        programId: null,
        cardRef: null,
        merchantCategory: null,
        counterpartyUscc: null,
        counterpartyName: null,
        employerUscc: null,
        amount: null,
        currency: null,
        recordedAt: now,
      });
      const touches = rng.next() < 0.3 ? 2 : 1;
      for (let k = 0; k < touches; k++) {
        const p = (j + k) % 3;
        const at = new Date(opened.getTime() - (1 + Math.floor(rng.next() * 20)) * DAY);
        referralRows.push({
          id: newId(),
          partnerId: partnerIds[p] as string,
          programId: programIds[p] as string,
          channelId: null,
          orgUnitId: head.id,
          idempotencyKey: `bench-events-${j}-${k}`,
          idempotencyScope: 'bench',
          payloadHash: hashOf(-j - 1 - k * customers),
          idType: 'RESIDENT_ID',
          identityHash: hashOf(j),
          phoneHash: null,
          maskedName: '客*',
          maskedIdNumber: null,
          maskedPhone: null,
          productCode: null,
          submittedAt: at,
          submittedOn: at.toISOString().slice(0, 10),
          expiresOn: '2026-12-31',
          status: 'SUBMITTED',
          statusReason: null,
          reachedRank: 0,
          duplicateOfId: null,
          customerId: null,
          convertedAt: null,
          qualifiedAt: null,
          submittedById: null,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
      }
    }
    await insertChunked(ds, CustomerEntity, customerRows);
    await insertChunked(ds, CustomerEventEntity, eventRows);
    await insertChunked(ds, ReferralEntity, referralRows);
    const engine = ctx.app.get(AttributionService);
    const d0 = performance.now();
    const decided = await engine.attributeCustomers(customerRows.map((c) => c.id));
    const decideMs = performance.now() - d0;

    // Later events in time order, each for a customer already onboarded by then.
    const lastDay = Math.floor(now.getTime() / DAY) * DAY - DAY;
    const span = lastDay - (FIRST_ONBOARDING + DAY);
    const rng = new Rng(11);
    const eventAt = (i: number): Record<string, unknown> => {
      const t = FIRST_ONBOARDING + DAY + Math.floor((span * i) / total) + (i % 3_600) * 1000;
      let onboarded = 0;
      // Customers are onboarded in index order: the last one onboarded before t.
      let lo = 0;
      let hi = customers - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (onboardAt(mid) < t) {
          onboarded = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const j = Math.floor(rng.next() * (onboarded + 1));
      const type = TYPES[Math.floor(rng.next() * TYPES.length)] as (typeof TYPES)[number];
      return {
        eventId: `AEE${String(i).padStart(9, '0')}`,
        customerNumber: `AEC${String(j).padStart(9, '0')}`,
        type,
        occurredAt: new Date(t).toISOString(),
        amount: `${1 + Math.floor(rng.next() * 3_000)}.${String(i % 100).padStart(2, '0')}`,
        currency: 'CNY',
        ...(type.startsWith('PAYMENT_') ? { counterpartyName: `对手方${i % 50}` } : {}),
      };
    };

    const events = ctx.app.get(CustomerEventsService);
    const skipping = engine.afterRecorded.bind(engine);
    const totals: Record<'skip' | 'full', ModeTotals> = {
      skip: {
        batches: 0,
        events: 0,
        attributionMs: 0,
        recordMs: 0,
        customers: 0,
        redecided: 0,
        changed: 0,
        reasons: new Map(),
      },
      full: {
        batches: 0,
        events: 0,
        attributionMs: 0,
        recordMs: 0,
        customers: 0,
        redecided: 0,
        changed: 0,
        reasons: new Map(),
      },
    };
    try {
      for (let start = 0, b = 0; start < total; start += BATCH, b++) {
        const mode = b % 2 === 0 ? 'skip' : 'full';
        const m = totals[mode];
        const work = mode === 'skip' ? skipping : (r: RecordedEvents) => fullRedecision(engine, r);
        engine.afterRecorded = async (r) => {
          const a0 = performance.now();
          const summary = await work(r);
          m.attributionMs += performance.now() - a0;
          m.customers += summary.customers;
          m.redecided += summary.redecided;
          m.changed += summary.decisionsChanged;
          for (const [k, v] of Object.entries(summary.reasons)) m.reasons.set(k, (m.reasons.get(k) ?? 0) + v);
          return summary;
        };
        const inputs: Record<string, unknown>[] = [];
        for (let i = start; i < Math.min(total, start + BATCH); i++) inputs.push(eventAt(i));
        const r0 = performance.now();
        const rows = await events.record(SYSTEM_ACTOR_FOR_BENCH, inputs);
        m.recordMs += performance.now() - r0;
        const accepted = rows.filter((r) => (r.status as string) === 'ACCEPTED').length;
        if (accepted !== inputs.length) throw new Error(`only ${accepted} of ${inputs.length} events accepted`);
        m.batches++;
        m.events += accepted;
      }
    } finally {
      engine.afterRecorded = skipping;
    }

    // Every skipped customer must be one a full run leaves unchanged.
    let check = 'not run (BENCH_ATTR_EVENTS_VERIFY=0)';
    if (process.env.BENCH_ATTR_EVENTS_VERIFY !== '0') {
      const v0 = performance.now();
      const rerun = await engine.runAll();
      check = `full run afterwards: ${rerun.decisionsChanged} of ${fmt(rerun.customers)} customers' decisions changed (${fmt((performance.now() - v0) / 1000, 1)} s)`;
      if (rerun.decisionsChanged !== 0)
        throw new Error(`the skip missed ${rerun.decisionsChanged} decisions: ${check}`);
    }

    const label = `attribution-events (${ctx.dbLabel}, ${fmt(customers)} referred customers decided in ${fmt(decideMs / 1000, 1)} s, ${decided.decisionsChanged} decisions; ${fmt(total)} later events in batches of ${fmt(BATCH)}, modes alternating)`;
    const perBatch = (m: ModeTotals): number => m.attributionMs / Math.max(1, m.batches);
    const reasons = [...totals.skip.reasons.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join('; ');
    return [
      {
        scenario: label,
        metric: 'after-commit attribution, ms per 1,000-event batch (mean)',
        gongying: `${fmt(perBatch(totals.skip), 1)} ms (skip, ${totals.skip.batches} batches)`,
        baseline: `${fmt(perBatch(totals.full), 1)} ms (full re-decision, ${totals.full.batches} batches)`,
        ratio: ratio(perBatch(totals.full), perBatch(totals.skip)),
      },
      {
        scenario: label,
        metric: 'customers re-decided of those the batches touched',
        gongying: `${fmt(totals.skip.redecided)} of ${fmt(totals.skip.customers)} (${reasons || 'none'})`,
        baseline: `${fmt(totals.full.redecided)} of ${fmt(totals.full.customers)}`,
        ratio: `${totals.skip.changed} vs ${totals.full.changed} decisions changed`,
      },
      {
        scenario: label,
        metric: 'record() events/s incl. insert and every listener',
        gongying: fmt((totals.skip.events * 1000) / totals.skip.recordMs),
        baseline: fmt((totals.full.events * 1000) / totals.full.recordMs),
        ratio: check,
      },
    ];
  },
};
