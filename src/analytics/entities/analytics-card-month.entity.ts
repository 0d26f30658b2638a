import { Entity, Index } from 'typeorm';
import { IdColumn, MoneyColumn, RefColumn, VarcharColumn } from '../../database/columns';

/**
 * Spend per co-branded card and month: "active in the month" = a row; "first spend in the month" = the card's
 * earliest row. Additive per (card, month), so arrival order does not matter.
 */
@Entity({ name: 'analytics_card_month' })
@Index('uq_analytics_card_month', ['programId', 'cardRef', 'month', 'currency'], { unique: true })
@Index('ix_analytics_card_month_month', ['programId', 'month'])
export class AnalyticsCardMonthEntity {
  @IdColumn() id!: string;
  @RefColumn() programId!: string;
  @VarcharColumn(64) cardRef!: string;
  @VarcharColumn(7) month!: string;
  @VarcharColumn(3) currency!: string;
  @MoneyColumn() spendCount!: bigint;
  @MoneyColumn() spendMinor!: bigint;
}
