import { MigrationInterface, QueryRunner } from 'typeorm';
import { index } from './helpers';

/**
 * The DUPLICATE check of a referral batch looked up every referral of each prospect's identity and phone hash (a
 * prospect touched by several partners' campaigns has one per partner) and kept the same partner's: at 1 M
 * referrals of the demo bank, three quarters of the database's time in the referral import. It now joins the
 * batch's (hash, partner) pairs on (identity_hash, partner_id) and (phone_hash, partner_id), which replace the
 * single-column hash indexes (attribution's look-ups by hash alone use their first column). Referrals reach the
 * analytics roll-ups through the outbox (migration 760): nothing reads them by updated_at any more.
 */
export class ReferralPairIndexes1764460800780 implements MigrationInterface {
  name = 'ReferralPairIndexes1764460800780';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('referrals', index('ix_referrals_identity_partner', ['identity_hash', 'partner_id']));
    await queryRunner.createIndex('referrals', index('ix_referrals_phone_partner', ['phone_hash', 'partner_id']));
    await queryRunner.dropIndex('referrals', 'ix_referrals_identity');
    await queryRunner.dropIndex('referrals', 'ix_referrals_phone');
    await queryRunner.dropIndex('referrals', 'ix_referrals_updated');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('referrals', index('ix_referrals_updated', ['updated_at', 'id']));
    await queryRunner.createIndex('referrals', index('ix_referrals_identity', ['identity_hash']));
    await queryRunner.createIndex('referrals', index('ix_referrals_phone', ['phone_hash']));
    await queryRunner.dropIndex('referrals', 'ix_referrals_identity_partner');
    await queryRunner.dropIndex('referrals', 'ix_referrals_phone_partner');
  }
}
