import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, foreignKey, index } from './helpers';

/** Supply chains of core enterprises: companies, cores, links, derived candidates, prospects, attribution touches. */
export class SupplyChain1764460800500 implements MigrationInterface {
  name = 'SupplyChain1764460800500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'sc_companies',
        columns: [
          col.id(),
          col.varchar('uscc', 18, true),
          col.varchar('external_id', 128, true),
          col.varchar('name', 200),
          col.ref('customer_id', true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('uq_sc_companies_uscc', ['uscc'], true),
          index('uq_sc_companies_external', ['external_id'], true),
          index('ix_sc_companies_customer', ['customer_id']),
        ],
        foreignKeys: [foreignKey('fk_sc_companies_customer', ['customer_id'], 'customers', 'RESTRICT')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sc_cores',
        columns: [
          col.id(),
          col.ref('company_id'),
          col.ref('partner_id', true),
          col.ref('program_id', true),
          col.ref('org_unit_id'),
          col.version(),
          col.instant('created_at'),
        ],
        indices: [
          index('uq_sc_cores_company', ['company_id'], true),
          index('ix_sc_cores_partner', ['partner_id']),
          index('ix_sc_cores_org_unit', ['org_unit_id']),
        ],
        foreignKeys: [
          foreignKey('fk_sc_cores_company', ['company_id'], 'sc_companies', 'RESTRICT'),
          foreignKey('fk_sc_cores_partner', ['partner_id'], 'partners', 'RESTRICT'),
          foreignKey('fk_sc_cores_program', ['program_id'], 'programs', 'RESTRICT'),
          foreignKey('fk_sc_cores_org_unit', ['org_unit_id'], 'org_units', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sc_links',
        columns: [
          col.id(),
          col.ref('core_id'),
          col.ref('parent_company_id'),
          col.ref('member_company_id'),
          col.varchar('direction', 12),
          col.int('tier'),
          col.money('annual_volume', true),
          col.currency(),
          col.date('since', true),
          col.varchar('source', 12),
          col.varchar('status', 12),
          col.date('ended_on', true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('ix_sc_links_core_tier', ['core_id', 'status', 'tier']),
          index('ix_sc_links_member', ['member_company_id']),
          index('ix_sc_links_parent', ['parent_company_id']),
        ],
        foreignKeys: [
          foreignKey('fk_sc_links_core', ['core_id'], 'sc_cores', 'RESTRICT'),
          foreignKey('fk_sc_links_parent', ['parent_company_id'], 'sc_companies', 'RESTRICT'),
          foreignKey('fk_sc_links_member', ['member_company_id'], 'sc_companies', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sc_derived_links',
        columns: [
          col.id(),
          col.ref('core_id'),
          col.ref('parent_company_id'),
          col.varchar('direction', 12),
          col.varchar('counterparty_uscc', 18),
          col.varchar('counterparty_name', 200, true),
          col.int('payment_count'),
          col.money('volume'),
          col.currency(),
          col.varchar('status', 12),
          col.ref('link_id', true),
          col.instant('proposed_at'),
          col.instant('decided_at', true),
          col.ref('decided_by', true),
        ],
        indices: [
          index('uq_sc_derived_edge', ['core_id', 'direction', 'parent_company_id', 'counterparty_uscc'], true),
          index('ix_sc_derived_core_status', ['core_id', 'status']),
        ],
        foreignKeys: [
          foreignKey('fk_sc_derived_core', ['core_id'], 'sc_cores', 'RESTRICT'),
          foreignKey('fk_sc_derived_parent', ['parent_company_id'], 'sc_companies', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sc_prospects',
        columns: [
          col.id(),
          col.ref('core_id'),
          col.ref('company_id'),
          col.varchar('stage', 16),
          col.ref('manager_id', true),
          col.date('next_action_on', true),
          col.json('notes'),
          col.ref('customer_id', true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('uq_sc_prospects_member', ['core_id', 'company_id'], true),
          index('ix_sc_prospects_company', ['company_id']),
        ],
        foreignKeys: [
          foreignKey('fk_sc_prospects_core', ['core_id'], 'sc_cores', 'RESTRICT'),
          foreignKey('fk_sc_prospects_company', ['company_id'], 'sc_companies', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sc_touches',
        columns: [
          col.id(),
          col.ref('customer_id'),
          col.ref('program_id', true),
          col.ref('core_id'),
          col.ref('core_company_id'),
          col.ref('member_company_id'),
          col.instant('touched_at'),
          col.varchar('source', 16),
        ],
        indices: [index('ix_sc_touches_customer', ['customer_id']), index('ix_sc_touches_core', ['core_id'])],
        foreignKeys: [
          foreignKey('fk_sc_touches_customer', ['customer_id'], 'customers', 'RESTRICT'),
          foreignKey('fk_sc_touches_program', ['program_id'], 'programs', 'RESTRICT'),
          foreignKey('fk_sc_touches_core', ['core_id'], 'sc_cores', 'RESTRICT'),
          foreignKey('fk_sc_touches_core_company', ['core_company_id'], 'sc_companies', 'RESTRICT'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['sc_touches', 'sc_prospects', 'sc_derived_links', 'sc_links', 'sc_cores', 'sc_companies'])
      await queryRunner.dropTable(table);
  }
}
