import { Injectable } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { Actor } from '../auth/actor';
import { DetectedEncoding } from '../imports/encoding';
import { removeQuietly } from '../imports/spool';
import {
  canonicalRecord,
  ImportFormat,
  inBatches,
  readRows,
  SourceRow,
  textOf,
  unreadableRows,
} from '../imports/records';
import { JobEntity } from '../jobs/entities/job.entity';
import { JobContext, JobsService, ReportRow } from '../jobs/jobs.service';
import { EventRowStatus, MAX_EVENTS_PER_CALL, UpsertOutcome } from './customer.enums';
import { CustomerEventsService } from './customer-events.service';
import { CustomerRow, CustomersService } from './customers.service';
import { EventFields } from './rules/event-input';

export const CUSTOMER_IMPORT_JOB = 'import.customers';
export const EVENT_IMPORT_JOB = 'import.customerEvents';

/** Rows per batch: each batch is one transaction (its rows, its report rows and the job's progress). */
export const IMPORT_BATCH_SIZE = 1000;

const CUSTOMER_FIELDS = [
  'customerNumber',
  'type',
  'name',
  'idType',
  'idNumber',
  'phone',
  'uscc',
  'industry',
  'size',
  'orgUnitId',
  'orgUnitCode',
  'onboardedOn',
  'status',
] as const;

const EVENT_FIELDS = [
  'eventId',
  'customerNumber',
  'type',
  'occurredAt',
  'productCode',
  'programId',
  'cardRef',
  'merchantCategory',
  'counterpartyUscc',
  'counterpartyName',
  'employerUscc',
  'amount',
  'currency',
] as const;

type Source = AsyncIterable<Buffer | string | Uint8Array>;

function fieldsOf<F extends string>(record: Record<string, unknown>, fields: readonly F[]): Partial<Record<F, string>> {
  const canonical = canonicalRecord(record, fields);
  const out: Partial<Record<F, string>> = {};
  for (const field of fields) {
    const value = textOf(canonical, field);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

/**
 * Streamed, idempotent imports of customers (by customer number) and events (by event id), as jobs with
 * a per-row report. Memory stays flat: one batch of rows at a time.
 */
@Injectable()
export class CustomerImportsService {
  constructor(
    private readonly jobs: JobsService,
    private readonly customers: CustomersService,
    private readonly events: CustomerEventsService,
  ) {}

  /** For code (the demo generator, the Berka importer): runs the import now and returns the finished job. */
  async importCustomersFromStream(stream: Source, format: ImportFormat, actor: Actor): Promise<JobEntity> {
    this.customers.assertCanWrite(actor);
    const { job } = await this.jobs.create(actor, { type: CUSTOMER_IMPORT_JOB, payload: { format, source: 'stream' } });
    return this.jobs.run(job.id, (ctx) => this.customersWork(ctx, stream, format, actor));
  }

  async importCustomerEventsFromStream(stream: Source, format: ImportFormat, actor: Actor): Promise<JobEntity> {
    this.customers.assertCanWrite(actor);
    const { job } = await this.jobs.create(actor, { type: EVENT_IMPORT_JOB, payload: { format, source: 'stream' } });
    return this.jobs.run(job.id, (ctx) => this.eventsWork(ctx, stream, format, actor));
  }

  /** For the HTTP endpoints: the upload is already spooled to `path`; the job runs in the background and removes it. */
  async startFromFile(
    kind: 'customers' | 'events',
    path: string,
    format: ImportFormat,
    actor: Actor,
    idempotencyKey: string | null,
  ): Promise<{ job: JobEntity; created: boolean }> {
    this.customers.assertCanWrite(actor);
    const type = kind === 'customers' ? CUSTOMER_IMPORT_JOB : EVENT_IMPORT_JOB;
    const created = await this.jobs.create(actor, { type, payload: { format, source: 'upload' }, idempotencyKey });
    if (!created.created) {
      await removeQuietly(path);
      return created;
    }
    this.jobs.start(created.job.id, async (ctx) => {
      try {
        const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
        return kind === 'customers'
          ? await this.customersWork(ctx, stream, format, actor)
          : await this.eventsWork(ctx, stream, format, actor);
      } finally {
        await removeQuietly(path);
      }
    });
    return created;
  }

  private async customersWork(ctx: JobContext, stream: Source, format: ImportFormat, actor: Actor) {
    let encoding: DetectedEncoding | null = null;
    let processed = 0;
    const counts = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
    for await (const batch of inBatches(
      readRows(stream, format, (e) => (encoding = e)),
      IMPORT_BATCH_SIZE,
    )) {
      const rows: CustomerRow[] = batch
        .filter((r) => r.record !== null)
        .map((r) => ({ key: r.line, fields: fieldsOf(r.record ?? {}, CUSTOMER_FIELDS) }));
      const bad = unreadableRows(batch);
      const upTo = processed + batch.length;
      const results = await this.customers.upsertBatch(
        actor,
        rows,
        async (manager, batchResults) => {
          const report = [
            ...bad,
            ...batchResults
              .filter((r) => r.status === 'REJECTED')
              .map((r) => ({
                line: r.key,
                status: 'REJECTED',
                field: r.field,
                reason: r.reason,
                ref: r.customerNumber,
              })),
          ].sort((a, b) => a.line - b.line);
          await ctx.report(manager, report);
          await ctx.progress(manager, upTo);
        },
        ctx.job.id,
      );
      processed = upTo;
      counts.rejected += bad.length;
      for (const r of results) {
        if (r.status === 'REJECTED') counts.rejected++;
        else if (r.status === UpsertOutcome.CREATED) counts.created++;
        else if (r.status === UpsertOutcome.UPDATED) counts.updated++;
        else counts.unchanged++;
      }
    }
    ctx.job.total = processed;
    return { format, encoding, processed, ...counts };
  }

  private async eventsWork(ctx: JobContext, stream: Source, format: ImportFormat, actor: Actor) {
    let encoding: DetectedEncoding | null = null;
    let processed = 0;
    const counts = { accepted: 0, duplicates: 0, rejected: 0 };
    const parsed = async function* (): AsyncGenerator<{
      batch: SourceRow[];
      readable: SourceRow[];
      inputs: EventFields[];
    }> {
      for await (const batch of inBatches(
        readRows(stream, format, (e) => (encoding = e)),
        MAX_EVENTS_PER_CALL,
      )) {
        const readable = batch.filter((r) => r.record !== null);
        yield { batch, readable, inputs: readable.map((r) => fieldsOf(r.record ?? {}, EVENT_FIELDS)) };
      }
    };
    await this.events.recordInBulk(actor, parsed(), {
      within: async (parsedBatch, manager, batchResults) => {
        const { batch, readable } = parsedBatch;
        const report: ReportRow[] = unreadableRows(batch);
        for (const r of batchResults) {
          if (r.status === EventRowStatus.ACCEPTED) continue;
          const line = readable[r.index]?.line ?? 0;
          report.push({ line, status: r.status, field: r.field, reason: r.reason, ref: r.externalId });
        }
        await ctx.report(
          manager,
          report.sort((a, b) => a.line - b.line),
        );
        await ctx.progress(manager, processed + batch.length);
      },
      recorded: ({ batch, readable }, results) => {
        processed += batch.length;
        counts.rejected += batch.length - readable.length;
        for (const r of results) {
          if (r.status === EventRowStatus.ACCEPTED) counts.accepted++;
          else if (r.status === EventRowStatus.DUPLICATE) counts.duplicates++;
          else counts.rejected++;
        }
      },
    });
    ctx.job.total = processed;
    return { format, encoding, processed, ...counts };
  }
}
