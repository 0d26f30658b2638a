import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES } from '../auth/roles';
import { ConnectionResult, PageArgs } from '../graphql/connection';
import { JobReportRowEntity } from './entities/job-report-row.entity';
import { JobEntity } from './entities/job.entity';
import { JobStatus } from './job.enums';
import { ImportReportRow, ImportReportRowConnection, Job } from './models/job.model';
import { JobsService } from './jobs.service';

function toJob(e: JobEntity): Job {
  return {
    id: e.id,
    type: e.type,
    status: e.status as JobStatus,
    processed: e.processed,
    total: e.total,
    result: e.result,
    error: e.error,
    createdAt: e.createdAt,
    startedAt: e.startedAt,
    finishedAt: e.finishedAt,
  };
}

function toReportRow(e: JobReportRowEntity): ImportReportRow {
  return { id: e.id, line: e.line, status: e.status, field: e.field, reason: e.reason, ref: e.ref };
}

@Resolver(() => Job)
@Roles(...ALL_ROLES)
@ApiScopes('events:write', 'referrals:write')
export class JobsResolver {
  constructor(private readonly jobs: JobsService) {}

  @Query(() => Job, { description: 'A job you started (admins and auditors see all)' })
  async job(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Job> {
    return toJob(await this.jobs.get(actor, id));
  }

  @Query(() => ImportReportRowConnection, { description: 'The reported rows of an import job, in line order' })
  async importReport(
    @CurrentActor() actor: Actor,
    @Args('jobId', { type: () => ID }) jobId: string,
    @Args() page: PageArgs,
  ): Promise<ConnectionResult<ImportReportRow>> {
    const result = await this.jobs.reportRows(actor, jobId, page);
    return { ...result, edges: result.edges.map((e) => ({ cursor: e.cursor, node: toReportRow(e.node) })) };
  }
}
