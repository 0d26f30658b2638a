import { Actor } from '../auth/actor';
import { AttributionEntity, AttributionTouchEntity } from './entities/attribution.entity';
import { Attribution, AttributionTouch } from './models/attribution.model';

export function toTouch(t: AttributionTouchEntity): AttributionTouch {
  return {
    source: t.source,
    sourceRef: t.sourceRef,
    partnerId: t.partnerId,
    programId: t.programId,
    channelId: t.channelId,
    referralId: t.referralId,
    touchedAt: t.touchedAt,
    touchedOn: t.touchedOn,
    rank: t.rank,
    ruleVersion: t.ruleVersion,
    outcome: t.outcome,
    share: t.share,
    qualification:
      t.qualificationStatus === null
        ? null
        : {
            status: t.qualificationStatus,
            qualifiedOn: t.qualifiedOn,
            qualifiedAt: t.qualifiedAt,
            eventIds: t.qualifyingEvents ?? [],
          },
  };
}

/** Partner users see their own touches only, and not the reason (it names competitors). */
export function toAttribution(
  a: AttributionEntity,
  touches: readonly AttributionTouchEntity[],
  actor: Actor,
): Attribution {
  const mapped = touches.map(toTouch);
  const partnerView = actor.partnerId !== null;
  return {
    id: a.id,
    customerId: a.customerId,
    productKey: a.productKey,
    convertedAt: a.convertedAt,
    convertedOn: a.convertedOn,
    winners: mapped.filter((t) => t.outcome === 'WON'),
    touches: mapped,
    rule: partnerView ? null : a.ruleSnapshot,
    reason: partnerView ? null : a.reason,
    decidedAt: a.decidedAt,
    overridden: a.overridden,
    overrideReason: partnerView ? null : a.overrideReason,
    version: a.version,
  };
}
