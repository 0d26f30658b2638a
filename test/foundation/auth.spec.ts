import { databases, errorOf, GqlResponse, ok, TEST_PASSWORD, TestApp } from '../support/harness';
import { BankFixture, seedBank } from '../support/fixtures';

const LOGIN = 'mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken accessTokenExpiresAt } }';
const REFRESH = 'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';
const ME = '{ me { id name role partnerId orgUnitId } }';

interface Pair {
  accessToken: string;
  refreshToken: string;
}

describe.each(databases())('auth on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;

  beforeAll(async () => {
    t = await TestApp.start(db);
    bank = await seedBank(t);
  });
  afterAll(() => t.close());

  async function login(username: string, password = TEST_PASSWORD): Promise<GqlResponse<{ login: Pair }>> {
    return t.gql<{ login: Pair }>(LOGIN, { i: { username, password } });
  }

  async function meWith(accessToken: string): Promise<GqlResponse<{ me: { name: string; role: string } }>> {
    const res = await t.http().post('/graphql').set('authorization', `Bearer ${accessToken}`).send({ query: ME });
    return res.body as GqlResponse<{ me: { name: string; role: string } }>;
  }

  it('logs in with the right password and answers `me`', async () => {
    const pair = ok(await login('manager-bj')).login;
    expect(pair.accessToken).toEqual(expect.any(String));
    expect(pair.refreshToken).toEqual(expect.any(String));
    const me = ok(await meWith(pair.accessToken)).me;
    expect(me).toMatchObject({ name: 'manager-bj', role: 'PARTNERSHIP_MANAGER' });
    const partnerMe = ok(await t.gql<{ me: { partnerId: string } }>(ME, {}, 'partner-bj')).me;
    expect(partnerMe).toMatchObject({ role: 'PARTNER_USER', partnerId: bank.partnerBj });
  });

  it('refuses a wrong password and an unknown user with UNAUTHENTICATED', async () => {
    const wrong = await login('analyst', 'not-the-password');
    expect(wrong.data ?? null).toBeNull();
    expect(errorOf(wrong).code).toBe('UNAUTHENTICATED');
    expect(errorOf(await login('nobody-here', TEST_PASSWORD)).code).toBe('UNAUTHENTICATED');
  });

  it('refuses anonymous queries and bad bearer tokens', async () => {
    expect(errorOf(await t.gql(ME)).code).toBe('UNAUTHENTICATED');
    expect(errorOf(await t.gql('{ partners(first: 1) { edges { node { id } } } }')).code).toBe('UNAUTHENTICATED');
    const res = await t.http().post('/graphql').set('authorization', 'Bearer not-a-jwt').send({ query: ME });
    expect(res.status).toBe(401);
    expect(errorOf(res.body as GqlResponse).code).toBe('UNAUTHENTICATED');
  });

  it('rotates refresh tokens; a reused token revokes the whole family', async () => {
    const first = ok(await login('finance')).login;
    const second = ok(await t.gql<{ refreshToken: Pair }>(REFRESH, { t: first.refreshToken })).refreshToken;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(ok(await meWith(second.accessToken)).me.name).toBe('finance');

    // The used token is refused, and presenting it revokes the family …
    const reuse = await t.gql(REFRESH, { t: first.refreshToken });
    expect(errorOf(reuse)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'REFRESH_TOKEN_REUSED' });
    // … so the newest token of that family stops working too.
    expect(errorOf(await t.gql(REFRESH, { t: second.refreshToken })).code).toBe('UNAUTHENTICATED');
    // Another session of the same user is untouched.
    const other = ok(await login('finance')).login;
    ok(await t.gql(REFRESH, { t: other.refreshToken }));
  });

  it('refuses an unknown refresh token', async () => {
    expect(errorOf(await t.gql(REFRESH, { t: 'made-up-token' })).code).toBe('UNAUTHENTICATED');
  });

  it('logout revokes the session’s refresh tokens', async () => {
    const pair = ok(await login('approver')).login;
    const res = await t
      .http()
      .post('/graphql')
      .set('authorization', `Bearer ${pair.accessToken}`)
      .send({ query: 'mutation($t: String) { logout(refreshToken: $t) }', variables: { t: pair.refreshToken } });
    expect(ok(res.body as GqlResponse<{ logout: boolean }>).logout).toBe(true);
    expect(errorOf(await t.gql(REFRESH, { t: pair.refreshToken })).code).toBe('UNAUTHENTICATED');
  });

  it('logout without a token revokes every session of the user', async () => {
    const a = ok(await login('auditor')).login;
    const b = ok(await login('auditor')).login;
    const res = await t
      .http()
      .post('/graphql')
      .set('authorization', `Bearer ${a.accessToken}`)
      .send({ query: 'mutation { logout }' });
    expect(ok(res.body as GqlResponse<{ logout: boolean }>).logout).toBe(true);
    expect(errorOf(await t.gql(REFRESH, { t: a.refreshToken })).code).toBe('UNAUTHENTICATED');
    expect(errorOf(await t.gql(REFRESH, { t: b.refreshToken })).code).toBe('UNAUTHENTICATED');
  });

  describe('API keys', () => {
    const CREATE =
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id prefix scopes partnerId } } }';
    const LIST = '{ apiKeys { id name prefix scopes partnerId revokedAt } }';
    const PARTNERS = '{ partners(first: 50) { edges { node { id code } } } }';

    async function createKey(input: Record<string, unknown>): Promise<{ key: string; id: string; prefix: string }> {
      const res = ok(
        await t.gql<{ createApiKey: { key: string; apiKey: { id: string; prefix: string } } }>(
          CREATE,
          { i: input },
          'admin',
        ),
      ).createApiKey;
      return { key: res.key, id: res.apiKey.id, prefix: res.apiKey.prefix };
    }

    it('shows the key once; the list shows the prefix but never the key', async () => {
      const created = await createKey({ name: 'bj-system', scopes: ['partners:read'], partnerId: bank.partnerBj });
      expect(created.key).toContain(created.prefix);
      const list = await t.gql<{ apiKeys: { id: string; prefix: string }[] }>(LIST, {}, 'admin');
      const row = ok(list).apiKeys.find((k) => k.id === created.id);
      expect(row?.prefix).toBe(created.prefix);
      expect(JSON.stringify(list)).not.toContain(created.key);
      // A key field does not exist on ApiKey at all.
      expect(errorOf(await t.gql('{ apiKeys { key } }', {}, 'admin')).code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('a partner-bound key with partners:read sees only its partner', async () => {
      const { key } = await createKey({ name: 'bj-reader', scopes: ['partners:read'], partnerId: bank.partnerBj });
      const codes = ok(
        await t.gql<{ partners: { edges: { node: { id: string } }[] } }>(PARTNERS, {}, { apiKey: key }),
      ).partners.edges.map((e) => e.node.id);
      expect(codes).toEqual([bank.partnerBj]);
      const other = await t.gql('query($id: ID!) { partner(id: $id) { id } }', { id: bank.partnerSh }, { apiKey: key });
      expect(errorOf(other).code).toBe('NOT_FOUND');
    });

    it('a key without the scope is FORBIDDEN; a revoked key is UNAUTHENTICATED', async () => {
      const noScope = await createKey({ name: 'bj-referrals', scopes: ['referrals:write'], partnerId: bank.partnerBj });
      expect(errorOf(await t.gql(PARTNERS, {}, { apiKey: noScope.key })).code).toBe('FORBIDDEN');

      const doomed = await createKey({ name: 'doomed', scopes: ['partners:read'], partnerId: bank.partnerSh });
      ok(await t.gql(PARTNERS, {}, { apiKey: doomed.key }));
      ok(await t.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }', { id: doomed.id }, 'admin'));
      expect(errorOf(await t.gql(PARTNERS, {}, { apiKey: doomed.key })).code).toBe('UNAUTHENTICATED');
      const tampered = `${noScope.key.slice(0, -1)}${noScope.key.endsWith('A') ? 'B' : 'A'}`;
      expect(errorOf(await t.gql(PARTNERS, {}, { apiKey: tampered })).code).toBe('UNAUTHENTICATED');
    });

    it('an API key cannot call user-only mutations', async () => {
      const { key } = await createKey({ name: 'sh-reader', scopes: ['partners:read'], partnerId: bank.partnerSh });
      const res = await t.gql(
        'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }',
        { i: { name: 'x', scopes: ['partners:read'] } },
        { apiKey: key },
      );
      expect(errorOf(res).code).toBe('FORBIDDEN');
    });

    it('rejects unknown scopes', async () => {
      const res = await t.gql(CREATE, { i: { name: 'bad', scopes: ['everything'] } }, 'admin');
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scopes' });
    });

    it.each(['manager', 'finance', 'approver', 'analyst', 'auditor', 'partner-bj'])(
      '%s cannot create API keys',
      async (username) => {
        const res = await t.gql(CREATE, { i: { name: 'nope', scopes: ['partners:read'] } }, username);
        expect(errorOf(res).code).toBe('FORBIDDEN');
      },
    );
  });
});

