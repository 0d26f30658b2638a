import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { IdColumn, RefColumn, VarcharColumn } from '../../database/columns';
import { JobEntity } from './job.entity';

/** One row of a job's per-row report (an import's rejected or duplicate lines). */
@Entity({ name: 'job_report_rows' })
@Index('ix_job_report_rows_job', ['jobId', 'line'])
export class JobReportRowEntity {
  @IdColumn() id!: string;
  @RefColumn() jobId!: string;
  @ManyToOne(() => JobEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'job_id', foreignKeyConstraintName: 'fk_job_report_rows_job' })
  job?: JobEntity;
  @Column({ type: 'integer' }) line!: number;
  @VarcharColumn(16) status!: string;
  @VarcharColumn(64, { nullable: true }) field!: string | null;
  @VarcharColumn(200, { nullable: true }) reason!: string | null;
  @VarcharColumn(64, { nullable: true }) ref!: string | null;
}
