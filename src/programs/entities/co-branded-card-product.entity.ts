import { Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import {
  CurrencyColumn,
  IdColumn,
  InstantColumn,
  JsonColumn,
  MoneyColumn,
  RateColumn,
  RefColumn,
  VarcharColumn,
} from '../../database/columns';
import { ProgramEntity } from './program.entity';

export interface FeeWaiverRecord {
  spendCountAtLeast: number | null;
  spendAmountAtLeastMinor: string | null;
  withinDays: number | null;
}

export interface EconomicsLineRecord {
  category: string;
  description: string;
  amountMinor: string | null;
  rate: string | null;
  trigger: string | null;
}

/** The card product of a CO_BRANDED_CARD program (1:1). */
@Entity({ name: 'co_branded_card_products' })
@Index('uq_co_branded_card_products_program', ['programId'], { unique: true })
export class CoBrandedCardProductEntity {
  @IdColumn() id!: string;
  @RefColumn() programId!: string;
  @ManyToOne(() => ProgramEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'program_id', foreignKeyConstraintName: 'fk_co_branded_card_products_program' })
  program?: ProgramEntity;
  @VarcharColumn(200) productName!: string;
  @VarcharColumn(20) level!: string;
  @MoneyColumn() annualFeeMinor!: bigint;
  @CurrencyColumn() currency!: string;
  @JsonColumn({ nullable: true }) feeWaiver!: FeeWaiverRecord | null;
  @RateColumn() earnRate!: string;
  @VarcharColumn(20) funding!: string;
  @RateColumn() partnerShare!: string;
  @JsonColumn() economics!: EconomicsLineRecord[];
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

/** One BIN/IIN prefix (6–8 digits) of a product; no prefix may be a prefix of another program's. */
@Entity({ name: 'card_bin_ranges' })
@Index('uq_card_bin_ranges_prefix', ['prefix'], { unique: true })
@Index('ix_card_bin_ranges_product', ['productId'])
@Index('ix_card_bin_ranges_program', ['programId'])
export class CardBinRangeEntity {
  @IdColumn() id!: string;
  @RefColumn() productId!: string;
  @ManyToOne(() => CoBrandedCardProductEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'fk_card_bin_ranges_product' })
  product?: CoBrandedCardProductEntity;
  @RefColumn() programId!: string;
  @ManyToOne(() => ProgramEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'program_id', foreignKeyConstraintName: 'fk_card_bin_ranges_program' })
  program?: ProgramEntity;
  @VarcharColumn(8) prefix!: string;
}
