import { databases, ok, TestApp } from './support/harness';
import { seedBank } from './support/fixtures';

describe.each(databases())('smoke on %s', (db) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start(db);
    await seedBank(t);
  });
  afterAll(() => t.close());

  it('lists partners', async () => {
    const data = ok(
      await t.gql<{ partners: { edges: { node: { code: string } }[]; totalCount: number } }>(
        '{ partners(first: 10) { totalCount edges { node { code agreements { id } contacts { phone } orgUnit { code } } } } }',
        {},
        'admin',
      ),
    );
    expect(data.partners.totalCount).toBe(3);
  });
});
