import { Column, Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import {
  BusinessDateColumn,
  CurrencyColumn,
  IdColumn,
  InstantColumn,
  JsonColumn,
  MoneyColumn,
  RefColumn,
  VarcharColumn,
} from '../../../database/columns';
import { PartnerEntity } from '../../../partners/entities/partner.entity';
import { SettlementStatementEntity } from '../../entities/settlement.entities';

/**
 * The partner's account on file (收款账户), as the pain.001 builder needs it: an IBAN, or a domestic
 * account number with the bank's BIC and/or CNAPS code. (The invoice tolerance is a settlement term.)
 */
@Entity({ name: 'settlement_partner_bank_accounts' })
@Index('uq_settlement_partner_bank_accounts_partner', ['partnerId'], { unique: true })
export class PartnerBankAccountEntity {
  @IdColumn() id!: string;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_settlement_partner_bank_accounts_partner' })
  partner?: PartnerEntity;
  @VarcharColumn(140) accountName!: string;
  @VarcharColumn(34, { nullable: true }) iban!: string | null;
  @VarcharColumn(34, { nullable: true }) accountNumber!: string | null;
  @VarcharColumn(140, { nullable: true }) bankName!: string | null;
  @VarcharColumn(11, { nullable: true }) bic!: string | null;
  @VarcharColumn(12, { nullable: true }) cnaps!: string | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

/** The partner's VAT invoice (发票) for a statement: 金额 (net), 税额 (tax). One per statement; re-recording replaces it. */
@Entity({ name: 'settlement_invoices' })
@Index('uq_settlement_invoices_statement', ['statementId'], { unique: true })
@Index('uq_settlement_invoices_partner_number', ['partnerId', 'number'], { unique: true })
export class InvoiceEntity {
  @IdColumn() id!: string;
  @RefColumn() statementId!: string;
  @ManyToOne(() => SettlementStatementEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'statement_id', foreignKeyConstraintName: 'fk_settlement_invoices_statement' })
  statement?: SettlementStatementEntity;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_settlement_invoices_partner' })
  partner?: PartnerEntity;
  @VarcharColumn(32) number!: string;
  @BusinessDateColumn() issuedOn!: string;
  @MoneyColumn() amount!: bigint;
  @MoneyColumn() tax!: bigint;
  @CurrencyColumn() currency!: string;
  @RefColumn() recordedById!: string;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

/**
 * A payout batch: one pain.001 PmtInf (PmtInfId = batch id). The released file is kept as sent
 * (at most MAX_PAYOUTS_PER_BATCH payouts, so it fits a TEXT column on MariaDB).
 */
@Entity({ name: 'settlement_payout_batches' })
@Index('ix_settlement_payout_batches_status', ['status'])
export class PayoutBatchEntity {
  @IdColumn() id!: string;
  @VarcharColumn(16) status!: string;
  @CurrencyColumn() currency!: string;
  @MoneyColumn() total!: bigint;
  @Column({ type: 'integer' }) payoutCount!: number;
  @RefColumn() preparedById!: string;
  @InstantColumn() preparedAt!: Date;
  @RefColumn({ nullable: true }) decidedById!: string | null;
  @InstantColumn({ nullable: true }) decidedAt!: Date | null;
  @Column({ type: 'text', nullable: true }) rejectReason!: string | null;
  @BusinessDateColumn({ nullable: true }) requestedExecutionDate!: string | null;
  @Column({ type: 'text', nullable: true }) painFile!: string | null;
  @VarcharColumn(64, { nullable: true }) painSha256!: string | null;
  @JsonColumn({ nullable: true }) validationErrors!: string[] | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

/**
 * One payout per statement in a batch (EndToEndId = payout id), with the creditor account as it was
 * on file when the batch was prepared. `liveStatementId` is the statement id while the payout holds
 * the statement (prepared, released, accepted or paid) and NULL once rejected or cancelled: its
 * unique key lets a statement be in one live batch only, and be paid once only.
 */
@Entity({ name: 'settlement_payouts' })
@Index('uq_settlement_payouts_batch_statement', ['batchId', 'statementId'], { unique: true })
@Index('uq_settlement_payouts_live_statement', ['liveStatementId'], { unique: true })
@Index('ix_settlement_payouts_statement', ['statementId'])
@Index('ix_settlement_payouts_partner', ['partnerId'])
@Index('ix_settlement_payouts_status', ['status'])
export class PayoutEntity {
  @IdColumn() id!: string;
  @RefColumn() batchId!: string;
  @ManyToOne(() => PayoutBatchEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'batch_id', foreignKeyConstraintName: 'fk_settlement_payouts_batch' })
  batch?: PayoutBatchEntity;
  @RefColumn() statementId!: string;
  @ManyToOne(() => SettlementStatementEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'statement_id', foreignKeyConstraintName: 'fk_settlement_payouts_statement' })
  statement?: SettlementStatementEntity;
  @RefColumn({ nullable: true }) liveStatementId!: string | null;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_settlement_payouts_partner' })
  partner?: PartnerEntity;
  @VarcharColumn(64) statementNumber!: string;
  @MoneyColumn() amount!: bigint;
  @CurrencyColumn() currency!: string;
  @VarcharColumn(140) creditorName!: string;
  @VarcharColumn(34, { nullable: true }) creditorIban!: string | null;
  @VarcharColumn(34, { nullable: true }) creditorAccountNumber!: string | null;
  @VarcharColumn(140, { nullable: true }) creditorBankName!: string | null;
  @VarcharColumn(11, { nullable: true }) creditorBic!: string | null;
  @VarcharColumn(12, { nullable: true }) creditorCnaps!: string | null;
  @VarcharColumn(16) status!: string;
  @VarcharColumn(35, { nullable: true }) statusReasonCode!: string | null;
  @Column({ type: 'text', nullable: true }) statusReason!: string | null;
  @InstantColumn({ nullable: true }) paidAt!: Date | null;
  @VarcharColumn(140, { nullable: true }) paidEntryRef!: string | null;
  @BusinessDateColumn({ nullable: true }) paidBookingDate!: string | null;
  @VarcharColumn(32, { nullable: true }) matchedBy!: string | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

/**
 * Four eyes in the data model: one PREPARE and at most one DECIDE row per batch, and one row per
 * user and batch — so the preparer can never also decide, and of two racing approvers one insert fails.
 */
@Entity({ name: 'settlement_payout_signoffs' })
@Index('uq_settlement_payout_signoffs_step', ['batchId', 'step'], { unique: true })
@Index('uq_settlement_payout_signoffs_user', ['batchId', 'userId'], { unique: true })
export class PayoutSignoffEntity {
  @IdColumn() id!: string;
  @RefColumn() batchId!: string;
  @ManyToOne(() => PayoutBatchEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'batch_id', foreignKeyConstraintName: 'fk_settlement_payout_signoffs_batch' })
  batch?: PayoutBatchEntity;
  @RefColumn() userId!: string;
  @VarcharColumn(16) step!: string;
  @VarcharColumn(16) decision!: string;
  @InstantColumn() signedAt!: Date;
}

/** An imported bank file (pain.002 or camt.053) and what it did: the outcome per payout and the exceptions. */
@Entity({ name: 'settlement_payout_file_imports' })
@Index('ix_settlement_payout_file_imports_batch', ['batchId'])
export class PayoutFileImportEntity {
  @IdColumn() id!: string;
  @VarcharColumn(16) kind!: string;
  @VarcharColumn(140, { nullable: true }) messageId!: string | null;
  @VarcharColumn(64) sha256!: string;
  @RefColumn({ nullable: true }) batchId!: string | null;
  @ManyToOne(() => PayoutBatchEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'batch_id', foreignKeyConstraintName: 'fk_settlement_payout_file_imports_batch' })
  batch?: PayoutBatchEntity;
  @JsonColumn() report!: unknown;
  @RefColumn() importedById!: string;
  @InstantColumn() createdAt!: Date;
}

export const PAYOUT_ENTITIES = [
  PartnerBankAccountEntity,
  InvoiceEntity,
  PayoutBatchEntity,
  PayoutEntity,
  PayoutSignoffEntity,
  PayoutFileImportEntity,
];
