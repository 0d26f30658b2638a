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

/** A row as posted: revision 0 and not a reversal for a freshly calculated line (no copy is made). */
interface Posted {
  line: CommissionLine | LedgerEntry;
  revision: number;
  reversal: boolean;
}

interface KeyState {
  maxRevision: number;
  live: Posted[];
}

function postedOf(l: CommissionLine | LedgerEntry): Posted {
  return isEntry(l)
    ? { line: l, revision: l.revision, reversal: l.reversal }
    : { line: l, revision: 0, reversal: false };
}

function stateByKey(entries: readonly (CommissionLine | LedgerEntry)[]): Map<string, KeyState> {
  const all = entries.map(postedOf);
  const reversed = new Set<string>();
  for (const p of all) if (p.reversal) reversed.add(ledgerKeyOf(p.line.idempotencyKey, p.revision, false));
  const out = new Map<string, KeyState>();
  for (const p of all) {
    const key = p.line.idempotencyKey;
    let s = out.get(key);
    if (!s) {
      s = { maxRevision: -1, live: [] };
      out.set(key, s);
    }
    if (p.revision > s.maxRevision) s.maxRevision = p.revision;
    if (!p.reversal && (reversed.size === 0 || !reversed.has(ledgerKeyOf(key, p.revision, false)))) s.live.push(p);
  }
  for (const s of out.values()) if (s.live.length > 1) s.live.sort((a, b) => a.revision - b.revision);
  return out;
}

/** The live lines of a ledger (posted, not reversed), in key order. */
export function netLedgerLines(entries: readonly (CommissionLine | LedgerEntry)[]): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  const states = stateByKey(entries);
  for (const key of [...states.keys()].sort()) for (const p of states.get(key)?.live ?? []) out.push(asEntry(p.line));
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
  return diffWith(existing, recomputed, lineFingerprint);
}

function diffWith(
  existing: readonly LedgerEntry[],
  recomputed: readonly CommissionLine[],
  fingerprint: (l: CommissionLine) => string,
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
      if (live.length === 1 && first && fingerprint(first.line) === fingerprint(line)) continue;
      for (const old of live) out.push(reversalOf(asEntry(old.line), `recalculated as ${line.amount.format()}`));
      const revision = (state?.maxRevision ?? -1) + 1;
      out.push({ ...line, revision, reversal: false, ledgerKey: ledgerKeyOf(key, revision, false) });
    } else {
      for (const old of live) out.push(reversalOf(asEntry(old.line), 'no longer earned on recalculation'));
    }
  }
  return out;
}

/**
 * diffAgainstLedger and the ledgerContentHash of the recomputed lines in one pass: each line's
 * fingerprint is computed once and serves both (a run needs both for every plan).
 */
export function diffAndHash(
  existing: readonly LedgerEntry[],
  recomputed: readonly CommissionLine[],
): { diff: LedgerEntry[]; hash: string } {
  const memo = new Map<CommissionLine, string>();
  const fingerprint = (l: CommissionLine): string => {
    let f = memo.get(l);
    if (f === undefined) memo.set(l, (f = lineFingerprint(l)));
    return f;
  };
  return { diff: diffWith(existing, recomputed, fingerprint), hash: hashWith(recomputed, fingerprint) };
}

/**
 * SHA-256 (hex) of the ledger's live lines in canonical form: equal for equal
 * ledgers whatever the order of rows, and equal between an incrementally
 * corrected ledger and a clean calculation of the same result.
 */
export function ledgerContentHash(entries: readonly (CommissionLine | LedgerEntry)[]): string {
  return hashWith(entries, lineFingerprint);
}

function hashWith(
  entries: readonly (CommissionLine | LedgerEntry)[],
  fingerprint: (l: CommissionLine) => string,
): string {
  const rows: string[] = [];
  for (const s of stateByKey(entries).values()) for (const p of s.live) rows.push(fingerprint(p.line));
  rows.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const h = createHash('sha256');
  for (const r of rows) h.update(`${r}\n`);
  return h.digest('hex');
}
