import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { newId } from '../src/database/columns';
import { col, index, instantParam } from './helpers';

/** Event ids per outbox row: 1,000 × (36 + 3) characters of JSON fits MySQL's TEXT. */
const IDS_PER_ROW = 1000;

/**
 * Issue 8: customer events reach the roll-ups through an outbox written in their recording transaction, instead
 * of a catch-up that re-read every event recorded within the overlap window (quadratic during a long import) and
 * kept a ledger row per event. Events the old catch-up had not applied yet move to the outbox; the EVENT ledger
 * rows and cursor go.
 */
export class AnalyticsEventOutbox1764460800720 implements MigrationInterface {
  name = 'AnalyticsEventOutbox1764460800720';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'analytics_event_outbox',
        columns: [col.id(), col.json('event_ids'), col.instant('created_at')],
      }),
    );
    // Not yet applied: re-readable by the old catch-up (recorded at or after its cursor minus the overlap) and
    // without a ledger row. With no cursor nothing was ever pruned: every event without a ledger row.
    const cursor = (await queryRunner.query("SELECT watermark FROM analytics_cursors WHERE source = 'EVENT'")) as {
      watermark: unknown;
    }[];
    const overlapSeconds = Number(process.env.ANALYTICS_OVERLAP_SECONDS ?? 600);
    const params: unknown[] = [];
    let since = '';
    if (cursor[0]) {
      const mark =
        cursor[0].watermark instanceof Date
          ? cursor[0].watermark
          : new Date(`${String(cursor[0].watermark).replace(' ', 'T')}Z`);
      const from = new Date(mark.getTime() - overlapSeconds * 1000);
      since = ' AND e.recorded_at >= ?';
      params.push(instantParam(queryRunner, from));
    }
    const pending = (await queryRunner.query(
      `SELECT e.id FROM customer_events e
        WHERE NOT EXISTS (SELECT 1 FROM analytics_applied_facts f WHERE f.source = 'EVENT' AND f.fact_id = e.id)${since}
        ORDER BY e.recorded_at, e.id`,
      params,
    )) as { id: string }[];
    const now = new Date();
    for (let i = 0; i < pending.length; i += IDS_PER_ROW)
      await queryRunner.query('INSERT INTO analytics_event_outbox (id, event_ids, created_at) VALUES (?, ?, ?)', [
        newId(),
        JSON.stringify(pending.slice(i, i + IDS_PER_ROW).map((r) => r.id)),
        instantParam(queryRunner, now),
      ]);
    await queryRunner.query("DELETE FROM analytics_applied_facts WHERE source = 'EVENT'");
    await queryRunner.query("DELETE FROM analytics_cursors WHERE source = 'EVENT'");
    // Nothing reads events by their recording instant any more; every event insert paid for this index.
    await queryRunner.dropIndex('customer_events', 'ix_customer_events_recorded');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The old catch-up finds the outbox's events again from an absent cursor only through a rebuild.
    await queryRunner.createIndex('customer_events', index('ix_customer_events_recorded', ['recorded_at', 'id']));
    await queryRunner.dropTable('analytics_event_outbox');
  }
}
