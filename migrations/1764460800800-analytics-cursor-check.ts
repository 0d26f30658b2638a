import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col } from './helpers';

/**
 * The accrual catch-up's "anything new?" check, kept with the cursor: the window it last read whole (from
 * `checked_from` on) and that window's row count then. A process that starts checks the count instead of
 * re-reading the window: after a commission run wrote 810,000 ledger lines within the overlap, every start
 * re-read and skipped all of them (24 s on the large demo bank) before its first report.
 */
export class AnalyticsCursorCheck1764460800800 implements MigrationInterface {
  name = 'AnalyticsCursorCheck1764460800800';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('analytics_cursors', [
      new TableColumn(col.instant('checked_from', true)),
      new TableColumn(col.varchar('checked_signature', 32, true)),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('analytics_cursors', 'checked_signature');
    await queryRunner.dropColumn('analytics_cursors', 'checked_from');
  }
}
