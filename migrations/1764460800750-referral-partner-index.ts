import { MigrationInterface, QueryRunner } from 'typeorm';
import { index } from './helpers';

/**
 * One narrow index on referrals.partner_id instead of (partner_id, identity_hash) and (partner_id, phone_hash):
 * look-ups by identity or phone hash are selective on their own indexes, while the composites cost every insert two
 * wide index entries and made the planner weigh every partner × hash pair of a batch's look-up. The partner's
 * foreign key needs an index that starts with partner_id, so it is created before the composites go.
 */
export class ReferralPartnerIndex1764460800750 implements MigrationInterface {
  name = 'ReferralPartnerIndex1764460800750';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('referrals', index('ix_referrals_partner', ['partner_id']));
    await queryRunner.dropIndex('referrals', 'ix_referrals_partner_identity');
    await queryRunner.dropIndex('referrals', 'ix_referrals_partner_phone');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('referrals', index('ix_referrals_partner_identity', ['partner_id', 'identity_hash']));
    await queryRunner.createIndex('referrals', index('ix_referrals_partner_phone', ['partner_id', 'phone_hash']));
    await queryRunner.dropIndex('referrals', 'ix_referrals_partner');
  }
}
