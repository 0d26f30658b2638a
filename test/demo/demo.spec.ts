import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { seedDemoWorld, SeedSummary } from '../../src/demo/generator/seed';
import { DEMO_SYSTEM_ACTOR } from '../../src/demo/system-actor';
import { databases, TestApp } from '../support/harness';

/** Natural keys and contents only (ids are UUIDv7 and differ between runs). */
async function digest(t: TestApp): Promise<string> {
  const ds = t.get(DataSource);
  const hash = createHash('sha256');
  const partners = await ds.query<Record<string, unknown>[]>(
    'SELECT code, kind, name_zh, uscc, tier, risk_rating, status FROM partners ORDER BY code',
  );
  const customers = await ds.query<Record<string, unknown>[]>(
    'SELECT customer_number, type, name, id_type, identity_hash, phone_hash, uscc, onboarded_on, status FROM customers ORDER BY customer_number',
  );
  const events = await ds.query<Record<string, unknown>[]>(
    'SELECT external_id, type, occurred_at, business_date, product_code, card_ref, amount, currency, employer_uscc, counterparty_uscc FROM customer_events ORDER BY external_id',
  );
  const norm = (rows: Record<string, unknown>[]) =>
    rows.map((r) =>
      Object.values(r)
        .map((v) => (v instanceof Date ? v.toISOString() : v === null ? '' : String(v as string | number)))
        .join('|'),
    );
  for (const line of [...norm(partners), ...norm(customers), ...norm(events)]) hash.update(`${line}\n`);
  return `${partners.length}/${customers.length}/${events.length}/${hash.digest('hex')}`;
}

describe.each(databases())('demo generator on %s', (db) => {
  let a: TestApp;
  let summary: SeedSummary;
  beforeAll(async () => {
    a = await TestApp.start(db);
    summary = await seedDemoWorld(a.app, { scale: 'tiny', seed: 7, actor: DEMO_SYSTEM_ACTOR });
  }, 300_000);
  afterAll(() => a.close());

  it('creates every feature’s data', async () => {
    const ds = a.get(DataSource);
    expect(summary.partners).toBe(26);
    for (const table of [
      'org_units',
      'partners',
      'agreements',
      'programs',
      'channels',
      'customers',
      'customer_events',
      'referrals',
      'commission_plans',
      'sc_links',
      'cards',
      'attributions',
    ]) {
      const [row] = await ds.query<{ n: number | string }[]>(`SELECT COUNT(*) AS n FROM ${table}`);
      expect({ table, empty: !(Number(row?.n) > 0) }).toEqual({ table, empty: false });
    }
    expect(summary.events).toMatchObject({ rejected: 0 });
    expect(summary.customers).toMatchObject({ rejected: 0 });
    const kinds = await ds.query<{ kind: string }[]>('SELECT DISTINCT kind FROM programs');
    expect(kinds.map((k) => k.kind).sort()).toEqual([
      'AGENCY_SALES',
      'CO_BRANDED_CARD',
      'EMPLOYEE_BANKING',
      'JOINT_MARKETING',
      'PAYROLL',
      'REFERRAL',
      'SUPPLY_CHAIN',
    ]);
    const types = await ds.query<{ type: string }[]>('SELECT DISTINCT type FROM channels');
    expect(types).toHaveLength(7);
  });

  it('refuses a second world in the same database, naming the reason, and leaves the first untouched', async () => {
    const before = await digest(a);
    await expect(seedDemoWorld(a.app, { scale: 'tiny', seed: 8, actor: DEMO_SYSTEM_ACTOR })).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { rule: 'DEMO_ALREADY_SEEDED' },
    });
    expect(await digest(a)).toBe(before);
  });

  it('gives the same data for the same seed', async () => {
    const b = await TestApp.start(db);
    try {
      await seedDemoWorld(b.app, { scale: 'tiny', seed: 7, actor: DEMO_SYSTEM_ACTOR });
      expect(await digest(b)).toBe(await digest(a));
    } finally {
      await b.close();
    }
  }, 300_000);
});
