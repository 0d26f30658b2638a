import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { newId } from '../src/database/columns';
import { col, index, instantParam } from './helpers';

/** Row ids per outbox row: 1,000 × (36 + 3) characters of JSON fits MySQL's TEXT. */
const IDS_PER_ROW = 1000;

/**
 * Issue 8: referrals reach the roll-ups through the outbox too, written in the transactions that insert or change
 * them, instead of a catch-up that re-read every referral changed within the overlap window (at 2 M referrals
 * during an import, a third of the database's time) and checked that window before every report. The event outbox
 * becomes the one outbox with a source column. Referrals the old catch-up could still deliver (changed at or after
 * its cursor minus the overlap; every referral without a cursor) are queued; the ledger skips those it applied.
 */
export class AnalyticsOutbox1764460800760 implements MigrationInterface {
  name = 'AnalyticsOutbox1764460800760';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'analytics_outbox',
        columns: [col.id(), col.varchar('source', 16), col.json('row_ids'), col.instant('created_at')],
        indices: [index('ix_analytics_outbox_source', ['source', 'id'])],
      }),
    );
    await queryRunner.query(
      "INSERT INTO analytics_outbox (id, source, row_ids, created_at) SELECT id, 'EVENT', event_ids, created_at FROM analytics_event_outbox",
    );
    await queryRunner.dropTable('analytics_event_outbox');

    const cursor = (await queryRunner.query("SELECT watermark FROM analytics_cursors WHERE source = 'REFERRAL'")) as {
      watermark: unknown;
    }[];
    let since: Date | string | null = null;
    if (cursor[0]) {
      const mark =
        cursor[0].watermark instanceof Date
          ? cursor[0].watermark
          : new Date(`${String(cursor[0].watermark).replace(' ', 'T')}Z`);
      const overlapSeconds = Number(process.env.ANALYTICS_OVERLAP_SECONDS ?? 600);
      since = instantParam(queryRunner, new Date(mark.getTime() - overlapSeconds * 1000));
    }
    const now = instantParam(queryRunner, new Date());
    // Keyset pages by id: a large bank's referrals are never all in memory.
    for (let after = ''; ;) {
      const page = (await queryRunner.query(
        `SELECT id FROM referrals WHERE id > ?${since === null ? '' : ' AND updated_at >= ?'} ORDER BY id LIMIT ${IDS_PER_ROW}`,
        since === null ? [after] : [after, since],
      )) as { id: string }[];
      if (page.length === 0) break;
      await queryRunner.query(
        "INSERT INTO analytics_outbox (id, source, row_ids, created_at) VALUES (?, 'REFERRAL', ?, ?)",
        [newId(), JSON.stringify(page.map((r) => r.id)), now],
      );
      after = page[page.length - 1]?.id ?? after;
    }
    await queryRunner.query("DELETE FROM analytics_cursors WHERE source = 'REFERRAL'");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'analytics_event_outbox',
        columns: [col.id(), col.json('event_ids'), col.instant('created_at')],
      }),
    );
    await queryRunner.query(
      "INSERT INTO analytics_event_outbox (id, event_ids, created_at) SELECT id, row_ids, created_at FROM analytics_outbox WHERE source = 'EVENT'",
    );
    // Without a REFERRAL cursor the old catch-up re-reads every referral; the ledger skips what was applied.
    await queryRunner.dropTable('analytics_outbox');
  }
}
