import { Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import { BusinessDateColumn, IdColumn, InstantColumn, RefColumn, VarcharColumn } from '../../database/columns';
import { OrgUnitEntity } from '../../org-units/entities/org-unit.entity';

/**
 * 客户: identity numbers and phones are kept only as keyed hashes plus masked display values;
 * the clear values never reach this table.
 */
@Entity({ name: 'customers' })
@Index('uq_customers_number', ['customerNumber'], { unique: true })
@Index('uq_customers_identity', ['identityHash'], { unique: true })
@Index('uq_customers_uscc', ['uscc'], { unique: true })
@Index('ix_customers_phone', ['phoneHash'])
@Index('ix_customers_org_unit', ['orgUnitId'])
@Index('ix_customers_onboarded', ['onboardedOn'])
export class CustomerEntity {
  @IdColumn() id!: string;
  @VarcharColumn(40) customerNumber!: string;
  @VarcharColumn(16) type!: string;
  @VarcharColumn(200) name!: string;
  @VarcharColumn(32, { nullable: true }) idType!: string | null;
  @VarcharColumn(64, { nullable: true }) identityHash!: string | null;
  @VarcharColumn(40, { nullable: true }) idNumberMasked!: string | null;
  @VarcharColumn(64, { nullable: true }) phoneHash!: string | null;
  @VarcharColumn(20, { nullable: true }) phoneMasked!: string | null;
  @VarcharColumn(18, { nullable: true }) uscc!: string | null;
  @VarcharColumn(100, { nullable: true }) industry!: string | null;
  @VarcharColumn(10, { nullable: true }) size!: string | null;
  @RefColumn() orgUnitId!: string;
  @ManyToOne(() => OrgUnitEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'org_unit_id', foreignKeyConstraintName: 'fk_customers_org_unit' })
  orgUnit?: OrgUnitEntity;
  @BusinessDateColumn() onboardedOn!: string;
  @VarcharColumn(16) status!: string;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}
