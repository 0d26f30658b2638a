import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { databases, ok, TestApp } from '../support/harness';
import { seedBank } from '../support/fixtures';

async function pendingSchemaChanges(ds: DataSource): Promise<string[]> {
  const sql = await ds.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}

async function executedMigrations(ds: DataSource): Promise<number> {
  const runner = ds.createQueryRunner();
  try {
    if (!(await runner.hasTable('migrations'))) return 0;
    const rows: unknown = await runner.query('SELECT COUNT(*) AS n FROM migrations');
    const n = (rows as { n: number | string }[])[0]?.n ?? 0;
    return Number.parseInt(String(n), 10);
  } finally {
    await runner.release();
  }
}

async function existingEntityTables(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  try {
    const names = ds.entityMetadatas.map((m) => m.tableName);
    const present: string[] = [];
    for (const name of names) if (await runner.hasTable(name)) present.push(name);
    return present;
  } finally {
    await runner.release();
  }
}

describe.each(databases())('schema on %s', (db) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start(db);
  });
  afterAll(() => t.close());

  it('the migrated schema equals the entities', async () => {
    expect(await executedMigrations(t.dataSource)).toBe(MIGRATIONS.length);
    expect(await pendingSchemaChanges(t.dataSource)).toEqual([]);
  });

  it('the schema check notices a difference (so the test above can fail)', async () => {
    const runner = t.dataSource.createQueryRunner();
    try {
      await runner.dropIndex('partners', 'ix_partners_kind');
      expect((await pendingSchemaChanges(t.dataSource)).join('\n')).toMatch(/ix_partners_kind/);
    } finally {
      await runner.query('CREATE INDEX ix_partners_kind ON partners (kind)');
      await runner.release();
    }
    expect(await pendingSchemaChanges(t.dataSource)).toEqual([]);
  });

  it('up → down → up works and ends equal to the entities', async () => {
    const ds = t.dataSource;
    await seedBank(t);
    ds.entityMetadatas.forEach((m) => expect(m.tableName.length).toBeLessThanOrEqual(64));

    let guard = 0;
    while ((await executedMigrations(ds)) > 0) {
      await ds.undoLastMigration({ transaction: 'each' });
      if (++guard > MIGRATIONS.length) throw new Error('undoLastMigration does not make progress');
    }
    expect(guard).toBe(MIGRATIONS.length);
    expect(await existingEntityTables(ds)).toEqual([]);
    expect((await pendingSchemaChanges(ds)).length).toBeGreaterThan(0);

    const ran = await ds.runMigrations({ transaction: 'each' });
    expect(ran).toHaveLength(MIGRATIONS.length);
    expect(await pendingSchemaChanges(ds)).toEqual([]);

    // The rebuilt schema works end to end.
    t.tokens.clear();
    await seedBank(t);
    const data = ok(await t.gql<{ partners: { totalCount: number } }>('{ partners { totalCount } }', {}, 'admin'));
    expect(data.partners.totalCount).toBe(3);
  });
});
