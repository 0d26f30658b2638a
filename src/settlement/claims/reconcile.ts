import { Money, badInput } from '../../common';
import type { StatementLine } from '../exports/statement-document';
import type { ClaimRow } from './read-claim-file';

export type ReconciliationOutcome =
  'MATCHED' | 'AMOUNT_MISMATCH' | 'MISSING_IN_BANK' | 'MISSING_IN_CLAIM' | 'DUPLICATE_IN_CLAIM';

export const RECONCILIATION_OUTCOMES: readonly ReconciliationOutcome[] = [
  'MATCHED',
  'AMOUNT_MISMATCH',
  'MISSING_IN_BANK',
  'MISSING_IN_CLAIM',
  'DUPLICATE_IN_CLAIM',
];

/** A statement line as reconciliation sees it: its reference plus optional other keys the partner may quote. */
export interface ReconcilableLine extends StatementLine {
  customerRef?: string | null;
  eventId?: string | null;
}

export interface ReconciliationItem {
  outcome: ReconciliationOutcome;
  reference: string;
  line: ReconcilableLine | null;
  claim: ClaimRow | null;
  bankAmount: Money;
  claimAmount: Money;
  /** Claimed − bank: positive when the partner claims more than the statement says. */
  difference: Money;
  /** Stable machine reason. */
  reason: string;
}

export interface OutcomeSummary {
  count: number;
  bankTotal: Money;
  claimTotal: Money;
  difference: Money;
}

export interface Reconciliation {
  items: ReconciliationItem[];
  summary: Record<ReconciliationOutcome, OutcomeSummary> & {
    bankTotal: Money;
    claimTotal: Money;
    difference: Money;
    balanced: boolean;
  };
}

function key(s: string): string {
  return s.trim().toUpperCase();
}

/**
 * Reconciles a statement's lines against a partner's claim rows by reference
 * (the line's ref, or its customer reference / event id when the claim says
 * so) and amount. Every line and every claim row ends in exactly one item, so
 * bankTotal = Σ lines and claimTotal = Σ claim rows to the fen.
 */
export function reconcile(
  lines: readonly ReconcilableLine[],
  claims: readonly ClaimRow[],
  currency?: string,
): Reconciliation {
  const ccy = currency ?? lines[0]?.amount.currency ?? claims[0]?.amount.currency ?? 'CNY';
  const zero = Money.zero(ccy);
  lines.forEach((l, i) => {
    if (l.amount.currency !== ccy) throw badInput(`lines[${i}].amount`, 'CURRENCY_MISMATCH');
  });
  claims.forEach((c) => {
    if (c.amount.currency !== ccy) throw badInput(`claims[line ${c.line}].amount`, 'CURRENCY_MISMATCH');
  });

  const byRef = new Map<string, ReconcilableLine>();
  const byCustomer = new Map<string, ReconcilableLine>();
  const byEvent = new Map<string, ReconcilableLine>();
  for (const l of lines) {
    if (byRef.has(key(l.ref)))
      throw badInput('lines', 'DUPLICATE_LINE_REFERENCE', `Statement line reference ${l.ref} repeats`);
    byRef.set(key(l.ref), l);
    if (l.customerRef) byCustomer.set(key(l.customerRef), l);
    if (l.eventId) byEvent.set(key(l.eventId), l);
  }
  const find = (c: ClaimRow): ReconcilableLine | undefined => {
    switch (c.referenceKind) {
      case 'CUSTOMER':
        return byCustomer.get(key(c.reference));
      case 'EVENT':
        return byEvent.get(key(c.reference));
      case 'REFERRAL':
        return byRef.get(key(c.reference));
      default:
        return (
          byRef.get(key(c.reference)) ??
          (c.customerRef ? byCustomer.get(key(c.customerRef)) : undefined) ??
          (c.eventId ? byEvent.get(key(c.eventId)) : undefined)
        );
    }
  };

  const items: ReconciliationItem[] = [];
  const claimed = new Map<ReconcilableLine, ClaimRow>();
  for (const c of claims) {
    const line = find(c);
    if (line === undefined) {
      items.push({
        outcome: 'MISSING_IN_BANK',
        reference: c.reference,
        line: null,
        claim: c,
        bankAmount: zero,
        claimAmount: c.amount,
        difference: c.amount,
        reason: 'NOT_ON_STATEMENT',
      });
      continue;
    }
    const first = claimed.get(line);
    if (first !== undefined) {
      items.push({
        outcome: 'DUPLICATE_IN_CLAIM',
        reference: line.ref,
        line,
        claim: c,
        bankAmount: zero,
        claimAmount: c.amount,
        difference: c.amount,
        reason: `REPEATS_LINE_${first.line}`,
      });
      continue;
    }
    claimed.set(line, c);
    const diff = c.amount.minus(line.amount);
    items.push({
      outcome: diff.isZero() ? 'MATCHED' : 'AMOUNT_MISMATCH',
      reference: line.ref,
      line,
      claim: c,
      bankAmount: line.amount,
      claimAmount: c.amount,
      difference: diff,
      reason: diff.isZero() ? 'AMOUNTS_EQUAL' : diff.isPositive() ? 'CLAIM_EXCEEDS_STATEMENT' : 'CLAIM_BELOW_STATEMENT',
    });
  }
  for (const l of lines) {
    if (claimed.has(l)) continue;
    items.push({
      outcome: 'MISSING_IN_CLAIM',
      reference: l.ref,
      line: l,
      claim: null,
      bankAmount: l.amount,
      claimAmount: zero,
      difference: l.amount.negate(),
      reason: 'NOT_CLAIMED',
    });
  }

  const empty = (): OutcomeSummary => ({ count: 0, bankTotal: zero, claimTotal: zero, difference: zero });
  const per = Object.fromEntries(RECONCILIATION_OUTCOMES.map((o) => [o, empty()])) as Record<
    ReconciliationOutcome,
    OutcomeSummary
  >;
  for (const it of items) {
    const s = per[it.outcome];
    per[it.outcome] = {
      count: s.count + 1,
      bankTotal: s.bankTotal.plus(it.bankAmount),
      claimTotal: s.claimTotal.plus(it.claimAmount),
      difference: s.difference.plus(it.difference),
    };
  }
  const bankTotal = items.reduce((a, i) => a.plus(i.bankAmount), zero);
  const claimTotal = items.reduce((a, i) => a.plus(i.claimAmount), zero);
  const difference = claimTotal.minus(bankTotal);
  const balanced = items.every((i) => i.outcome === 'MATCHED');
  return { items, summary: { ...per, bankTotal, claimTotal, difference, balanced } };
}
