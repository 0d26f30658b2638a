import { Entity, Index } from 'typeorm';
import { KeyColumn, MoneyColumn } from '../../database/columns';

/**
 * Spend per co-branded card and month: "active in the month" = a row; "first spend in the month" = the card's
 * earliest row. Additive per (card, month), so arrival order does not matter.
 */
@Entity({ name: 'analytics_card_month' })
@Index('ix_analytics_card_month_month', ['programId', 'month'])
export class AnalyticsCardMonthEntity {
  @KeyColumn(36) programId!: string;
  @KeyColumn(64) cardRef!: string;
  @KeyColumn(7) month!: string;
  @KeyColumn(3) currency!: string;
  @MoneyColumn() spendCount!: bigint;
  @MoneyColumn() spendMinor!: bigint;
}
