import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.factory';
import { buildConfig, ConfigError } from './config/config';
import { JobQueueWorker } from './jobs/queue/job-queue-worker';

/**
 * `npm run worker`: boots the application (no HTTP listener) and consumes the BullMQ job queue.
 * Any number of workers, on any machine that reaches the database and REDIS_URL.
 * WORKER_CONCURRENCY (default 1) jobs at a time per process.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = buildConfig();
    if (!config.redisUrl)
      throw new ConfigError('REDIS_URL', 'must be set for a worker (jobs otherwise run in-process)');
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const app = await createApp({ config });
  await app.init();
  const worker = app.get(JobQueueWorker);
  await worker.start(config.jobs.workerConcurrency);
  app.get(Logger).log('Gongying worker is consuming the job queue');
  process.stdout.write('worker ready\n');
  const stop = (): void => {
    void worker
      .close()
      .then(() => app.close())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
