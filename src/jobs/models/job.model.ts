import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from '../../graphql/json.scalar';
import { Connection } from '../../graphql/connection';
import { JobStatus } from '../job.enums';

@ObjectType('Job', { description: 'Long work (imports, runs, exports) with its status, progress and result.' })
export class Job {
  @Field(() => ID) id!: string;
  @Field() type!: string;
  @Field(() => JobStatus) status!: JobStatus;
  @Field(() => Int, { description: 'Rows (or units) processed so far' }) processed!: number;
  @Field(() => Int, { nullable: true, description: 'Known total, when the source tells it' }) total!: number | null;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Summary once finished (counts per outcome)' })
  result!: unknown;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) startedAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) finishedAt!: Date | null;
}

@ObjectType('ImportReportRow', {
  description: 'One reported source row of an import: line, outcome, field and reason.',
})
export class ImportReportRow {
  @Field(() => ID) id!: string;
  @Field(() => Int, { description: 'Line in the source file (CSV: the line the record ends on)' }) line!: number;
  @Field({ description: 'REJECTED, DUPLICATE, …' }) status!: string;
  @Field(() => String, { nullable: true }) field!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => String, { nullable: true, description: 'The row’s business key (customer number, event id)' })
  ref!: string | null;
}

export const ImportReportRowConnection = Connection(ImportReportRow, 'ImportReportRow');
