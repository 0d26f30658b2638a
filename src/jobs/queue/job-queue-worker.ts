import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Job as BullJob, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { JobEntity } from '../entities/job.entity';
import { JobsService } from '../jobs.service';
import { JobHandlerRegistry } from './job-handlers';
import { QueuedJob, queueOptionsFrom, redisConnection } from './queue-options';

/**
 * The BullMQ consumer run by `npm run worker`. A worker that dies mid-job stops renewing its lock;
 * after JOB_LOCK_MS another worker takes the stalled job and runs the (idempotent) work again, which
 * completes what the first one committed.
 */
@Injectable()
export class JobQueueWorker implements OnModuleDestroy {
  private readonly logger = new Logger('JobQueueWorker');
  private worker: Worker<QueuedJob> | null = null;
  private connection: IORedis | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly handlers: JobHandlerRegistry,
  ) {}

  async start(concurrency = 1): Promise<void> {
    if (!this.config.redisUrl)
      throw new Error('REDIS_URL is not set: jobs run in-process, there is no queue to consume');
    const options = queueOptionsFrom(this.config);
    this.connection = redisConnection(this.config.redisUrl);
    this.worker = new Worker<QueuedJob>(options.queueName, (job) => this.process(job), {
      connection: this.connection,
      prefix: options.prefix,
      concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: 3,
    });
    this.worker.on('error', (err) => this.logger.error({ err }, 'queue worker error'));
    await this.worker.waitUntilReady();
  }

  async close(): Promise<void> {
    await this.worker?.close();
    this.connection?.disconnect();
    this.worker = null;
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }

  private async process(queued: BullJob<QueuedJob>): Promise<string> {
    const job = await this.dataSource.getRepository(JobEntity).findOneBy({ id: queued.data.jobId });
    if (!job) return 'MISSING';
    const finished = await this.jobs.run(job.id, this.handlers.get(job.type)(job));
    return finished.status;
  }
}
