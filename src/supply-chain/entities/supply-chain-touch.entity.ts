import { Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { IdColumn, InstantColumn, RefColumn, VarcharColumn } from '../../database/columns';
import { CustomerEntity } from '../../customers/entities/customer.entity';
import { ProgramEntity } from '../../programs/entities/program.entity';
import { CoreEnterpriseEntity } from './core-enterprise.entity';
import { SupplyChainCompanyEntity } from './supply-chain-company.entity';

/**
 * An attribution touch: the chain brought this customer in (a prospect onboarded). The attribution
 * engine reads these through SupplyChainService.touchesForCustomers and credits the program under its rule.
 */
@Entity({ name: 'sc_touches' })
@Index('ix_sc_touches_customer', ['customerId'])
@Index('ix_sc_touches_core', ['coreId'])
export class SupplyChainTouchEntity {
  @IdColumn() id!: string;
  @RefColumn() customerId!: string;
  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_sc_touches_customer' })
  customer?: CustomerEntity;
  @RefColumn({ nullable: true }) programId!: string | null;
  @ManyToOne(() => ProgramEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'program_id', foreignKeyConstraintName: 'fk_sc_touches_program' })
  program?: ProgramEntity;
  @RefColumn() coreId!: string;
  @ManyToOne(() => CoreEnterpriseEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'core_id', foreignKeyConstraintName: 'fk_sc_touches_core' })
  core?: CoreEnterpriseEntity;
  @RefColumn() coreCompanyId!: string;
  @ManyToOne(() => SupplyChainCompanyEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'core_company_id', foreignKeyConstraintName: 'fk_sc_touches_core_company' })
  coreCompany?: SupplyChainCompanyEntity;
  @RefColumn() memberCompanyId!: string;
  @InstantColumn() touchedAt!: Date;
  @VarcharColumn(16) source!: string;
}
