import { registerEnumType } from '@nestjs/graphql';
import { addDays } from '../common/business-time';
import { badInput } from '../common/domain-error';

/**
 * Period statuses are varchar in the database; the settlement issue appends APPROVED, CLOSED, PAID
 * here and their moves to PERIOD_TRANSITIONS. Any status not in POSTABLE_PERIOD_STATUSES is locked:
 * corrections of its facts are posted as adjustments in the current open period.
 */
export const PeriodStatus = {
  OPEN: 'OPEN',
  CALCULATED: 'CALCULATED',
  UNDER_REVIEW: 'UNDER_REVIEW',
  APPROVED: 'APPROVED',
  CLOSED: 'CLOSED',
  PAID: 'PAID',
} as const;

/** The one table of allowed moves (from → to). A re-run keeps a CALCULATED period CALCULATED. */
export const PERIOD_TRANSITIONS: Record<string, readonly string[]> = {
  OPEN: ['CALCULATED'],
  CALCULATED: ['CALCULATED', 'UNDER_REVIEW'],
  UNDER_REVIEW: ['APPROVED'],
  APPROVED: ['CLOSED'],
  CLOSED: ['PAID'],
};

export const POSTABLE_PERIOD_STATUSES: readonly string[] = [PeriodStatus.OPEN, PeriodStatus.CALCULATED];

export function periodTransitionAllowed(from: string, to: string): boolean {
  return (PERIOD_TRANSITIONS[from] ?? []).includes(to);
}

export function isPostable(status: string): boolean {
  return POSTABLE_PERIOD_STATUSES.includes(status);
}

const KEY_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** 'YYYY-MM' → first and last business day of the month. */
export function periodBounds(key: string, field = 'key'): { from: string; to: string } {
  const m = KEY_RE.exec(key);
  if (!m) throw badInput(field, 'INVALID_PERIOD');
  const year = Number.parseInt(m[1] ?? '', 10);
  const month = Number.parseInt(m[2] ?? '', 10);
  const from = `${key}-01`;
  const next =
    month === 12
      ? `${String(year + 1).padStart(4, '0')}-01-01`
      : `${key.slice(0, 5)}${String(month + 1).padStart(2, '0')}-01`;
  return { from, to: addDays(next, -1) };
}

export enum AccrualStatus {
  HELD = 'HELD',
  PAYABLE = 'PAYABLE',
  REVERSED = 'REVERSED',
}
registerEnumType(AccrualStatus, {
  name: 'AccrualStatus',
  description:
    'Derived when read: REVERSED (a reversal, a clawback, or reversed since), else PAYABLE from payableOn, else HELD',
});

export enum AccrualKind {
  ACCRUAL = 'ACCRUAL',
  CLAWBACK = 'CLAWBACK',
  /** An approved settlement adjustment, posted in the next open period (no plan, no customer). */
  ADJUSTMENT = 'ADJUSTMENT',
}
registerEnumType(AccrualKind, { name: 'AccrualKind' });

export enum PlanStatus {
  ACTIVE = 'ACTIVE',
}
registerEnumType(PlanStatus, { name: 'CommissionPlanStatus' });

export const COMMISSION_RUN_JOB = 'COMMISSION_RUN';
