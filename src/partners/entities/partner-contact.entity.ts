import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { IdColumn, RefColumn, VarcharColumn } from '../../database/columns';
import { PartnerEntity } from './partner.entity';

@Entity({ name: 'partner_contacts' })
@Index('ix_partner_contacts_partner', ['partnerId'])
export class PartnerContactEntity {
  @IdColumn() id!: string;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'CASCADE', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_partner_contacts_partner' })
  partner?: PartnerEntity;
  @VarcharColumn(100) name!: string;
  @VarcharColumn(100, { nullable: true }) role!: string | null;
  @VarcharColumn(32, { nullable: true }) phone!: string | null;
  @VarcharColumn(200, { nullable: true }) email!: string | null;
  @Column({ type: 'integer' }) position!: number;
}
