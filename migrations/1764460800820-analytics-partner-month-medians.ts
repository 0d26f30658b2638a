import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { MEDIAN_MEASURES, partnerMonthMediansOfRows } from '../src/analytics/facts';

/** Rows per INSERT: 400 × 4 placeholders stays below both drivers' limits. */
const ROWS_PER_INSERT = 400;

/**
 * Issue 8: with the medians, the whole-month funnel by partner read every day-histogram row of the months asked
 * for (≈ 100,000 rows at 20 M events) and folded them in Node: 249 ms p95 on the large demo bank, over the issue's
 * 100 ms. A median is not additive, so each partner-month histogram's median is stored beside it, recomputed by
 * the drain that changes the histogram; filled here from analytics_partner_monthly, month by month.
 */
export class AnalyticsPartnerMonthMedians1764460800820 implements MigrationInterface {
  name = 'AnalyticsPartnerMonthMedians1764460800820';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'analytics_partner_month_medians',
        columns: [
          { name: 'month', type: 'varchar', length: '7', isPrimary: true },
          { name: 'partner_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'measure', type: 'varchar', length: '80', isPrimary: true },
          { name: 'median_half_days', type: 'integer', isNullable: false },
        ],
      }),
    );
    const measures = Object.values(MEDIAN_MEASURES);
    const months = (await queryRunner.query('SELECT DISTINCT month FROM analytics_partner_monthly ORDER BY month')) as {
      month: string;
    }[];
    for (const { month } of months) {
      const rows = (await queryRunner.query(
        `SELECT partner_id, measure, bucket_value, fact_count FROM analytics_partner_monthly
          WHERE month = ? AND measure IN (${measures.map(() => '?').join(', ')})`,
        [month, ...measures],
      )) as Record<string, unknown>[];
      const medians = [...partnerMonthMediansOfRows(month, rows)];
      for (let i = 0; i < medians.length; i += ROWS_PER_INSERT) {
        const part = medians.slice(i, i + ROWS_PER_INSERT);
        await queryRunner.query(
          `INSERT INTO analytics_partner_month_medians (month, partner_id, measure, median_half_days)
           VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')}`,
          part.flatMap(([key, half]) => [...key.split('\u0001'), half]),
        );
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('analytics_partner_month_medians');
  }
}
