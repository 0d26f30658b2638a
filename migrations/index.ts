import { Referrals1764460800400 } from './1764460800400-referrals';
import { Attribution1764460800450 } from './1764460800450-attribution';
import { Foundation1764460800000 } from './1764460800000-foundation';
import { Commissions1764460800300 } from './1764460800300-commissions';
import { Programs1764460800100 } from './1764460800100-programs';
import { Customers1764460800200 } from './1764460800200-customers';
import { SupplyChain1764460800500 } from './1764460800500-supply-chain';
import { Settlement1764460800600 } from './1764460800600-settlement';
import { Reconciliation1764460800610 } from './1764460800610-reconciliation';
import { Payouts1764460800620 } from './1764460800620-payouts';
import { Analytics1764460800700 } from './1764460800700-analytics';
import { Scorecards1764460800710 } from './1764460800710-scorecards';
import { AnalyticsEventOutbox1764460800720 } from './1764460800720-analytics-event-outbox';
import { AnalyticsStageMedians1764460800730 } from './1764460800730-analytics-stage-medians';
import { JobHeartbeats1764460800740 } from './1764460800740-job-heartbeats';
import { ReferralPartnerIndex1764460800750 } from './1764460800750-referral-partner-index';
import { AnalyticsOutbox1764460800760 } from './1764460800760-analytics-outbox';
import { AnalyticsPartnerMonthly1764460800770 } from './1764460800770-analytics-partner-monthly';
import { ReferralPairIndexes1764460800780 } from './1764460800780-referral-pair-indexes';
import { AttributionTouchCoveringIndexes1764460800790 } from './1764460800790-attribution-touch-covering-indexes';
import { AnalyticsCursorCheck1764460800800 } from './1764460800800-analytics-cursor-check';
import { RollupNaturalKeys1764460800810 } from './1764460800810-rollup-natural-keys';
import { AnalyticsPartnerMonthMedians1764460800820 } from './1764460800820-analytics-partner-month-medians';

/** Explicit and ordered: a new migration is appended here, never discovered by a glob. */
export const MIGRATIONS = [
  Foundation1764460800000,
  Programs1764460800100,
  Customers1764460800200,
  SupplyChain1764460800500,
  Commissions1764460800300,
  Referrals1764460800400,
  Attribution1764460800450,
  Settlement1764460800600,
  Reconciliation1764460800610,
  Payouts1764460800620,
  Analytics1764460800700,
  Scorecards1764460800710,
  AnalyticsEventOutbox1764460800720,
  AnalyticsStageMedians1764460800730,
  JobHeartbeats1764460800740,
  ReferralPartnerIndex1764460800750,
  AnalyticsOutbox1764460800760,
  AnalyticsPartnerMonthly1764460800770,
  ReferralPairIndexes1764460800780,
  AttributionTouchCoveringIndexes1764460800790,
  AnalyticsCursorCheck1764460800800,
  RollupNaturalKeys1764460800810,
  AnalyticsPartnerMonthMedians1764460800820,
];
