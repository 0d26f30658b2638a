import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs.module';
import { JobDispatcher } from './job-dispatcher';
import { JobHandlerRegistry } from './job-handlers';
import { JobQueueWorker } from './job-queue-worker';

/** Job dispatch (in-process or BullMQ) and the handler registry; import it where jobs are started. */
@Module({
  imports: [JobsModule],
  providers: [JobHandlerRegistry, JobDispatcher, JobQueueWorker],
  exports: [JobHandlerRegistry, JobDispatcher, JobQueueWorker],
})
export class JobQueueModule {}