describe.each(databases())('auth audit trail on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  beforeAll(async () => {
    t = await TestApp.start(db);
    bank = await seedBank(t);
  });
  afterAll(() => t.close());

  async function auditOf(entityId: string): Promise<{ action: string; actorName: string; after: unknown }[]> {
    const data = ok(
      await t.gql<{ auditLog: { edges: { node: { action: string; actorName: string; after: unknown } }[] } }>(
        'query($id: String) { auditLog(first: 100, filter: { entityId: $id }) { edges { node { action actorName after } } } }',
        { id: entityId },
        'auditor',
      ),
    );
    return data.auditLog.edges.map((e) => e.node);
  }

  it('records login, refresh and logout against the user', async () => {
    const pair = ok(await t.gql<{ login: Pair }>(LOGIN, { i: { username: 'analyst', password: TEST_PASSWORD } })).login;
    const next = ok(await t.gql<{ refreshToken: Pair }>(REFRESH, { t: pair.refreshToken })).refreshToken;
    const me = ok(
      (
        await t
          .http()
          .post('/graphql')
          .set('authorization', `Bearer ${next.accessToken}`)
          .send({ query: '{ me { id } }' })
      ).body as GqlResponse<{ me: { id: string } }>,
    ).me;
    await t
      .http()
      .post('/graphql')
      .set('authorization', `Bearer ${next.accessToken}`)
      .send({ query: 'mutation { logout }' });
    const actions = (await auditOf(me.id)).filter((r) => r.actorName === 'analyst').map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['auth.login', 'auth.refresh', 'auth.logout']));
  });

  it('records API key creation without the key or its hash, and revocation', async () => {
    const created = ok(
      await t.gql<{ createApiKey: { key: string; apiKey: { id: string } } }>(
        'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }',
        { i: { name: 'audited', scopes: ['partners:read'], partnerId: bank.partnerSh } },
        'admin',
      ),
    ).createApiKey;
    ok(await t.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: created.apiKey.id }, 'admin'));
    const rows = await auditOf(created.apiKey.id);
    expect(rows.map((r) => r.action).sort()).toEqual(['apiKey.create', 'apiKey.revoke']);
    expect(rows.every((r) => r.actorName === 'admin')).toBe(true);
    const serialized = JSON.stringify(rows);
    expect(serialized).not.toContain(created.key);
    expect(serialized).not.toMatch(/keyHash/);
  });
});

describe.each(databases())('login throttling on %s', (db) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start(db, { LOGIN_MAX_FAILURES: '3' });
    await seedBank(t);
  });
  afterAll(() => t.close());

  it('refuses even the right password after LOGIN_MAX_FAILURES failures', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await t.gql(LOGIN, { i: { username: 'analyst', password: `wrong-${i}` } });
      expect(errorOf(res)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'BAD_CREDENTIALS' });
    }
    const res = await t.gql(LOGIN, { i: { username: 'analyst', password: TEST_PASSWORD } });
    expect(errorOf(res)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'THROTTLED' });
    // Other users are not locked out by one user's failures.
    ok(await t.gql(LOGIN, { i: { username: 'auditor', password: TEST_PASSWORD } }));
  });
});
