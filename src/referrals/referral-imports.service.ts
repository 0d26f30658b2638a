import { Injectable } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { Actor } from '../auth/actor';
import { DomainError } from '../common/domain-error';
import { DetectedEncoding } from '../imports/encoding';
import {
  canonicalRecord,
  ImportFormat,
  inBatches,
  readAhead,
  readRows,
  SourceRow,
  textOf,
  unreadableRows,
} from '../imports/records';
import { removeQuietly } from '../imports/spool';
import { JobEntity } from '../jobs/entities/job.entity';
import { JobContext, JobsService, ReportRow } from '../jobs/jobs.service';
import { ReferralStatus } from './referral.enums';
import { ReferralsService, SubmitOutcome, SubmitReferralFields } from './referrals.service';

export const REFERRAL_IMPORT_JOB = 'import.referrals';
/**
 * Rows per intake transaction (set-based lookups, multi-row inserts). Each row is answered as if submitted
 * alone whatever the cut, so the size only trades commits and round trips against memory and lock time.
 */
const BATCH = 2000;

const FIELDS = [
  'trackingCode',
  'channelId',
  'idempotencyKey',
  'idType',
  'idNumber',
  'phone',
  'name',
  'product',
  'submittedAt',
] as const;

type Source = AsyncIterable<Buffer | string | Uint8Array>;

/**
 * Bulk referral intake (CSV or NDJSON, streamed): rows go through the same intake rules as the API, 500 per
 * transaction (ReferralsService.submitMany, answering each row as if submitted alone in file order), and every
 * row that is not a fresh SUBMITTED referral is reported.
 */
@Injectable()
export class ReferralImportsService {
  constructor(
    private readonly jobs: JobsService,
    private readonly referrals: ReferralsService,
  ) {}

  async importFromStream(stream: Source, format: ImportFormat, actor: Actor): Promise<JobEntity> {
    this.referrals.assertCanSubmit(actor);
    const { job } = await this.jobs.create(actor, { type: REFERRAL_IMPORT_JOB, payload: { format, source: 'stream' } });
    return this.jobs.run(job.id, (ctx) => this.work(ctx, stream, format, actor));
  }

  async startFromFile(
    path: string,
    format: ImportFormat,
    actor: Actor,
    idempotencyKey: string | null,
  ): Promise<{ job: JobEntity; created: boolean }> {
    this.referrals.assertCanSubmit(actor);
    const created = await this.jobs.create(actor, {
      type: REFERRAL_IMPORT_JOB,
      payload: { format, source: 'upload' },
      idempotencyKey,
    });
    if (!created.created) {
      await removeQuietly(path);
      return created;
    }
    this.jobs.start(created.job.id, async (ctx) => {
      try {
        return await this.work(ctx, createReadStream(path, { highWaterMark: 64 * 1024 }), format, actor);
      } finally {
        await removeQuietly(path);
      }
    });
    return created;
  }

  private async work(ctx: JobContext, stream: Source, format: ImportFormat, actor: Actor) {
    let encoding: DetectedEncoding | null = null;
    let processed = 0;
    const counts = { created: 0, existing: 0, duplicates: 0, rejected: 0 };
    const batches = async function* (): AsyncGenerator<ReturnType<typeof readBatch>> {
      for await (const batch of inBatches(
        readRows(stream, format, (e) => (encoding = e)),
        BATCH,
      ))
        yield readBatch(batch);
    };
    for await (const { batch, unreadable, readable } of readAhead(batches())) {
      const upTo = processed + batch.length;
      let tally: Tally = { created: 0, existing: 0, duplicates: 0, rejected: 0 };
      await this.referrals.submitMany(
        actor,
        readable.map((r) => r.input),
        // The report and progress commit with the batch they describe (a retried batch writes them again).
        async (manager, outcomes) => {
          const answered = reportOf(readable, outcomes);
          tally = answered.tally;
          // Report rows in file order, as they were when every row had its own transaction.
          const report = [...unreadable, ...answered.report].sort((a, b) => a.line - b.line);
          await ctx.report(manager, report);
          await ctx.progress(manager, upTo);
        },
      );
      counts.created += tally.created;
      counts.existing += tally.existing;
      counts.duplicates += tally.duplicates;
      counts.rejected += tally.rejected + unreadable.length;
      processed = upTo;
    }
    ctx.job.total = processed;
    return { format, encoding, processed, ...counts };
  }
}

interface ReadableRow {
  line: number;
  key: string | null;
  input: SubmitReferralFields;
}

/** A batch of source rows split into unreadable lines (already reported) and submissions. */
function readBatch(batch: SourceRow[]): { batch: SourceRow[]; unreadable: ReportRow[]; readable: ReadableRow[] } {
  const readable: ReadableRow[] = [];
  for (const row of batch) {
    if (row.record === null) continue;
    const canonical = canonicalRecord(row.record, FIELDS);
    const v = (f: (typeof FIELDS)[number]): string | undefined => textOf(canonical, f);
    const key = v('idempotencyKey') ?? null;
    readable.push({
      line: row.line,
      key,
      input: {
        trackingCode: v('trackingCode'),
        channelId: v('channelId'),
        idempotencyKey: key,
        prospect: { idType: v('idType'), idNumber: v('idNumber'), phone: v('phone'), name: v('name') },
        product: v('product'),
        submittedAt: v('submittedAt'),
      },
    });
  }
  return { batch, unreadable: unreadableRows(batch), readable };
}

interface Tally {
  created: number;
  existing: number;
  duplicates: number;
  rejected: number;
}

/** The report rows of a batch's outcomes (every row that is not a fresh SUBMITTED referral), and their counts. */
function reportOf(
  readable: readonly ReadableRow[],
  outcomes: readonly SubmitOutcome[],
): { report: ReportRow[]; tally: Tally } {
  const counts: Tally = { created: 0, existing: 0, duplicates: 0, rejected: 0 };
  const report: ReportRow[] = [];
  for (const [i, outcome] of outcomes.entries()) {
    const { line, key } = readable[i] ?? { line: 0, key: null };
    if (outcome instanceof DomainError) {
      if (outcome.code === 'INTERNAL_SERVER_ERROR') throw outcome;
      counts.rejected++;
      report.push({
        line,
        status: 'REJECTED',
        field: String(outcome.details.field ?? 'row'),
        reason: String(outcome.details.rule ?? outcome.details.reason ?? outcome.code),
        ref: key,
      });
    } else if (!outcome.created) {
      counts.existing++;
      report.push({
        line,
        status: 'EXISTING',
        field: 'idempotencyKey',
        reason: 'ALREADY_SUBMITTED',
        ref: outcome.referral.id,
      });
    } else if ((outcome.referral.status as ReferralStatus) === ReferralStatus.DUPLICATE) {
      counts.duplicates++;
      report.push({
        line,
        status: 'DUPLICATE',
        field: 'prospect',
        reason: 'ALREADY_REFERRED_IN_WINDOW',
        ref: outcome.referral.id,
      });
    } else counts.created++;
  }
  return { report, tally: counts };
}
