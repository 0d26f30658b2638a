import { Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { IdColumn, InstantColumn, RefColumn, VarcharColumn } from '../../database/columns';
import { ReferralEntity } from './referral.entity';

/** Every status a referral moved through; actorId null = an engine (attribution, qualification, expiry). */
@Entity({ name: 'referral_status_changes' })
@Index('ix_referral_status_changes_referral', ['referralId', 'changedAt'])
export class ReferralStatusChangeEntity {
  @IdColumn() id!: string;
  @RefColumn() referralId!: string;
  @ManyToOne(() => ReferralEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'referral_id', foreignKeyConstraintName: 'fk_referral_status_changes_referral' })
  referral?: ReferralEntity;
  @VarcharColumn(16, { nullable: true }) fromStatus!: string | null;
  @VarcharColumn(16) toStatus!: string;
  @VarcharColumn(500, { nullable: true }) reason!: string | null;
  @RefColumn({ nullable: true }) actorId!: string | null;
  @InstantColumn() changedAt!: Date;
}
