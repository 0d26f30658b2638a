import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col, index } from './helpers';

/** Each upserted roll-up table, the unique key its upserts hit, and that key's columns in order. */
const ROLL_UPS: readonly (readonly [string, string, readonly string[]])[] = [
  [
    'analytics_daily',
    'uq_analytics_daily_key',
    ['business_date', 'partner_id', 'program_id', 'channel_id', 'org_unit_id', 'measure', 'bucket_value', 'currency'],
  ],
  [
    'analytics_monthly',
    'uq_analytics_monthly_key',
    ['month', 'partner_id', 'program_id', 'channel_id', 'org_unit_id', 'measure', 'bucket_value', 'currency'],
  ],
  [
    'analytics_partner_monthly',
    'uq_analytics_partner_monthly_key',
    ['month', 'partner_id', 'measure', 'bucket_value', 'currency'],
  ],
  ['analytics_customer_month', 'uq_analytics_customer_month', ['customer_id', 'month', 'measure', 'currency']],
  ['analytics_customer_activity', 'uq_analytics_customer_activity', ['customer_id', 'event_type', 'business_date']],
  ['analytics_card_month', 'uq_analytics_card_month', ['program_id', 'card_ref', 'month', 'currency']],
];

/**
 * Issue 9 / 8: the roll-ups are keyed by their bucket, not by a surrogate id. With the id as InnoDB's clustered
 * key, `INSERT … ON DUPLICATE KEY UPDATE` of an existing bucket first inserted a clustered record under a fresh id,
 * met the duplicate in the unique key, undid that insert and then updated; keyed by the bucket, the duplicate is
 * found at once. 100,000 upserts into a 600,000-row copy of analytics_daily, half of them existing buckets:
 * about 24–28 s → 8–10 s on MariaDB (README). Nothing reads a roll-up row by id; the buckets are the identity.
 */
export class RollupNaturalKeys1764460800810 implements MigrationInterface {
  name = 'RollupNaturalKeys1764460800810';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type !== 'better-sqlite3';
    for (const [table, unique, key] of ROLL_UPS) {
      if (mysql) {
        // One rebuild of the table instead of three.
        await queryRunner.query(
          `ALTER TABLE ${table} DROP PRIMARY KEY, DROP COLUMN id, DROP INDEX ${unique}, ADD PRIMARY KEY (${key.join(', ')})`,
        );
      } else {
        await queryRunner.dropIndex(table, unique);
        await queryRunner.dropColumn(table, 'id');
        await queryRunner.createPrimaryKey(table, [...key]);
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type !== 'better-sqlite3';
    for (const [table, unique, key] of ROLL_UPS) {
      if (mysql) {
        await queryRunner.query(`ALTER TABLE ${table} DROP PRIMARY KEY, ADD COLUMN id varchar(36) NULL FIRST`);
        await queryRunner.query(`UPDATE ${table} SET id = UUID()`);
        await queryRunner.query(
          `ALTER TABLE ${table} MODIFY id varchar(36) NOT NULL, ADD PRIMARY KEY (id), ADD UNIQUE INDEX ${unique} (${key.join(', ')})`,
        );
      } else {
        await queryRunner.dropPrimaryKey(table);
        await queryRunner.addColumn(table, new TableColumn({ ...col.id(), isPrimary: false, isNullable: true }));
        // SQLite has no UUID(): 36 random hex characters in the same 8-4-4-4-12 shape.
        await queryRunner.query(
          `UPDATE ${table} SET id = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6)))`,
        );
        await queryRunner.changeColumn(table, 'id', new TableColumn(col.id()));
        await queryRunner.createIndex(table, index(unique, [...key], true));
      }
    }
  }
}
