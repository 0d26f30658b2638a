import { registerEnumType } from '@nestjs/graphql';

export enum ClaimFormat {
  CSV = 'CSV',
  XLSX = 'XLSX',
}
registerEnumType(ClaimFormat, { name: 'ClaimFormat' });

export enum ReconciliationOutcomeKind {
  MATCHED = 'MATCHED',
  AMOUNT_MISMATCH = 'AMOUNT_MISMATCH',
  MISSING_IN_BANK = 'MISSING_IN_BANK',
  MISSING_IN_CLAIM = 'MISSING_IN_CLAIM',
  DUPLICATE_IN_CLAIM = 'DUPLICATE_IN_CLAIM',
}
registerEnumType(ReconciliationOutcomeKind, {
  name: 'ReconciliationOutcome',
  description:
    'MATCHED; AMOUNT_MISMATCH (same reference, other amount); MISSING_IN_BANK (claimed, not on the statement); ' +
    'MISSING_IN_CLAIM (on the statement, not claimed); DUPLICATE_IN_CLAIM (a statement line claimed again)',
});

export enum DisputeStatus {
  OPEN = 'OPEN',
  RESOLVED = 'RESOLVED',
  REJECTED = 'REJECTED',
}
registerEnumType(DisputeStatus, {
  name: 'DisputeStatus',
  description: 'OPEN → RESOLVED (by an approved adjustment) or REJECTED (with a reason)',
});

export enum DisputeSide {
  BANK = 'BANK',
  PARTNER = 'PARTNER',
}
registerEnumType(DisputeSide, { name: 'DisputeSide' });

export enum AdjustmentStatus {
  PREPARED = 'PREPARED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}
registerEnumType(AdjustmentStatus, {
  name: 'AdjustmentStatus',
  description:
    'PREPARED (finance maker) → APPROVED (a different finance approver; posted to the next open period) or REJECTED',
});

/** Ledger values of an ADJUSTMENT row (commission_accruals). */
export const ADJUSTMENT_KIND = 'ADJUSTMENT';
export const ADJUSTMENT_RULE_ID = 'ADJUSTMENT';
