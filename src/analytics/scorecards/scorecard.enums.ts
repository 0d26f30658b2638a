import { registerEnumType } from '@nestjs/graphql';

export enum ScorecardDimensionEnum {
  CONTRIBUTION = 'CONTRIBUTION',
  RISK = 'RISK',
  REPUTATION = 'REPUTATION',
  RELATEDNESS = 'RELATEDNESS',
}
registerEnumType(ScorecardDimensionEnum, {
  name: 'ScorecardDimension',
  description:
    '贡献度 contribution, 风险度 risk (published as safety: higher = safer), 知名度 reputation, 关联度 relatedness',
});

export enum ScorecardWeightMode {
  DIRECT = 'DIRECT',
  AHP = 'AHP',
}
registerEnumType(ScorecardWeightMode, { name: 'ScorecardWeightMode' });

export enum ComplaintCategory {
  SERVICE = 'SERVICE',
  MIS_SELLING = 'MIS_SELLING',
  DATA_PRIVACY = 'DATA_PRIVACY',
  FRAUD = 'FRAUD',
  OTHER = 'OTHER',
}
registerEnumType(ComplaintCategory, { name: 'PartnerComplaintCategory' });

export const PARTNER_SCORECARDS_JOB = 'PARTNER_SCORECARDS';

/** Partners scored together: those the bank currently cooperates with. */
export const SCORED_PARTNER_STATUSES: readonly string[] = ['ACTIVE', 'SUSPENDED'];

/** Periods whose scorecards are history: recomputed only with force. */
export const LOCKED_PERIOD_STATUSES: readonly string[] = ['CLOSED', 'PAID'];

/** Defaults of a weight set (equal weights; valuation rates default to the bank-wide ANALYTICS_* rates). */
export const DEFAULT_WEIGHT_SET = {
  weights: { contribution: '0.25', risk: '0.25', reputation: '0.25', relatedness: '0.25' },
  thresholds: { strategic: '80', core: '60', general: '40' },
  /** The demo commission plans claw back on a closure within 90 days: the same window makes a closure "early". */
  earlyClosureDays: 90,
} as const;
