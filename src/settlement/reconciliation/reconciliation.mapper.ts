import { Money } from '../../common/money';
import { MoneyModel } from '../../graphql/scalars';
import { RECONCILIATION_OUTCOMES } from '../claims';
import {
  SettlementAdjustmentEntity,
  SettlementClaimEntity,
  SettlementClaimMappingEntity,
  SettlementDisputeCommentEntity,
  SettlementDisputeEntity,
  SettlementReconciliationEntity,
  SettlementReconciliationRowEntity,
} from './entities/reconciliation.entities';
import {
  Adjustment,
  ClaimMapping,
  Dispute,
  DisputeComment,
  ReconciliationRow,
  ReconciliationSummary,
} from './models/reconciliation.models';
import {
  AdjustmentStatus,
  ClaimFormat,
  DisputeSide,
  DisputeStatus,
  ReconciliationOutcomeKind,
} from './reconciliation.enums';

const money = (minor: bigint | string, currency: string): MoneyModel => MoneyModel.of(Money.ofMinor(minor, currency));

export function toClaimMapping(m: SettlementClaimMappingEntity): ClaimMapping {
  return {
    partnerId: m.partnerId,
    reference: m.mapping.reference,
    amount: m.mapping.amount,
    referenceKind: m.mapping.referenceKind ?? null,
    customerRef: m.mapping.customerRef ?? null,
    eventId: m.mapping.eventId ?? null,
    description: m.mapping.description ?? null,
    version: m.version,
  };
}

export function toSummary(r: SettlementReconciliationEntity, claim: SettlementClaimEntity): ReconciliationSummary {
  return {
    statementId: r.statementId,
    claimId: claim.id,
    format: claim.format as ClaimFormat,
    encoding: claim.encoding,
    fileName: claim.fileName,
    claimRowCount: claim.rowCount,
    outcomes: RECONCILIATION_OUTCOMES.map((o) => {
      const s = r.summary[o] ?? { count: 0, bankTotal: '0', claimTotal: '0', difference: '0' };
      return {
        outcome: o as ReconciliationOutcomeKind,
        count: s.count,
        bankTotal: money(s.bankTotal, r.currency),
        claimTotal: money(s.claimTotal, r.currency),
        difference: money(s.difference, r.currency),
      };
    }),
    bankTotal: money(r.bankTotal, r.currency),
    claimTotal: money(r.claimTotal, r.currency),
    difference: money(r.difference, r.currency),
    balanced: r.balanced,
    reconciledAt: r.updatedAt,
  };
}

export function toReconciliationRow(r: SettlementReconciliationRowEntity): ReconciliationRow {
  return {
    id: r.id,
    position: r.position,
    outcome: r.outcome as ReconciliationOutcomeKind,
    reference: r.reference,
    claimLine: r.claimLine,
    programId: r.programId,
    accrualIds: r.accrualIds,
    customerRef: r.customerRef,
    eventId: r.eventId,
    bankAmount: money(r.bankAmount, r.currency),
    claimAmount: money(r.claimAmount, r.currency),
    difference: money(r.difference, r.currency),
    reason: r.reason,
  };
}

export function toDispute(d: SettlementDisputeEntity): Dispute {
  return {
    id: d.id,
    statementId: d.statementId,
    partnerId: d.partnerId,
    reconciliationRowId: d.reconciliationRowId,
    status: d.status as DisputeStatus,
    reason: d.reason,
    raisedById: d.raisedById,
    raisedBySide: d.raisedBySide as DisputeSide,
    adjustmentId: d.adjustmentId,
    decidedById: d.decidedById,
    decidedAt: d.decidedAt,
    decisionReason: d.decisionReason,
    version: d.version,
    createdAt: d.createdAt,
  };
}

export function toDisputeComment(c: SettlementDisputeCommentEntity): DisputeComment {
  return { id: c.id, authorId: c.authorId, side: c.authorSide as DisputeSide, body: c.body, createdAt: c.createdAt };
}

export function toAdjustment(a: SettlementAdjustmentEntity): Adjustment {
  return {
    id: a.id,
    partnerId: a.partnerId,
    programId: a.programId,
    disputeId: a.disputeId,
    amount: money(a.amount, a.currency),
    reason: a.reason,
    status: a.status as AdjustmentStatus,
    preparedById: a.preparedById,
    preparedAt: a.preparedAt,
    approvedById: a.approvedById,
    approvedAt: a.approvedAt,
    rejectedById: a.rejectedById,
    rejectReason: a.rejectReason,
    postedPeriodId: a.postedPeriodId,
    accrualId: a.accrualId,
    version: a.version,
    createdAt: a.createdAt,
  };
}
