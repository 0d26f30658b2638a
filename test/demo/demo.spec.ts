import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AnalyticsMaintenanceService } from '../../src/analytics/analytics-maintenance.service';
import { seedDemoWorld, SeedSummary } from '../../src/demo/generator/seed';
import { DEMO_SYSTEM_ACTOR } from '../../src/demo/system-actor';
import { CLAIMS_PARTNER_USER, CLOSED_MONTH, LATEST_MONTH, PAID_MONTH } from '../../src/demo/generator/finance';
import { databases, ok, TestApp, TEST_PASSWORD } from '../support/harness';

/** The bank's own account the payouts are paid from (as an operator would configure it). */
const DEBTOR = {
  PAYOUT_DEBTOR_NAME: '共赢银行股份有限公司 合作机构结算户',
  PAYOUT_DEBTOR_ACCOUNT: '11006000018010000001',
  PAYOUT_DEBTOR_CNAPS: '313100000013',
};

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
  const statements = await ds.query<Record<string, unknown>[]>(
    'SELECT number, status, lines_total, net, tax, gross, accrual_count FROM settlement_statements ORDER BY number',
  );
  const norm = (rows: Record<string, unknown>[]) =>
    rows.map((r) =>
      Object.values(r)
        .map((v) => (v instanceof Date ? v.toISOString() : v === null ? '' : String(v as string | number)))
        .join('|'),
    );
  for (const line of [...norm(partners), ...norm(customers), ...norm(events), ...norm(statements)])
    hash.update(`${line}\n`);
  return `${partners.length}/${customers.length}/${events.length}/${statements.length}/${hash.digest('hex')}`;
}

