import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, foreignKey, index } from './helpers';

/** Attribution decisions (归因) and every touch that competed for them. */
export class Attribution1764460800450 implements MigrationInterface {
  name = 'Attribution1764460800450';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'attributions',
        columns: [
          col.id(),
          col.ref('customer_id'),
          col.varchar('product_key', 64),
          col.instant('converted_at'),
          col.date('converted_on'),
          col.varchar('conversion_event_id', 64),
          col.json('rule_snapshot'),
          col.text('reason'),
          col.instant('decided_at'),
          col.varchar('inputs_hash', 64),
          col.bool('overridden'),
          col.ref('overridden_by_id', true),
          col.varchar('override_reason', 500, true),
          col.instant('overridden_at', true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('uq_attributions_customer_product', ['customer_id', 'product_key'], true),
          index('ix_attributions_converted', ['converted_on']),
        ],
        foreignKeys: [foreignKey('fk_attributions_customer', ['customer_id'], 'customers', 'RESTRICT')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'attribution_touches',
        columns: [
          col.id(),
          col.ref('attribution_id'),
          col.ref('customer_id'),
          col.varchar('product_key', 64),
          col.date('converted_on'),
          col.varchar('source', 20),
          col.varchar('source_ref', 64),
          col.ref('partner_id'),
          col.ref('program_id'),
          col.ref('channel_id', true),
          col.ref('referral_id', true),
          col.instant('touched_at'),
          col.date('touched_on'),
          col.int('rank', true),
          col.int('rule_version', true),
          col.varchar('outcome', 20),
          col.rate('share', true),
          col.varchar('qualification_status', 16, true),
          col.instant('qualified_at', true),
          col.date('qualified_on', true),
          col.json('qualifying_events', true),
        ],
        indices: [
          index('ix_attribution_touches_attribution', ['attribution_id']),
          index('ix_attribution_touches_partner', ['partner_id', 'outcome', 'customer_id']),
          index('ix_attribution_touches_program', ['program_id', 'outcome', 'customer_id']),
          index('ix_attribution_touches_customer', ['customer_id']),
          index('ix_attribution_touches_referral', ['referral_id']),
        ],
        foreignKeys: [
          foreignKey('fk_attribution_touches_attribution', ['attribution_id'], 'attributions', 'RESTRICT'),
          foreignKey('fk_attribution_touches_partner', ['partner_id'], 'partners', 'RESTRICT'),
          foreignKey('fk_attribution_touches_program', ['program_id'], 'programs', 'RESTRICT'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['attribution_touches', 'attributions']) await queryRunner.dropTable(table);
  }
}
