import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreEnterpriseEntity } from '../../src/supply-chain/entities/core-enterprise.entity';
import { SupplyChainLinkEntity } from '../../src/supply-chain/entities/supply-chain-link.entity';
import { BankFixture, seedBank } from '../support/fixtures';
import { databases, errorOf, ok, TestApp } from '../support/harness';

/**
 * TechEquity Collaborative's Data Work Landscape graph (MIT; see SOURCES.md next to the files), imported
 * through the same edge-list import as a core enterprise's declared list. "target is the source's
 * <relationship_type>": each source becomes a core enterprise; Customer → DOWNSTREAM, Partner and
 * Subcontractor → UPSTREAM; Investor rows are not trade relationships and are skipped.
 */
const DATA_DIR = join(__dirname, '../../../shared/data/ai-data-work-supply-chain');
const IMPORT = `mutation($i: ImportSupplyChainEdgeListInput!) { importSupplyChainEdgeList(input: $i) {
  processed created skipped rejected coresCreated rows { line status field reason ref } } }`;

interface Report {
  processed: number;
  created: number;
  skipped: number;
  rejected: number;
  coresCreated: number;
  rows: { line: number; status: string; field: string | null; reason: string | null; ref: string | null }[];
}

describe.each(databases())('real-data edge list import on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  const edges = readFileSync(join(DATA_DIR, 'relationships_data.csv')).toString('base64');
  const nodes = readFileSync(join(DATA_DIR, 'nodes.csv')).toString('base64');

  beforeAll(async () => {
    t = await TestApp.start(db);
    bank = await seedBank(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports blank rows, duplicate edges and unknown companies; keeps the good rows', async () => {
    const report = ok(
      await t.gql<{ importSupplyChainEdgeList: Report }>(
        IMPORT,
        { i: { orgUnitId: bank.head, edgesBase64: edges, nodesBase64: nodes } },
        'manager',
      ),
    ).importSupplyChainEdgeList;
    const count = (status: string, reason: string): number =>
      report.rows.filter((r) => r.status === status && r.reason === reason).length;
    // SOURCES.md: 1,978 data rows; 3 blank rows; 6 duplicate (source, target, type) triples, two of which are
    // the blank triple repeated (reported once each as BLANK_ROW), so 4 DUPLICATE_EDGE; 57 edges naming a
    // company missing from nodes.csv; 489 Investor rows of which 4 name unknown companies → 485 skipped.
    expect(report.processed).toBe(1978);
    expect(count('REJECTED', 'BLANK_ROW')).toBe(3);
    expect(count('REJECTED', 'DUPLICATE_EDGE')).toBe(4);
    expect(count('REJECTED', 'UNKNOWN_COMPANY')).toBe(57);
    expect(report.rejected).toBe(64);
    expect(count('SKIPPED', 'NOT_A_TRADE_RELATIONSHIP')).toBe(485);
    expect(report.skipped).toBe(485);
    // Kept: 1,109 Customer + 319 Partner + 1 Subcontractor edges = 1,429 links in 106 chains.
    expect(report.created).toBe(1429);
    expect(report.coresCreated).toBe(106);
    expect(report.created + report.skipped + report.rejected).toBe(report.processed);
    // The three blank rows are the file's last three lines, 1978–1980 (header = line 1; the last line has no newline).
    expect(report.rows.filter((r) => r.reason === 'BLANK_ROW').map((r) => r.line)).toEqual([1978, 1979, 1980]);

    const links = t.dataSource.getRepository(SupplyChainLinkEntity);
    expect(await links.countBy({ direction: 'DOWNSTREAM', source: 'DECLARED' })).toBe(1109);
    expect(await links.countBy({ direction: 'UPSTREAM', source: 'DECLARED' })).toBe(320);
    expect(await t.dataSource.getRepository(CoreEnterpriseEntity).count()).toBe(106);

    // Appen's chain: "Appen,Adobe,Customer" makes Adobe a tier-1 downstream member.
    const appen = await t.dataSource.query<{ id: string }[]>(
      `SELECT c.id FROM sc_cores c JOIN sc_companies co ON co.id = c.company_id WHERE co.external_id = 'Appen'`,
    );
    const chain = ok(
      await t.gql<{ supplyChain: { nodes: { company: { name: string }; direction: string; tier: number }[] } }>(
        `query($c: ID!) { supplyChain(coreEnterpriseId: $c, direction: DOWNSTREAM, maxTier: 1) { nodes { company { name } direction tier } } }`,
        { c: appen[0]?.id },
        'manager',
      ),
    ).supplyChain;
    expect(chain.nodes.find((n) => n.company.name === 'Adobe')).toEqual({
      company: { name: 'Adobe' },
      direction: 'DOWNSTREAM',
      tier: 1,
    });

    // Importing the same files again changes nothing: every kept edge is already linked.
    const again = ok(
      await t.gql<{ importSupplyChainEdgeList: Report }>(
        IMPORT,
        { i: { orgUnitId: bank.head, edgesBase64: edges, nodesBase64: nodes } },
        'manager',
      ),
    ).importSupplyChainEdgeList;
    expect(again).toMatchObject({ created: 0, coresCreated: 0, rejected: 64, skipped: 485 + 1429 });
  });

  it('is a manager’s import', async () => {
    const res = await t.gql(IMPORT, { i: { orgUnitId: bank.head, edgesBase64: edges } }, 'analyst');
    expect(errorOf(res).code).toBe('FORBIDDEN');
    const scoped = await t.gql(IMPORT, { i: { orgUnitId: bank.head, edgesBase64: edges } }, 'manager-bj');
    expect(errorOf(scoped).code).toBe('FORBIDDEN');
  });
});
