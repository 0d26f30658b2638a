import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col } from './helpers';

/**
 * A heartbeat on running jobs: the process running a job refreshes it, and a job whose heartbeat has lapsed
 * (its process stopped) is marked FAILED instead of staying RUNNING for ever — a commission run left RUNNING
 * blocked statement generation for its period.
 */
export class JobHeartbeats1764460800740 implements MigrationInterface {
  name = 'JobHeartbeats1764460800740';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('jobs', new TableColumn(col.instant('heartbeat_at', true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('jobs', 'heartbeat_at');
  }
}
