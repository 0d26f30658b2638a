import { Check, Column, Entity, Index, JoinColumn, ManyToOne, Relation, VersionColumn } from 'typeorm';
import {
  BoolColumn,
  CurrencyColumn,
  IdColumn,
  InstantColumn,
  JsonColumn,
  MoneyColumn,
  RefColumn,
  VarcharColumn,
} from '../../../database/columns';
import { CommissionAccrualEntity } from '../../../commissions/entities/commission-accrual.entity';
import { CommissionPeriodEntity } from '../../../commissions/entities/commission-period.entity';
import { PartnerEntity } from '../../../partners/entities/partner.entity';
import { ProgramEntity } from '../../../programs/entities/program.entity';
import type { ClaimColumnMapping } from '../../claims';
import { SettlementStatementEntity } from '../../entities/settlement.entities';

/** The partner's claim-file columns, saved so the next import needs no mapping. */
@Entity({ name: 'settlement_claim_mappings' })
@Index('uq_settlement_claim_mappings_partner', ['partnerId'], { unique: true })
export class SettlementClaimMappingEntity {
  @IdColumn() id!: string;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_settlement_claim_mappings_partner' })
  partner?: PartnerEntity;
  @JsonColumn() mapping!: ClaimColumnMapping;
  @RefColumn() updatedById!: string;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

/** One imported claim file (kept after a re-import, so disputes keep pointing at what was claimed). */
@Entity({ name: 'settlement_claims' })
@Index('ix_settlement_claims_statement', ['statementId'])
@Index('ix_settlement_claims_partner', ['partnerId'])
export class SettlementClaimEntity {
  @IdColumn() id!: string;
  @RefColumn() statementId!: string;
  @ManyToOne(() => SettlementStatementEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'statement_id', foreignKeyConstraintName: 'fk_settlement_claims_statement' })
  statement?: SettlementStatementEntity;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_settlement_claims_partner' })
  partner?: PartnerEntity;
  @VarcharColumn(8) format!: string;
  @VarcharColumn(16) encoding!: string;
  @VarcharColumn(200, { nullable: true }) fileName!: string | null;
  @VarcharColumn(64) fileSha256!: string;
  @JsonColumn() mapping!: ClaimColumnMapping;
  @Column({ type: 'integer' }) rowCount!: number;
  @RefColumn() importedById!: string;
  @InstantColumn() createdAt!: Date;
}

/** A claim row as read from the file. */
@Entity({ name: 'settlement_claim_rows' })
@Index('uq_settlement_claim_rows_line', ['claimId', 'line'], { unique: true })
export class SettlementClaimRowEntity {
  @IdColumn() id!: string;
  @RefColumn() claimId!: string;
  @ManyToOne(() => SettlementClaimEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'claim_id', foreignKeyConstraintName: 'fk_settlement_claim_rows_claim' })
  claim?: SettlementClaimEntity;
  @Column({ type: 'integer' }) line!: number;
  @VarcharColumn(128) reference!: string;
  @VarcharColumn(16, { nullable: true }) referenceKind!: string | null;
  @VarcharColumn(64, { nullable: true }) customerRef!: string | null;
  @VarcharColumn(64, { nullable: true }) eventId!: string | null;
  @Column({ type: 'text', nullable: true }) description!: string | null;
  @MoneyColumn() amount!: bigint;
  @CurrencyColumn() currency!: string;
  @JsonColumn() raw!: Record<string, string>;
}

