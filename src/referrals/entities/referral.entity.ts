import { Column, Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import { BusinessDateColumn, IdColumn, InstantColumn, RefColumn, VarcharColumn } from '../../database/columns';
import { ChannelEntity } from '../../channels/entities/channel.entity';
import { CustomerEntity } from '../../customers/entities/customer.entity';
import { OrgUnitEntity } from '../../org-units/entities/org-unit.entity';
import { PartnerEntity } from '../../partners/entities/partner.entity';
import { ProgramEntity } from '../../programs/entities/program.entity';

/**
 * 推荐/线索: a prospect sent by a channel. Identity and phone are kept only as keyed hashes plus masked
 * display values; the clear values never reach this table.
 */
@Entity({ name: 'referrals' })
@Index('uq_referrals_idempotency', ['idempotencyScope', 'idempotencyKey'], { unique: true })
/** Also the index the partner's foreign key needs (migration 1764460800750). */
@Index('ix_referrals_partner', ['partnerId'])
/** The DUPLICATE check looks up (hash, partner) pairs; attribution looks up hashes alone (migration 1764460800780). */
@Index('ix_referrals_identity_partner', ['identityHash', 'partnerId'])
@Index('ix_referrals_phone_partner', ['phoneHash', 'partnerId'])
@Index('ix_referrals_program', ['programId'])
@Index('ix_referrals_channel', ['channelId'])
@Index('ix_referrals_status_expires', ['status', 'expiresOn'])
@Index('ix_referrals_submitted', ['submittedOn'])
export class ReferralEntity {
  @IdColumn() id!: string;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_referrals_partner' })
  partner?: PartnerEntity;
  @RefColumn() programId!: string;
  @ManyToOne(() => ProgramEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'program_id', foreignKeyConstraintName: 'fk_referrals_program' })
  program?: ProgramEntity;
  @RefColumn({ nullable: true }) channelId!: string | null;
  @ManyToOne(() => ChannelEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'channel_id', foreignKeyConstraintName: 'fk_referrals_channel' })
  channel?: ChannelEntity;
  /** The program's org unit at submission (denormalised for the funnel's ORG_UNIT grouping). */
  @RefColumn() orgUnitId!: string;
  @ManyToOne(() => OrgUnitEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'org_unit_id', foreignKeyConstraintName: 'fk_referrals_org_unit' })
  orgUnit?: OrgUnitEntity;
  @VarcharColumn(128) idempotencyKey!: string;
  /** The API key id or user id the key belongs to. */
  @VarcharColumn(36) idempotencyScope!: string;
  @VarcharColumn(64) payloadHash!: string;
  @VarcharColumn(32, { nullable: true }) idType!: string | null;
  @VarcharColumn(64, { nullable: true }) identityHash!: string | null;
  @VarcharColumn(64, { nullable: true }) phoneHash!: string | null;
  @VarcharColumn(200) maskedName!: string;
  @VarcharColumn(40, { nullable: true }) maskedIdNumber!: string | null;
  @VarcharColumn(20, { nullable: true }) maskedPhone!: string | null;
  @VarcharColumn(40, { nullable: true }) productCode!: string | null;
  @InstantColumn() submittedAt!: Date;
  @BusinessDateColumn() submittedOn!: string;
  @BusinessDateColumn() expiresOn!: string;
  @VarcharColumn(16) status!: string;
  @VarcharColumn(500, { nullable: true }) statusReason!: string | null;
  /** Highest funnel rank ever reached (see LADDER_RANK), maintained with the status history. */
  @Column({ type: 'integer' }) reachedRank!: number;
  @RefColumn({ nullable: true }) duplicateOfId!: string | null;
  @RefColumn({ nullable: true }) customerId!: string | null;
  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_referrals_customer' })
  customer?: CustomerEntity;
  @InstantColumn({ nullable: true }) convertedAt!: Date | null;
  @InstantColumn({ nullable: true }) qualifiedAt!: Date | null;
  @RefColumn({ nullable: true }) submittedById!: string | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}
