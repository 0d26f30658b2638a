import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CurrencyColumn, IdColumn, InstantColumn, MoneyColumn, RefColumn, VarcharColumn } from '../../database/columns';
import { CoreEnterpriseEntity } from './core-enterprise.entity';
import { SupplyChainCompanyEntity } from './supply-chain-company.entity';

/**
 * A link proposed from payments (parent paid or was paid by counterparty often and much enough).
 * Unique per (core, direction, parent, counterparty): a dismissed candidate is never proposed again.
 */
@Entity({ name: 'sc_derived_links' })
@Index('uq_sc_derived_edge', ['coreId', 'direction', 'parentCompanyId', 'counterpartyUscc'], { unique: true })
@Index('ix_sc_derived_core_status', ['coreId', 'status'])
export class DerivedLinkEntity {
  @IdColumn() id!: string;
  @RefColumn() coreId!: string;
  @ManyToOne(() => CoreEnterpriseEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'core_id', foreignKeyConstraintName: 'fk_sc_derived_core' })
  core?: CoreEnterpriseEntity;
  @RefColumn() parentCompanyId!: string;
  @ManyToOne(() => SupplyChainCompanyEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'parent_company_id', foreignKeyConstraintName: 'fk_sc_derived_parent' })
  parentCompany?: SupplyChainCompanyEntity;
  @VarcharColumn(12) direction!: string;
  @VarcharColumn(18) counterpartyUscc!: string;
  @VarcharColumn(200, { nullable: true }) counterpartyName!: string | null;
  @Column({ type: 'integer' }) paymentCount!: number;
  @MoneyColumn() volume!: bigint;
  @CurrencyColumn() currency!: string;
  @VarcharColumn(12) status!: string;
  @RefColumn({ nullable: true }) linkId!: string | null;
  @InstantColumn() proposedAt!: Date;
  @InstantColumn({ nullable: true }) decidedAt!: Date | null;
  @RefColumn({ nullable: true }) decidedBy!: string | null;
}
