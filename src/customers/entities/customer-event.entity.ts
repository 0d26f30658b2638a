import { Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import {
  BusinessDateColumn,
  IdColumn,
  InstantColumn,
  MoneyColumn,
  RefColumn,
  VarcharColumn,
} from '../../database/columns';
import { CustomerEntity } from './customer.entity';

/** 客户事件: one fact reported by the bank's systems; immutable once recorded, unique by its external id. */
@Entity({ name: 'customer_events' })
@Index('uq_customer_events_external', ['externalId'], { unique: true })
@Index('ix_customer_events_customer', ['customerId', 'occurredAt'])
@Index('ix_customer_events_type_date', ['type', 'businessDate'])
@Index('ix_customer_events_program', ['programId'])
export class CustomerEventEntity {
  @IdColumn() id!: string;
  @VarcharColumn(64) externalId!: string;
  @RefColumn() customerId!: string;
  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_customer_events_customer' })
  customer?: CustomerEntity;
  @VarcharColumn(32) type!: string;
  @InstantColumn() occurredAt!: Date;
  @BusinessDateColumn() businessDate!: string;
  @VarcharColumn(40, { nullable: true }) productCode!: string | null;
  @RefColumn({ nullable: true }) programId!: string | null;
  @VarcharColumn(64, { nullable: true }) cardRef!: string | null;
  @VarcharColumn(8, { nullable: true }) merchantCategory!: string | null;
  @VarcharColumn(18, { nullable: true }) counterpartyUscc!: string | null;
  @VarcharColumn(200, { nullable: true }) counterpartyName!: string | null;
  @VarcharColumn(18, { nullable: true }) employerUscc!: string | null;
  @MoneyColumn({ nullable: true }) amount!: bigint | null;
  @VarcharColumn(3, { nullable: true }) currency!: string | null;
  @InstantColumn() recordedAt!: Date;
}
