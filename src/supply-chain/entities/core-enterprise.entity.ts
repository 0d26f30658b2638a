import { Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import { IdColumn, InstantColumn, RefColumn } from '../../database/columns';
import { OrgUnitEntity } from '../../org-units/entities/org-unit.entity';
import { PartnerEntity } from '../../partners/entities/partner.entity';
import { ProgramEntity } from '../../programs/entities/program.entity';
import { SupplyChainCompanyEntity } from './supply-chain-company.entity';

/**
 * 核心企业: the root of one chain. partnerId ties it to a partner of kind CORE_ENTERPRISE (scoping as for
 * partners); programId is its SUPPLY_CHAIN program, credited when a member is onboarded.
 */
@Entity({ name: 'sc_cores' })
@Index('uq_sc_cores_company', ['companyId'], { unique: true })
@Index('ix_sc_cores_partner', ['partnerId'])
@Index('ix_sc_cores_org_unit', ['orgUnitId'])
export class CoreEnterpriseEntity {
  @IdColumn() id!: string;
  @RefColumn() companyId!: string;
  @ManyToOne(() => SupplyChainCompanyEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'company_id', foreignKeyConstraintName: 'fk_sc_cores_company' })
  company?: SupplyChainCompanyEntity;
  @RefColumn({ nullable: true }) partnerId!: string | null;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_sc_cores_partner' })
  partner?: PartnerEntity;
  @RefColumn({ nullable: true }) programId!: string | null;
  @ManyToOne(() => ProgramEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'program_id', foreignKeyConstraintName: 'fk_sc_cores_program' })
  program?: ProgramEntity;
  @RefColumn() orgUnitId!: string;
  @ManyToOne(() => OrgUnitEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'org_unit_id', foreignKeyConstraintName: 'fk_sc_cores_org_unit' })
  orgUnit?: OrgUnitEntity;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
}
