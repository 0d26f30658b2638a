import { registerEnumType } from '@nestjs/graphql';

export enum JobStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(JobStatus, { name: 'JobStatus' });

export const FINISHED_JOB_STATUSES: readonly JobStatus[] = [JobStatus.SUCCEEDED, JobStatus.FAILED];
