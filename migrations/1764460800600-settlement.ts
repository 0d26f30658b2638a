import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, foreignKey, index, isSqliteRunner } from './helpers';

/** Four eyes in the data model: whoever prepared a statement neither approves nor rejects it. */
const FOUR_EYES_CHECK = 'chk_settlement_statements_four_eyes';
const FOUR_EYES_EXPR =
  '(approved_by_id IS NULL OR approved_by_id <> prepared_by_id) AND (rejected_by_id IS NULL OR rejected_by_id <> prepared_by_id)';

/** Issue 7 (first slice): partner tax terms, statements per partner per period and their lines. */
export class Settlement1764460800600 implements MigrationInterface {
  name = 'Settlement1764460800600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'settlement_partner_terms',
        columns: [
          col.id(),
          col.ref('partner_id'),
          col.rate('tax_rate'),
          col.bool('prices_include_tax'),
          col.money('invoice_tolerance'),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [index('uq_settlement_partner_terms_partner', ['partner_id'], true)],
        foreignKeys: [foreignKey('fk_settlement_partner_terms_partner', ['partner_id'], 'partners', 'RESTRICT')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_statements',
        columns: [
          col.id(),
          col.varchar('number', 64),
          col.ref('period_id'),
          col.ref('partner_id'),
          col.varchar('status', 16),
          col.currency(),
          col.money('lines_total'),
          col.money('net'),
          col.money('tax'),
          col.money('gross'),
          col.rate('tax_rate'),
          col.bool('prices_include_tax'),
          col.int('accrual_count'),
          col.ref('prepared_by_id', true),
          col.instant('prepared_at', true),
          col.ref('approved_by_id', true),
          col.instant('approved_at', true),
          col.ref('rejected_by_id', true),
          col.instant('rejected_at', true),
          col.text('reject_reason', true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('uq_settlement_statements_number', ['number'], true),
          index('uq_settlement_statements_period_partner', ['period_id', 'partner_id'], true),
          index('ix_settlement_statements_partner', ['partner_id']),
        ],
        foreignKeys: [
          foreignKey('fk_settlement_statements_period', ['period_id'], 'commission_periods', 'RESTRICT'),
          foreignKey('fk_settlement_statements_partner', ['partner_id'], 'partners', 'RESTRICT'),
        ],
        // SQLite takes CHECKs only at CREATE TABLE; MariaDB gets the same one below.
        ...(isSqliteRunner(queryRunner) ? { checks: [{ name: FOUR_EYES_CHECK, expression: FOUR_EYES_EXPR }] } : {}),
      }),
    );
    if (!isSqliteRunner(queryRunner))
      await queryRunner.query(
        `ALTER TABLE settlement_statements ADD CONSTRAINT ${FOUR_EYES_CHECK} CHECK (${FOUR_EYES_EXPR})`,
      );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_statement_lines',
        columns: [
          col.id(),
          col.ref('statement_id'),
          col.int('position'),
          col.ref('program_id'),
          col.varchar('program_name', 200),
          col.varchar('rule_id', 64),
          col.int('accrual_count'),
          col.money('amount'),
          col.currency(),
        ],
        indices: [
          index('uq_settlement_statement_lines_position', ['statement_id', 'position'], true),
          index('ix_settlement_statement_lines_program', ['program_id']),
        ],
        foreignKeys: [
          foreignKey('fk_settlement_statement_lines_statement', ['statement_id'], 'settlement_statements', 'RESTRICT'),
          foreignKey('fk_settlement_statement_lines_program', ['program_id'], 'programs', 'RESTRICT'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['settlement_statement_lines', 'settlement_statements', 'settlement_partner_terms'])
      await queryRunner.dropTable(table);
  }
}
