import { Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BusinessDateColumn, IdColumn, RefColumn, VarcharColumn } from '../../database/columns';
import { PartnerEntity } from './partner.entity';

/** Licences and qualifications (e.g. a fund-sales licence); expired ones are flagged when read. */
@Entity({ name: 'partner_qualifications' })
@Index('ix_partner_qualifications_partner', ['partnerId'])
export class PartnerQualificationEntity {
  @IdColumn() id!: string;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'CASCADE', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_partner_qualifications_partner' })
  partner?: PartnerEntity;
  @VarcharColumn(64) type!: string;
  @VarcharColumn(64) number!: string;
  @BusinessDateColumn({ nullable: true }) expiresOn!: string | null;
}
