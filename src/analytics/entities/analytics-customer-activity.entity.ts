import { Entity, Index } from 'typeorm';
import { BusinessDateColumn, IdColumn, RefColumn, VarcharColumn } from '../../database/columns';

/** Days on which a customer had an event of a type (set-once): cohort retention windows read these. */
@Entity({ name: 'analytics_customer_activity' })
@Index('uq_analytics_customer_activity', ['customerId', 'eventType', 'businessDate'], { unique: true })
export class AnalyticsCustomerActivityEntity {
  @IdColumn() id!: string;
  @RefColumn() customerId!: string;
  @VarcharColumn(32) eventType!: string;
  @BusinessDateColumn() businessDate!: string;
}
