import { Injectable } from '@nestjs/common';
import { JobEntity } from '../entities/job.entity';
import { JobWork } from '../jobs.service';

/** Builds the work of a stored job; must be idempotent (a job may run again after a crash). */
export type JobHandler = (job: JobEntity) => JobWork<unknown>;

/**
 * Job types → their work. Modules register in onModuleInit, so the same handlers exist in API
 * processes (in-process runner) and in `npm run worker` processes (BullMQ consumer).
 */
@Injectable()
export class JobHandlerRegistry {
  private readonly handlers = new Map<string, JobHandler>();

  register(type: string, handler: JobHandler): void {
    if (this.handlers.has(type)) throw new Error(`job handler ${type} registered twice`);
    this.handlers.set(type, handler);
  }

  get(type: string): JobHandler {
    const handler = this.handlers.get(type);
    if (!handler) throw new Error(`no job handler for ${type}`);
    return handler;
  }
}
