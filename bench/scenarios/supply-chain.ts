import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR_FOR_BENCH } from '../system-actor';
import { BenchContext, BenchRow, fmtMs, medianMs, ratio, Scenario } from '../harness';
import { OrgUnitsService } from '../../src/org-units/org-units.service';
import { demoUscc } from '../../src/demo/foundation-demo';
import { SupplyChainService } from '../../src/supply-chain/supply-chain.service';
import { EdgeRecord } from '../../src/supply-chain/rules/edge-file';

const TIERS = 5;
const QUERY = `query($c: ID!) { supplyChain(coreEnterpriseId: $c, direction: BOTH, maxTier: 5) {
  nodes { company { id name uscc banked } direction tier banked volume { amount } }
  edges { id parentCompanyId memberCompanyId direction tier } } }`;

/** A chain of `members` companies in 5 tiers (members/5 per tier, each under the one above it), upstream. */
async function seedChain(ctx: BenchContext, orgUnitId: string, base: number, members: number): Promise<string> {
  const chains = ctx.app.get(SupplyChainService);
  const core = await chains.registerCore(SYSTEM_ACTOR_FOR_BENCH, {
    company: { name: `基准核心${base}`, uscc: demoUscc(base, '440000') },
    orgUnitId,
  });
  const perTier = members / TIERS;
  const edges: EdgeRecord[] = [];
  const code = (tier: number, i: number): string => demoUscc(base + 1 + tier * perTier + i, '440000');
  for (let tier = 0; tier < TIERS; tier++) {
    for (let i = 0; i < perTier; i++) {
      edges.push({
        line: edges.length + 2,
        source: tier === 0 ? undefined : code(tier - 1, i),
        target: code(tier, i),
        targetName: `成员${tier + 1}-${i}`,
        type: 'Supplier',
        annualVolume: String(1000 + i),
      });
    }
  }
  const report = await chains.importEdges(SYSTEM_ACTOR_FOR_BENCH, edges, { coreId: core.id });
  if (report.created !== members) throw new Error(`seeded ${report.created} of ${members}`);
  return core.id;
}

/** The naive way: expand the chain node by node (children of each node, then each child's company). */
async function naivePerNode(dataSource: DataSource, coreId: string): Promise<number> {
  let statements = 0;
  const [core] = await dataSource.query<{ company_id: string }[]>('SELECT company_id FROM sc_cores WHERE id = ?', [
    coreId,
  ]);
  statements += 1;
  let frontier = [core?.company_id as string];
  for (let tier = 1; tier <= TIERS && frontier.length > 0; tier++) {
    const next: string[] = [];
    for (const parent of frontier) {
      const children = await dataSource.query<{ member_company_id: string }[]>(
        "SELECT * FROM sc_links WHERE core_id = ? AND parent_company_id = ? AND status = 'ACTIVE'",
        [coreId, parent],
      );
      statements += 1;
      for (const child of children) {
        await dataSource.query('SELECT * FROM sc_companies WHERE id = ?', [child.member_company_id]);
        statements += 1;
        next.push(child.member_company_id);
      }
    }
    frontier = next;
  }
  return statements;
}

export const supplyChain: Scenario = {
  name: 'supply-chain',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const head = await ctx.app.get(OrgUnitsService).create(SYSTEM_ACTOR_FOR_BENCH, { code: 'HO', name: 'Head office' });
    const seedStart = performance.now();
    const small = await seedChain(ctx, head.id, 100000, 1000);
    const large = await seedChain(ctx, head.id, 200000, 10000);
    const seedMs = performance.now() - seedStart;
    const dataSource = ctx.app.get(DataSource);
    const statementsFor = async (coreId: string): Promise<number> => {
      ctx.queries.reset();
      await ctx.gql(QUERY, { c: coreId });
      return ctx.queries.count;
    };
    const s1k = await statementsFor(small);
    const s10k = await statementsFor(large);
    // HTTP first: a long pause would let the server close the kept-alive socket under the client.
    const gqlMs = await medianMs(5, () => ctx.gql(QUERY, { c: large }));
    const naive1k = await naivePerNode(dataSource, small);
    const naive10k = await naivePerNode(dataSource, large);
    const naiveMs = await medianMs(3, () => naivePerNode(dataSource, large));
    const label = `supplyChain, 5 tiers (${ctx.dbLabel})`;
    return [
      {
        scenario: label,
        metric: 'SQL statements, 1,000 members',
        gongying: String(s1k),
        baseline: `${naive1k} (naive per-node expansion)`,
        ratio: ratio(s1k, naive1k),
      },
      {
        scenario: label,
        metric: 'SQL statements, 10,000 members',
        gongying: String(s10k),
        baseline: `${naive10k} (naive per-node expansion)`,
        ratio: ratio(s10k, naive10k),
      },
      {
        scenario: label,
        metric: 'time, 10,000 members (median)',
        gongying: `${fmtMs(gqlMs)} (GraphQL over HTTP, 5 runs)`,
        baseline: `${fmtMs(naiveMs)} (naive SQL only, 3 runs)`,
        ratio: ratio(gqlMs, naiveMs),
      },
      {
        scenario: label,
        metric: 'seeding 11,000 links by declared-list import',
        gongying: fmtMs(seedMs),
        baseline: '—',
        ratio: '—',
      },
    ];
  },
};

/**
 * The largest chain of a bank the demo generator seeded (`npm run seed:demo -- --scale …`), as its declared-list
 * imports left it: statements and time against the naive expansion. BENCH_DEMO_DATABASE_URL names the database.
 */
export const demoSupplyChain: Scenario = {
  name: 'demo-supply-chain',
  existingDatabaseEnv: 'BENCH_DEMO_DATABASE_URL',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const dataSource = ctx.app.get(DataSource);
    const [largest] = await dataSource.query<{ core_id: string; n: unknown }[]>(
      "SELECT core_id, COUNT(*) AS n FROM sc_links WHERE status = 'ACTIVE' GROUP BY core_id ORDER BY COUNT(*) DESC LIMIT 1",
    );
    if (!largest) throw new Error('the demo bank has no supply chain');
    const members = Number(largest.n);
    ctx.queries.reset();
    const answer = await ctx.gql<{ supplyChain: { nodes: unknown[] } }>(QUERY, { c: largest.core_id });
    const statements = ctx.queries.count;
    const gqlMs = await medianMs(5, () => ctx.gql(QUERY, { c: largest.core_id }));
    const naive = await naivePerNode(dataSource, largest.core_id);
    const naiveMs = await medianMs(3, () => naivePerNode(dataSource, largest.core_id));
    const label = `demo bank (generator): supplyChain of its largest core, ${members.toLocaleString('en-US')} active links, ${answer.supplyChain.nodes.length.toLocaleString('en-US')} nodes (${ctx.dbLabel})`;
    return [
      {
        scenario: label,
        metric: 'SQL statements',
        gongying: String(statements),
        baseline: `${naive} (naive per-node expansion)`,
        ratio: ratio(statements, naive),
      },
      {
        scenario: label,
        metric: 'time (median)',
        gongying: `${fmtMs(gqlMs)} (GraphQL over HTTP, 5 runs)`,
        baseline: `${fmtMs(naiveMs)} (naive SQL only, 3 runs)`,
        ratio: ratio(gqlMs, naiveMs),
      },
    ];
  },
};
