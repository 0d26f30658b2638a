import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, index } from './helpers';

const SOURCE_MARK_INDEXES: readonly (readonly [string, string, string])[] = [
  ['referrals', 'ix_referrals_updated', 'updated_at'],
  ['customer_events', 'ix_customer_events_recorded', 'recorded_at'],
  ['commission_accruals', 'ix_commission_accruals_created', 'created_at'],
];

/**
 * Issue 8 (database half, without scorecards): roll-up tables. Derived data only: no foreign keys to the
 * sources (a rebuild deletes and re-inserts them; FKs would only slow the bulk upserts), dimensions indexed.
 */
export class Analytics1764460800700 implements MigrationInterface {
  name = 'Analytics1764460800700';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The catch-up reads each source past its high-water mark in (mark, id) order.
    for (const [table, name, mark] of SOURCE_MARK_INDEXES)
      await queryRunner.createIndex(table, index(name, [mark, 'id']));
    await queryRunner.createTable(
      new Table({
        name: 'analytics_daily',
        columns: [
          col.id(),
          col.date('business_date'),
          col.ref('partner_id'),
          col.ref('program_id'),
          // '' for "no channel": NULLs never collide in a unique key, which would break the upsert.
          col.varchar('channel_id', 36),
          col.ref('org_unit_id'),
          col.varchar('partner_kind', 40),
          col.varchar('measure', 80),
          // Day difference for the median histograms; -1 for every other measure.
          col.int('bucket_value'),
          col.varchar('currency', 3),
          col.money('fact_count'),
          col.money('amount_minor'),
        ],
        indices: [
          index(
            'uq_analytics_daily_key',
            [
              'business_date',
              'partner_id',
              'program_id',
              'channel_id',
              'org_unit_id',
              'measure',
              'bucket_value',
              'currency',
            ],
            true,
          ),
          index('ix_analytics_daily_partner', ['partner_id', 'measure', 'business_date']),
          index('ix_analytics_daily_program', ['program_id', 'measure', 'business_date']),
          index('ix_analytics_daily_date', ['measure', 'business_date']),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'analytics_monthly',
        columns: [
          col.id(),
          col.varchar('month', 7),
          col.ref('partner_id'),
          col.ref('program_id'),
          col.varchar('channel_id', 36),
          col.ref('org_unit_id'),
          col.varchar('partner_kind', 40),
          col.varchar('measure', 80),
          col.int('bucket_value'),
          col.varchar('currency', 3),
          col.money('fact_count'),
          col.money('amount_minor'),
        ],
        indices: [
          index(
            'uq_analytics_monthly_key',
            ['month', 'partner_id', 'program_id', 'channel_id', 'org_unit_id', 'measure', 'bucket_value', 'currency'],
            true,
          ),
          index('ix_analytics_monthly_partner', ['partner_id', 'measure', 'month']),
          index('ix_analytics_monthly_measure', ['measure', 'month', 'partner_id', 'bucket_value', 'fact_count']),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'analytics_applied_facts',
        columns: [
          col.id(),
          col.varchar('source', 16),
          col.varchar('fact_id', 255),
          col.varchar('fingerprint', 64),
          col.date('business_date'),
          col.instant('source_mark'),
          col.instant('applied_at'),
        ],
        indices: [
          index('uq_analytics_applied_facts', ['source', 'fact_id'], true),
          index('ix_analytics_applied_facts_date', ['source', 'business_date']),
          index('ix_analytics_applied_facts_mark', ['source', 'source_mark']),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'analytics_cursors',
        columns: [
          { name: 'source', type: 'varchar', length: '16', isPrimary: true },
          col.instant('watermark'),
          col.version(),
          col.instant('updated_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'analytics_customer_month',
        columns: [
          col.id(),
          col.ref('customer_id'),
          col.varchar('month', 7),
          col.varchar('measure', 80),
          col.varchar('currency', 3),
          col.money('fact_count'),
          col.money('amount_minor'),
          // The latest event of the month by (business date, event id): balances and products held.
          col.date('last_date'),
          col.varchar('last_event_id', 36),
          col.varchar('last_type', 32),
          col.money('last_amount_minor', true),
        ],
        indices: [
          index('uq_analytics_customer_month', ['customer_id', 'month', 'measure', 'currency'], true),
          index('ix_analytics_customer_month_month', ['month', 'measure']),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'analytics_customer_activity',
        columns: [col.id(), col.ref('customer_id'), col.varchar('event_type', 32), col.date('business_date')],
        indices: [index('uq_analytics_customer_activity', ['customer_id', 'event_type', 'business_date'], true)],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'analytics_card_month',
        columns: [
          col.id(),
          col.ref('program_id'),
          col.varchar('card_ref', 64),
          col.varchar('month', 7),
          col.varchar('currency', 3),
          col.money('spend_count'),
          col.money('spend_minor'),
        ],
        indices: [
          index('uq_analytics_card_month', ['program_id', 'card_ref', 'month', 'currency'], true),
          index('ix_analytics_card_month_month', ['program_id', 'month']),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'analytics_card_month',
      'analytics_customer_activity',
      'analytics_customer_month',
      'analytics_cursors',
      'analytics_applied_facts',
      'analytics_monthly',
      'analytics_daily',
    ])
      await queryRunner.dropTable(table);
    for (const [table, name] of SOURCE_MARK_INDEXES) await queryRunner.dropIndex(table, name);
  }
}
