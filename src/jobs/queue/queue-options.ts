import IORedis from 'ioredis';
import { AppConfig } from '../../config/config';

/** BullMQ settings; the queue prefix lets several deployments (and tests) share one Redis. */
export interface QueueOptions {
  readonly prefix: string;
  readonly queueName: string;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
}

/** The queue settings come from the validated configuration (JOB_QUEUE_PREFIX, JOB_LOCK_MS, JOB_STALLED_INTERVAL_MS). */
export function queueOptionsFrom(config: AppConfig): QueueOptions {
  return {
    prefix: config.jobs.queuePrefix,
    queueName: 'jobs',
    lockDurationMs: config.jobs.lockMs,
    stalledIntervalMs: config.jobs.stalledIntervalMs,
  };
}

export function redisConnection(url: string): IORedis {
  // BullMQ workers block on Redis: commands must wait instead of failing after N retries.
  return new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** What a queued BullMQ job carries: only the id of the job row (the database is the source of truth). */
export interface QueuedJob {
  jobId: string;
}
