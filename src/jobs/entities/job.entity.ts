import { Column, Entity, Index } from 'typeorm';
import { IdColumn, InstantColumn, JsonColumn, RefColumn, VarcharColumn } from '../../database/columns';

/** Long work (imports, commission runs, exports, demo generation) with queryable status and progress. */
@Entity({ name: 'jobs' })
@Index('ix_jobs_type_status', ['type', 'status'])
@Index('uq_jobs_idempotency', ['type', 'idempotencyKey'], { unique: true })
export class JobEntity {
  @IdColumn() id!: string;
  @VarcharColumn(64) type!: string;
  @VarcharColumn(16) status!: string;
  @VarcharColumn(128, { nullable: true }) idempotencyKey!: string | null;
  @Column({ type: 'integer' }) processed!: number;
  @Column({ type: 'integer', nullable: true }) total!: number | null;
  @JsonColumn({ nullable: true }) payload!: unknown;
  @JsonColumn({ nullable: true }) result!: unknown;
  @VarcharColumn(1000, { nullable: true }) error!: string | null;
  @RefColumn({ nullable: true }) createdById!: string | null;
  @InstantColumn() createdAt!: Date;
  @InstantColumn({ nullable: true }) startedAt!: Date | null;
  @InstantColumn({ nullable: true }) finishedAt!: Date | null;
  /** Refreshed by the process running the job; lapsed = that process stopped (see JobsService.failInterrupted). */
  @InstantColumn({ nullable: true }) heartbeatAt!: Date | null;
}
