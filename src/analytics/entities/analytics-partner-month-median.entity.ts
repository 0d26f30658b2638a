import { Column, Entity } from 'typeorm';
import { KeyColumn } from '../../database/columns';

/**
 * The median of each partner-month day histogram of analytics_partner_monthly (a DAYS_ measure), kept as twice its
 * value so it is an exact integer. A median is not additive: the whole-month funnel by partner would otherwise
 * read and fold every histogram row (≈ 100,000 at 20 M events); the drain that changes a histogram recomputes its
 * median in the same transaction.
 */
@Entity({ name: 'analytics_partner_month_medians' })
export class AnalyticsPartnerMonthMedianEntity {
  @KeyColumn(7) month!: string;
  @KeyColumn(36) partnerId!: string;
  @KeyColumn(80) measure!: string;
  @Column({ type: 'integer' }) medianHalfDays!: number;
}