describe.each(databases())('demo generator on %s', (db) => {
  let a: TestApp;
  let summary: SeedSummary;
  const messages: string[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'gy-demo-files-'));
  /** Per import reported done: whether its file was still on disk then. */
  const fileLeftAtReport: Record<string, boolean> = {};
  beforeAll(async () => {
    a = await TestApp.start(db, DEBTOR);
    summary = await seedDemoWorld(a.app, {
      scale: 'tiny',
      seed: 7,
      actor: DEMO_SYSTEM_ACTOR,
      password: TEST_PASSWORD,
      workDir,
      progress: (m) => {
        messages.push(m);
        const done = /^demo: (referrals|customers|events) imported/.exec(m)?.[1];
        if (done) fileLeftAtReport[done] = existsSync(join(workDir, `${done}.ndjson`));
      },
    });
  }, 300_000);
  afterAll(async () => {
    rmSync(workDir, { recursive: true, force: true });
    await a.close();
  });

  it('deletes each NDJSON file once it is imported, keeping the work dir', () => {
    expect(messages.some((m) => m.startsWith('demo: files written'))).toBe(true);
    expect(fileLeftAtReport).toEqual({ referrals: false, customers: false, events: false });
    expect(readdirSync(workDir)).toEqual([]);
  });

  // First, before any report has caught the roll-ups up.
  it('leaves the analytics roll-ups current: a catch-up right after seeding finds nothing to apply', async () => {
    expect(messages.some((m) => /^demo: analytics roll-ups current \([\d,]+ facts/.test(m))).toBe(true);
    const caught = await a.get(AnalyticsMaintenanceService).catchUpAll();
    expect(caught.map((c) => [c.source, c.applied])).toEqual(caught.map((c) => [c.source, 0]));
    // The funnel counts a referral once: SUBMITTED, or DUPLICATE for a repeat inside the window.
    const submitted = await a
      .get(DataSource)
      .query<{ n: string | number }[]>(
        `SELECT SUM(fact_count) AS n FROM analytics_monthly WHERE measure IN ('REFERRAL_SUBMITTED', 'REFERRAL_DUPLICATE')`,
      );
    const referrals = await a.get(DataSource).query<{ n: string | number }[]>('SELECT COUNT(*) AS n FROM referrals');
    expect(Number(submitted[0]?.n)).toBe(Number(referrals[0]?.n));
  });

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

  it('settles money: a PAID month with paid payouts, a CLOSED month waiting for one invoice, a CALCULATED month', async () => {
    const ds = a.get(DataSource);
    const periods = await ds.query<{ period_key: string; status: string }[]>(
      'SELECT period_key, status FROM commission_periods ORDER BY period_key',
    );
    expect(periods.map((p) => [p.period_key, p.status])).toEqual([
      [PAID_MONTH, 'PAID'],
      [CLOSED_MONTH, 'CLOSED'],
      [LATEST_MONTH, 'CALCULATED'],
    ]);
    expect(summary.finance.periods).toEqual({
      [PAID_MONTH]: 'PAID',
      [CLOSED_MONTH]: 'CLOSED',
      [LATEST_MONTH]: 'CALCULATED',
    });
    // Every payable statement of the PAID month has a PAID payout of exactly its gross, booked by the camt.053.
    const paid = await ds.query<
      { number: string; gross: string | number; amount: string | number | null; status: string | null }[]
    >(
      `SELECT s.number, s.gross, p.amount, p.status FROM settlement_statements s
         JOIN commission_periods cp ON cp.id = s.period_id
         LEFT JOIN settlement_payouts p ON p.statement_id = s.id
        WHERE cp.period_key = ? AND s.gross > 0 ORDER BY s.number`,
      [PAID_MONTH],
    );
    expect(paid.length).toBeGreaterThan(0);
    for (const row of paid)
      expect([row.number, String(row.amount), row.status]).toEqual([row.number, String(row.gross), 'PAID']);
    const imports = await ds.query<{ kind: string; n: number | string }[]>(
      'SELECT kind, COUNT(*) AS n FROM settlement_payout_file_imports GROUP BY kind ORDER BY kind',
    );
    expect(imports.map((i) => [i.kind, Number(i.n)])).toEqual([
      ['CAMT053', 2],
      ['PAIN002', 2],
    ]);
    // The CLOSED month: every payable statement paid except the one whose invoice shows the wrong VAT.
    const closed = await ds.query<{ number: string; payout: string | null }[]>(
      `SELECT s.number, p.status AS payout FROM settlement_statements s
         JOIN commission_periods cp ON cp.id = s.period_id
         LEFT JOIN settlement_payouts p ON p.statement_id = s.id
        WHERE cp.period_key = ? AND s.gross > 0 ORDER BY s.number`,
      [CLOSED_MONTH],
    );
    expect(closed.filter((r) => r.payout === null).map((r) => r.number)).toEqual([summary.finance.heldStatement]);
    expect(closed.filter((r) => r.payout === 'PAID').length).toBe(closed.length - 1);
    const [held] = await ds.query<{ tax: string | number; invoice_tax: string | number }[]>(
      'SELECT s.tax, i.tax AS invoice_tax FROM settlement_statements s JOIN settlement_invoices i ON i.statement_id = s.id WHERE s.number = ?',
      [summary.finance.heldStatement],
    );
    expect(String(held?.invoice_tax)).not.toBe(String(held?.tax));
  });

  it('four eyes: every statement and payout batch prepared by a finance maker and decided by a different approver', async () => {
    const ds = a.get(DataSource);
    const statements = await ds.query<{ status: string; maker: string; approver: string }[]>(
      `SELECT s.status, pu.role AS maker, au.role AS approver FROM settlement_statements s
         JOIN users pu ON pu.id = s.prepared_by_id JOIN users au ON au.id = s.approved_by_id
        WHERE s.prepared_by_id <> s.approved_by_id`,
    );
    const [all] = await ds.query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM settlement_statements');
    expect(statements.length).toBe(Number(all?.n));
    expect(statements.length).toBeGreaterThan(2);
    expect(new Set(statements.map((s) => `${s.status} ${s.maker} ${s.approver}`))).toEqual(
      new Set(['APPROVED FINANCE_MAKER FINANCE_APPROVER']),
    );
    const batches = await ds.query<{ status: string; maker: string; approver: string }[]>(
      `SELECT b.status, pu.role AS maker, au.role AS approver FROM settlement_payout_batches b
         JOIN users pu ON pu.id = b.prepared_by_id JOIN users au ON au.id = b.decided_by_id
        WHERE b.prepared_by_id <> b.decided_by_id AND b.pain_file IS NOT NULL`,
    );
    expect(batches.map((b) => [b.status, b.maker, b.approver])).toEqual([
      ['APPROVED', 'FINANCE_MAKER', 'FINANCE_APPROVER'],
      ['APPROVED', 'FINANCE_MAKER', 'FINANCE_APPROVER'],
    ]);
  });

  it('reconciles a partner claim with mismatches; the partner sees its disputes with comments from both sides', async () => {
    const ds = a.get(DataSource);
    const outcomes = await ds.query<{ outcome: string }[]>(
      `SELECT r.outcome FROM settlement_reconciliation_rows r JOIN settlement_statements s ON s.id = r.statement_id
        WHERE s.number = ? AND r.outcome <> 'MATCHED' ORDER BY r.outcome`,
      [summary.finance.disputedStatement],
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(['AMOUNT_MISMATCH', 'MISSING_IN_BANK']);
    type Disputes = {
      disputes: { edges: { node: { status: string; raisedBySide: string; comments: { side: string }[] } }[] };
    };
    const seen = ok(
      await a.gql<Disputes>(
        '{ disputes(first: 10) { edges { node { status raisedBySide comments { side } } } } }',
        {},
        CLAIMS_PARTNER_USER,
      ),
    ).disputes.edges.map((e) => e.node);
    expect(seen.map((d) => [d.status, d.raisedBySide]).sort()).toEqual([
      ['OPEN', 'PARTNER'],
      ['RESOLVED', 'PARTNER'],
    ]);
    const resolved = seen.find((d) => d.status === 'RESOLVED');
    expect(resolved?.comments.map((c) => c.side)).toEqual(['BANK', 'PARTNER']);
    // The adjustment that resolved it: prepared and approved by two people, posted in the open latest month.
    const adjustments = await ds.query<{ status: string; posted: string; amount: string | number }[]>(
      `SELECT a.status, cp.period_key AS posted, a.amount FROM settlement_adjustments a
         JOIN commission_periods cp ON cp.id = a.posted_period_id WHERE a.prepared_by_id <> a.approved_by_id`,
    );
    expect(adjustments.map((x) => [x.status, x.posted, String(x.amount)])).toEqual([
      ['APPROVED', LATEST_MONTH, '2000'],
    ]);
  });

  it('reports progress while the imports run, not only once each has finished', () => {
    const imported = messages.findIndex((m) => m.startsWith('demo: events imported'));
    const reading = messages.filter((m, i) => i < imported && /^demo: events ~[\d,]+\/[\d,]+ \(\d+%\) read/.test(m));
    expect(imported).toBeGreaterThan(0);
    expect(reading.length).toBeGreaterThan(1);
  });

  it('refuses a second world in the same database, naming the reason, and leaves the first untouched', async () => {
    const before = await digest(a);
    await expect(seedDemoWorld(a.app, { scale: 'tiny', seed: 8, actor: DEMO_SYSTEM_ACTOR })).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { rule: 'DEMO_ALREADY_SEEDED' },
    });
    expect(await digest(a)).toBe(before);
  });

  it('refuses to start without the bank account payouts are paid from, before writing anything', async () => {
    const bare = await TestApp.start(db);
    try {
      await expect(seedDemoWorld(bare.app, { scale: 'tiny', seed: 7, actor: DEMO_SYSTEM_ACTOR })).rejects.toMatchObject(
        {
          code: 'CONFLICT',
          details: { rule: 'PAYOUT_DEBTOR_NOT_CONFIGURED' },
        },
      );
      const [row] = await bare.get(DataSource).query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM partners');
      expect(Number(row?.n)).toBe(0);
    } finally {
      await bare.close();
    }
  });

  it('gives the same data for the same seed', async () => {
    const b = await TestApp.start(db, DEBTOR);
    try {
      await seedDemoWorld(b.app, { scale: 'tiny', seed: 7, actor: DEMO_SYSTEM_ACTOR });
      expect(await digest(b)).toBe(await digest(a));
    } finally {
      await b.close();
    }
  }, 300_000);
});
