import { Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import {
  BusinessDateColumn,
  CurrencyColumn,
  IdColumn,
  InstantColumn,
  JsonColumn,
  MoneyColumn,
  RefColumn,
  VarcharColumn,
} from '../../database/columns';
import { OrgUnitEntity } from '../../org-units/entities/org-unit.entity';
import { AgreementEntity } from '../../partners/entities/agreement.entity';
import { PartnerEntity } from '../../partners/entities/partner.entity';

/** Targets for one period (YYYY-MM); money in minor units as strings so JSON never carries a float. */
export interface ProgramTargetRecord {
  period: string;
  newCustomers: number | null;
  activations: number | null;
  spendMinor: string | null;
  aumMinor: string | null;
}

@Entity({ name: 'programs' })
@Index('ix_programs_partner', ['partnerId'])
@Index('ix_programs_agreement', ['agreementId'])
@Index('ix_programs_org_unit', ['orgUnitId'])
@Index('ix_programs_status', ['status'])
export class ProgramEntity {
  @IdColumn() id!: string;
  /** Denormalised from the agreement so every query can be scoped like partners. */
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_programs_partner' })
  partner?: PartnerEntity;
  @RefColumn() agreementId!: string;
  @ManyToOne(() => AgreementEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'agreement_id', foreignKeyConstraintName: 'fk_programs_agreement' })
  agreement?: AgreementEntity;
  @VarcharColumn(32) kind!: string;
  @VarcharColumn(200) nameZh!: string;
  @VarcharColumn(200, { nullable: true }) nameEn!: string | null;
  @RefColumn({ nullable: true }) ownerId!: string | null;
  @RefColumn() orgUnitId!: string;
  @ManyToOne(() => OrgUnitEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'org_unit_id', foreignKeyConstraintName: 'fk_programs_org_unit' })
  orgUnit?: OrgUnitEntity;
  @BusinessDateColumn() validFrom!: string;
  @BusinessDateColumn() validTo!: string;
  @VarcharColumn(20) status!: string;
  @JsonColumn() targets!: ProgramTargetRecord[];
  @MoneyColumn({ nullable: true }) budgetMinor!: bigint | null;
  @CurrencyColumn() currency!: string;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}
