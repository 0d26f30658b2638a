import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 8: funnel medians to CONTACTED and APPLIED (from the first such move in the status history). Referrals
 * already rolled up have none of these facts: without a REFERRAL cursor the next catch-up re-reads every
 * referral, and the ledger applies only the facts it does not hold yet (the new medians).
 */
export class AnalyticsStageMedians1764460800730 implements MigrationInterface {
  name = 'AnalyticsStageMedians1764460800730';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DELETE FROM analytics_cursors WHERE source = 'REFERRAL'");
  }

  async down(): Promise<void> {
    // The extra median facts stay in the roll-ups; the older code never reads their measures.
  }
}
