import IORedis from 'ioredis';

/** BullMQ settings; the queue prefix lets several deployments (and tests) share one Redis. */
export interface QueueOptions {
  readonly prefix: string;
  readonly queueName: string;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
}

function ms(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{3,7}$/.test(raw)) throw new Error(`Invalid configuration: ${name} must be milliseconds (100–9999999)`);
  return Number.parseInt(raw, 10);
}

export function queueOptionsFrom(env: Record<string, string | undefined> = process.env): QueueOptions {
  const prefix = env.JOB_QUEUE_PREFIX ?? 'gongying';
  if (!/^[\w.-]{1,64}$/.test(prefix)) throw new Error('Invalid configuration: JOB_QUEUE_PREFIX');
  return {
    prefix,
    queueName: 'jobs',
    lockDurationMs: ms(env.JOB_LOCK_MS, 30_000, 'JOB_LOCK_MS'),
    stalledIntervalMs: ms(env.JOB_STALLED_INTERVAL_MS, 30_000, 'JOB_STALLED_INTERVAL_MS'),
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
