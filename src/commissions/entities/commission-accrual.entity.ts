import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import {
  BoolColumn,
  BusinessDateColumn,
  CurrencyColumn,
  IdColumn,
  InstantColumn,
  JsonColumn,
  MoneyColumn,
  RefColumn,
  VarcharColumn,
} from '../../database/columns';
import { CustomerEntity } from '../../customers/entities/customer.entity';
import { PartnerEntity } from '../../partners/entities/partner.entity';
import { ProgramEntity } from '../../programs/entities/program.entity';
import { CommissionPeriodEntity, CommissionRunEntity } from './commission-period.entity';
import { CommissionPlanEntity } from './commission-plan.entity';

/**
 * 计提: one row of the append-only ledger. Rows are only ever INSERTed (never updated or deleted);
 * HELD / PAYABLE / REVERSED is derived when read (see accrual-status.ts).
 */
@Entity({ name: 'commission_accruals' })
@Index('uq_commission_accruals_ledger_key', ['ledgerKey'], { unique: true })
@Index('ix_commission_accruals_idem', ['idempotencyKey', 'revision'])
@Index('ix_commission_accruals_accrual_key', ['accrualKey', 'kind'])
@Index('ix_commission_accruals_plan_period', ['planId', 'factPeriodKey'])
@Index('ix_commission_accruals_partner', ['partnerId', 'periodId'])
@Index('ix_commission_accruals_period', ['periodId'])
@Index('ix_commission_accruals_program', ['programId'])
@Index('ix_commission_accruals_customer', ['customerId'])
@Index('ix_commission_accruals_run', ['runId'])
/** The analytics catch-up reads the ledger past its high-water mark (migration 1764460800700). */
@Index('ix_commission_accruals_created', ['createdAt', 'id'])
export class CommissionAccrualEntity {
  @IdColumn() id!: string;
  /** `${idempotencyKey}#${revision}` (+ '~R' for a reversal): unique, so no line can be posted twice. */
  @VarcharColumn(255) ledgerKey!: string;
  @VarcharColumn(240) idempotencyKey!: string;
  /** The ACCRUAL line this row belongs to (own key for accruals, the clawed-back line's key for clawbacks). */
  @VarcharColumn(240) accrualKey!: string;
  @Column({ type: 'integer' }) revision!: number;
  @BoolColumn() reversal!: boolean;
  @VarcharColumn(16) kind!: string;
  /** Null for ADJUSTMENT rows (settlement adjustments belong to no plan, so commission runs never see them). */
  @RefColumn({ nullable: true }) planId!: string | null;
  @ManyToOne(() => CommissionPlanEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'fk_commission_accruals_plan' })
  plan?: CommissionPlanEntity;
  @Column({ type: 'integer' }) planVersion!: number;
  @VarcharColumn(64) ruleId!: string;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_commission_accruals_partner' })
  partner?: PartnerEntity;
  @RefColumn() programId!: string;
  @ManyToOne(() => ProgramEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'program_id', foreignKeyConstraintName: 'fk_commission_accruals_program' })
  program?: ProgramEntity;
  /** Null for ADJUSTMENT rows. */
  @RefColumn({ nullable: true }) customerId!: string | null;
  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_commission_accruals_customer' })
  customer?: CustomerEntity;
  /** The period the row is posted in (an adjustment to a closed period is posted in the open one). */
  @RefColumn() periodId!: string;
  @ManyToOne(() => CommissionPeriodEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'period_id', foreignKeyConstraintName: 'fk_commission_accruals_period' })
  period?: CommissionPeriodEntity;
  /** The period of the source fact ('YYYY-MM'). */
  @VarcharColumn(7) factPeriodKey!: string;
  @BusinessDateColumn() businessDate!: string;
  @JsonColumn() sourceIds!: string[];
  @MoneyColumn({ nullable: true }) basisAmount!: bigint | null;
  @VarcharColumn(3, { nullable: true }) basisCurrency!: string | null;
  @Column({ type: 'text' }) rateOrTier!: string;
  /** EVENT or REFERRAL_QUALIFIED: what sourceIds[0] is. */
  @VarcharColumn(24) sourceKind!: string;
  @MoneyColumn() amount!: bigint;
  @CurrencyColumn() currency!: string;
  @BusinessDateColumn() payableOn!: string;
  @VarcharColumn(40) feeCategory!: string;
  @Column({ type: 'text' }) explanation!: string;
  @RefColumn({ nullable: true }) runId!: string | null;
  @ManyToOne(() => CommissionRunEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_commission_accruals_run' })
  run?: CommissionRunEntity;
  @InstantColumn() createdAt!: Date;
}
