import { Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import {
  BusinessDateColumn,
  IdColumn,
  InstantColumn,
  JsonColumn,
  RefColumn,
  VarcharColumn,
} from '../../database/columns';
import { PartnerEntity } from './partner.entity';

export interface AgreementDocumentRef {
  name: string;
  uri: string;
  sha256?: string | null;
}

@Entity({ name: 'agreements' })
@Index('uq_agreements_code', ['code'], { unique: true })
@Index('ix_agreements_partner', ['partnerId'])
export class AgreementEntity {
  @IdColumn() id!: string;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_agreements_partner' })
  partner?: PartnerEntity;
  @VarcharColumn(40) code!: string;
  @VarcharColumn(200) title!: string;
  @JsonColumn() cooperationModes!: string[];
  @BusinessDateColumn({ nullable: true }) signedOn!: string | null;
  @BusinessDateColumn() validFrom!: string;
  @BusinessDateColumn() validTo!: string;
  @VarcharColumn(20) status!: string;
  @JsonColumn() documents!: AgreementDocumentRef[];
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}
