import Decimal from 'decimal.js';

export interface ChainEdge {
  parentCompanyId: string;
  memberCompanyId: string;
}

/** Parents of each member, for walking a chain upward. */
export function parentsIndex(edges: readonly ChainEdge[]): Map<string, string[]> {
  const parentsOf = new Map<string, string[]>();
  for (const e of edges) {
    const list = parentsOf.get(e.memberCompanyId);
    if (list) list.push(e.parentCompanyId);
    else parentsOf.set(e.memberCompanyId, [e.parentCompanyId]);
  }
  return parentsOf;
}

/**
 * Adding parent → member to a chain rooted at `rootCompanyId` closes a cycle when member is the root,
 * the parent itself, or an ancestor of the parent. Returns the path that would close it
 * (member … parent, member), or null when the edge is safe.
 */
export function cyclePath(
  rootCompanyId: string,
  edges: readonly ChainEdge[],
  parentCompanyId: string,
  memberCompanyId: string,
): string[] | null {
  return cyclePathIn(rootCompanyId, parentsIndex(edges), parentCompanyId, memberCompanyId);
}

/** As cyclePath, on a prepared parents index (imports keep one up to date instead of rebuilding it per row). */
export function cyclePathIn(
  rootCompanyId: string,
  parentsOf: ReadonlyMap<string, readonly string[]>,
  parentCompanyId: string,
  memberCompanyId: string,
): string[] | null {
  if (parentCompanyId === memberCompanyId) return [memberCompanyId, memberCompanyId];
  // Walk upward from the parent (breadth first over every parent it has) looking for the member.
  const cameFrom = new Map<string, string | null>([[parentCompanyId, null]]);
  const queue = [parentCompanyId];
  for (let at = 0; at < queue.length; at++) {
    const node = queue[at] as string;
    if (node === memberCompanyId) {
      // node is an ancestor of the parent: path member → … → parent → member, read downward.
      const path: string[] = [];
      for (let step: string | null = node; step !== null; step = cameFrom.get(step) ?? null) path.push(step);
      return [...path, memberCompanyId];
    }
    for (const up of parentsOf.get(node) ?? []) {
      if (!cameFrom.has(up)) {
        cameFrom.set(up, node);
        queue.push(up);
      }
    }
  }
  if (memberCompanyId === rootCompanyId) return [rootCompanyId, parentCompanyId, rootCompanyId];
  return null;
}

/** count / total as a 4-decimal string ("0.3333"); "0" when total is 0. */
export function share(part: bigint, total: bigint): string {
  if (total === 0n) return '0';
  return new Decimal(part.toString()).dividedBy(total.toString()).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
}

export interface PenetrationNode {
  tier: number;
  banked: boolean;
  volumeMinor: bigint;
}

export interface PenetrationRow {
  tier: number | null;
  members: number;
  banked: number;
  shareByCount: string;
  volumeMinor: bigint;
  bankedVolumeMinor: bigint;
  shareByVolume: string;
  uncoveredVolumeMinor: bigint;
}

/** Per tier (ascending) and in total (tier null, last): share banked by count and by volume, uncovered volume. */
export function penetration(nodes: readonly PenetrationNode[]): { tiers: PenetrationRow[]; total: PenetrationRow } {
  const row = (tier: number | null, list: readonly PenetrationNode[]): PenetrationRow => {
    const banked = list.filter((n) => n.banked);
    const volume = list.reduce((s, n) => s + n.volumeMinor, 0n);
    const bankedVolume = banked.reduce((s, n) => s + n.volumeMinor, 0n);
    return {
      tier,
      members: list.length,
      banked: banked.length,
      shareByCount: share(BigInt(banked.length), BigInt(list.length)),
      volumeMinor: volume,
      bankedVolumeMinor: bankedVolume,
      shareByVolume: share(bankedVolume, volume),
      uncoveredVolumeMinor: volume - bankedVolume,
    };
  };
  const tiers = [...new Set(nodes.map((n) => n.tier))].sort((a, b) => a - b);
  return {
    tiers: tiers.map((t) =>
      row(
        t,
        nodes.filter((n) => n.tier === t),
      ),
    ),
    total: row(null, nodes),
  };
}

export interface PaymentFact {
  payerCustomerId: string;
  counterpartyUscc: string;
  counterpartyName: string | null;
  amountMinor: bigint;
}

export interface CandidateAggregate {
  counterpartyUscc: string;
  counterpartyName: string | null;
  count: number;
  volumeMinor: bigint;
}

/** Groups payments by counterparty and keeps those at or above both thresholds. */
export function aboveThresholds(
  payments: readonly PaymentFact[],
  minCount: number,
  minVolumeMinor: bigint,
): CandidateAggregate[] {
  const by = new Map<string, CandidateAggregate>();
  for (const p of payments) {
    const agg = by.get(p.counterpartyUscc) ?? {
      counterpartyUscc: p.counterpartyUscc,
      counterpartyName: p.counterpartyName,
      count: 0,
      volumeMinor: 0n,
    };
    agg.count += 1;
    agg.volumeMinor += p.amountMinor;
    agg.counterpartyName = agg.counterpartyName ?? p.counterpartyName;
    by.set(p.counterpartyUscc, agg);
  }
  return [...by.values()]
    .filter((a) => a.count >= minCount && a.volumeMinor >= minVolumeMinor)
    .sort((a, b) => a.counterpartyUscc.localeCompare(b.counterpartyUscc));
}
