import { PartnersService } from '../../src/partners/partners.service';
import { CooperationMode } from '../../src/partners/partner.enums';
import { databases, errorOf, GqlResponse, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import { BankFixture, createPartner, seedBank } from '../support/fixtures';

const PAGE =
  'query($first: Int, $after: String) { partners(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }';

interface Page {
  partners: {
    edges: { cursor: string; node: { id: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string };
  };
}

/** partners → edges → node → agreements → partner → agreements → … → id: `pairs` agreements/partner hops. */
function hops(pairs: number): string {
  let inner = 'id';
  for (let i = 0; i < pairs; i++) inner = `agreements { partner { ${inner} } }`;
  return inner;
}
function deepQuery(pairs: number): string {
  return `{ partners(first: 1) { edges { node { ${hops(pairs)} } } } }`;
}

describe.each(databases())('GraphQL platform on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  let serial = 0;

  beforeAll(async () => {
    t = await TestApp.start(db);
    bank = await seedBank(t);
  });
  afterAll(() => t.close());

  describe('pagination', () => {
    it('stays stable while rows are inserted between pages', async () => {
      for (let i = 0; i < 7; i++) await createPartner(t, { code: `PAGE-${++serial}`, orgUnitId: bank.shanghai });
      const all = ok(await t.gql<Page>(PAGE, { first: 100 }, 'analyst')).partners.edges.map((e) => e.node.id);
      expect(all.length).toBeGreaterThanOrEqual(10);

      const seen: string[] = [];
      const inserted: string[] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 50; guard++) {
        const page = ok(await t.gql<Page>(PAGE, { first: 2, after }, 'analyst')).partners;
        expect(page.edges.length).toBeLessThanOrEqual(2);
        seen.push(...page.edges.map((e) => e.node.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
        // Someone registers a partner while we page.
        if (inserted.length < 4)
          inserted.push(await createPartner(t, { code: `INS-${++serial}`, orgUnitId: bank.head }));
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of all) expect(seen).toContain(id);
      expect(seen.slice(0, all.length)).toEqual(all);
    });

    it.each([0, 101, -1])('first = %d → BAD_USER_INPUT on first', async (first) => {
      expect(errorOf(await t.gql(PAGE, { first }, 'analyst'))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'first',
      });
      const literal = await t.gql(`{ partners(first: ${first}) { edges { cursor } } }`, {}, 'analyst');
      expect(errorOf(literal)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    });

    it('first = 1 and 100 are accepted', async () => {
      expect(ok(await t.gql<Page>(PAGE, { first: 1 }, 'analyst')).partners.edges).toHaveLength(1);
      ok(await t.gql<Page>(PAGE, { first: 100 }, 'analyst'));
    });

    it.each([
      'not-a-cursor',
      Buffer.from('{"id":"1; DROP TABLE partners"}').toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
      'x'.repeat(201),
    ])('a malformed cursor → BAD_USER_INPUT on after (%#)', async (after) => {
      expect(errorOf(await t.gql(PAGE, { first: 2, after }, 'analyst'))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'after',
      });
    });

    it('totalCount is counted only when selected', async () => {
      t.queries.reset();
      ok(await t.gql('{ partners(first: 5) { edges { cursor } } }', {}, 'analyst'));
      const without = t.queries.count;
      t.queries.reset();
      ok(await t.gql('{ partners(first: 5) { totalCount edges { cursor } } }', {}, 'analyst'));
      expect(t.queries.count).toBe(without + 1);
    });
  });

  describe('bad input', () => {
    const CREATE = 'mutation($i: CreatePartnerInput!) { createPartner(input: $i) { id } }';
    const input = (extra: Record<string, unknown>): Record<string, unknown> => ({
      code: `BAD-${++serial}`,
      kind: 'FUND',
      nameZh: '基金',
      orgUnitId: bank.beijing,
      ...extra,
    });

    it('an oversize string names the field', async () => {
      const res = await t.gql(CREATE, { i: input({ nameZh: '长'.repeat(201) }) }, 'admin');
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'nameZh' });
      ok(await t.gql(CREATE, { i: input({ nameZh: '长'.repeat(200) }) }, 'admin'));
      const search = await t.gql(
        'query($s: String) { partners(filter: { search: $s }) { edges { cursor } } }',
        { s: 'x'.repeat(101) },
        'admin',
      );
      expect(errorOf(search)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'search' });
    });

    it('a wrong enum value in variables → BAD_USER_INPUT naming the field', async () => {
      const res = await t.gql(CREATE, { i: input({ kind: 'SPACESHIP' }) }, 'admin');
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kind' });
      const list = await t.gql(
        'query($k: [PartnerKind!]) { partners(filter: { kinds: $k }) { edges { cursor } } }',
        { k: ['NOPE'] },
        'admin',
      );
      expect(errorOf(list).code).toBe('BAD_USER_INPUT');
    });

    it('a wrong enum value as a literal → BAD_USER_INPUT', async () => {
      const res = await t.gql('{ partners(filter: { kinds: [SPACESHIP] }) { edges { cursor } } }', {}, 'admin');
      expect(errorOf(res).code).toBe('BAD_USER_INPUT');
    });

    it('an impossible date and a missing required field in variables → BAD_USER_INPUT naming the field', async () => {
      const base = {
        partnerId: bank.partnerBj,
        code: `AG-BAD-${++serial}`,
        title: 't',
        cooperationModes: ['REFERRAL'],
        validFrom: '2026-01-01',
        validTo: '2026-02-30',
      };
      const m = 'mutation($i: CreateAgreementInput!) { createAgreement(input: $i) { id } }';
      expect(errorOf(await t.gql(m, { i: base }, 'admin'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'validTo' });
      const { validFrom: _drop, ...missing } = base;
      expect(errorOf(await t.gql(m, { i: { ...missing, validTo: '2026-03-01' } }, 'admin'))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'validFrom',
      });
    });

    it('an unknown org unit → BAD_USER_INPUT on orgUnitId', async () => {
      const res = await t.gql(CREATE, { i: input({ orgUnitId: '01890000-0000-7000-8000-000000000000' }) }, 'admin');
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'orgUnitId' });
    });
  });

  describe('limits', () => {
    it('rejects a too-deep query and accepts a moderately deep one', async () => {
      // depth = 3 (partners, edges, node) + 2 per hop + 1 (id); the limit is GRAPHQL_MAX_DEPTH = 10.
      expect(t.config.graphql.maxDepth).toBe(10);
      ok(await t.gql(deepQuery(3), {}, 'admin'));
      const res = await t.gql(deepQuery(4), {}, 'admin');
      expect(res.data ?? null).toBeNull();
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_DEEP' });
      const fragments = await t.gql(
        `query { partners(first: 1) { ...P } } fragment P on PartnerConnection { edges { node { ${hops(4)} } } }`,
        {},
        'admin',
      );
      expect(errorOf(fragments).code).toBe('BAD_USER_INPUT');
    });

    it('rejects an alias flood', async () => {
      const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: me { id }`).join(' ');
      const res = await t.gql(`{ ${aliases} }`, {}, 'admin');
      expect(res.data ?? null).toBeNull();
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TOO_MANY_ALIASES' });
      const fifteen = Array.from({ length: 15 }, (_, i) => `a${i}: me { id }`).join(' ');
      ok(await t.gql(`{ ${fifteen} }`, {}, 'admin'));
    });

    it('rejects a directive flood', async () => {
      const many = Array.from({ length: 30 }, () => '@include(if: true)').join(' ');
      const res = await t.gql(`{ me { id ${many} } }`, {}, 'admin');
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TOO_MANY_DIRECTIVES' });
    });

    it('rejects a too-costly query', async () => {
      const node =
        'id code nameZh nameEn kind status version agreements { id code title partner { id code } } contacts { name phone } orgUnit { id code }';
      const one = (alias: string): string => `${alias}: partners(first: 100) { edges { node { ${node} } } }`;
      ok(await t.gql(`{ ${one('a')} }`, {}, 'admin'));
      const costly = Array.from({ length: 10 }, (_, i) => one(`p${i}`)).join(' ');
      const res = await t.gql(`{ ${costly} }`, {}, 'admin');
      expect(res.data ?? null).toBeNull();
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY' });
    });

    it('prices the same query text by its variables each time (the remembered cost is per variable set)', async () => {
      const node =
        'id code nameZh nameEn kind status version agreements { id code title partner { id code } } contacts { name phone } orgUnit { id code }';
      const text = `query($n: Int) { ${Array.from({ length: 10 }, (_, i) => `p${i}: partners(first: $n) { edges { node { ${node} } } }`).join(' ')} }`;
      for (const round of [1, 2]) {
        ok(await t.gql(text, { n: 1 }, 'admin'));
        const costly = await t.gql(text, { n: 100 }, 'admin');
        expect([round, errorOf(costly)]).toMatchObject([round, { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY' }]);
      }
    });

    it('rejects a batch larger than GRAPHQL_MAX_BATCH with 400 and runs one within it', async () => {
      const token = await t.tokenFor('admin');
      const op = { query: '{ me { name } }' };
      const max = t.config.graphql.maxBatch;
      const tooMany = await t
        .http()
        .post('/graphql')
        .set('authorization', `Bearer ${token}`)
        .send(Array.from({ length: max + 1 }, () => op));
      expect(tooMany.status).toBe(400);
      expect(errorOf(tooMany.body as GqlResponse)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'BATCH_TOO_LARGE' });

      const fine = await t
        .http()
        .post('/graphql')
        .set('authorization', `Bearer ${token}`)
        .send(Array.from({ length: max }, () => op));
      expect(fine.status).toBe(200);
      const results = fine.body as GqlResponse<{ me: { name: string } }>[];
      expect(results).toHaveLength(max);
      for (const r of results) expect(ok(r).me.name).toBe('admin');
    });

    it('allows introspection outside production', async () => {
      ok(await t.gql('{ __schema { queryType { name } } }', {}, 'admin'));
    });
  });

  describe('HTTP', () => {
    it('GET /health and /health/ready answer', async () => {
      const live = await t.http().get('/health');
      expect(live.status).toBe(200);
      expect(live.body).toMatchObject({ status: 'ok' });
      const ready = await t.http().get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ok' });
    });

    it('echoes x-request-id and records it on audit rows', async () => {
      const requestId = `req-${db}-${Date.now()}`;
      const res = await t
        .http()
        .post('/graphql')
        .set('authorization', `Bearer ${await t.tokenFor('manager')}`)
        .set('x-request-id', requestId)
        .send({
          query: 'mutation($i: TransitionPartnerInput!) { transitionPartner(input: $i) { status } }',
          variables: { i: { id: bank.partnerSh, to: 'NEGOTIATING' } },
        });
      expect(res.headers['x-request-id']).toBe(requestId);
      ok(res.body as GqlResponse);
      const audit = ok(
        await t.gql<{ auditLog: { edges: { node: { action: string; requestId: string } }[] } }>(
          'query($id: String) { auditLog(first: 100, filter: { entityId: $id }) { edges { node { action requestId } } } }',
          { id: bank.partnerSh },
          'auditor',
        ),
      ).auditLog.edges.map((e) => e.node);
      expect(audit).toContainEqual({ action: 'partner.transition', requestId });
    });

    it('answers without an ETag (no body is hashed for a revalidation nobody makes) and without naming the framework', async () => {
      const res = await t
        .http()
        .post('/graphql')
        .set('authorization', `Bearer ${await t.tokenFor('manager')}`)
        .send({ query: '{ partners(first: 1) { totalCount } }' });
      ok(res.body as GqlResponse);
      expect(res.headers).not.toHaveProperty('etag');
      expect(res.headers).not.toHaveProperty('x-powered-by');
    });

    it('replaces an unsafe x-request-id with a generated one', async () => {
      const res = await t.http().get('/health').set('x-request-id', 'bad id with spaces');
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
      expect(res.headers['x-request-id']).not.toBe('bad id with spaces');
    });

    it('shows internal error messages outside production', async () => {
      const res = await t.gql('{ partners(first: 1) { edges { node { id } } } }', {}, 'admin');
      expect(ok(res)).toBeTruthy();
    });
  });

  describe('SQL statements per request', () => {
    const NESTED =
      'query($first: Int) { partners(first: $first, filter: { search: "QC-" }) { totalCount edges { node { id agreements { id code partner { id } } contacts { name phone } qualifications { type expired } orgUnit { code } } } } }';
    type Nested = { partners: { edges: { node: { agreements: unknown[]; contacts: unknown[] } }[] } };

    beforeAll(async () => {
      const partners = t.get(PartnersService);
      for (let i = 0; i < 60; i++) {
        const code = `QC-${i}`;
        const p = await partners.create(SYSTEM_ACTOR, {
          code,
          kind: (['FUND', 'MALL', 'AIRLINE'] as const)[i % 3] as never,
          nameZh: `计数${i}`,
          orgUnitId: i % 2 ? bank.beijing : bank.haidian,
          relatedParty: false,
          blacklisted: false,
          contacts: [{ name: '赵', phone: '13700000000' }],
          qualifications: [{ type: 'LICENCE', number: `L-${i}`, expiresOn: '2030-01-01' }],
        });
        await partners.createAgreement(SYSTEM_ACTOR, {
          partnerId: p.id,
          code: `QC-AG-${i}`,
          title: '协议',
          cooperationModes: [CooperationMode.REFERRAL],
          validFrom: '2026-01-01',
          validTo: '2026-12-31',
          documents: [],
        });
      }
    });

    it.each(['manager', 'manager-bj'])(
      'partners(first: 10) and (first: 50) issue the same count for %s',
      async (user) => {
        await t.tokenFor(user);
        const counts: number[] = [];
        for (const first of [10, 50]) {
          t.queries.reset();
          const data = ok(await t.gql<Nested>(NESTED, { first }, user));
          counts.push(t.queries.count);
          expect(data.partners.edges).toHaveLength(first);
          expect(data.partners.edges.some((e) => e.node.agreements.length > 0)).toBe(true);
          expect(data.partners.edges.every((e) => e.node.contacts.length > 0)).toBe(true);
        }
        expect(counts[0]).toBeGreaterThan(0);
        expect(counts[1]).toBe(counts[0]);
      },
    );
  });
});

describe.each(databases())('production mode on %s', (db) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start(db, { NODE_ENV: 'production' });
    await seedBank(t);
  });
  afterAll(() => t.close());

  it('refuses introspection', async () => {
    const res = await t.gql('{ __schema { queryType { name } } }', {}, 'admin');
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.length).toBeGreaterThan(0);
    const typeRes = await t.gql('{ __type(name: "Partner") { name } }', {}, 'admin');
    expect(typeRes.data ?? null).toBeNull();
  });

  it('serves no landing page', async () => {
    const res = await t.http().get('/graphql').set('accept', 'text/html');
    expect(res.text).not.toMatch(/<html|embeddable-sandbox/i);
  });

  it('still answers ordinary queries', async () => {
    ok(await t.gql('{ partners(first: 1) { edges { node { id } } } }', {}, 'admin'));
  });

  it('hides the internals of unexpected errors', async () => {
    await t.tokenFor('admin');
    await t.dataSource.query('DROP TABLE partner_contacts');
    const res = await t.gql('{ partners(first: 5) { edges { node { id contacts { name } } } } }', {}, 'admin');
    const error = res.errors?.[0];
    expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error?.message).toBe('Internal server error');
    expect(JSON.stringify(res.errors)).not.toMatch(/partner_contacts|SQL|stack/i);
  });
});

describe.each(databases())('development mode on %s shows internal errors', (db) => {
  it('keeps the message outside production (so the production test above can fail)', async () => {
    const t = await TestApp.start(db);
    try {
      await seedBank(t);
      await t.tokenFor('admin');
      await t.dataSource.query('DROP TABLE partner_contacts');
      const res = await t.gql('{ partners(first: 5) { edges { node { id contacts { name } } } } }', {}, 'admin');
      expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      // Outside production the driver's own message comes through instead of the generic one.
      expect(res.errors?.[0]?.message).not.toBe('Internal server error');
      // …and the landing page is served.
      const page = await t.http().get('/graphql').set('accept', 'text/html');
      expect(page.text).toMatch(/<html/i);
    } finally {
      await t.close();
    }
  });
});
