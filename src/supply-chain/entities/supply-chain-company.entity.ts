import { Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import { IdColumn, InstantColumn, RefColumn, VarcharColumn } from '../../database/columns';
import { CustomerEntity } from '../../customers/entities/customer.entity';

/**
 * A company that sits in one or more chains: identified by its unified social credit code, or by an
 * external id when it has none (a foreign company). customerId is set once it banks with us.
 */
@Entity({ name: 'sc_companies' })
@Index('uq_sc_companies_uscc', ['uscc'], { unique: true })
@Index('uq_sc_companies_external', ['externalId'], { unique: true })
@Index('ix_sc_companies_customer', ['customerId'])
export class SupplyChainCompanyEntity {
  @IdColumn() id!: string;
  @VarcharColumn(18, { nullable: true }) uscc!: string | null;
  @VarcharColumn(128, { nullable: true }) externalId!: string | null;
  @VarcharColumn(200) name!: string;
  @RefColumn({ nullable: true }) customerId!: string | null;
  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_sc_companies_customer' })
  customer?: CustomerEntity;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}
