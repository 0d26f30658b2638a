import { Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import {
  BusinessDateColumn,
  IdColumn,
  InstantColumn,
  JsonColumn,
  RefColumn,
  VarcharColumn,
} from '../../database/columns';
import { CoreEnterpriseEntity } from './core-enterprise.entity';
import { SupplyChainCompanyEntity } from './supply-chain-company.entity';

export interface ProspectNote {
  at: string;
  by: string;
  stage: string;
  text: string;
}

/** A chain member that does not bank with us, worked through the pipeline by a manager. */
@Entity({ name: 'sc_prospects' })
@Index('uq_sc_prospects_member', ['coreId', 'companyId'], { unique: true })
@Index('ix_sc_prospects_company', ['companyId'])
export class ProspectEntity {
  @IdColumn() id!: string;
  @RefColumn() coreId!: string;
  @ManyToOne(() => CoreEnterpriseEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'core_id', foreignKeyConstraintName: 'fk_sc_prospects_core' })
  core?: CoreEnterpriseEntity;
  @RefColumn() companyId!: string;
  @ManyToOne(() => SupplyChainCompanyEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'company_id', foreignKeyConstraintName: 'fk_sc_prospects_company' })
  company?: SupplyChainCompanyEntity;
  @VarcharColumn(16) stage!: string;
  @RefColumn({ nullable: true }) managerId!: string | null;
  @BusinessDateColumn({ nullable: true }) nextActionOn!: string | null;
  @JsonColumn() notes!: ProspectNote[];
  @RefColumn({ nullable: true }) customerId!: string | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}
