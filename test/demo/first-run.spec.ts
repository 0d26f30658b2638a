import { DataSource } from 'typeorm';
import { firstRun } from '../../src/demo/first-run';
import { DEMO_USERS } from '../../src/demo/foundation-demo';
import { CLAIMS_PARTNER_USER } from '../../src/demo/generator/finance';
import { TestApp, TEST_PASSWORD } from '../support/harness';

/** `npm start` on a fresh clone: the embedded SQLite database gets the small demo once, and never again. */
describe('first run on sqlite', () => {
  let t: TestApp;
  const messages: string[] = [];
  const logger = { log: (m: unknown) => void messages.push(String(m)), error: () => undefined, warn: () => undefined };
  beforeAll(async () => {
    t = await TestApp.start('sqlite', { SEED_DEMO: 'true' });
  });
  afterAll(() => t.close());

  async function count(table: string): Promise<number> {
    const [row] = await t.get(DataSource).query<{ n: number | string }[]>(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number(row?.n);
  }

  it('seeds the small scale within the time budget and prints the demo users', async () => {
    const started = Date.now();
    await firstRun(t.app, t.config, logger);
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`first run (small scale) on sqlite: ${seconds.toFixed(1)} s\n`);
    expect(seconds).toBeLessThan(180);
    expect(await count('customers')).toBeGreaterThan(800);
    expect(await count('customer_events')).toBeGreaterThan(3000);
    expect(await count('referrals')).toBeGreaterThan(800);
    for (const table of [
      'partners',
      'programs',
      'channels',
      'co_branded_card_products',
      'sc_links',
      'commission_plans',
      'referrals',
    ])
      expect({ table, empty: (await count(table)) === 0 }).toEqual({ table, empty: false });
    // The finance side: a paid month, a closed one, a calculated one; payouts booked from the bank's camt.053.
    const periods = await t
      .get(DataSource)
      .query<{ period_key: string; status: string }[]>(
        'SELECT period_key, status FROM commission_periods ORDER BY period_key',
      );
    expect(periods.map((p) => p.status)).toEqual(['PAID', 'CLOSED', 'CALCULATED']);
    expect(await count('settlement_disputes')).toBeGreaterThan(0);
    const usersLine = messages.find((m) => m.startsWith('Demo users'));
    expect(usersLine).toContain(TEST_PASSWORD);
    for (const u of DEMO_USERS) expect(usersLine).toContain(`${u.username}=${u.role}`);
    expect(usersLine).toContain(`${CLAIMS_PARTNER_USER}=PARTNER_USER`);
    expect((await t.tokenFor(CLAIMS_PARTNER_USER)).length).toBeGreaterThan(10);
    expect((await t.tokenFor('analyst')).length).toBeGreaterThan(10);
  }, 400_000);

  it('does not seed again on the next start', async () => {
    const before = [await count('partners'), await count('customers'), await count('customer_events')];
    messages.length = 0;
    await firstRun(t.app, t.config, logger);
    expect([await count('partners'), await count('customers'), await count('customer_events')]).toEqual(before);
    expect(messages.some((m) => m.startsWith('First run'))).toBe(false);
    expect(messages.some((m) => m.startsWith('Demo users'))).toBe(true);
  });
});
