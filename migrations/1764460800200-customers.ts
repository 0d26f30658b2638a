import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, foreignKey, index } from './helpers';

/** Customers, the events the bank's systems report about them, and per-row import reports of jobs. */
export class Customers1764460800200 implements MigrationInterface {
  name = 'Customers1764460800200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'customers',
        columns: [
          col.id(),
          col.varchar('customer_number', 40),
          col.varchar('type', 16),
          col.varchar('name', 200),
          col.varchar('id_type', 32, true),
          col.varchar('identity_hash', 64, true),
          col.varchar('id_number_masked', 40, true),
          col.varchar('phone_hash', 64, true),
          col.varchar('phone_masked', 20, true),
          col.varchar('uscc', 18, true),
          col.varchar('industry', 100, true),
          col.varchar('size', 10, true),
          col.ref('org_unit_id'),
          col.date('onboarded_on'),
          col.varchar('status', 16),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('uq_customers_number', ['customer_number'], true),
          index('uq_customers_identity', ['identity_hash'], true),
          index('uq_customers_uscc', ['uscc'], true),
          index('ix_customers_phone', ['phone_hash']),
          index('ix_customers_org_unit', ['org_unit_id']),
          index('ix_customers_onboarded', ['onboarded_on']),
        ],
        foreignKeys: [foreignKey('fk_customers_org_unit', ['org_unit_id'], 'org_units', 'RESTRICT')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'customer_events',
        columns: [
          col.id(),
          col.varchar('external_id', 64),
          col.ref('customer_id'),
          col.varchar('type', 32),
          col.instant('occurred_at'),
          col.date('business_date'),
          col.varchar('product_code', 40, true),
          col.ref('program_id', true),
          col.varchar('card_ref', 64, true),
          col.varchar('merchant_category', 8, true),
          col.varchar('counterparty_uscc', 18, true),
          col.varchar('counterparty_name', 200, true),
          col.varchar('employer_uscc', 18, true),
          col.money('amount', true),
          col.varchar('currency', 3, true),
          col.instant('recorded_at'),
        ],
        indices: [
          index('uq_customer_events_external', ['external_id'], true),
          index('ix_customer_events_customer', ['customer_id', 'occurred_at']),
          index('ix_customer_events_type_date', ['type', 'business_date']),
          index('ix_customer_events_program', ['program_id']),
        ],
        foreignKeys: [foreignKey('fk_customer_events_customer', ['customer_id'], 'customers', 'RESTRICT')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'job_report_rows',
        columns: [
          col.id(),
          col.ref('job_id'),
          col.int('line'),
          col.varchar('status', 16),
          col.varchar('field', 64, true),
          col.varchar('reason', 200, true),
          col.varchar('ref', 64, true),
        ],
        indices: [index('ix_job_report_rows_job', ['job_id', 'line'])],
        foreignKeys: [foreignKey('fk_job_report_rows_job', ['job_id'], 'jobs', 'RESTRICT')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['job_report_rows', 'customer_events', 'customers']) await queryRunner.dropTable(table);
  }
}
