import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR_FOR_BENCH } from '../system-actor';
import { BenchContext, BenchRow, Scenario, benchInt, emptyTable, mb, median, withPeakRss } from '../harness';
import { insertRaw } from '../raw-insert';
import { AnalyticsMaintenanceService } from '../../src/analytics/analytics-maintenance.service';
import {
  AnalyticsCardMonthEntity,
  AnalyticsCustomerActivityEntity,
  AnalyticsCustomerMonthEntity,
  AnalyticsDailyEntity,
  AnalyticsOutboxEntity,
  AnalyticsMonthlyEntity,
} from '../../src/analytics/entities';
import { CustomerImportsService } from '../../src/customers/customer-imports.service';
import { CustomerEventEntity } from '../../src/customers/entities/customer-event.entity';
import { CustomerEntity } from '../../src/customers/entities/customer.entity';
import { newId } from '../../src/database/columns';
import { OrgUnitsService } from '../../src/org-units/org-units.service';

const TYPES = ['ACCOUNT_OPENED', 'FUND_PURCHASE', 'PAYMENT_SENT', 'PAYMENT_RECEIVED', 'CARD_SPEND'] as const;

interface GeneratedEvent {
  eventId: string;
  customerNumber: string;
  type: string;
  occurredAt: string;
  amount: string;
  counterpartyName?: string;
}

/** The i-th event, deterministic: the same rows feed both the import and the raw INSERT baseline. */
function eventAt(i: number, customers: number): GeneratedEvent {
  const day = 1 + (i % 28);
  const second = i % 86_400;
  const hh = String(Math.floor(second / 3600)).padStart(2, '0');
  const mm = String(Math.floor((second % 3600) / 60)).padStart(2, '0');
  const ss = String(second % 60).padStart(2, '0');
  return {
    eventId: `BE-${i}`,
    customerNumber: `BC-${i % customers}`,
    type: TYPES[i % TYPES.length] as string,
    occurredAt: `2026-01-${String(day).padStart(2, '0')}T${hh}:${mm}:${ss}Z`,
    amount: `${(i % 9_000) + 1}.${String(i % 100).padStart(2, '0')}`,
    ...(i % TYPES.length === 2 || i % TYPES.length === 3 ? { counterpartyName: `对手方${i % 50}` } : {}),
  };
}

/** An NDJSON stream generated on the fly, ~1,000 lines per chunk: nothing is held beyond one chunk. */
function* ndjson(total: number, customers: number): Generator<string> {
  for (let start = 0; start < total; start += 1000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(total, start + 1000); i++) lines.push(JSON.stringify(eventAt(i, customers)));
    yield `${lines.join('\n')}\n`;
  }
}

function* customerNdjson(customers: number, orgUnitId: string): Generator<string> {
  for (let i = 0; i < customers; i++)
    yield `${JSON.stringify({
      customerNumber: `BC-${i}`,
      type: 'INDIVIDUAL',
      name: `客户${i}`,
      idType: 'PASSPORT',
      idNumber: `E${String(10_000_000 + i).slice(-8)}`,
      orgUnitId,
    })}\n`;
}

/** The baseline: hand-written multi-row INSERTs of 1,000 rows into customer_events, straight to the driver. */
function rawInsert(ds: DataSource, total: number, customers: number, idOf: Map<string, string>): Promise<number> {
  const recordedAt = new Date();
  function* rows(): Generator<CustomerEventEntity> {
    for (let i = 0; i < total; i++) {
      const g = eventAt(i, customers);
      const [units, cents] = g.amount.split('.') as [string, string];
      yield {
        id: newId(),
        externalId: g.eventId,
        customerId: idOf.get(g.customerNumber) as string,
        type: g.type,
        occurredAt: new Date(g.occurredAt),
        businessDate: g.occurredAt.slice(0, 10),
        productCode: null,
        programId: null,
        cardRef: null,
        merchantCategory: null,
        counterpartyUscc: null,
        counterpartyName: g.counterpartyName ?? null,
        employerUscc: null,
        amount: BigInt(units) * 100n + BigInt(cents),
        currency: 'CNY',
        recordedAt,
      };
    }
  }
  return insertRaw(ds, CustomerEventEntity, rows());
}

/** What the import's drain writes: emptied before each round so every round starts alike. */
const ROLL_UP_TABLES = [
  AnalyticsOutboxEntity,
  AnalyticsCustomerMonthEntity,
  AnalyticsCustomerActivityEntity,
  AnalyticsCardMonthEntity,
  AnalyticsDailyEntity,
  AnalyticsMonthlyEntity,
];