/** One outcome of reconciling a claim against the statement's ledger lines. */
@Entity({ name: 'settlement_reconciliation_rows' })
@Index('uq_settlement_reconciliation_rows_position', ['claimId', 'position'], { unique: true })
@Index('ix_settlement_reconciliation_rows_statement', ['statementId', 'outcome'])
export class SettlementReconciliationRowEntity {
  @IdColumn() id!: string;
  @RefColumn() claimId!: string;
  @ManyToOne(() => SettlementClaimEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'claim_id', foreignKeyConstraintName: 'fk_settlement_reconciliation_rows_claim' })
  claim?: SettlementClaimEntity;
  @RefColumn() statementId!: string;
  @ManyToOne(() => SettlementStatementEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'statement_id', foreignKeyConstraintName: 'fk_settlement_reconciliation_rows_statement' })
  statement?: SettlementStatementEntity;
  @Column({ type: 'integer' }) position!: number;
  @VarcharColumn(24) outcome!: string;
  @VarcharColumn(128) reference!: string;
  @RefColumn({ nullable: true }) claimRowId!: string | null;
  @ManyToOne(() => SettlementClaimRowEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'claim_row_id', foreignKeyConstraintName: 'fk_settlement_reconciliation_rows_claim_row' })
  claimRow?: SettlementClaimRowEntity;
  @Column({ type: 'integer', nullable: true }) claimLine!: number | null;
  @RefColumn({ nullable: true }) programId!: string | null;
  @JsonColumn() accrualIds!: string[];
  @VarcharColumn(64, { nullable: true }) customerRef!: string | null;
  @VarcharColumn(64, { nullable: true }) eventId!: string | null;
  @MoneyColumn() bankAmount!: bigint;
  @MoneyColumn() claimAmount!: bigint;
  @MoneyColumn() difference!: bigint;
  @CurrencyColumn() currency!: string;
  @VarcharColumn(64) reason!: string;
}

export interface StoredOutcomeSummary {
  count: number;
  bankTotal: string;
  claimTotal: string;
  difference: string;
}

/** The current reconciliation of a statement: replaced as a whole by the next claim import. */
@Entity({ name: 'settlement_reconciliations' })
@Index('uq_settlement_reconciliations_statement', ['statementId'], { unique: true })
export class SettlementReconciliationEntity {
  @IdColumn() id!: string;
  @RefColumn() statementId!: string;
  @ManyToOne(() => SettlementStatementEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'statement_id', foreignKeyConstraintName: 'fk_settlement_reconciliations_statement' })
  statement?: SettlementStatementEntity;
  @RefColumn() claimId!: string;
  @ManyToOne(() => SettlementClaimEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'claim_id', foreignKeyConstraintName: 'fk_settlement_reconciliations_claim' })
  claim?: SettlementClaimEntity;
  /** Per outcome: count and totals in minor units (decimal strings of fen). */
  @JsonColumn() summary!: Record<string, StoredOutcomeSummary>;
  @MoneyColumn() bankTotal!: bigint;
  @MoneyColumn() claimTotal!: bigint;
  @MoneyColumn() difference!: bigint;
  @CurrencyColumn() currency!: string;
  @BoolColumn() balanced!: boolean;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

@Entity({ name: 'settlement_disputes' })
@Index('ix_settlement_disputes_statement', ['statementId'])
@Index('ix_settlement_disputes_partner', ['partnerId', 'status'])
@Index('uq_settlement_disputes_adjustment', ['adjustmentId'], { unique: true })
export class SettlementDisputeEntity {
  @IdColumn() id!: string;
  @RefColumn() statementId!: string;
  @ManyToOne(() => SettlementStatementEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'statement_id', foreignKeyConstraintName: 'fk_settlement_disputes_statement' })
  statement?: SettlementStatementEntity;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_settlement_disputes_partner' })
  partner?: PartnerEntity;
  @RefColumn({ nullable: true }) reconciliationRowId!: string | null;
  @ManyToOne(() => SettlementReconciliationRowEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({
    name: 'reconciliation_row_id',
    foreignKeyConstraintName: 'fk_settlement_disputes_reconciliation_row',
  })
  reconciliationRow?: SettlementReconciliationRowEntity;
  @VarcharColumn(16) status!: string;
  @Column({ type: 'text' }) reason!: string;
  @RefColumn() raisedById!: string;
  @VarcharColumn(8) raisedBySide!: string;
  @RefColumn({ nullable: true }) adjustmentId!: string | null;
  @ManyToOne(() => SettlementAdjustmentEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'adjustment_id', foreignKeyConstraintName: 'fk_settlement_disputes_adjustment' })
  // Relation<> keeps the emitted type metadata from touching the class declared below.
  adjustment?: Relation<SettlementAdjustmentEntity>;
  @RefColumn({ nullable: true }) decidedById!: string | null;
  @InstantColumn({ nullable: true }) decidedAt!: Date | null;
  @Column({ type: 'text', nullable: true }) decisionReason!: string | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

