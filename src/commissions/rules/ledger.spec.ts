import { calculate, planVersionResolver } from './engine';
import { diffAgainstLedger, ledgerContentHash, netLedgerLines } from './ledger';
import { JANUARY, cny, errorOf, fact, plan, rule } from './spec-support';
import type { LedgerEntry, PlanVersion, QualifyingFact } from './types';

function runWith(versions: PlanVersion[], facts: QualifyingFact[], asOf = '2026-01-31') {
  return calculate({ planVersionAt: planVersionResolver(versions), facts, period: JANUARY, asOf });
}

describe('diffAgainstLedger', () => {
  const facts = [
    fact({ id: 'a1', date: '2026-01-05' }),
    fact({ id: 'a2', date: '2026-01-14' }),
    fact({ id: 'a3', date: '2026-01-15' }),
    fact({ id: 'a4', date: '2026-01-20' }),
  ];
  const v1 = plan([rule()], 1, '2026-01-01');

  it('posts everything into an empty ledger at revision 0, and nothing on a re-run (even later)', () => {
    const lines = runWith([v1], facts).lines;
    const posted = diffAgainstLedger([], lines);
    expect(posted.map((e) => e.ledgerKey)).toEqual([
      'plan-1|r1|a1|v1#0',
      'plan-1|r1|a2|v1#0',
      'plan-1|r1|a3|v1#0',
      'plan-1|r1|a4|v1#0',
    ]);
    expect(diffAgainstLedger(posted, runWith([v1], facts).lines)).toEqual([]);
    // A later run sees PAYABLE instead of HELD for held lines: still nothing to append.
    const held = plan([rule({ holdingDays: 30 })]);
    const heldPosted = diffAgainstLedger([], runWith([held], facts, '2026-01-31').lines);
    expect(diffAgainstLedger(heldPosted, runWith([held], facts, '2026-12-31').lines)).toEqual([]);
  });

  it('a back-dated amendment appends only the difference', () => {
    const ledger = diffAgainstLedger([], runWith([v1], facts).lines);
    // Version 2, written in February, back-dated to 15 January: ¥60 per activation.
    const v2 = plan([rule({ basis: { kind: 'FLAT_PER_EVENT', amount: cny('60.00') } })], 2, '2026-01-15');
    const recomputed = runWith([v1, v2], facts).lines;
    const delta = diffAgainstLedger(ledger, recomputed);
    expect(delta.map((e) => [e.ledgerKey, e.status, e.amount.minor])).toEqual([
      ['plan-1|r1|a3|v1#0~R', 'REVERSED', -5000n],
      ['plan-1|r1|a3|v2#0', 'PAYABLE', 6000n],
      ['plan-1|r1|a4|v1#0~R', 'REVERSED', -5000n],
      ['plan-1|r1|a4|v2#0', 'PAYABLE', 6000n],
    ]);
    expect(delta.reduce((s, e) => s + e.amount.minor, 0n)).toBe(2000n);
    expect(delta[0]?.explanation).toContain('reversal of plan-1|r1|a3|v1#0 (¥50.00)');
    const after = [...ledger, ...delta];
    expect(diffAgainstLedger(after, recomputed)).toEqual([]);
    expect(ledgerContentHash(after)).toBe(ledgerContentHash(recomputed));
    expect(ledgerContentHash(after)).not.toBe(ledgerContentHash(ledger));
  });

  it('a late event that moves a tier reverses and re-posts the changed lines under the same key', () => {
    const tiered = plan([
      rule({
        basis: {
          kind: 'TIERED',
          measure: 'COUNT',
          mode: 'VOLUME',
          tiers: [
            { from: 0n, to: 2n, amountPerUnit: cny('50.00') },
            { from: 2n, to: null, amountPerUnit: cny('80.00') },
          ],
        },
      }),
    ]);
    const ledger = diffAgainstLedger([], runWith([tiered], facts.slice(0, 2)).lines);
    expect(ledger.map((e) => e.amount.minor)).toEqual([5000n, 5000n]);
    const recomputed = runWith([tiered], facts.slice(0, 3)).lines;
    const delta = diffAgainstLedger(ledger, recomputed);
    expect(delta.map((e) => [e.ledgerKey, e.amount.minor])).toEqual([
      ['plan-1|r1|a1|v1#0~R', -5000n],
      ['plan-1|r1|a1|v1#1', 8000n],
      ['plan-1|r1|a2|v1#0~R', -5000n],
      ['plan-1|r1|a2|v1#1', 8000n],
      ['plan-1|r1|a3|v1#0', 8000n],
    ]);
    const after = [...ledger, ...delta];
    expect(netLedgerLines(after).map((e) => [e.ledgerKey, e.amount.minor])).toEqual([
      ['plan-1|r1|a1|v1#1', 8000n],
      ['plan-1|r1|a2|v1#1', 8000n],
      ['plan-1|r1|a3|v1#0', 8000n],
    ]);
    // A further correction reverses revision 1 and posts revision 2.
    const again = diffAgainstLedger(after, runWith([tiered], facts.slice(0, 2)).lines);
    expect(again.map((e) => [e.ledgerKey, e.amount.minor])).toEqual([
      ['plan-1|r1|a1|v1#1~R', -8000n],
      ['plan-1|r1|a1|v1#2', 5000n],
      ['plan-1|r1|a2|v1#1~R', -8000n],
      ['plan-1|r1|a2|v1#2', 5000n],
      ['plan-1|r1|a3|v1#0~R', -8000n],
    ]);
  });

  it('a vanished line is reversed once', () => {
    const ledger = diffAgainstLedger([], runWith([v1], facts).lines);
    const delta = diffAgainstLedger(ledger, runWith([v1], facts.slice(1)).lines);
    expect(delta.map((e) => [e.ledgerKey, e.amount.minor, e.reversal])).toEqual([
      ['plan-1|r1|a1|v1#0~R', -5000n, true],
    ]);
    expect(diffAgainstLedger([...ledger, ...delta], runWith([v1], facts.slice(1)).lines)).toEqual([]);
  });

  it('refuses recomputed lines with duplicate keys', () => {
    const lines = runWith([v1], facts).lines;
    expect(errorOf(() => diffAgainstLedger([], [...lines, ...lines.slice(0, 1)]))).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'DUPLICATE_KEY',
    });
  });
});

describe('ledgerContentHash', () => {
  it('is a SHA-256 independent of row order and of status, but not of amounts', () => {
    const lines = runWith([plan([rule()])], [fact({ id: 'a1' }), fact({ id: 'a2' })]).lines;
    const h = ledgerContentHash(lines);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(ledgerContentHash([...lines].reverse())).toBe(h);
    const entries: LedgerEntry[] = diffAgainstLedger([], lines);
    expect(ledgerContentHash(entries)).toBe(h);
    const first = lines[0]!;
    expect(ledgerContentHash([{ ...first, status: 'HELD' }, ...lines.slice(1)])).toBe(h);
    expect(ledgerContentHash([{ ...first, amount: cny('50.01') }, ...lines.slice(1)])).not.toBe(h);
    expect(ledgerContentHash([])).toBe(ledgerContentHash([]));
  });
});