export const eventImport: Scenario = {
  name: 'event-import',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const total = benchInt('BENCH_EVENT_IMPORT_EVENTS', 200_000);
    const customers = benchInt('BENCH_EVENT_IMPORT_CUSTOMERS', 5_000);
    const rounds = benchInt('BENCH_EVENT_IMPORT_ROUNDS', 3);
    const ds = ctx.app.get(DataSource);
    const imports = ctx.app.get(CustomerImportsService);
    const head = await ctx.app.get(OrgUnitsService).create(SYSTEM_ACTOR_FOR_BENCH, { code: 'HO', name: 'Head office' });
    await imports.importCustomersFromStream(
      Readable.from(customerNdjson(customers, head.id)),
      'NDJSON',
      SYSTEM_ACTOR_FOR_BENCH,
    );
    const idOf = new Map(
      (await ds.getRepository(CustomerEntity).find({ select: ['id', 'customerNumber'] })).map((c) => [
        c.customerNumber,
        c.id,
      ]),
    );
    if (idOf.size !== customers) throw new Error(`expected ${customers} customers, got ${idOf.size}`);

    // Rounds of baseline and import, each into an emptied table, compared by their medians: the machine's own
    // drift (the raw rate alone varies by ±20 % between runs) then weighs on both sides alike.
    const rawRates: number[] = [];
    const importRates: number[] = [];
    const caughtUpRates: number[] = [];
    let raw = { start: 0, peak: 0 };
    let imported = { start: 0, peak: 0 };
    const runRaw = async (): Promise<void> => {
      await emptyTable(ds, CustomerEventEntity);
      const t0 = performance.now();
      const run = await withPeakRss(() => rawInsert(ds, total, customers, idOf));
      rawRates.push((total * 1000) / (performance.now() - t0));
      if (run.peak - run.start >= raw.peak - raw.start) raw = run;
    };
    const runImport = async (): Promise<void> => {
      for (const table of [CustomerEventEntity, ...ROLL_UP_TABLES]) await emptyTable(ds, table);
      const t1 = performance.now();
      const run = await withPeakRss(() =>
        imports.importCustomerEventsFromStream(
          Readable.from(ndjson(total, customers)),
          'NDJSON',
          SYSTEM_ACTOR_FOR_BENCH,
        ),
      );
      importRates.push((total * 1000) / (performance.now() - t1));
      // The roll-ups follow the import (drained once it has finished): the time until they are current.
      await ctx.app.get(AnalyticsMaintenanceService).catchUp('EVENT');
      caughtUpRates.push((total * 1000) / (performance.now() - t1));
      const result = run.value.result as { accepted?: number } | null;
      if (run.value.status !== 'SUCCEEDED' || result?.accepted !== total)
        throw new Error(`import did not accept every row: ${run.value.status} ${JSON.stringify(result)}`);
      if (run.peak - run.start >= imported.peak - imported.start) imported = run;
    };
    for (let round = 0; round < rounds; round++) {
      // The order alternates: whichever runs second meets the first one's pages still being flushed.
      if (round % 2 === 0) {
        await runRaw();
        await runImport();
      } else {
        await runImport();
        await runRaw();
      }
      process.stderr.write(
        `event-import round ${round + 1}/${rounds}: raw ${rawRates[round]?.toFixed(0)} rows/s, import ${importRates[round]?.toFixed(0)} rows/s\n`,
      );
    }
    const importRate = median(importRates);
    const rawRate = median(rawRates);
    const shares = importRates.map((r, i) => r / (rawRates[i] as number));
    const share = importRate / rawRate;
    const label = `event-import (${ctx.dbLabel}, ${total.toLocaleString('en')} events, ${customers.toLocaleString('en')} customers, median of ${rounds} rounds)`;
    const percent = (x: number): string => `${(x * 100).toFixed(0)}%`;
    return [
      {
        scenario: label,
        metric: 'rows/s (import vs raw multi-row INSERT of 1,000)',
        gongying: importRate.toFixed(0),
        baseline: rawRate.toFixed(0),
        ratio: `${percent(share)} ${share >= 0.5 ? '≥ 50% ✓' : '< 50% ✗'} (rounds ${percent(Math.min(...shares))}–${percent(Math.max(...shares))})`,
      },
      {
        scenario: label,
        metric: 'rows/s until the roll-ups are current too (drained once the import has finished)',
        gongying: median(caughtUpRates).toFixed(0),
        baseline: rawRate.toFixed(0),
        ratio: percent(median(caughtUpRates) / rawRate),
      },
      {
        scenario: label,
        metric: 'peak RSS (start → peak)',
        gongying: `${mb(imported.start)} → ${mb(imported.peak)}`,
        baseline: `${mb(raw.start)} → ${mb(raw.peak)}`,
        ratio: `+${mb(imported.peak - imported.start)} vs +${mb(raw.peak - raw.start)}`,
      },
    ];
  },
};
