import { Column, Entity, Index } from 'typeorm';
import { IdColumn, MoneyColumn, RefColumn, VarcharColumn } from '../../database/columns';

/**
 * The same facts as analytics_monthly summed over programs, channels and org units: maintained by the same
 * upserts in the same transaction. A report by partner or partner kind over whole months (the funnel by partner
 * by month) reads one row per partner, month, measure and bucket instead of one per program, channel and org unit.
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
