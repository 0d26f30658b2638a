import { registerEnumType } from '@nestjs/graphql';

/** 推荐状态: SUBMITTED → CONTACTED → APPLIED → CONVERTED → QUALIFIED, or REJECTED / EXPIRED / DUPLICATE. */
export enum ReferralStatus {
  SUBMITTED = 'SUBMITTED',
  CONTACTED = 'CONTACTED',
  APPLIED = 'APPLIED',
  CONVERTED = 'CONVERTED',
  QUALIFIED = 'QUALIFIED',
  REJECTED = 'REJECTED',
  EXPIRED = 'EXPIRED',
  DUPLICATE = 'DUPLICATE',
}
registerEnumType(ReferralStatus, { name: 'ReferralStatus' });

/**
 * What a manager may do by hand (transitionReferral, with a reason). CONVERTED, QUALIFIED and EXPIRED are
 * decided by the engines (attribution, qualification, expiry), never by hand; DUPLICATE only at intake.
 */
export const REFERRAL_TRANSITIONS: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  [ReferralStatus.SUBMITTED]: [ReferralStatus.CONTACTED, ReferralStatus.APPLIED, ReferralStatus.REJECTED],
  [ReferralStatus.CONTACTED]: [ReferralStatus.APPLIED, ReferralStatus.REJECTED],
  [ReferralStatus.APPLIED]: [ReferralStatus.REJECTED],
  [ReferralStatus.CONVERTED]: [],
  [ReferralStatus.QUALIFIED]: [],
  [ReferralStatus.REJECTED]: [],
  [ReferralStatus.EXPIRED]: [],
  [ReferralStatus.DUPLICATE]: [],
};

/** Statuses an open referral may be in: it can still convert, or expire. */
export const OPEN_REFERRAL_STATUSES: readonly ReferralStatus[] = [
  ReferralStatus.SUBMITTED,
  ReferralStatus.CONTACTED,
  ReferralStatus.APPLIED,
];

/**
 * The funnel ladder. `reachedRank` on a referral is the highest rank of every status it has ever been in
 * (from its status history), so a QUALIFIED referral also counts as CONVERTED, APPLIED, CONTACTED and
 * SUBMITTED; a referral REJECTED after CONTACTED still counts as CONTACTED. DUPLICATE referrals have rank 0:
 * they never enter the funnel and are counted on their own.
 */
export const LADDER_RANK: Readonly<Record<ReferralStatus, number>> = {
  [ReferralStatus.SUBMITTED]: 1,
  [ReferralStatus.CONTACTED]: 2,
  [ReferralStatus.APPLIED]: 3,
  [ReferralStatus.CONVERTED]: 4,
  [ReferralStatus.QUALIFIED]: 5,
  [ReferralStatus.REJECTED]: 0,
  [ReferralStatus.EXPIRED]: 0,
  [ReferralStatus.DUPLICATE]: 0,
};

export enum FunnelGroupBy {
  PARTNER = 'PARTNER',
  PROGRAM = 'PROGRAM',
  CHANNEL = 'CHANNEL',
  ORG_UNIT = 'ORG_UNIT',
  PARTNER_KIND = 'PARTNER_KIND',
}
registerEnumType(FunnelGroupBy, { name: 'FunnelGroupBy' });

export enum FunnelInterval {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}
registerEnumType(FunnelInterval, { name: 'FunnelInterval' });

export const REFERRALS_WRITE_SCOPE = 'referrals:write';
export const REFERRALS_READ_SCOPE = 'referrals:read';

/** Window used when a program has no attribution rule in force at submission. */
export const DEFAULT_REFERRAL_WINDOW_DAYS = 30;
