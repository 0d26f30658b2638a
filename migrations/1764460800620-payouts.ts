import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, foreignKey, index } from './helpers';

/** Issue 7 (payouts): partner bank accounts, invoices, payout batches with four-eyes sign-offs, bank file imports. */
export class Payouts1764460800620 implements MigrationInterface {
  name = 'Payouts1764460800620';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'settlement_partner_bank_accounts',
        columns: [
          col.id(),
          col.ref('partner_id'),
          col.varchar('account_name', 140),
          col.varchar('iban', 34, true),
          col.varchar('account_number', 34, true),
          col.varchar('bank_name', 140, true),
          col.varchar('bic', 11, true),
          col.varchar('cnaps', 12, true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [index('uq_settlement_partner_bank_accounts_partner', ['partner_id'], true)],
        foreignKeys: [
          foreignKey('fk_settlement_partner_bank_accounts_partner', ['partner_id'], 'partners', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_invoices',
        columns: [
          col.id(),
          col.ref('statement_id'),
          col.ref('partner_id'),
          col.varchar('number', 32),
          col.date('issued_on'),
          col.money('amount'),
          col.money('tax'),
          col.currency(),
          col.ref('recorded_by_id'),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('uq_settlement_invoices_statement', ['statement_id'], true),
          index('uq_settlement_invoices_partner_number', ['partner_id', 'number'], true),
        ],
        foreignKeys: [
          foreignKey('fk_settlement_invoices_statement', ['statement_id'], 'settlement_statements', 'RESTRICT'),
          foreignKey('fk_settlement_invoices_partner', ['partner_id'], 'partners', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_payout_batches',
        columns: [
          col.id(),
          col.varchar('status', 16),
          col.currency(),
          col.money('total'),
          col.int('payout_count'),
          col.ref('prepared_by_id'),
          col.instant('prepared_at'),
          col.ref('decided_by_id', true),
          col.instant('decided_at', true),
          col.text('reject_reason', true),
          col.date('requested_execution_date', true),
          col.text('pain_file', true),
          col.varchar('pain_sha256', 64, true),
          col.json('validation_errors', true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [index('ix_settlement_payout_batches_status', ['status'])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_payouts',
        columns: [
          col.id(),
          col.ref('batch_id'),
          col.ref('statement_id'),
          col.ref('live_statement_id', true),
          col.ref('partner_id'),
          col.varchar('statement_number', 64),
          col.money('amount'),
          col.currency(),
          col.varchar('creditor_name', 140),
          col.varchar('creditor_iban', 34, true),
          col.varchar('creditor_account_number', 34, true),
          col.varchar('creditor_bank_name', 140, true),
          col.varchar('creditor_bic', 11, true),
          col.varchar('creditor_cnaps', 12, true),
          col.varchar('status', 16),
          col.varchar('status_reason_code', 35, true),
          col.text('status_reason', true),
          col.instant('paid_at', true),
          col.varchar('paid_entry_ref', 140, true),
          col.date('paid_booking_date', true),
          col.varchar('matched_by', 32, true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('uq_settlement_payouts_batch_statement', ['batch_id', 'statement_id'], true),
          index('uq_settlement_payouts_live_statement', ['live_statement_id'], true),
          index('ix_settlement_payouts_statement', ['statement_id']),
          index('ix_settlement_payouts_partner', ['partner_id']),
          index('ix_settlement_payouts_status', ['status']),
        ],
        foreignKeys: [
          foreignKey('fk_settlement_payouts_batch', ['batch_id'], 'settlement_payout_batches', 'RESTRICT'),
          foreignKey('fk_settlement_payouts_statement', ['statement_id'], 'settlement_statements', 'RESTRICT'),
          foreignKey('fk_settlement_payouts_partner', ['partner_id'], 'partners', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_payout_signoffs',
        columns: [
          col.id(),
          col.ref('batch_id'),
          col.ref('user_id'),
          col.varchar('step', 16),
          col.varchar('decision', 16),
          col.instant('signed_at'),
        ],
        indices: [
          index('uq_settlement_payout_signoffs_step', ['batch_id', 'step'], true),
          index('uq_settlement_payout_signoffs_user', ['batch_id', 'user_id'], true),
        ],
        foreignKeys: [
          foreignKey('fk_settlement_payout_signoffs_batch', ['batch_id'], 'settlement_payout_batches', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_payout_file_imports',
        columns: [
          col.id(),
          col.varchar('kind', 16),
          col.varchar('message_id', 140, true),
          col.varchar('sha256', 64),
          col.ref('batch_id', true),
          col.json('report'),
          col.ref('imported_by_id'),
          col.instant('created_at'),
        ],
        indices: [index('ix_settlement_payout_file_imports_batch', ['batch_id'])],
        foreignKeys: [
          foreignKey('fk_settlement_payout_file_imports_batch', ['batch_id'], 'settlement_payout_batches', 'RESTRICT'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'settlement_payout_file_imports',
      'settlement_payout_signoffs',
      'settlement_payouts',
      'settlement_payout_batches',
      'settlement_invoices',
      'settlement_partner_bank_accounts',
    ])
      await queryRunner.dropTable(table);
  }
}
