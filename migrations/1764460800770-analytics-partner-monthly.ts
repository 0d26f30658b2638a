import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { newId } from '../src/database/columns';
import { col, index } from './helpers';

/** Rows per INSERT: 400 × 8 placeholders stays below both drivers' limits. */
const ROWS_PER_INSERT = 400;

/** The referral source's measures: the funnel's stage counts and day-difference histograms. */
const REFERRAL_MEASURES = "(SUBSTR(measure, 1, 9) = 'REFERRAL_' OR SUBSTR(measure, 1, 5) = 'DAYS_')";

/**
 * Issue 8: the funnel by partner by month at 5 M referrals folded about 40,000 analytics_monthly rows split by
 * program, channel and org unit (130–150 ms in MariaDB). analytics_partner_monthly keeps the referral facts summed
 * over those three, maintained by the same upserts; it is filled here from analytics_monthly (the roll-up it sums).
 * analytics_monthly's funnel index no longer needs to cover the partner funnel: without fact_count in it, an
 * upsert of an existing bucket (every card swipe's month) no longer rewrites an index entry.
 */
export class AnalyticsPartnerMonthly1764460800770 implements MigrationInterface {
  name = 'AnalyticsPartnerMonthly1764460800770';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'analytics_partner_monthly',
        columns: [
          col.id(),
          col.varchar('month', 7),
          col.ref('partner_id'),
          col.varchar('partner_kind', 40),
          col.varchar('measure', 80),
          col.int('bucket_value'),
          col.varchar('currency', 3),
          col.money('fact_count'),
          col.money('amount_minor'),
        ],
        indices: [
          index(
            'uq_analytics_partner_monthly_key',
            ['month', 'partner_id', 'measure', 'bucket_value', 'currency'],
            true,
          ),
          index('ix_analytics_partner_monthly_measure', [
            'measure',
            'month',
            'partner_id',
            'bucket_value',
            'fact_count',
          ]),
        ],
      }),
    );
    await queryRunner.dropIndex('analytics_monthly', 'ix_analytics_monthly_measure');
    await queryRunner.createIndex('analytics_monthly', index('ix_analytics_monthly_measure', ['measure', 'month']));
    // Month by month: a large bank's roll-up is never read whole into memory.
    const months = (await queryRunner.query('SELECT DISTINCT month FROM analytics_monthly ORDER BY month')) as {
      month: string;
    }[];
    for (const { month } of months) {
      const sums = (await queryRunner.query(
        `SELECT partner_id, MAX(partner_kind) AS partner_kind, measure, bucket_value, currency,
                SUM(fact_count) AS fact_count, SUM(amount_minor) AS amount_minor
           FROM analytics_monthly WHERE month = ? AND ${REFERRAL_MEASURES}
          GROUP BY partner_id, measure, bucket_value, currency`,
        [month],
      )) as Record<string, unknown>[];
      for (let i = 0; i < sums.length; i += ROWS_PER_INSERT) {
        const part = sums.slice(i, i + ROWS_PER_INSERT);
        await queryRunner.query(
          `INSERT INTO analytics_partner_monthly
             (id, month, partner_id, partner_kind, measure, bucket_value, currency, fact_count, amount_minor)
           VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          part.flatMap((r) => [
            newId(),
            month,
            r.partner_id,
            r.partner_kind,
            r.measure,
            r.bucket_value,
            r.currency,
            // SUM comes back as a decimal string on MySQL: keep its integer digits exact.
            String(r.fact_count).split('.')[0],
            String(r.amount_minor).split('.')[0],
          ]),
        );
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('analytics_monthly', 'ix_analytics_monthly_measure');
    await queryRunner.createIndex(
      'analytics_monthly',
      index('ix_analytics_monthly_measure', ['measure', 'month', 'partner_id', 'bucket_value', 'fact_count']),
    );
    await queryRunner.dropTable('analytics_partner_monthly');
  }
}
