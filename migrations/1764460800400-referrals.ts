import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, foreignKey, index } from './helpers';

/** Referrals with their status history, and co-branded cards. */
export class Referrals1764460800400 implements MigrationInterface {
  name = 'Referrals1764460800400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'referrals',
        columns: [
          col.id(),
          col.ref('partner_id'),
          col.ref('program_id'),
          col.ref('channel_id', true),
          col.ref('org_unit_id'),
          col.varchar('idempotency_key', 128),
          col.varchar('idempotency_scope', 36),
          col.varchar('payload_hash', 64),
          col.varchar('id_type', 32, true),
          col.varchar('identity_hash', 64, true),
          col.varchar('phone_hash', 64, true),
          col.varchar('masked_name', 200),
          col.varchar('masked_id_number', 40, true),
          col.varchar('masked_phone', 20, true),
          col.varchar('product_code', 40, true),
          col.instant('submitted_at'),
          col.date('submitted_on'),
          col.date('expires_on'),
          col.varchar('status', 16),
          col.varchar('status_reason', 500, true),
          col.int('reached_rank'),
          col.ref('duplicate_of_id', true),
          col.ref('customer_id', true),
          col.instant('converted_at', true),
          col.instant('qualified_at', true),
          col.ref('submitted_by_id', true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('uq_referrals_idempotency', ['idempotency_scope', 'idempotency_key'], true),
          index('ix_referrals_partner_identity', ['partner_id', 'identity_hash']),
          index('ix_referrals_partner_phone', ['partner_id', 'phone_hash']),
          index('ix_referrals_identity', ['identity_hash']),
          index('ix_referrals_phone', ['phone_hash']),
          index('ix_referrals_program', ['program_id']),
          index('ix_referrals_channel', ['channel_id']),
          index('ix_referrals_status_expires', ['status', 'expires_on']),
          index('ix_referrals_submitted', ['submitted_on']),
        ],
        foreignKeys: [
          foreignKey('fk_referrals_partner', ['partner_id'], 'partners', 'RESTRICT'),
          foreignKey('fk_referrals_program', ['program_id'], 'programs', 'RESTRICT'),
          foreignKey('fk_referrals_channel', ['channel_id'], 'channels', 'RESTRICT'),
          foreignKey('fk_referrals_org_unit', ['org_unit_id'], 'org_units', 'RESTRICT'),
          foreignKey('fk_referrals_customer', ['customer_id'], 'customers', 'RESTRICT'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'referral_status_changes',
        columns: [
          col.id(),
          col.ref('referral_id'),
          col.varchar('from_status', 16, true),
          col.varchar('to_status', 16),
          col.varchar('reason', 500, true),
          col.ref('actor_id', true),
          col.instant('changed_at'),
        ],
        indices: [index('ix_referral_status_changes_referral', ['referral_id', 'changed_at'])],
        foreignKeys: [foreignKey('fk_referral_status_changes_referral', ['referral_id'], 'referrals', 'RESTRICT')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'cards',
        columns: [
          col.id(),
          col.ref('customer_id'),
          col.ref('program_id'),
          col.ref('product_id'),
          col.ref('partner_id'),
          col.varchar('masked_pan', 19, true),
          col.varchar('bin', 8, true),
          col.varchar('status', 16),
          col.instant('applied_at', true),
          col.instant('decided_at', true),
          col.instant('activated_at', true),
          col.instant('last_spend_at', true),
          col.date('last_activity_on', true),
          col.date('dormant_since', true),
          col.instant('closed_at', true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('uq_cards_customer_product', ['customer_id', 'product_id'], true),
          index('ix_cards_program', ['program_id']),
          index('ix_cards_partner', ['partner_id']),
          index('ix_cards_status_activity', ['status', 'last_activity_on']),
        ],
        foreignKeys: [
          foreignKey('fk_cards_customer', ['customer_id'], 'customers', 'RESTRICT'),
          foreignKey('fk_cards_program', ['program_id'], 'programs', 'RESTRICT'),
          foreignKey('fk_cards_product', ['product_id'], 'co_branded_card_products', 'RESTRICT'),
          foreignKey('fk_cards_partner', ['partner_id'], 'partners', 'RESTRICT'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('cards');
    await queryRunner.dropTable('referral_status_changes');
    await queryRunner.dropTable('referrals');
  }
}
