import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, FindOptionsWhere, In, IsNull, LessThan } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Actor, isBankWide } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { runEvery } from '../common/periodic';
import { DomainError, notFound } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { uniqueViolationOf } from '../database/unique-violation';
import { ConnectionResult, PageArgs, paginate } from '../graphql/connection';
import { JobReportRowEntity } from './entities/job-report-row.entity';
import { JobEntity } from './entities/job.entity';
import { FINISHED_JOB_STATUSES, JobStatus } from './job.enums';

export interface ReportRow {
  line: number;
  status: string;
  field?: string | null;
  reason?: string | null;
  ref?: string | null;
}

/** Handed to the work of a job: progress and report rows are written inside the caller's batch transaction. */
export interface JobContext {
  readonly job: JobEntity;
  progress(manager: EntityManager, processed: number, total?: number | null): Promise<void>;
  report(manager: EntityManager, rows: readonly ReportRow[]): Promise<void>;
}

export type JobWork<R> = (ctx: JobContext) => Promise<R>;

/** Longest error text kept on the job row (the column is 1000). */
const MAX_ERROR = 1000;
/** Rows per multi-row INSERT of report rows. */
const REPORT_CHUNK = 200;

/**
 * Jobs with status and progress. The default runner is in-process: `start` runs the work in the
 * background of this process and `waitFor` lets callers (tests, CLIs) await it.
 */
