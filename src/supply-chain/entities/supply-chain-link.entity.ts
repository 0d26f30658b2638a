import { Column, Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import {
  BusinessDateColumn,
  CurrencyColumn,
  IdColumn,
  InstantColumn,
  MoneyColumn,
  RefColumn,
  VarcharColumn,
} from '../../database/columns';
import { CoreEnterpriseEntity } from './core-enterprise.entity';
import { SupplyChainCompanyEntity } from './supply-chain-company.entity';

/**
 * 产业链关系: parent → member inside one core enterprise's chain. The parent is the core's company for
 * tier 1; a tier-n member's own supplier or distributor is tier n+1 with that member as parent.
 */
@Entity({ name: 'sc_links' })
@Index('ix_sc_links_core_tier', ['coreId', 'status', 'tier'])
@Index('ix_sc_links_member', ['memberCompanyId'])
@Index('ix_sc_links_parent', ['parentCompanyId'])
export class SupplyChainLinkEntity {
  @IdColumn() id!: string;
  @RefColumn() coreId!: string;
  @ManyToOne(() => CoreEnterpriseEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'core_id', foreignKeyConstraintName: 'fk_sc_links_core' })
  core?: CoreEnterpriseEntity;
  @RefColumn() parentCompanyId!: string;
  @ManyToOne(() => SupplyChainCompanyEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'parent_company_id', foreignKeyConstraintName: 'fk_sc_links_parent' })
  parentCompany?: SupplyChainCompanyEntity;
  @RefColumn() memberCompanyId!: string;
  @ManyToOne(() => SupplyChainCompanyEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'member_company_id', foreignKeyConstraintName: 'fk_sc_links_member' })
  memberCompany?: SupplyChainCompanyEntity;
  @VarcharColumn(12) direction!: string;
  @Column({ type: 'integer' }) tier!: number;
  @MoneyColumn({ nullable: true }) annualVolume!: bigint | null;
  @CurrencyColumn() currency!: string;
  @BusinessDateColumn({ nullable: true }) since!: string | null;
  @VarcharColumn(12) source!: string;
  @VarcharColumn(12) status!: string;
  @BusinessDateColumn({ nullable: true }) endedOn!: string | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}
