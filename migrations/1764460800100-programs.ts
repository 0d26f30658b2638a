import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, foreignKey, index } from './helpers';

/**
 * Issue 3: joint programs, their versioned rules, co-branded card products with BIN ranges, the
 * configurable compliance policy (seeded with the default rules) and referral channels.
 */
export class Programs1764460800100 implements MigrationInterface {
  name = 'Programs1764460800100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'programs',
        columns: [
          col.id(),
          col.ref('partner_id'),
          col.ref('agreement_id'),
          col.varchar('kind', 32),
          col.varchar('name_zh', 200),
          col.varchar('name_en', 200, true),
          col.ref('owner_id', true),
          col.ref('org_unit_id'),
          col.date('valid_from'),
          col.date('valid_to'),
          col.varchar('status', 20),
          col.json('targets'),
          col.money('budget_minor', true),
          col.currency(),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('ix_programs_partner', ['partner_id']),
          index('ix_programs_agreement', ['agreement_id']),
          index('ix_programs_org_unit', ['org_unit_id']),
          index('ix_programs_status', ['status']),
        ],
        foreignKeys: [
          foreignKey('fk_programs_partner', ['partner_id'], 'partners', 'RESTRICT'),
          foreignKey('fk_programs_agreement', ['agreement_id'], 'agreements', 'RESTRICT'),
          foreignKey('fk_programs_org_unit', ['org_unit_id'], 'org_units', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'program_rule_versions',
        columns: [
          col.id(),
          col.ref('program_id'),
          col.varchar('kind', 20),
          col.int('version'),
          col.date('effective_from'),
          col.json('body'),
          col.ref('created_by_id', true),
          col.instant('created_at'),
        ],
        indices: [index('uq_program_rule_versions_version', ['program_id', 'kind', 'version'], true)],
        foreignKeys: [foreignKey('fk_program_rule_versions_program', ['program_id'], 'programs', 'RESTRICT')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'co_branded_card_products',
        columns: [
          col.id(),
          col.ref('program_id'),
          col.varchar('product_name', 200),
          col.varchar('level', 20),
          col.money('annual_fee_minor'),
          col.currency(),
          col.json('fee_waiver', true),
          col.rate('earn_rate'),
          col.varchar('funding', 20),
          col.rate('partner_share'),
          col.json('economics'),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [index('uq_co_branded_card_products_program', ['program_id'], true)],
        foreignKeys: [foreignKey('fk_co_branded_card_products_program', ['program_id'], 'programs', 'RESTRICT')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'card_bin_ranges',
        columns: [col.id(), col.ref('product_id'), col.ref('program_id'), col.varchar('prefix', 8)],
        indices: [
          index('uq_card_bin_ranges_prefix', ['prefix'], true),
          index('ix_card_bin_ranges_product', ['product_id']),
          index('ix_card_bin_ranges_program', ['program_id']),
        ],
        foreignKeys: [
          foreignKey('fk_card_bin_ranges_product', ['product_id'], 'co_branded_card_products', 'RESTRICT'),
          foreignKey('fk_card_bin_ranges_program', ['program_id'], 'programs', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'compliance_policy_rules',
        columns: [
          col.id(),
          col.varchar('code', 64),
          col.varchar('category', 40),
          col.varchar('partner_kind', 40, true),
          col.varchar('reason', 500),
          col.instant('created_at'),
        ],
        indices: [
          index('uq_compliance_policy_rules_code', ['code'], true),
          index('ix_compliance_policy_rules_category', ['category']),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'channels',
        columns: [
          col.id(),
          col.ref('program_id'),
          col.ref('partner_id'),
          col.varchar('type', 24),
          col.varchar('name', 200),
          col.ref('owner_id', true),
          col.varchar('status', 20),
          col.varchar('tracking_code', 10),
          col.varchar('landing_url', 1000),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('uq_channels_tracking_code', ['tracking_code'], true),
          index('ix_channels_program', ['program_id']),
          index('ix_channels_partner', ['partner_id']),
        ],
        foreignKeys: [
          foreignKey('fk_channels_program', ['program_id'], 'programs', 'RESTRICT'),
          foreignKey('fk_channels_partner', ['partner_id'], 'partners', 'RESTRICT'),
        ],
      }),
    );
    // Default policy: the 2022 CBIRC/PBoC notice on credit-card business (银保监规〔2022〕13号) forbids sharing
    // credit-card interest and instalment-fee income with co-brand partners. Ids are fixed so re-runs agree.
    const seededAt = '2026-11-30 00:00:00.000';
    for (const [id, code, category, reason] of DEFAULT_POLICY_RULES) {
      await queryRunner.query(
        'INSERT INTO compliance_policy_rules (id, code, category, partner_kind, reason, created_at) VALUES (?, ?, ?, NULL, ?, ?)',
        [id, code, category, reason, seededAt],
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'channels',
      'compliance_policy_rules',
      'card_bin_ranges',
      'co_branded_card_products',
      'program_rule_versions',
      'programs',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}

const DEFAULT_POLICY_RULES: readonly [string, string, string, string][] = [
  [
    '019ad2a0-0000-7000-8000-000000000001',
    'CBIRC_PBOC_2022_NO_INTEREST_INCOME_SHARE',
    'INTEREST_INCOME_SHARE',
    '2022 CBIRC/PBoC notice on regulating credit-card business (银保监规〔2022〕13号): a co-brand partner may not share in credit-card interest income',
  ],
  [
    '019ad2a0-0000-7000-8000-000000000002',
    'CBIRC_PBOC_2022_NO_INSTALMENT_FEE_SHARE',
    'INSTALMENT_FEE_SHARE',
    '2022 CBIRC/PBoC notice on regulating credit-card business (银保监规〔2022〕13号): a co-brand partner may not share in instalment-fee income',
  ],
];
