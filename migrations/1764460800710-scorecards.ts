import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, foreignKey, index } from './helpers';

/** Issue 8 (partner scorecard): weight sets, scorecards per period and partner, complaints, external ratings. */
export class Scorecards1764460800710 implements MigrationInterface {
  name = 'Scorecards1764460800710';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'scorecard_weight_sets',
        columns: [
          col.id(),
          col.varchar('effective_from', 7),
          col.varchar('mode', 8),
          col.rate('weight_contribution'),
          col.rate('weight_risk'),
          col.rate('weight_reputation'),
          col.rate('weight_relatedness'),
          col.json('ahp_matrix', true),
          col.rate('consistency_ratio', true),
          col.rate('lambda_max', true),
          col.rate('threshold_strategic'),
          col.rate('threshold_core'),
          col.rate('threshold_general'),
          col.rate('interchange_rate'),
          col.rate('agency_fee_rate'),
          col.rate('balance_margin_rate'),
          col.int('early_closure_days'),
          col.varchar('note', 500, true),
          col.ref('created_by_id', true),
          col.version(),
          col.instant('created_at'),
        ],
        indices: [index('ix_scorecard_weight_sets_effective', ['effective_from'])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'partner_scorecards',
        columns: [
          col.id(),
          col.ref('period_id'),
          col.ref('partner_id'),
          col.ref('weight_set_id'),
          col.int('rank'),
          col.varchar('tier', 12),
          col.rate('composite'),
          col.rate('contribution_score'),
          col.rate('risk_score'),
          col.rate('reputation_score'),
          col.rate('relatedness_score'),
          col.json('indicators'),
          col.int('population_size'),
          col.instant('computed_at'),
        ],
        indices: [
          index('uq_partner_scorecards_period_partner', ['period_id', 'partner_id'], true),
          index('uq_partner_scorecards_period_rank', ['period_id', 'rank'], true),
          index('ix_partner_scorecards_partner', ['partner_id']),
          index('ix_partner_scorecards_weight_set', ['weight_set_id']),
        ],
        foreignKeys: [
          foreignKey('fk_partner_scorecards_period', ['period_id'], 'commission_periods', 'RESTRICT'),
          foreignKey('fk_partner_scorecards_partner', ['partner_id'], 'partners', 'RESTRICT'),
          foreignKey('fk_partner_scorecards_weight_set', ['weight_set_id'], 'scorecard_weight_sets', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'partner_complaints',
        columns: [
          col.id(),
          col.ref('partner_id'),
          col.date('received_on'),
          col.varchar('category', 24),
          col.varchar('summary', 1000),
          col.ref('recorded_by_id', true),
          col.instant('created_at'),
        ],
        indices: [index('ix_partner_complaints_partner_date', ['partner_id', 'received_on'])],
        foreignKeys: [foreignKey('fk_partner_complaints_partner', ['partner_id'], 'partners', 'RESTRICT')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'partner_external_ratings',
        columns: [
          col.id(),
          col.ref('partner_id'),
          col.varchar('rating', 8),
          col.varchar('agency', 100),
          col.date('rated_on'),
          col.ref('recorded_by_id', true),
          col.instant('created_at'),
        ],
        indices: [index('uq_partner_external_ratings_date', ['partner_id', 'rated_on'], true)],
        foreignKeys: [foreignKey('fk_partner_external_ratings_partner', ['partner_id'], 'partners', 'RESTRICT')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'partner_external_ratings',
      'partner_complaints',
      'partner_scorecards',
      'scorecard_weight_sets',
    ])
      await queryRunner.dropTable(table);
  }
}
