import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, foreignKey, index } from './helpers';

/**
 * Issue 6: commission plans with effective-dated versions (rules as validated JSON text), monthly
 * periods, calculation runs (one job each) and the append-only accrual ledger.
 */
export class Commissions1764460800300 implements MigrationInterface {
  name = 'Commissions1764460800300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'commission_plans',
        columns: [
          col.id(),
          col.ref('partner_id'),
          col.ref('program_id', true),
          col.varchar('name', 200),
          col.varchar('status', 16),
          col.ref('created_by_id', true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('ix_commission_plans_partner', ['partner_id']),
          index('ix_commission_plans_program', ['program_id']),
        ],
        foreignKeys: [
          foreignKey('fk_commission_plans_partner', ['partner_id'], 'partners', 'RESTRICT'),
          foreignKey('fk_commission_plans_program', ['program_id'], 'programs', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'commission_plan_versions',
        columns: [
          col.id(),
          col.ref('plan_id'),
          col.int('version_number'),
          col.date('effective_from'),
          col.text('body'),
          col.ref('created_by_id', true),
          col.instant('created_at'),
        ],
        indices: [index('uq_commission_plan_versions_number', ['plan_id', 'version_number'], true)],
        foreignKeys: [foreignKey('fk_commission_plan_versions_plan', ['plan_id'], 'commission_plans', 'RESTRICT')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'commission_periods',
        columns: [
          col.id(),
          col.varchar('period_key', 7),
          col.date('from_date'),
          col.date('to_date'),
          col.varchar('status', 16),
          col.instant('calculated_at', true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [index('uq_commission_periods_key', ['period_key'], true)],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'commission_runs',
        columns: [
          col.id(),
          col.ref('job_id'),
          col.ref('period_id'),
          col.json('partner_ids'),
          col.date('as_of'),
          col.int('lines_added'),
          col.varchar('content_hash', 64, true),
          col.json('fact_period_keys', true),
          col.ref('created_by_id', true),
          col.instant('created_at'),
          col.instant('finished_at', true),
        ],
        indices: [index('uq_commission_runs_job', ['job_id'], true), index('ix_commission_runs_period', ['period_id'])],
        foreignKeys: [
          foreignKey('fk_commission_runs_job', ['job_id'], 'jobs', 'RESTRICT'),
          foreignKey('fk_commission_runs_period', ['period_id'], 'commission_periods', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'commission_accruals',
        columns: [
          col.id(),
          col.varchar('ledger_key', 255),
          col.varchar('idempotency_key', 240),
          col.varchar('accrual_key', 240),
          col.int('revision'),
          col.bool('reversal'),
          col.varchar('kind', 16),
          col.ref('plan_id'),
          col.int('plan_version'),
          col.varchar('rule_id', 64),
          col.ref('partner_id'),
          col.ref('program_id'),
          col.ref('customer_id'),
          col.ref('period_id'),
          col.varchar('fact_period_key', 7),
          col.date('business_date'),
          col.json('source_ids'),
          col.money('basis_amount', true),
          col.varchar('basis_currency', 3, true),
          col.text('rate_or_tier'),
          col.varchar('source_kind', 24),
          col.money('amount'),
          col.currency(),
          col.date('payable_on'),
          col.varchar('fee_category', 40),
          col.text('explanation'),
          col.ref('run_id', true),
          col.instant('created_at'),
        ],
        indices: [
          index('uq_commission_accruals_ledger_key', ['ledger_key'], true),
          index('ix_commission_accruals_idem', ['idempotency_key', 'revision']),
          index('ix_commission_accruals_accrual_key', ['accrual_key', 'kind']),
          index('ix_commission_accruals_plan_period', ['plan_id', 'fact_period_key']),
          index('ix_commission_accruals_partner', ['partner_id', 'period_id']),
          index('ix_commission_accruals_period', ['period_id']),
          index('ix_commission_accruals_program', ['program_id']),
          index('ix_commission_accruals_customer', ['customer_id']),
          index('ix_commission_accruals_run', ['run_id']),
        ],
        foreignKeys: [
          foreignKey('fk_commission_accruals_plan', ['plan_id'], 'commission_plans', 'RESTRICT'),
          foreignKey('fk_commission_accruals_partner', ['partner_id'], 'partners', 'RESTRICT'),
          foreignKey('fk_commission_accruals_program', ['program_id'], 'programs', 'RESTRICT'),
          foreignKey('fk_commission_accruals_customer', ['customer_id'], 'customers', 'RESTRICT'),
          foreignKey('fk_commission_accruals_period', ['period_id'], 'commission_periods', 'RESTRICT'),
          foreignKey('fk_commission_accruals_run', ['run_id'], 'commission_runs', 'RESTRICT'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'commission_accruals',
      'commission_runs',
      'commission_periods',
      'commission_plan_versions',
      'commission_plans',
    ])
      await queryRunner.dropTable(table);
  }
}
