import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { JobEntity } from '../entities/job.entity';
import { JobsService } from '../jobs.service';
import { JobHandlerRegistry } from './job-handlers';
import { QueuedJob, queueOptionsFrom, redisConnection } from './queue-options';

/**
 * Starts a created job: in this process by default; with REDIS_URL set, enqueued to BullMQ for
 * `npm run worker` processes (the BullMQ job id is the job row's id, so enqueuing twice is harmless).
 */
@Injectable()
export class JobDispatcher implements OnModuleDestroy {
  private queue: Queue<QueuedJob> | null = null;
  private connection: IORedis | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly handlers: JobHandlerRegistry,
  ) {}

  get mode(): 'in-process' | 'bullmq' {
    return this.config.redisUrl ? 'bullmq' : 'in-process';
  }

  async dispatch(job: JobEntity): Promise<void> {
    if (!this.config.redisUrl) {
      this.jobs.start(job.id, this.handlers.get(job.type)(job));
      return;
    }
    await this.queueFor(this.config.redisUrl).add(
      job.type,
      { jobId: job.id },
      { jobId: job.id, removeOnComplete: 1000, removeOnFail: 1000 },
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue?.close();
    this.connection?.disconnect();
  }

  private queueFor(url: string): Queue<QueuedJob> {
    if (!this.queue) {
      const options = queueOptionsFrom(this.config);
      this.connection = redisConnection(url);
      this.queue = new Queue<QueuedJob>(options.queueName, { connection: this.connection, prefix: options.prefix });
    }
    return this.queue;
  }
}
