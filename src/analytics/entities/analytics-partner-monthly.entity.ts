import { Column, Entity, Index } from 'typeorm';
import { IdColumn, MoneyColumn, RefColumn, VarcharColumn } from '../../database/columns';

/**
 * The referral funnel's facts of analytics_monthly summed over programs, channels and org units: maintained by the
 * same upserts in the same transaction. The funnel by partner or partner kind over whole months reads one row per
 * partner, month, measure and bucket instead of one per program, channel and org unit.
 */
@Entity({ name: 'analytics_partner_monthly' })
@Index('uq_analytics_partner_monthly_key', ['month', 'partnerId', 'measure', 'bucketValue', 'currency'], {
  unique: true,
})
@Index('ix_analytics_partner_monthly_measure', ['measure', 'month', 'partnerId', 'bucketValue', 'factCount'])
export class AnalyticsPartnerMonthlyEntity {
  @IdColumn() id!: string;
  @VarcharColumn(7) month!: string;
  @RefColumn() partnerId!: string;
  @VarcharColumn(40) partnerKind!: string;
  @VarcharColumn(80) measure!: string;
  @Column({ type: 'integer' }) bucketValue!: number;
  @VarcharColumn(3) currency!: string;
  @MoneyColumn() factCount!: bigint;
  @MoneyColumn() amountMinor!: bigint;
}
