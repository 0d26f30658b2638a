import { Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import { IdColumn, InstantColumn, RefColumn, VarcharColumn } from '../../database/columns';
import { PartnerEntity } from '../../partners/entities/partner.entity';
import { ProgramEntity } from '../../programs/entities/program.entity';

/** 推荐渠道: a trackable source of referrals inside a program. */
@Entity({ name: 'channels' })
@Index('uq_channels_tracking_code', ['trackingCode'], { unique: true })
@Index('ix_channels_program', ['programId'])
@Index('ix_channels_partner', ['partnerId'])
export class ChannelEntity {
  @IdColumn() id!: string;
  @RefColumn() programId!: string;
  @ManyToOne(() => ProgramEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'program_id', foreignKeyConstraintName: 'fk_channels_program' })
  program?: ProgramEntity;
  /** Denormalised from the program so channel queries are scoped like partners. */
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_channels_partner' })
  partner?: PartnerEntity;
  @VarcharColumn(24) type!: string;
  @VarcharColumn(200) name!: string;
  @RefColumn({ nullable: true }) ownerId!: string | null;
  @VarcharColumn(20) status!: string;
  @VarcharColumn(10) trackingCode!: string;
  @VarcharColumn(1000) landingUrl!: string;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}
