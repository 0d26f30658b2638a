import { Entity, Index } from 'typeorm';
import { KeyColumn, MoneyColumn, VarcharColumn } from '../../database/columns';

/**
 * The referral funnel's facts of analytics_monthly summed over programs, channels and org units: maintained by the
 * same upserts in the same transaction. The funnel by partner or partner kind over whole months reads one row per
 * partner, month, measure and bucket instead of one per program, channel and org unit.
 */
@Entity({ name: 'analytics_partner_monthly' })
@Index('ix_analytics_partner_monthly_measure', ['measure', 'month', 'partnerId', 'bucketValue', 'factCount'])
export class AnalyticsPartnerMonthlyEntity {
  @KeyColumn(7) month!: string;
  @KeyColumn(36) partnerId!: string;
  @VarcharColumn(40) partnerKind!: string;
  @KeyColumn(80) measure!: string;
  @KeyColumn() bucketValue!: number;
  @KeyColumn(3) currency!: string;
  @MoneyColumn() factCount!: bigint;
  @MoneyColumn() amountMinor!: bigint;
}
