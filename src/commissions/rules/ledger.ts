import { createHash } from 'node:crypto';
import { badInput } from '../../common/domain-error';
import type { CommissionLine, LedgerEntry } from './types';

/**
 * The append-only ledger as pure functions. Lines are identified by their
 * idempotency key; a key is posted at revision 0, and a correction appends
 * the reversal of the live revision (its negative copy) plus the new line at
 * the next revision. A ledger's state is its "live" lines: posted and not
 * reversed.
 *
 * What counts as a change: the money-relevant content of a line (amount,
 * basis, rate/tier, payable date, parties, sources). Status (HELD/PAYABLE,
 * derived from the date of the run) and the explanation text (derived) are
 * not compared, so re-running later or rewording an explanation appends nothing.
 */

export function ledgerKeyOf(idempotencyKey: string, revision: number, reversal: boolean): string {
  return `${idempotencyKey}#${revision}${reversal ? '~R' : ''}`;
}

function isEntry(l: CommissionLine | LedgerEntry): l is LedgerEntry {
  return 'revision' in l && typeof l.revision === 'number';
}

function asEntry(l: CommissionLine | LedgerEntry): LedgerEntry {
  return isEntry(l) ? l : { ...l, revision: 0, reversal: false, ledgerKey: ledgerKeyOf(l.idempotencyKey, 0, false) };
}

/** Canonical serialisation of what a line means in money (fixed field order, no floats). */
export function lineFingerprint(l: CommissionLine): string {
  return JSON.stringify([
    l.idempotencyKey,
    l.kind,
    l.planId,
    l.planVersion,
    l.ruleId,
    l.sourceIds,
    l.customerId,
    l.partnerId,
    l.programId,
    l.periodKey,
    l.businessDate,
    l.basisAmount ? [l.basisAmount.minor.toString(), l.basisAmount.currency] : null,
    l.rateOrTier,
    [l.amount.minor.toString(), l.amount.currency],
    l.payableOn,
    l.feeCategory,
  ]);
}

interface KeyState {
  maxRevision: number;
  live: LedgerEntry[];
}

function stateByKey(entries: readonly (CommissionLine | LedgerEntry)[]): Map<string, KeyState> {
  const all = entries.map(asEntry);
  const reversed = new Set(all.filter((e) => e.reversal).map((e) => ledgerKeyOf(e.idempotencyKey, e.revision, false)));
  const out = new Map<string, KeyState>();
  for (const e of all) {
    let s = out.get(e.idempotencyKey);
    if (!s) {
      s = { maxRevision: -1, live: [] };
      out.set(e.idempotencyKey, s);
    }
    if (e.revision > s.maxRevision) s.maxRevision = e.revision;
    if (!e.reversal && !reversed.has(ledgerKeyOf(e.idempotencyKey, e.revision, false))) s.live.push(e);
  }
  for (const s of out.values()) s.live.sort((a, b) => a.revision - b.revision);
  return out;
}

/** The live lines of a ledger (posted, not reversed), in key order. */
export function netLedgerLines(entries: readonly (CommissionLine | LedgerEntry)[]): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  const states = stateByKey(entries);
  for (const key of [...states.keys()].sort()) out.push(...(states.get(key)?.live ?? []));
  return out;
}

function reversalOf(line: LedgerEntry, reason: string): LedgerEntry {
  return {
    ...line,
    amount: line.amount.negate(),
    status: 'REVERSED',
    reversal: true,
    ledgerKey: ledgerKeyOf(line.idempotencyKey, line.revision, true),
    explanation: `reversal of ${line.ledgerKey} (${line.amount.format()}): ${reason}`,
  };
}

/**
 * What to append to `existing` (every row of the ledger for the calculation's
 * scope, reversals included) so that its live lines equal `recomputed`:
 * nothing for an unchanged line; the reversal of the old line plus the new one
 * (next revision) for a changed line; a reversal for a line no longer earned.
 * Re-running on its own output appends nothing. Deterministic order.
 */
export function diffAgainstLedger(
  existing: readonly LedgerEntry[],
  recomputed: readonly CommissionLine[],
): LedgerEntry[] {
  const states = stateByKey(existing);
  const wanted = new Map<string, CommissionLine>();
  recomputed.forEach((l, i) => {
    if (wanted.has(l.idempotencyKey)) throw badInput(`recomputed[${i}].idempotencyKey`, 'DUPLICATE_KEY');
    wanted.set(l.idempotencyKey, l);
  });

  const out: LedgerEntry[] = [];
  const keys = [...new Set([...states.keys(), ...wanted.keys()])].sort();
  for (const key of keys) {
    const state = states.get(key);
    const line = wanted.get(key);
    const live = state?.live ?? [];
    if (line) {
      const first = live[0];
      if (live.length === 1 && first && lineFingerprint(first) === lineFingerprint(line)) continue;
      for (const old of live) out.push(reversalOf(old, `recalculated as ${line.amount.format()}`));
      const revision = (state?.maxRevision ?? -1) + 1;
      out.push({ ...line, revision, reversal: false, ledgerKey: ledgerKeyOf(key, revision, false) });
    } else {
      for (const old of live) out.push(reversalOf(old, 'no longer earned on recalculation'));
    }
  }
  return out;
}

/**
 * SHA-256 (hex) of the ledger's live lines in canonical form: equal for equal
 * ledgers whatever the order of rows, and equal between an incrementally
 * corrected ledger and a clean calculation of the same result.
 */
export function ledgerContentHash(entries: readonly (CommissionLine | LedgerEntry)[]): string {
  const rows = netLedgerLines(entries)
    .map(lineFingerprint)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const h = createHash('sha256');
  for (const r of rows) h.update(`${r}\n`);
  return h.digest('hex');
}
