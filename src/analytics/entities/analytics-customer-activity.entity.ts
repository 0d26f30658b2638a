import { Entity } from 'typeorm';
import { KeyColumn } from '../../database/columns';

/** Days on which a customer had an event of a type (set-once): cohort retention windows read these. */
@Entity({ name: 'analytics_customer_activity' })
export class AnalyticsCustomerActivityEntity {
  @KeyColumn(36) customerId!: string;
  @KeyColumn(32) eventType!: string;
  @KeyColumn(10) businessDate!: string;
}
