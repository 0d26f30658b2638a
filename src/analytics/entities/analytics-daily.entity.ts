import { Entity, Index } from 'typeorm';
import { KeyColumn, MoneyColumn, VarcharColumn } from '../../database/columns';

/** One daily bucket of the roll-up (see docs/analytics-design.md §3.1); derived data, rebuildable. */
@Entity({ name: 'analytics_daily' })
@Index('ix_analytics_daily_partner', ['partnerId', 'measure', 'businessDate'])
@Index('ix_analytics_daily_program', ['programId', 'measure', 'businessDate'])
@Index('ix_analytics_daily_date', ['measure', 'businessDate'])
export class AnalyticsDailyEntity {
  @KeyColumn(10) businessDate!: string;
  @KeyColumn(36) partnerId!: string;
  @KeyColumn(36) programId!: string;
  /** '' = no channel (a key column cannot be NULL). */
  @KeyColumn(36) channelId!: string;
  @KeyColumn(36) orgUnitId!: string;
  @VarcharColumn(40) partnerKind!: string;
  @KeyColumn(80) measure!: string;
  /** Day difference for the median histograms; -1 otherwise. */
  @KeyColumn() bucketValue!: number;
  /** '' for pure counts. */
  @KeyColumn(3) currency!: string;
  @MoneyColumn() factCount!: bigint;
  @MoneyColumn() amountMinor!: bigint;
}
