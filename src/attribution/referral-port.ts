import { EngineOutcome, ReferralsService, ReferralTouch } from '../referrals/referrals.service';

export type { EngineOutcome, ReferralTouch };

/**
 * The slice of ReferralsService (REF ↔ ATTR contract of issue 4) the engine uses; bound to the real
 * service in AttributionModule. A narrow port keeps the engine testable and the dependency explicit.
 */
export type ReferralPort = Pick<ReferralsService, 'referralTouches' | 'applyEngineOutcomes'>;

export const REFERRAL_PORT = Symbol('REFERRAL_PORT');
