import { Entity } from 'typeorm';
import { IdColumn, InstantColumn, JsonColumn } from '../../database/columns';

/**
 * Events recorded but not yet rolled up: one row per recording transaction, written in that transaction, taken
 * (deleted) in the transaction that applies its events' facts — so each event is applied exactly once without a
 * per-event ledger row or a re-read of recent events.
 */
@Entity({ name: 'analytics_event_outbox' })
export class AnalyticsEventOutboxEntity {
  /** UUIDv7: the drain takes rows in recording order. */
  @IdColumn() id!: string;
  /** Ids of customer_events rows (≤ 1,000 per row, so it fits MySQL's TEXT). */
  @JsonColumn() eventIds!: string[];
  @InstantColumn() createdAt!: Date;
}
