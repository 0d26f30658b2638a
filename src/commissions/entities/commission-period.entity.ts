import { Column, Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import {
  BusinessDateColumn,
  IdColumn,
  InstantColumn,
  JsonColumn,
  RefColumn,
  VarcharColumn,
} from '../../database/columns';
import { JobEntity } from '../../jobs/entities/job.entity';

/** 结算周期: one calendar month in the bank's time zone. */
@Entity({ name: 'commission_periods' })
@Index('uq_commission_periods_key', ['periodKey'], { unique: true })
export class CommissionPeriodEntity {
  @IdColumn() id!: string;
  @VarcharColumn(7) periodKey!: string;
  @BusinessDateColumn() fromDate!: string;
  @BusinessDateColumn() toDate!: string;
  @VarcharColumn(16) status!: string;
  @InstantColumn({ nullable: true }) calculatedAt!: Date | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

/** One runCommissionCalculation: its job, scope and the content hash of the ledger it left. */
@Entity({ name: 'commission_runs' })
@Index('uq_commission_runs_job', ['jobId'], { unique: true })
@Index('ix_commission_runs_period', ['periodId'])
export class CommissionRunEntity {
  @IdColumn() id!: string;
  @RefColumn() jobId!: string;
  @ManyToOne(() => JobEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'job_id', foreignKeyConstraintName: 'fk_commission_runs_job' })
  job?: JobEntity;
  @RefColumn() periodId!: string;
  @ManyToOne(() => CommissionPeriodEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'period_id', foreignKeyConstraintName: 'fk_commission_runs_period' })
  period?: CommissionPeriodEntity;
  @JsonColumn() partnerIds!: string[];
  @BusinessDateColumn() asOf!: string;
  @Column({ type: 'integer' }) linesAdded!: number;
  @VarcharColumn(64, { nullable: true }) contentHash!: string | null;
  @JsonColumn({ nullable: true }) factPeriodKeys!: string[] | null;
  @RefColumn({ nullable: true }) createdById!: string | null;
  @InstantColumn() createdAt!: Date;
  @InstantColumn({ nullable: true }) finishedAt!: Date | null;
}
