import { Money } from '../../common';
import type { CamtEntry } from './camt053';
import { normaliseAccount, sameIsoReference } from './references';

export interface PayoutToMatch {
  payoutId: string;
  amount: Money;
  /** The creditor account the payout was sent to (IBAN or other id). */
  creditorAccount: string;
  /** Requested execution date, YYYY-MM-DD. */
  executionDate: string;
  /** Already confirmed paid (by an earlier statement): can never be paid again. */
  alreadyPaid?: boolean;
}

export type MatchedBy = 'END_TO_END_ID' | 'AMOUNT_DATE_ACCOUNT';
export type MatchExceptionReason = 'NO_MATCH' | 'AMBIGUOUS' | 'ALREADY_PAID' | 'AMOUNT_DIFFERS';
export type IgnoredReason = 'NOT_BOOKED' | 'NOT_A_DEBIT' | 'REVERSAL';

export interface PayoutMatch {
  payoutId: string;
  entryRef: string;
  endToEndId: string | null;
  matchedBy: MatchedBy;
}

export interface MatchException {
  entry: CamtEntry;
  entryRef: string;
  /** The transaction's EndToEndId, when the bank gave one. */
  endToEndId: string | null;
  amount: Money | null;
  reason: MatchExceptionReason;
  /** The payout(s) concerned: the one already paid or differing, or the ambiguous candidates. */
  payoutIds: string[];
}

export interface IgnoredEntry {
  entry: CamtEntry;
  reason: IgnoredReason;
}

export interface MatchResult {
  matched: PayoutMatch[];
  exceptions: MatchException[];
  ignored: IgnoredEntry[];
}

export interface MatchOptions {
  /** Largest distance in days between execution date and booking date for the fallback. Default 3. */
  dateToleranceDays?: number;
}

interface Item {
  entry: CamtEntry;
  endToEndId: string | null;
  amount: Money | null;
  account: string | null;
  date: string | null;
}

function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / 86_400_000);
}

/** One item per transaction of an entry (a batch booking carries several), or the entry itself. */
function itemsOf(entry: CamtEntry): Item[] {
  const date = entry.bookingDate ?? entry.valueDate;
  if (entry.transactions.length === 0) {
    return [{ entry, endToEndId: null, amount: entry.amount, account: entry.counterpartyAccount, date }];
  }
  const single = entry.transactions.length === 1;
  return entry.transactions.map((tx) => ({
    entry,
    endToEndId: tx.endToEndId,
    amount: tx.amount ?? (single ? entry.amount : null),
    account: tx.counterpartyAccount ?? (single ? entry.counterpartyAccount : null),
    date,
  }));
}

/**
 * Matches booked debit entries of a camt.053 to payouts: by EndToEndId first
 * (our payout id), then by amount + creditor account + booking date within
 * `dateToleranceDays` of the execution date. A payout is matched at most once
 * (also across calls: pass `alreadyPaid`); anything else is an exception with
 * a reason, never a guess.
 */
export function matchCamtToPayouts(
  entries: readonly CamtEntry[],
  payouts: readonly PayoutToMatch[],
  options: MatchOptions = {},
): MatchResult {
  const tolerance = options.dateToleranceDays ?? 3;
  const paid = new Set(payouts.filter((p) => p.alreadyPaid === true).map((p) => p.payoutId));
  const result: MatchResult = { matched: [], exceptions: [], ignored: [] };

  const exception = (item: Item, reason: MatchExceptionReason, payoutIds: string[]): void => {
    result.exceptions.push({
      entry: item.entry,
      entryRef: item.entry.ref,
      endToEndId: item.endToEndId,
      amount: item.amount,
      reason,
      payoutIds,
    });
  };
  const match = (item: Item, payout: PayoutToMatch, matchedBy: MatchedBy): void => {
    paid.add(payout.payoutId);
    result.matched.push({
      payoutId: payout.payoutId,
      entryRef: item.entry.ref,
      endToEndId: item.endToEndId,
      matchedBy,
    });
  };

  for (const entry of entries) {
    if (entry.reversal) {
      result.ignored.push({ entry, reason: 'REVERSAL' });
      continue;
    }
    if (entry.status !== 'BOOK') {
      result.ignored.push({ entry, reason: 'NOT_BOOKED' });
      continue;
    }
    if (entry.creditDebit !== 'DBIT') {
      result.ignored.push({ entry, reason: 'NOT_A_DEBIT' });
      continue;
    }
    for (const item of itemsOf(entry)) {
      const byId =
        item.endToEndId === null ? undefined : payouts.find((p) => sameIsoReference(p.payoutId, item.endToEndId ?? ''));
      if (byId !== undefined) {
        if (paid.has(byId.payoutId)) exception(item, 'ALREADY_PAID', [byId.payoutId]);
        else if (item.amount !== null && !item.amount.equals(byId.amount))
          exception(item, 'AMOUNT_DIFFERS', [byId.payoutId]);
        else match(item, byId, 'END_TO_END_ID');
        continue;
      }
      // Fallback: amount, account and date must all agree.
      const amount = item.amount;
      const account = item.account === null ? null : normaliseAccount(item.account);
      if (amount === null || account === null || item.date === null) {
        exception(item, 'NO_MATCH', []);
        continue;
      }
      const day = dayNumber(item.date);
      const sameAccountAndDate = payouts.filter(
        (p) =>
          normaliseAccount(p.creditorAccount) === account && Math.abs(dayNumber(p.executionDate) - day) <= tolerance,
      );
      const sameAmount = sameAccountAndDate.filter((p) => p.amount.equals(amount));
      const open = sameAmount.filter((p) => !paid.has(p.payoutId));
      const first = open[0];
      if (open.length === 1 && first !== undefined) match(item, first, 'AMOUNT_DATE_ACCOUNT');
      else if (open.length > 1)
        exception(
          item,
          'AMBIGUOUS',
          open.map((p) => p.payoutId),
        );
      else if (sameAmount.length > 0)
        exception(
          item,
          'ALREADY_PAID',
          sameAmount.map((p) => p.payoutId),
        );
      else {
        const unpaid = sameAccountAndDate.filter((p) => !paid.has(p.payoutId));
        if (unpaid.length === 1 && unpaid[0] !== undefined) exception(item, 'AMOUNT_DIFFERS', [unpaid[0].payoutId]);
        else exception(item, 'NO_MATCH', []);
      }
    }
  }
  return result;
}
