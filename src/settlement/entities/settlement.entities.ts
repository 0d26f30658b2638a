import { Check, Column, Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import {
  BoolColumn,
  CurrencyColumn,
  IdColumn,
  InstantColumn,
  MoneyColumn,
  RateColumn,
  RefColumn,
  VarcharColumn,
} from '../../database/columns';
import { CommissionPeriodEntity } from '../../commissions/entities/commission-period.entity';
import { PartnerEntity } from '../../partners/entities/partner.entity';
import { ProgramEntity } from '../../programs/entities/program.entity';

/**
 * Settlement terms per partner: VAT rate, whether contract prices include it, and the invoice tolerance
 * (largest difference between the partner's 发票 and the statement still accepted, minor units).
 * Missing row = 6% exclusive, tolerance 0.
 */
@Entity({ name: 'settlement_partner_terms' })
@Index('uq_settlement_partner_terms_partner', ['partnerId'], { unique: true })
export class SettlementPartnerTermsEntity {
  @IdColumn() id!: string;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_settlement_partner_terms_partner' })
  partner?: PartnerEntity;
  @RateColumn() taxRate!: string;
  @BoolColumn() pricesIncludeTax!: boolean;
  @MoneyColumn() invoiceTolerance!: bigint;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

/**
 * 结算单: one per partner per period. Four eyes: preparedById and approvedById are both stored, the
 * approving UPDATE only matches when they differ (and the status is still PREPARED), and a CHECK refuses
 * a row approved or rejected by its preparer.
 */
@Entity({ name: 'settlement_statements' })
@Index('uq_settlement_statements_number', ['number'], { unique: true })
@Index('uq_settlement_statements_period_partner', ['periodId', 'partnerId'], { unique: true })
@Index('ix_settlement_statements_partner', ['partnerId'])
@Check(
  'chk_settlement_statements_four_eyes',
  '(approved_by_id IS NULL OR approved_by_id <> prepared_by_id) AND (rejected_by_id IS NULL OR rejected_by_id <> prepared_by_id)',
)
export class SettlementStatementEntity {
  @IdColumn() id!: string;
  @VarcharColumn(64) number!: string;
  @RefColumn() periodId!: string;
  @ManyToOne(() => CommissionPeriodEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'period_id', foreignKeyConstraintName: 'fk_settlement_statements_period' })
  period?: CommissionPeriodEntity;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_settlement_statements_partner' })
  partner?: PartnerEntity;
  @VarcharColumn(16) status!: string;
  @CurrencyColumn() currency!: string;
  @MoneyColumn() linesTotal!: bigint;
  @MoneyColumn() net!: bigint;
  @MoneyColumn() tax!: bigint;
  @MoneyColumn() gross!: bigint;
  @RateColumn() taxRate!: string;
  @BoolColumn() pricesIncludeTax!: boolean;
  @Column({ type: 'integer' }) accrualCount!: number;
  @RefColumn({ nullable: true }) preparedById!: string | null;
  @InstantColumn({ nullable: true }) preparedAt!: Date | null;
  @RefColumn({ nullable: true }) approvedById!: string | null;
  @InstantColumn({ nullable: true }) approvedAt!: Date | null;
  @RefColumn({ nullable: true }) rejectedById!: string | null;
  @InstantColumn({ nullable: true }) rejectedAt!: Date | null;
  @Column({ type: 'text', nullable: true }) rejectReason!: string | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

/** One statement line: the period's accruals of one program and rule, summed. */
@Entity({ name: 'settlement_statement_lines' })
@Index('uq_settlement_statement_lines_position', ['statementId', 'position'], { unique: true })
@Index('ix_settlement_statement_lines_program', ['programId'])
export class SettlementStatementLineEntity {
  @IdColumn() id!: string;
  @RefColumn() statementId!: string;
  @ManyToOne(() => SettlementStatementEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'statement_id', foreignKeyConstraintName: 'fk_settlement_statement_lines_statement' })
  statement?: SettlementStatementEntity;
  @Column({ type: 'integer' }) position!: number;
  @RefColumn() programId!: string;
  @ManyToOne(() => ProgramEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'program_id', foreignKeyConstraintName: 'fk_settlement_statement_lines_program' })
  program?: ProgramEntity;
  @VarcharColumn(200) programName!: string;
  @VarcharColumn(64) ruleId!: string;
  @Column({ type: 'integer' }) accrualCount!: number;
  @MoneyColumn() amount!: bigint;
  @CurrencyColumn() currency!: string;
}
