import { ReferralStatusChangeEntity } from './entities/referral-status-change.entity';
import { ReferralEntity } from './entities/referral.entity';
import { Referral, ReferralFunnelRow, ReferralStatusChange } from './models/referral.model';
import { FunnelGroupBy, FunnelInterval, ReferralStatus } from './referral.enums';
import { FunnelRow, rate } from './rules/funnel';

/** Hashes, payload fingerprints and the idempotency scope never leave the service. */
export function toReferral(r: ReferralEntity): Referral {
  return {
    id: r.id,
    partnerId: r.partnerId,
    programId: r.programId,
    channelId: r.channelId,
    orgUnitId: r.orgUnitId,
    idempotencyKey: r.idempotencyKey,
    idType: r.idType,
    maskedName: r.maskedName,
    maskedIdNumber: r.maskedIdNumber,
    maskedPhone: r.maskedPhone,
    productCode: r.productCode,
    submittedAt: r.submittedAt,
    submittedOn: r.submittedOn,
    expiresOn: r.expiresOn,
    status: r.status as ReferralStatus,
    statusReason: r.statusReason,
    duplicateOfId: r.duplicateOfId,
    customerId: r.customerId,
    convertedAt: r.convertedAt,
    qualifiedAt: r.qualifiedAt,
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export function toStatusChange(h: ReferralStatusChangeEntity): ReferralStatusChange {
  return {
    fromStatus: h.fromStatus as ReferralStatus | null,
    toStatus: h.toStatus as ReferralStatus,
    reason: h.reason,
    actorId: h.actorId,
    changedAt: h.changedAt,
  };
}

export function toFunnelRow(row: FunnelRow, groupBy: FunnelGroupBy, interval: FunnelInterval): ReferralFunnelRow {
  return {
    groupBy,
    interval,
    ...row,
    contactRate: rate(row.contacted, row.submitted),
    applicationRate: rate(row.applied, row.submitted),
    conversionRate: rate(row.converted, row.submitted),
    qualificationRate: rate(row.qualified, row.submitted),
    qualifiedOfConverted: rate(row.qualified, row.converted),
  };
}
