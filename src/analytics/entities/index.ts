export { AnalyticsDailyEntity } from './analytics-daily.entity';
export { AnalyticsMonthlyEntity } from './analytics-monthly.entity';
export { AnalyticsPartnerMonthlyEntity } from './analytics-partner-monthly.entity';
export { AnalyticsPartnerMonthMedianEntity } from './analytics-partner-month-median.entity';
export { AnalyticsAppliedFactEntity } from './analytics-applied-fact.entity';
export { AnalyticsCursorEntity } from './analytics-cursor.entity';
export { AnalyticsCustomerMonthEntity } from './analytics-customer-month.entity';
export { AnalyticsCustomerActivityEntity } from './analytics-customer-activity.entity';
export { AnalyticsCardMonthEntity } from './analytics-card-month.entity';
export { AnalyticsOutboxEntity } from './analytics-outbox.entity';

import { AnalyticsAppliedFactEntity } from './analytics-applied-fact.entity';
import { AnalyticsCardMonthEntity } from './analytics-card-month.entity';
import { AnalyticsCursorEntity } from './analytics-cursor.entity';
import { AnalyticsCustomerActivityEntity } from './analytics-customer-activity.entity';
import { AnalyticsCustomerMonthEntity } from './analytics-customer-month.entity';
import { AnalyticsDailyEntity } from './analytics-daily.entity';
import { AnalyticsOutboxEntity } from './analytics-outbox.entity';
import { AnalyticsMonthlyEntity } from './analytics-monthly.entity';
import { AnalyticsPartnerMonthlyEntity } from './analytics-partner-monthly.entity';
import { AnalyticsPartnerMonthMedianEntity } from './analytics-partner-month-median.entity';

export const ANALYTICS_ENTITIES = [
  AnalyticsDailyEntity,
  AnalyticsMonthlyEntity,
  AnalyticsPartnerMonthlyEntity,
  AnalyticsPartnerMonthMedianEntity,
  AnalyticsAppliedFactEntity,
  AnalyticsCursorEntity,
  AnalyticsCustomerMonthEntity,
  AnalyticsCustomerActivityEntity,
  AnalyticsCardMonthEntity,
  AnalyticsOutboxEntity,
];
