import ExcelJS from 'exceljs';
import { Role } from '../../src/auth/roles';
import { AuditRecordEntity } from '../../src/audit/entities/audit-record.entity';
import { SupplyChainService } from '../../src/supply-chain/supply-chain.service';
import { cyclePath, penetration } from '../../src/supply-chain/rules/chain-rules';
import { BankFixture, seedBank } from '../support/fixtures';
import { databases, errorOf, ok, TestApp } from '../support/harness';
import { CHAIN, ChainResult, corePartnerWithProgram, corporateCustomer, link, registerCore, uscc } from './support';

const PENETRATION = `query($c: ID!) { supplyChainPenetration(coreEnterpriseId: $c) {
  tiers { tier members banked shareByCount volume { amount } bankedVolume { amount } shareByVolume uncoveredVolume { amount } }
  total { tier members banked shareByCount volume { amount } bankedVolume { amount } shareByVolume uncoveredVolume { amount } } } }`;
const PROSPECTS = `query($c: ID!, $first: Int!, $after: String) { supplyChainProspects(coreEnterpriseId: $c, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { id company { id name banked } volume { amount } tier stage version managerId nextActionOn notes { stage text } customerId } } } }`;
const MOVE = `mutation($i: MoveProspectInput!) { moveSupplyChainProspect(input: $i) {
  id stage version managerId nextActionOn customerId company { banked } notes { stage text } } }`;
const IMPORT = `mutation($i: ImportDeclaredLinksInput!) { importDeclaredLinks(input: $i) {
  processed created skipped rejected rows { line status field reason ref } } }`;

interface PenRow {
  tier: number | null;
  members: number;
  banked: number;
  shareByCount: string;
  volume: { amount: string };
  bankedVolume: { amount: string };
  shareByVolume: string;
  uncoveredVolume: { amount: string };
}
interface ProspectsResult {
  supplyChainProspects: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: {
      node: {
        id: string;
        company: { id: string; name: string; banked: boolean };
        volume: { amount: string };
        tier: number;
        stage: string;
        version: number;
      };
    }[];
  };
}
interface ImportResult {
  importDeclaredLinks: {
    processed: number;
    created: number;
    skipped: number;
    rejected: number;
    rows: { line: number; status: string; field: string | null; reason: string | null; ref: string | null }[];
  };
}

describe('supply-chain rules (pure)', () => {
  it('finds the path that would close a cycle, or none', () => {
    const edges = [
      { parentCompanyId: 'core', memberCompanyId: 'a' },
      { parentCompanyId: 'a', memberCompanyId: 'b' },
    ];
    expect(cyclePath('core', edges, 'b', 'core')).toEqual(['core', 'a', 'b', 'core']);
    expect(cyclePath('core', edges, 'b', 'a')).toEqual(['a', 'b', 'a']);
    expect(cyclePath('core', edges, 'a', 'a')).toEqual(['a', 'a']);
    expect(cyclePath('core', edges, 'b', 'c')).toBeNull();
    expect(cyclePath('core', edges, 'a', 'b')).toBeNull(); // a second a → b link is a duplicate, not a cycle
  });

  it('computes penetration by count and by volume, rounded half-up to 4 places', () => {
    const { tiers, total } = penetration([
      { tier: 1, banked: true, volumeMinor: 100n },
      { tier: 1, banked: false, volumeMinor: 200n },
      { tier: 2, banked: false, volumeMinor: 0n },
    ]);
    expect(tiers.map((r) => [r.tier, r.members, r.banked, r.shareByCount, r.shareByVolume])).toEqual([
      [1, 2, 1, '0.5000', '0.3333'],
      [2, 1, 0, '0.0000', '0'],
    ]);
    expect(total.uncoveredVolumeMinor).toBe(200n);
    expect(total.shareByCount).toBe('0.3333');
  });
});

