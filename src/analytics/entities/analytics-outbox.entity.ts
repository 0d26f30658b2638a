import { Entity, Index } from 'typeorm';
import { IdColumn, InstantColumn, JsonColumn, VarcharColumn } from '../../database/columns';

/**
 * Source rows written or changed but not yet rolled up (events, referrals): one row per writing transaction and
 * source, written in that transaction, taken (deleted) in the transaction that applies the rows' facts — so the
 * roll-ups never re-read a window of recent rows to find what is new.
 */
@Entity({ name: 'analytics_outbox' })
@Index('ix_analytics_outbox_source', ['source', 'id'])
export class AnalyticsOutboxEntity {
  /** UUIDv7: the drain takes rows in writing order. */
  @IdColumn() id!: string;
  /** EVENT or REFERRAL. */
  @VarcharColumn(16) source!: string;
  /** Ids of the source's rows (≤ 1,000 per row, so it fits MySQL's TEXT). */
  @JsonColumn() rowIds!: string[];
  @InstantColumn() createdAt!: Date;
}
