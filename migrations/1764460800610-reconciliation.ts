import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { col, foreignKey, index, isSqliteRunner } from './helpers';

const FOUR_EYES_CHECK = 'chk_settlement_adjustments_four_eyes';
const FOUR_EYES_EXPR =
  '(approved_by_id IS NULL OR approved_by_id <> prepared_by_id) AND (rejected_by_id IS NULL OR rejected_by_id <> prepared_by_id)';

/**
 * Issue 7 (claims, reconciliation, disputes, adjustments): saved claim-column mappings per partner,
 * imported claims with their rows, reconciliation rows and a current summary per statement, disputes
 * with comments, and four-eyes adjustments. Adjustments are posted to the commission ledger as
 * kind ADJUSTMENT rows, which belong to no plan and no customer: plan_id and customer_id of
 * commission_accruals become nullable (the commission run reads ledgers by plan, so it never sees them).
 */
export class Reconciliation1764460800610 implements MigrationInterface {
  name = 'Reconciliation1764460800610';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.changeColumn('commission_accruals', 'plan_id', new TableColumn(col.ref('plan_id', true)));
    await queryRunner.changeColumn('commission_accruals', 'customer_id', new TableColumn(col.ref('customer_id', true)));

    await queryRunner.createTable(
      new Table({
        name: 'settlement_claim_mappings',
        columns: [
          col.id(),
          col.ref('partner_id'),
          col.json('mapping'),
          col.ref('updated_by_id'),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [index('uq_settlement_claim_mappings_partner', ['partner_id'], true)],
        foreignKeys: [foreignKey('fk_settlement_claim_mappings_partner', ['partner_id'], 'partners', 'RESTRICT')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_claims',
        columns: [
          col.id(),
          col.ref('statement_id'),
          col.ref('partner_id'),
          col.varchar('format', 8),
          col.varchar('encoding', 16),
          col.varchar('file_name', 200, true),
          col.varchar('file_sha256', 64),
          col.json('mapping'),
          col.int('row_count'),
          col.ref('imported_by_id'),
          col.instant('created_at'),
        ],
        indices: [
          index('ix_settlement_claims_statement', ['statement_id']),
          index('ix_settlement_claims_partner', ['partner_id']),
        ],
        foreignKeys: [
          foreignKey('fk_settlement_claims_statement', ['statement_id'], 'settlement_statements', 'RESTRICT'),
          foreignKey('fk_settlement_claims_partner', ['partner_id'], 'partners', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_claim_rows',
        columns: [
          col.id(),
          col.ref('claim_id'),
          col.int('line'),
          col.varchar('reference', 128),
          col.varchar('reference_kind', 16, true),
          col.varchar('customer_ref', 64, true),
          col.varchar('event_id', 64, true),
          col.text('description', true),
          col.money('amount'),
          col.currency(),
          col.json('raw'),
        ],
        indices: [index('uq_settlement_claim_rows_line', ['claim_id', 'line'], true)],
        foreignKeys: [foreignKey('fk_settlement_claim_rows_claim', ['claim_id'], 'settlement_claims', 'RESTRICT')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_reconciliation_rows',
        columns: [
          col.id(),
          col.ref('claim_id'),
          col.ref('statement_id'),
          col.int('position'),
          col.varchar('outcome', 24),
          col.varchar('reference', 128),
          col.ref('claim_row_id', true),
          col.int('claim_line', true),
          col.ref('program_id', true),
          col.json('accrual_ids'),
          col.varchar('customer_ref', 64, true),
          col.varchar('event_id', 64, true),
          col.money('bank_amount'),
          col.money('claim_amount'),
          col.money('difference'),
          col.currency(),
          col.varchar('reason', 64),
        ],
        indices: [
          index('uq_settlement_reconciliation_rows_position', ['claim_id', 'position'], true),
          index('ix_settlement_reconciliation_rows_statement', ['statement_id', 'outcome']),
        ],
        foreignKeys: [
          foreignKey('fk_settlement_reconciliation_rows_claim', ['claim_id'], 'settlement_claims', 'RESTRICT'),
          foreignKey(
            'fk_settlement_reconciliation_rows_statement',
            ['statement_id'],
            'settlement_statements',
            'RESTRICT',
          ),
          foreignKey(
            'fk_settlement_reconciliation_rows_claim_row',
            ['claim_row_id'],
            'settlement_claim_rows',
            'RESTRICT',
          ),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_reconciliations',
        columns: [
          col.id(),
          col.ref('statement_id'),
          col.ref('claim_id'),
          col.json('summary'),
          col.money('bank_total'),
          col.money('claim_total'),
          col.money('difference'),
          col.currency(),
          col.bool('balanced'),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [index('uq_settlement_reconciliations_statement', ['statement_id'], true)],
        foreignKeys: [
          foreignKey('fk_settlement_reconciliations_statement', ['statement_id'], 'settlement_statements', 'RESTRICT'),
          foreignKey('fk_settlement_reconciliations_claim', ['claim_id'], 'settlement_claims', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_disputes',
        columns: [
          col.id(),
          col.ref('statement_id'),
          col.ref('partner_id'),
          col.ref('reconciliation_row_id', true),
          col.varchar('status', 16),
          col.text('reason'),
          col.ref('raised_by_id'),
          col.varchar('raised_by_side', 8),
          col.ref('adjustment_id', true),
          col.ref('decided_by_id', true),
          col.instant('decided_at', true),
          col.text('decision_reason', true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('ix_settlement_disputes_statement', ['statement_id']),
          index('ix_settlement_disputes_partner', ['partner_id', 'status']),
          index('uq_settlement_disputes_adjustment', ['adjustment_id'], true),
        ],
        foreignKeys: [
          foreignKey('fk_settlement_disputes_statement', ['statement_id'], 'settlement_statements', 'RESTRICT'),
          foreignKey('fk_settlement_disputes_partner', ['partner_id'], 'partners', 'RESTRICT'),
          foreignKey(
            'fk_settlement_disputes_reconciliation_row',
            ['reconciliation_row_id'],
            'settlement_reconciliation_rows',
            'RESTRICT',
          ),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_dispute_comments',
        columns: [
          col.id(),
          col.ref('dispute_id'),
          col.ref('author_id'),
          col.varchar('author_side', 8),
          col.text('body'),
          col.instant('created_at'),
        ],
        indices: [index('ix_settlement_dispute_comments_dispute', ['dispute_id'])],
        foreignKeys: [
          foreignKey('fk_settlement_dispute_comments_dispute', ['dispute_id'], 'settlement_disputes', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_adjustments',
        columns: [
          col.id(),
          col.ref('partner_id'),
          col.ref('program_id'),
          col.ref('dispute_id', true),
          col.money('amount'),
          col.currency(),
          col.text('reason'),
          col.varchar('status', 16),
          col.ref('prepared_by_id'),
          col.instant('prepared_at'),
          col.ref('approved_by_id', true),
          col.instant('approved_at', true),
          col.ref('rejected_by_id', true),
          col.instant('rejected_at', true),
          col.text('reject_reason', true),
          col.ref('posted_period_id', true),
          col.ref('accrual_id', true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('ix_settlement_adjustments_partner', ['partner_id', 'status']),
          index('ix_settlement_adjustments_dispute', ['dispute_id']),
          index('uq_settlement_adjustments_accrual', ['accrual_id'], true),
        ],
        foreignKeys: [
          foreignKey('fk_settlement_adjustments_partner', ['partner_id'], 'partners', 'RESTRICT'),
          foreignKey('fk_settlement_adjustments_program', ['program_id'], 'programs', 'RESTRICT'),
          foreignKey('fk_settlement_adjustments_dispute', ['dispute_id'], 'settlement_disputes', 'RESTRICT'),
          foreignKey('fk_settlement_adjustments_period', ['posted_period_id'], 'commission_periods', 'RESTRICT'),
          foreignKey('fk_settlement_adjustments_accrual', ['accrual_id'], 'commission_accruals', 'RESTRICT'),
        ],
        // SQLite takes CHECKs only at CREATE TABLE; MariaDB gets the same one below.
        ...(isSqliteRunner(queryRunner) ? { checks: [{ name: FOUR_EYES_CHECK, expression: FOUR_EYES_EXPR }] } : {}),
      }),
    );
    if (!isSqliteRunner(queryRunner))
      await queryRunner.query(
        `ALTER TABLE settlement_adjustments ADD CONSTRAINT ${FOUR_EYES_CHECK} CHECK (${FOUR_EYES_EXPR})`,
      );
    await queryRunner.createForeignKey(
      'settlement_disputes',
      foreignKey('fk_settlement_disputes_adjustment', ['adjustment_id'], 'settlement_adjustments', 'RESTRICT'),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropForeignKey('settlement_disputes', 'fk_settlement_disputes_adjustment');
    await queryRunner.dropTable('settlement_adjustments');
    await queryRunner.dropTable('settlement_dispute_comments');
    await queryRunner.dropTable('settlement_disputes');
    await queryRunner.dropTable('settlement_reconciliations');
    await queryRunner.dropTable('settlement_reconciliation_rows');
    await queryRunner.dropTable('settlement_claim_rows');
    await queryRunner.dropTable('settlement_claims');
    await queryRunner.dropTable('settlement_claim_mappings');
    // Ledger rows without a plan or customer are the adjustments dropped above; the columns cannot
    // become NOT NULL again while they exist.
    await queryRunner.query(`DELETE FROM commission_accruals WHERE kind = 'ADJUSTMENT'`);
    await queryRunner.changeColumn('commission_accruals', 'customer_id', new TableColumn(col.ref('customer_id')));
    await queryRunner.changeColumn('commission_accruals', 'plan_id', new TableColumn(col.ref('plan_id')));
  }
}
