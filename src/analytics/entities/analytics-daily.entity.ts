import { Column, Entity, Index } from 'typeorm';
import { BusinessDateColumn, IdColumn, MoneyColumn, RefColumn, VarcharColumn } from '../../database/columns';

/** One daily bucket of the roll-up (see docs/analytics-design.md §3.1); derived data, rebuildable. */
@Entity({ name: 'analytics_daily' })
@Index(
  'uq_analytics_daily_key',
  ['businessDate', 'partnerId', 'programId', 'channelId', 'orgUnitId', 'measure', 'bucketValue', 'currency'],
  { unique: true },
)
@Index('ix_analytics_daily_partner', ['partnerId', 'measure', 'businessDate'])
@Index('ix_analytics_daily_program', ['programId', 'measure', 'businessDate'])
@Index('ix_analytics_daily_date', ['measure', 'businessDate'])
export class AnalyticsDailyEntity {
  @IdColumn() id!: string;
  @BusinessDateColumn() businessDate!: string;
  @RefColumn() partnerId!: string;
  @RefColumn() programId!: string;
  /** '' = no channel (NULLs never collide in a unique key). */
  @VarcharColumn(36) channelId!: string;
  @RefColumn() orgUnitId!: string;
  @VarcharColumn(40) partnerKind!: string;
  @VarcharColumn(80) measure!: string;
  /** Day difference for the median histograms; -1 otherwise. */
  @Column({ type: 'integer' }) bucketValue!: number;
  /** '' for pure counts. */
  @VarcharColumn(3) currency!: string;
  @MoneyColumn() factCount!: bigint;
  @MoneyColumn() amountMinor!: bigint;
}