@Injectable()
export class JobsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Jobs');
  private readonly running = new Map<string, Promise<JobEntity>>();
  private stopHeartbeat: () => void = () => undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * A QUEUED job, audited. With an idempotency key, asking again for the same type and key returns the
   * job already created (`created: false`) instead of a second one.
   */
  async create(
    actor: Actor | null,
    input: { type: string; payload?: unknown; idempotencyKey?: string | null; total?: number | null },
  ): Promise<{ job: JobEntity; created: boolean }> {
    const key = input.idempotencyKey ?? null;
    if (key !== null) {
      const existing = await this.findByKey(input.type, key);
      if (existing) return { job: existing, created: false };
    }
    const job: JobEntity = {
      id: newId(),
      type: input.type,
      status: JobStatus.QUEUED,
      idempotencyKey: key,
      processed: 0,
      total: input.total ?? null,
      payload: input.payload ?? null,
      result: null,
      error: null,
      createdById: actor?.id ?? null,
      createdAt: this.clock.now(),
      startedAt: null,
      finishedAt: null,
      heartbeatAt: null,
    };
    try {
      await this.tx.run(async (manager) => {
        await manager.insert(JobEntity, job as QueryDeepPartialEntity<JobEntity>);
        await this.audit.record(manager, actor, {
          action: 'job.create',
          entityType: 'Job',
          entityId: job.id,
          after: { type: job.type, idempotencyKey: key, payload: job.payload },
        });
      });
    } catch (error) {
      // Two callers raced with the same key: the loser answers with the winner's job.
      if (key !== null && uniqueViolationOf(error)) {
        const existing = await this.findByKey(input.type, key);
        if (existing) return { job: existing, created: false };
      }
      throw error;
    }
    return { job, created: true };
  }

  /** Runs the work now and resolves with the finished job (SUCCEEDED or FAILED); never rejects for work errors. */
  run<R>(jobId: string, work: JobWork<R>): Promise<JobEntity> {
    const existing = this.running.get(jobId);
    if (existing) return existing;
    const promise = this.execute(jobId, work).finally(() => this.running.delete(jobId));
    this.running.set(jobId, promise);
    return promise;
  }

  /** Starts the work in the background of this process (the in-process runner). */
  start<R>(jobId: string, work: JobWork<R>): void {
    void this.run(jobId, work);
  }

  onModuleInit(): void {
    this.stopHeartbeat = runEvery(
      this.config.jobs.heartbeatMs,
      () => this.beat().then(() => this.failInterrupted()),
      (error) => this.logger.error({ err: error }, 'job heartbeat failed'),
    );
  }

  onModuleDestroy(): void {
    this.stopHeartbeat();
  }

  /** Refreshes the heartbeat of every job this process is running. */
  async beat(): Promise<void> {
    const ids = [...this.running.keys()];
    if (ids.length === 0) return;
    await this.dataSource
      .getRepository(JobEntity)
      .update({ id: In(ids), status: JobStatus.RUNNING }, { heartbeatAt: this.clock.now() });
  }

  /**
   * RUNNING jobs whose heartbeat has lapsed (JOB_STALE_AFTER_MS; rows from before heartbeats by their start)
   * were interrupted — the process running them stopped — and become FAILED, audited, so they stop blocking
   * what waits for them (statements wait for their period's commission run) and can be started again; the
   * work is idempotent. Jobs of this process are alive by definition. Returns the ids failed.
   */
  async failInterrupted(): Promise<string[]> {
    const now = this.clock.now();
    const lapsed = new Date(now.getTime() - this.config.jobs.staleAfterMs);
    // Still RUNNING and still lapsed when written: a heartbeat arriving meanwhile keeps the job alive.
    const stillStale: FindOptionsWhere<JobEntity>[] = [
      { status: JobStatus.RUNNING, heartbeatAt: LessThan(lapsed) },
      { status: JobStatus.RUNNING, heartbeatAt: IsNull(), startedAt: LessThan(lapsed) },
    ];
    const candidates = (
      await this.dataSource.getRepository(JobEntity).find({ select: { id: true, type: true }, where: stillStale })
    ).filter((j) => !this.running.has(j.id));
    const failed: string[] = [];
    for (const job of candidates) {
      const error = `INTERRUPTED: no heartbeat since ${lapsed.toISOString()}; the process running it stopped — start it again`;
      const done = await this.tx.run(async (manager) => {
        let affected = 0;
        for (const where of stillStale)
          affected +=
            (
              await manager.update(
                JobEntity,
                { ...where, id: job.id },
                { status: JobStatus.FAILED, error, finishedAt: now },
              )
            ).affected ?? 0;
        if (affected === 0) return false;
        await this.audit.record(manager, null, {
          action: 'job.interrupted',
          entityType: 'Job',
          entityId: job.id,
          after: { type: job.type, status: JobStatus.FAILED, error },
        });
        return true;
      });
      if (done) failed.push(job.id);
    }
    if (failed.length > 0) this.logger.warn({ jobIds: failed }, 'Interrupted jobs marked FAILED');
    return failed;
  }

  /** Resolves when the job is finished (in this process) or at once if it already is. */
  async waitFor(jobId: string): Promise<JobEntity> {
    const pending = this.running.get(jobId);
    if (pending) return pending;
    return this.dataSource.getRepository(JobEntity).findOneByOrFail({ id: jobId });
  }

  // ---------- reads ----------

  /** The creator, admins and auditors see a job; everyone else gets NOT_FOUND. */
  async get(actor: Actor, id: string): Promise<JobEntity> {
    const job = await this.dataSource.getRepository(JobEntity).findOneBy({ id });
    if (!job || !this.canRead(actor, job)) throw notFound('Job', id);
    return job;
  }

  async reportRows(actor: Actor, jobId: string, page: PageArgs): Promise<ConnectionResult<JobReportRowEntity>> {
    await this.get(actor, jobId);
    const query = this.dataSource
      .getRepository(JobReportRowEntity)
      .createQueryBuilder('r')
      .where('r.jobId = :jobId', { jobId });
    return paginate(query, page, (row) => row);
  }

  canRead(actor: Actor, job: JobEntity): boolean {
    return job.createdById === actor.id || (actor.kind === 'user' && isBankWide(actor.role));
  }

  // ---------- internals ----------

  private findByKey(type: string, idempotencyKey: string): Promise<JobEntity | null> {
    return this.dataSource.getRepository(JobEntity).findOneBy({ type, idempotencyKey });
  }

  private async execute<R>(jobId: string, work: JobWork<R>): Promise<JobEntity> {
    const repo = this.dataSource.getRepository(JobEntity);
    const job = await repo.findOneByOrFail({ id: jobId });
    if (FINISHED_JOB_STATUSES.includes(job.status as JobStatus)) return job;
    job.status = JobStatus.RUNNING;
    job.startedAt = this.clock.now();
    job.heartbeatAt = job.startedAt;
    await repo.update({ id: jobId }, { status: job.status, startedAt: job.startedAt, heartbeatAt: job.heartbeatAt });
    const ctx: JobContext = {
      job,
      progress: async (manager, processed, total) => {
        job.processed = processed;
        if (total !== undefined) job.total = total;
        await manager.update(JobEntity, { id: jobId }, total !== undefined ? { processed, total } : { processed });
      },
      report: (manager, rows) => this.insertReportRows(manager, jobId, rows),
    };
    try {
      const result = await work(ctx);
      job.status = JobStatus.SUCCEEDED;
      job.result = result ?? null;
    } catch (error) {
      job.status = JobStatus.FAILED;
      job.error = describe(error).slice(0, MAX_ERROR);
      if (!(error instanceof DomainError)) this.logger.error({ err: error, jobId }, 'Job failed');
    }
    job.finishedAt = this.clock.now();
    await repo.update({ id: jobId }, {
      status: job.status,
      processed: job.processed,
      total: job.total,
      result: job.result,
      error: job.error,
      finishedAt: job.finishedAt,
    } as QueryDeepPartialEntity<JobEntity>);
    return job;
  }

  private async insertReportRows(manager: EntityManager, jobId: string, rows: readonly ReportRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += REPORT_CHUNK) {
      await manager.insert(
        JobReportRowEntity,
        rows.slice(i, i + REPORT_CHUNK).map((r) => ({
          id: newId(),
          jobId,
          line: r.line,
          status: r.status,
          field: r.field ? r.field.slice(0, 64) : null,
          reason: r.reason ? r.reason.slice(0, 200) : null,
          ref: r.ref ? r.ref.slice(0, 64) : null,
        })),
      );
    }
  }
}

/** Domain errors keep code, field and reason (never values); others a generic text (details go to the log). */
function describe(error: unknown): string {
  if (error instanceof DomainError) {
    const field = error.details.field ? ` ${error.details.field}` : '';
    const reason = error.details.reason ? `: ${error.details.reason}` : '';
    return `${error.code}${field}${reason}`;
  }
  return 'INTERNAL_ERROR: the job stopped unexpectedly (see the server log)';
}