@Entity({ name: 'settlement_dispute_comments' })
@Index('ix_settlement_dispute_comments_dispute', ['disputeId'])
export class SettlementDisputeCommentEntity {
  @IdColumn() id!: string;
  @RefColumn() disputeId!: string;
  @ManyToOne(() => SettlementDisputeEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'dispute_id', foreignKeyConstraintName: 'fk_settlement_dispute_comments_dispute' })
  dispute?: SettlementDisputeEntity;
  @RefColumn() authorId!: string;
  @VarcharColumn(8) authorSide!: string;
  @Column({ type: 'text' }) body!: string;
  @InstantColumn() createdAt!: Date;
}

/**
 * 调整: a signed amount for a partner under four eyes. The CHECK (and the approving UPDATE's
 * `prepared_by_id <> :actor`) keep the preparer from approving or rejecting it; once approved it is
 * posted as an ADJUSTMENT row in the commission ledger of the next open period and never changes again.
 */
@Entity({ name: 'settlement_adjustments' })
@Index('ix_settlement_adjustments_partner', ['partnerId', 'status'])
@Index('ix_settlement_adjustments_dispute', ['disputeId'])
@Index('uq_settlement_adjustments_accrual', ['accrualId'], { unique: true })
@Check(
  'chk_settlement_adjustments_four_eyes',
  '(approved_by_id IS NULL OR approved_by_id <> prepared_by_id) AND (rejected_by_id IS NULL OR rejected_by_id <> prepared_by_id)',
)
export class SettlementAdjustmentEntity {
  @IdColumn() id!: string;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_settlement_adjustments_partner' })
  partner?: PartnerEntity;
  @RefColumn() programId!: string;
  @ManyToOne(() => ProgramEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'program_id', foreignKeyConstraintName: 'fk_settlement_adjustments_program' })
  program?: ProgramEntity;
  @RefColumn({ nullable: true }) disputeId!: string | null;
  @ManyToOne(() => SettlementDisputeEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'dispute_id', foreignKeyConstraintName: 'fk_settlement_adjustments_dispute' })
  dispute?: SettlementDisputeEntity;
  @MoneyColumn() amount!: bigint;
  @CurrencyColumn() currency!: string;
  @Column({ type: 'text' }) reason!: string;
  @VarcharColumn(16) status!: string;
  @RefColumn() preparedById!: string;
  @InstantColumn() preparedAt!: Date;
  @RefColumn({ nullable: true }) approvedById!: string | null;
  @InstantColumn({ nullable: true }) approvedAt!: Date | null;
  @RefColumn({ nullable: true }) rejectedById!: string | null;
  @InstantColumn({ nullable: true }) rejectedAt!: Date | null;
  @Column({ type: 'text', nullable: true }) rejectReason!: string | null;
  @RefColumn({ nullable: true }) postedPeriodId!: string | null;
  @ManyToOne(() => CommissionPeriodEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'posted_period_id', foreignKeyConstraintName: 'fk_settlement_adjustments_period' })
  postedPeriod?: CommissionPeriodEntity;
  @RefColumn({ nullable: true }) accrualId!: string | null;
  @ManyToOne(() => CommissionAccrualEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'accrual_id', foreignKeyConstraintName: 'fk_settlement_adjustments_accrual' })
  accrual?: CommissionAccrualEntity;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

export const RECONCILIATION_ENTITIES = [
  SettlementClaimMappingEntity,
  SettlementClaimEntity,
  SettlementClaimRowEntity,
  SettlementReconciliationRowEntity,
  SettlementReconciliationEntity,
  SettlementDisputeEntity,
  SettlementDisputeCommentEntity,
  SettlementAdjustmentEntity,
];