describe.each(databases())('supply chains on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  let partnerId: string;
  let programId: string;
  let core: { id: string; companyId: string };
  const ids = {} as Record<'a' | 'b' | 'd' | 'e' | 'f' | 'linkA' | 'custA' | 'custE', string>;

  beforeAll(async () => {
    t = await TestApp.start(db);
    t.clock.set('2026-11-30T04:00:00Z');
    bank = await seedBank(t);
    ({ partnerId, programId } = await corePartnerWithProgram(t, 'P-CORE', bank.beijing));
    await t.createUser('partner-core', Role.PARTNER_USER, { partnerId });
    // The core and members A and E bank with us; B, D, F are prospects.
    await corporateCustomer(t, bank.beijing, uscc(0), '核心制造集团');
    ids.custA = await corporateCustomer(t, bank.beijing, uscc(1), '甲供应商');
    ids.custE = await corporateCustomer(t, bank.beijing, uscc(5), '戊经销商');
  });
  afterAll(async () => {
    await t.close();
  });

  it('registers a core enterprise tied to a CORE_ENTERPRISE partner and its SUPPLY_CHAIN program', async () => {
    const wrongKind = await t.gql(
      `mutation($i: RegisterCoreEnterpriseInput!) { registerCoreEnterprise(input: $i) { id } }`,
      { i: { company: { name: 'X', uscc: uscc(90) }, partnerId: bank.partnerBj } },
      'manager-bj',
    );
    expect(errorOf(wrongKind)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'partnerId' });
    const outOfScope = await t.gql(
      `mutation($i: RegisterCoreEnterpriseInput!) { registerCoreEnterprise(input: $i) { id } }`,
      { i: { company: { name: '核心制造集团', uscc: uscc(0) }, partnerId } },
      'manager-sh',
    );
    expect(errorOf(outOfScope).code).toBe('NOT_FOUND');
    core = await registerCore(t, 'manager-bj', {
      company: { name: '核心制造集团', uscc: uscc(0) },
      partnerId,
      programId,
    });
    const again = await t.gql(
      `mutation($i: RegisterCoreEnterpriseInput!) { registerCoreEnterprise(input: $i) { id } }`,
      { i: { company: { name: '核心制造集团', uscc: uscc(0) }, partnerId } },
      'manager-bj',
    );
    expect(errorOf(again)).toMatchObject({ code: 'CONFLICT', rule: 'CORE_ENTERPRISE_EXISTS' });
    const read = ok(
      await t.gql<{ coreEnterprise: { programId: string; company: { banked: boolean } } }>(
        `query($id: ID!) { coreEnterprise(id: $id) { programId company { banked } } }`,
        { id: core.id },
        'manager-bj',
      ),
    );
    expect(read.coreEnterprise).toEqual({ programId, company: { banked: true } });
  });

  it('builds tiers both ways: a member’s own supplier or distributor is tier n+1', async () => {
    const a = await link(t, 'manager-bj', {
      coreEnterpriseId: core.id,
      member: { name: '甲供应商', uscc: uscc(1) },
      direction: 'UPSTREAM',
      annualVolume: { amount: '1000.00' },
      since: '2024-03-01',
    });
    ids.a = a.memberCompanyId;
    ids.linkA = a.id;
    expect(a.tier).toBe(1);
    const b = await link(t, 'manager-bj', {
      coreEnterpriseId: core.id,
      parentCompanyId: ids.a,
      member: { name: '乙原料厂', uscc: uscc(2) },
      direction: 'UPSTREAM',
      annualVolume: { amount: '500.00' },
    });
    ids.b = b.memberCompanyId;
    expect(b.tier).toBe(2);
    const d = await link(t, 'manager-bj', {
      coreEnterpriseId: core.id,
      member: { name: '丁经销商', uscc: uscc(4) },
      direction: 'DOWNSTREAM',
      annualVolume: { amount: '3000.00' },
    });
    ids.d = d.memberCompanyId;
    const e = await link(t, 'manager-bj', {
      coreEnterpriseId: core.id,
      parentCompanyId: ids.d,
      member: { name: '戊经销商', uscc: uscc(5) },
      direction: 'DOWNSTREAM',
      annualVolume: { amount: '250.00' },
    });
    ids.e = e.memberCompanyId;
    const f = await link(t, 'manager-bj', {
      coreEnterpriseId: core.id,
      parentCompanyId: ids.e,
      member: { name: 'Foreign Dealer GmbH', externalId: 'DE-HRB-12345' },
      direction: 'DOWNSTREAM',
    });
    ids.f = f.memberCompanyId;
    expect([d.tier, e.tier, f.tier]).toEqual([1, 2, 3]);

    // A parent must already sit in the chain in the same direction.
    const wrongDirection = await t.gql(
      `mutation($i: CreateSupplyChainLinkInput!) { createSupplyChainLink(input: $i) { id } }`,
      {
        i: {
          coreEnterpriseId: core.id,
          parentCompanyId: ids.d,
          member: { name: 'Z', uscc: uscc(9) },
          direction: 'UPSTREAM',
        },
      },
      'manager-bj',
    );
    expect(errorOf(wrongDirection)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'parentCompanyId' });

    const up = ok(await t.gql<ChainResult>(CHAIN, { c: core.id, d: 'UPSTREAM', m: 5 }, 'manager-bj')).supplyChain;
    expect(up.nodes.map((n) => [n.company.name, n.direction, n.tier, n.banked, n.volume.amount])).toEqual([
      ['甲供应商', 'UPSTREAM', 1, true, '1000.00'],
      ['乙原料厂', 'UPSTREAM', 2, false, '500.00'],
    ]);
    expect(up.edges.map((x) => [x.parentCompanyId, x.memberCompanyId, x.tier])).toEqual([
      [core.companyId, ids.a, 1],
      [ids.a, ids.b, 2],
    ]);
    const down = ok(await t.gql<ChainResult>(CHAIN, { c: core.id, d: 'DOWNSTREAM', m: 5 }, 'manager-bj')).supplyChain;
    expect(down.nodes.map((n) => [n.company.name, n.tier, n.banked])).toEqual([
      ['丁经销商', 1, false],
      ['戊经销商', 2, true],
      ['Foreign Dealer GmbH', 3, false],
    ]);
    const both2 = ok(await t.gql<ChainResult>(CHAIN, { c: core.id, d: 'BOTH', m: 2 }, 'manager-bj')).supplyChain;
    expect(both2.nodes.map((n) => n.company.name).sort()).toEqual(['丁经销商', '乙原料厂', '戊经销商', '甲供应商']);
    const tooDeep = await t.gql(CHAIN, { c: core.id, d: 'BOTH', m: 6 }, 'manager-bj');
    expect(errorOf(tooDeep)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'maxTier' });
  });

  it('rejects self-links and cycles with the path that would close the cycle', async () => {
    const attempt = (parentCompanyId: string, member: Record<string, string>, direction = 'UPSTREAM') =>
      t.gql(
        `mutation($i: CreateSupplyChainLinkInput!) { createSupplyChainLink(input: $i) { id } }`,
        { i: { coreEnterpriseId: core.id, parentCompanyId, member, direction } },
        'manager-bj',
      );
    const self = errorOf(await attempt(ids.a, { name: '甲供应商', uscc: uscc(1) }));
    expect(self).toMatchObject({ code: 'CONFLICT', rule: 'SUPPLY_CHAIN_CYCLE', path: [ids.a, ids.a] });
    const backToCore = errorOf(await attempt(ids.b, { name: '核心制造集团', uscc: uscc(0) }));
    expect(backToCore).toMatchObject({
      code: 'CONFLICT',
      rule: 'SUPPLY_CHAIN_CYCLE',
      path: [core.companyId, ids.a, ids.b, core.companyId],
      pathNames: ['核心制造集团', '甲供应商', '乙原料厂', '核心制造集团'],
    });
    const backToA = errorOf(await attempt(ids.b, { name: '甲供应商', uscc: uscc(1) }));
    expect(backToA).toMatchObject({ code: 'CONFLICT', rule: 'SUPPLY_CHAIN_CYCLE', path: [ids.a, ids.b, ids.a] });
    const duplicate = errorOf(await attempt(core.companyId, { name: '甲供应商', uscc: uscc(1) }));
    expect(duplicate).toMatchObject({ code: 'CONFLICT', rule: 'SUPPLY_CHAIN_LINK_EXISTS' });
  });

  it('computes penetration per tier and in total (figures worked by hand)', async () => {
    // tier 1: A 1000.00 banked, D 3000.00 prospect; tier 2: B 500.00 prospect, E 250.00 banked; tier 3: F no volume.
    const data = ok(
      await t.gql<{ supplyChainPenetration: { tiers: PenRow[]; total: PenRow } }>(
        PENETRATION,
        { c: core.id },
        'analyst',
      ),
    ).supplyChainPenetration;
    const flat = (r: PenRow) => [
      r.tier,
      r.members,
      r.banked,
      r.shareByCount,
      r.volume.amount,
      r.bankedVolume.amount,
      r.shareByVolume,
      r.uncoveredVolume.amount,
    ];
    expect(data.tiers.map(flat)).toEqual([
      [1, 2, 1, '0.5000', '4000.00', '1000.00', '0.2500', '3000.00'],
      [2, 2, 1, '0.5000', '750.00', '250.00', '0.3333', '500.00'],
      [3, 1, 0, '0.0000', '0.00', '0.00', '0', '0.00'],
    ]);
    // 2 of 5 banked; 1250 of 4750 = 0.263157… → 0.2632.
    expect(flat(data.total)).toEqual([null, 5, 2, '0.4000', '4750.00', '1250.00', '0.2632', '3500.00']);
  });

  it('updates and ends links (optimistic versions, audited)', async () => {
    const UPDATE = `mutation($i: UpdateSupplyChainLinkInput!) { updateSupplyChainLink(input: $i) { id version annualVolume { amount } since } }`;
    const updated = ok(
      await t.gql<{ updateSupplyChainLink: { version: number; annualVolume: { amount: string }; since: string } }>(
        UPDATE,
        { i: { id: ids.linkA, version: 1, annualVolume: { amount: '1200.00' } } },
        'manager-bj',
      ),
    ).updateSupplyChainLink;
    expect(updated).toMatchObject({ version: 2, annualVolume: { amount: '1200.00' }, since: '2024-03-01' });
    const stale = await t.gql(UPDATE, { i: { id: ids.linkA, version: 1, since: '2024-01-01' } }, 'manager-bj');
    expect(errorOf(stale)).toMatchObject({ code: 'CONFLICT', rule: 'STALE_VERSION' });
    const restored = await t.gql(
      UPDATE,
      { i: { id: ids.linkA, version: 2, annualVolume: { amount: '1000.00' } } },
      'manager-bj',
    );
    ok(restored);
    const other = await t.gql(UPDATE, { i: { id: ids.linkA, version: 3, since: '2024-01-01' } }, 'manager-sh');
    expect(errorOf(other).code).toBe('NOT_FOUND');
    // End a throw-away link and see it leave the chain.
    const tmp = await link(t, 'manager-bj', {
      coreEnterpriseId: core.id,
      member: { name: '临时供应商', uscc: uscc(8) },
      direction: 'UPSTREAM',
    });
    const ended = ok(
      await t.gql<{ endSupplyChainLink: { status: string; endedOn: string } }>(
        `mutation($i: EndSupplyChainLinkInput!) { endSupplyChainLink(input: $i) { status endedOn } }`,
        { i: { id: tmp.id, version: 1 } },
        'manager-bj',
      ),
    ).endSupplyChainLink;
    expect(ended).toEqual({ status: 'ENDED', endedOn: '2026-11-30' });
    const up = ok(await t.gql<ChainResult>(CHAIN, { c: core.id, d: 'UPSTREAM', m: 1 }, 'manager-bj')).supplyChain;
    expect(up.nodes.map((n) => n.company.name)).toEqual(['甲供应商']);
    const audits = await t.dataSource
      .getRepository(AuditRecordEntity)
      .findBy({ entityType: 'SupplyChainLink', entityId: ids.linkA });
    expect(audits.map((a) => a.action).sort()).toEqual([
      'supplyChain.createLink',
      'supplyChain.updateLink',
      'supplyChain.updateLink',
    ]);
  });

  it('scopes chains like partners: the core’s partner user sees its chain masked, others nothing', async () => {
    const mine = ok(await t.gql<ChainResult>(CHAIN, { c: core.id, d: 'BOTH', m: 5 }, 'partner-core')).supplyChain;
    expect(mine.nodes).toHaveLength(5);
    const a = mine.nodes.find((n) => n.company.name === '甲供应商');
    expect(a?.banked).toBe(true);
    expect(a?.company.customerId).toBeNull();
    expect(a?.company.uscc).not.toBe(uscc(1));
    expect(a?.company.uscc).toMatch(/^\w{2}\*+\w{4}$/);
    const internal = ok(await t.gql<ChainResult>(CHAIN, { c: core.id, d: 'BOTH', m: 5 }, 'manager-bj')).supplyChain;
    expect(internal.nodes.find((n) => n.company.name === '甲供应商')?.company).toMatchObject({
      uscc: uscc(1),
      customerId: ids.custA,
    });
    for (const who of ['partner-bj', 'partner-sh', 'manager-sh']) {
      expect(errorOf(await t.gql(CHAIN, { c: core.id, d: 'BOTH', m: 5 }, who)).code).toBe('NOT_FOUND');
      expect(errorOf(await t.gql(PENETRATION, { c: core.id }, who)).code).toBe('NOT_FOUND');
    }
    const byPartner = await t.gql(
      `mutation($i: CreateSupplyChainLinkInput!) { createSupplyChainLink(input: $i) { id } }`,
      { i: { coreEnterpriseId: core.id, member: { name: 'Q', uscc: uscc(30) }, direction: 'UPSTREAM' } },
      'partner-core',
    );
    expect(errorOf(byPartner).code).toBe('FORBIDDEN');
    const byShanghai = await t.gql(
      `mutation($i: CreateSupplyChainLinkInput!) { createSupplyChainLink(input: $i) { id } }`,
      { i: { coreEnterpriseId: core.id, member: { name: 'Q', uscc: uscc(30) }, direction: 'UPSTREAM' } },
      'manager-sh',
    );
    expect(errorOf(byShanghai).code).toBe('NOT_FOUND');
    expect(
      errorOf(
        await t.gql(
          `query($c: ID!) { supplyChainExposure(coreEnterpriseId: $c) { total { amount } } }`,
          { c: core.id },
          'partner-core',
        ),
      ).code,
    ).toBe('FORBIDDEN');
  });

  it('ranks prospects by volume and pages them', async () => {
    const first = ok(
      await t.gql<ProspectsResult>(PROSPECTS, { c: core.id, first: 2 }, 'manager-bj'),
    ).supplyChainProspects;
    expect(first.totalCount).toBe(3);
    expect(
      first.edges.map((e) => [e.node.company.name, e.node.volume.amount, e.node.tier, e.node.stage, e.node.version]),
    ).toEqual([
      ['丁经销商', '3000.00', 1, 'IDENTIFIED', 0],
      ['乙原料厂', '500.00', 2, 'IDENTIFIED', 0],
    ]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = ok(
      await t.gql<ProspectsResult>(PROSPECTS, { c: core.id, first: 2, after: first.pageInfo.endCursor }, 'manager-bj'),
    ).supplyChainProspects;
    expect(second.edges.map((e) => e.node.company.name)).toEqual(['Foreign Dealer GmbH']);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('moves a prospect through the pipeline to onboarding, linking its customer and recording the touch', async () => {
    const managerId = (
      await t.dataSource.query<{ id: string }[]>(`SELECT id FROM users WHERE username = 'manager-bj'`)
    )[0]?.id;
    const move = (input: Record<string, unknown>, as = 'manager-bj') =>
      t.gql<{
        moveSupplyChainProspect: {
          stage: string;
          version: number;
          customerId: string | null;
          company: { banked: boolean };
        };
      }>(MOVE, { i: { coreEnterpriseId: core.id, ...input } }, as);
    const skip = await move({ companyId: ids.b, to: 'ONBOARDED', version: 0 });
    expect(errorOf(skip)).toMatchObject({ code: 'CONFLICT', rule: 'PROSPECT_TRANSITION' });
    const contacted = ok(
      await move({
        companyId: ids.b,
        to: 'CONTACTED',
        version: 0,
        managerId,
        nextActionOn: '2026-12-05',
        note: '已电话联系财务总监',
      }),
    ).moveSupplyChainProspect;
    expect(contacted).toMatchObject({ stage: 'CONTACTED', version: 1 });
    const stale = await move({ companyId: ids.b, to: 'IN_NEGOTIATION', version: 0 });
    expect(errorOf(stale)).toMatchObject({ code: 'CONFLICT', rule: 'STALE_VERSION' });
    ok(await move({ companyId: ids.b, to: 'IN_NEGOTIATION', version: 1, note: '报价中' }));
    // Onboarding needs the new customer: none holds B's USCC yet.
    const noCustomer = await move({ companyId: ids.b, to: 'ONBOARDED', version: 2 });
    expect(errorOf(noCustomer)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customerId' });
    const wrongCustomer = await move({ companyId: ids.b, to: 'ONBOARDED', version: 2, customerId: ids.custA });
    expect(errorOf(wrongCustomer)).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'customerId',
      reason: 'USCC_MISMATCH',
    });
    const custB = await corporateCustomer(t, bank.beijing, uscc(2), '乙原料厂');
    const onboarded = ok(await move({ companyId: ids.b, to: 'ONBOARDED', version: 2 })).moveSupplyChainProspect;
    expect(onboarded).toMatchObject({ stage: 'ONBOARDED', version: 3, customerId: custB, company: { banked: true } });
    const after = await move({ companyId: ids.b, to: 'LOST', version: 3 });
    expect(errorOf(after)).toMatchObject({ code: 'CONFLICT' });

    const touches = await t.get(SupplyChainService).touchesForCustomers([custB, ids.custA]);
    expect(touches).toHaveLength(1);
    expect(touches[0]).toMatchObject({
      customerId: custB,
      programId,
      coreEnterpriseId: core.id,
      coreCompanyId: core.companyId,
      memberCompanyId: ids.b,
      source: 'SUPPLY_CHAIN',
    });
    const prospects = ok(
      await t.gql<ProspectsResult>(PROSPECTS, { c: core.id, first: 10 }, 'manager-bj'),
    ).supplyChainProspects;
    expect(prospects.edges.map((e) => e.node.company.name)).toEqual(['丁经销商', 'Foreign Dealer GmbH']);
    const lost = ok(await move({ companyId: ids.f, to: 'LOST', version: 0, note: '无意向' })).moveSupplyChainProspect;
    expect(lost.stage).toBe('LOST');
    const pen = ok(
      await t.gql<{ supplyChainPenetration: { total: PenRow } }>(PENETRATION, { c: core.id }, 'manager-bj'),
    ).supplyChainPenetration.total;
    expect([pen.banked, pen.bankedVolume.amount]).toEqual([3, '1750.00']);
    const actions = (
      await t.dataSource.getRepository(AuditRecordEntity).findBy({ entityType: 'SupplyChainProspect' })
    ).map((a) => a.action);
    expect(actions.filter((a) => a === 'supplyChain.moveProspect')).toHaveLength(4);
    expect(
      await t.dataSource
        .getRepository(AuditRecordEntity)
        .countBy({ action: 'supplyChain.onboardMember', entityId: ids.b }),
    ).toBe(1);
  });

  it('shows a member as banked as soon as a CORPORATE customer holds its USCC', async () => {
    await corporateCustomer(t, bank.shanghai, uscc(4), '丁经销商');
    const down = ok(await t.gql<ChainResult>(CHAIN, { c: core.id, d: 'DOWNSTREAM', m: 1 }, 'manager-bj')).supplyChain;
    expect(down.nodes.map((n) => [n.company.name, n.banked])).toEqual([['丁经销商', true]]);
    const prospects = ok(
      await t.gql<ProspectsResult>(PROSPECTS, { c: core.id, first: 10 }, 'manager-bj'),
    ).supplyChainProspects;
    expect(prospects.edges.map((e) => e.node.company.name)).toEqual(['Foreign Dealer GmbH']);
  });

  it('imports a declared list from CSV and XLSX with a per-row report', async () => {
    const second = await registerCore(t, 'manager', {
      company: { name: '第二核心', uscc: uscc(100) },
      orgUnitId: bank.shanghai,
    });
    const csv = [
      'source,target,target_name,relationship_type,annual_volume,since',
      `,${uscc(101)},一级供应商,Supplier,"1,000.00",2023-01-01`, // 2: tier 1
      `${uscc(101)},${uscc(102)},二级供应商,Supplier,500,`, // 3: tier 2 under line 2
      ',,,,,', // 4: blank
      `,${uscc(101)},一级供应商,Supplier,1000,`, // 5: duplicate of line 2
      `${uscc(199)},${uscc(103)},无上级,Supplier,,`, // 6: parent not in the chain
      `,${uscc(104)},一级经销商,Customer,abc,`, // 7: bad amount
      `,${uscc(105)},某投资人,Investor,,`, // 8: not a trade relationship
      `${uscc(102)},${uscc(101)},一级供应商,Supplier,,`, // 9: would close a cycle
      `,${uscc(106)},一级经销商,Distributor,"¥2,500.50",2024-02-30`, // 10: bad date
      `,${uscc(107)},一级经销商,Customer,"¥2,500.50",2024-02-28`, // 11: tier 1 downstream
    ].join('\n');
    const report = ok(
      await t.gql<ImportResult>(
        IMPORT,
        { i: { coreEnterpriseId: second.id, format: 'CSV', contentBase64: Buffer.from(csv).toString('base64') } },
        'manager-sh',
      ),
    ).importDeclaredLinks;
    expect(report).toMatchObject({ processed: 10, created: 3, skipped: 1, rejected: 6 });
    expect(report.rows.map((r) => [r.line, r.status, r.field, r.reason])).toEqual([
      [4, 'REJECTED', 'line', 'BLANK_ROW'],
      [5, 'REJECTED', 'line', 'DUPLICATE_EDGE'],
      [6, 'REJECTED', 'source', 'NOT_IN_CHAIN'],
      [7, 'REJECTED', 'annualVolume', 'INVALID_AMOUNT'],
      [8, 'SKIPPED', 'relationshipType', 'NOT_A_TRADE_RELATIONSHIP'],
      [9, 'REJECTED', 'target', 'SUPPLY_CHAIN_CYCLE'],
      [10, 'REJECTED', 'since', 'INVALID_DATE'],
    ]);
    const chain = ok(await t.gql<ChainResult>(CHAIN, { c: second.id, d: 'BOTH', m: 5 }, 'manager-sh')).supplyChain;
    expect(chain.nodes.map((n) => [n.company.name, n.direction, n.tier, n.volume.amount])).toEqual([
      ['一级供应商', 'UPSTREAM', 1, '1000.00'],
      ['一级经销商', 'DOWNSTREAM', 1, '2500.50'],
      ['二级供应商', 'UPSTREAM', 2, '500.00'],
    ]);

    // The same list as XLSX: every edge already exists, so nothing new; a new tier-3 row is added.
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('links');
    sheet.addRow(['Source', 'Target', 'Target Name', 'Relationship Type', 'Annual Volume']);
    sheet.addRow(['', uscc(101), '一级供应商', 'Supplier', 1000]);
    sheet.addRow([uscc(102), uscc(108), '三级供应商', 'Supplier', 80.5]);
    sheet.addRow([uscc(108), uscc(108), '三级供应商', 'Supplier', '']);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    const fromXlsx = ok(
      await t.gql<ImportResult>(
        IMPORT,
        { i: { coreEnterpriseId: second.id, format: 'XLSX', contentBase64: xlsx.toString('base64') } },
        'manager',
      ),
    ).importDeclaredLinks;
    expect(fromXlsx).toMatchObject({ processed: 3, created: 1, skipped: 1, rejected: 1 });
    expect(fromXlsx.rows.map((r) => [r.line, r.status, r.reason])).toEqual([
      [2, 'SKIPPED', 'ALREADY_LINKED'],
      [4, 'REJECTED', 'SUPPLY_CHAIN_CYCLE'],
    ]);
    const deep = ok(await t.gql<ChainResult>(CHAIN, { c: second.id, d: 'UPSTREAM', m: 3 }, 'manager')).supplyChain;
    expect(deep.nodes.find((n) => n.company.name === '三级供应商')).toMatchObject({
      tier: 3,
      volume: { amount: '80.50' },
    });
    const broken = await t.gql(
      IMPORT,
      {
        i: {
          coreEnterpriseId: second.id,
          format: 'CSV',
          contentBase64: Buffer.from('source,target\n,"unclosed').toString('base64'),
        },
      },
      'manager',
    );
    expect(errorOf(broken)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file', reason: 'MALFORMED_CSV' });
    const bj = await t.gql(
      IMPORT,
      { i: { coreEnterpriseId: second.id, format: 'CSV', contentBase64: Buffer.from(csv).toString('base64') } },
      'manager-bj',
    );
    expect(errorOf(bj).code).toBe('NOT_FOUND');
  });

  it('answers supplyChain with statements bounded by the tier count, not the member count', async () => {
    const csvFor = (base: number, perTier: number): string => {
      const rows = ['source,target,relationship_type'];
      for (let i = 0; i < perTier; i++) rows.push(`,${uscc(base + i)},Supplier`);
      for (let i = 0; i < perTier; i++) rows.push(`${uscc(base + i)},${uscc(base + 100 + i)},Supplier`);
      for (let i = 0; i < perTier; i++) rows.push(`${uscc(base + 100 + i)},${uscc(base + 200 + i)},Supplier`);
      return rows.join('\n');
    };
    const statements = async (coreUscc: string, base: number, perTier: number): Promise<number> => {
      const c = await registerCore(t, 'manager', {
        company: { name: `核心${base}`, uscc: coreUscc },
        orgUnitId: bank.head,
      });
      ok(
        await t.gql(
          IMPORT,
          {
            i: {
              coreEnterpriseId: c.id,
              format: 'CSV',
              contentBase64: Buffer.from(csvFor(base, perTier)).toString('base64'),
            },
          },
          'manager',
        ),
      );
      t.queries.reset();
      const chain = ok(await t.gql<ChainResult>(CHAIN, { c: c.id, d: 'BOTH', m: 5 }, 'manager')).supplyChain;
      const count = t.queries.count;
      expect(chain.nodes).toHaveLength(perTier * 3);
      return count;
    };
    const small = await statements(uscc(1000), 2000, 2);
    const large = await statements(uscc(5000), 6000, 60);
    expect(large).toBe(small);
    // one for the core, one per tier (3) and one empty tier 4 that stops the walk, plus request overhead
    expect(small).toBeLessThanOrEqual(8);
  });
});
