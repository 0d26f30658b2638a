import { Entity, Index } from 'typeorm';
import { BusinessDateColumn, KeyColumn, MoneyColumn, VarcharColumn } from '../../database/columns';

/**
 * Per-customer monthly roll-up of customer events, independent of attribution (so a re-attribution never
 * needs compensation: reports join the current attribution when they read). `last_*` keep the month's
 * latest event by (business date, event id): the balance snapshot for AUM, the last event of a product for
 * "held" — an order-independent maximum, so incremental maintenance equals a rebuild.
 */
@Entity({ name: 'analytics_customer_month' })
@Index('ix_analytics_customer_month_month', ['month', 'measure'])
export class AnalyticsCustomerMonthEntity {
  @KeyColumn(36) customerId!: string;
  @KeyColumn(7) month!: string;
  @KeyColumn(80) measure!: string;
  @KeyColumn(3) currency!: string;
  @MoneyColumn() factCount!: bigint;
  @MoneyColumn() amountMinor!: bigint;
  @BusinessDateColumn() lastDate!: string;
  @VarcharColumn(36) lastEventId!: string;
  @VarcharColumn(32) lastType!: string;
  @MoneyColumn({ nullable: true }) lastAmountMinor!: bigint | null;
}
