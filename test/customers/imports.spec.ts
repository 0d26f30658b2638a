import iconv from 'iconv-lite';
import { Readable } from 'node:stream';
import { CustomerEventsService } from '../../src/customers/customer-events.service';
import { CustomerImportsService } from '../../src/customers/customer-imports.service';
import { detectEncoding } from '../../src/imports/encoding';
import { JobsService } from '../../src/jobs/jobs.service';
import { databases, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import { BankFixture, seedBank } from '../support/fixtures';

interface JobView {
  job: {
    status: string;
    processed: number;
    total: number | null;
    result: Record<string, unknown>;
    error: string | null;
  };
}
interface ReportView {
  importReport: {
    totalCount: number;
    edges: {
      node: { line: number; status: string; field: string | null; reason: string | null; ref: string | null };
    }[];
  };
}
const JOB = 'query($id: ID!) { job(id: $id) { status processed total result error } }';
const REPORT =
  'query($id: ID!) { importReport(jobId: $id, first: 50) { totalCount edges { node { line status field reason ref } } } }';

describe.each(databases())('streamed imports as jobs on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  beforeAll(async () => {
    t = await TestApp.start(db);
    bank = await seedBank(t);
  });
  afterAll(() => t.close());

  async function upload(path: string, body: Buffer, contentType: string, user = 'admin'): Promise<string> {
    const res = await t
      .http()
      .post(path)
      .set('authorization', `Bearer ${await t.tokenFor(user)}`)
      .set('content-type', contentType)
      .send(body);
    expect(res.status).toBe(202);
    const jobId = (res.body as { jobId: string }).jobId;
    await t.get(JobsService).waitFor(jobId);
    return jobId;
  }

  const customersCsv = [
    'customer_number,type,name,id_type,id_number,phone,uscc,size,org_unit_code,onboarded_on',
    'K-1,INDIVIDUAL,张三,RESIDENT_ID,110101199003074477,13800138001,,,BJ,2026-01-02',
    'K-2,INDIVIDUAL,李四,RESIDENT_ID,110101199003074478,,,,BJ,2026-01-02',
    'K-3,CORPORATE,上海某某贸易有限公司,,,,91440300708461136T,LARGE,SH,2026-01-03',
    'K-4,INDIVIDUAL,王五,PASSPORT,E99887766,,,,NOWHERE,2026-01-03',
    'K-5,INDIVIDUAL,赵六,PASSPORT,E99887767,1380013,,,SH,2026-01-04',
  ].join('\n');

  it('detects UTF-8, UTF-8 with BOM and GBK', () => {
    expect(detectEncoding(Buffer.from('名字,号码', 'utf8'))).toBe('UTF-8');
    expect(detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('名字')]))).toBe('UTF-8-BOM');
    expect(detectEncoding(iconv.encode('名字,号码', 'gbk'))).toBe('GB18030');
  });

  it('imports a UTF-8 customer CSV over HTTP with a per-row report and job progress', async () => {
    const jobId = await upload('/imports/customers', Buffer.from(customersCsv, 'utf8'), 'text/csv');
    const job = ok(await t.gql<JobView>(JOB, { id: jobId }, 'admin')).job;
    expect(job).toMatchObject({ status: 'SUCCEEDED', processed: 5, total: 5, error: null });
    expect(job.result).toMatchObject({ encoding: 'UTF-8', created: 2, rejected: 3 });
    const report = ok(await t.gql<ReportView>(REPORT, { id: jobId }, 'admin')).importReport;
    expect(report.edges.map((e) => [e.node.line, e.node.status, e.node.field, e.node.reason, e.node.ref])).toEqual([
      [3, 'REJECTED', 'idNumber', 'INVALID_CHECK_DIGIT', 'K-2'],
      [5, 'REJECTED', 'orgUnitCode', 'UNKNOWN_ORG_UNIT', 'K-4'],
      [6, 'REJECTED', 'phone', 'INVALID_MOBILE', 'K-5'],
    ]);
    // Another user cannot see the job.
    expect((await t.gql(JOB, { id: jobId }, 'manager')).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Re-importing the same file changes nothing (idempotent by customer number).
    const again = await upload('/imports/customers', Buffer.from(customersCsv, 'utf8'), 'text/csv');
    expect(ok(await t.gql<JobView>(JOB, { id: again }, 'admin')).job.result).toMatchObject({
      created: 0,
      unchanged: 2,
      rejected: 3,
    });
  });

  it('imports a GBK-encoded CSV (as Excel/WPS save it) and keeps the Chinese text intact', async () => {
    const csv =
      'customerNumber,type,name,idType,idNumber,orgUnitCode\r\nG-1,INDIVIDUAL,欧阳娜娜,PASSPORT,G12345678,SH\r\n';
    const jobId = await upload('/imports/customers', iconv.encode(csv, 'gbk'), 'text/csv; charset=gbk');
    const job = ok(await t.gql<JobView>(JOB, { id: jobId }, 'admin')).job;
    expect(job.result).toMatchObject({ encoding: 'GB18030', created: 1, rejected: 0 });
    const rows = await t.dataSource.query<{ name: string }[]>(
      "SELECT name FROM customers WHERE customer_number = 'G-1'",
    );
    expect(rows[0]?.name).toBe('欧阳娜娜');
  });

  it('imports NDJSON events: accepted, duplicate, rejected and unreadable lines all reported', async () => {
    const lines = [
      JSON.stringify({
        eventId: 'N-1',
        customerNumber: 'K-1',
        type: 'CARD_SPEND',
        occurredAt: '2026-01-31T16:30:00Z',
        amount: '88.00',
      }),
      JSON.stringify({
        eventId: 'N-1',
        customerNumber: 'K-1',
        type: 'CARD_SPEND',
        occurredAt: '2026-01-31T16:30:00Z',
        amount: '88.00',
      }),
      '{not json',
      '',
      JSON.stringify({
        eventId: 'N-2',
        customerNumber: 'K-3',
        type: 'PAYMENT_RECEIVED',
        occurredAt: '2026-01-05T02:00:00+08:00',
        amount: '5000',
      }),
      JSON.stringify({
        eventId: 'N-3',
        customerNumber: 'K-3',
        type: 'PAYMENT_SENT',
        occurredAt: '2026-01-05T02:00:00Z',
        amount: '10',
        counterpartyUscc: '91350100M000100Y43',
      }),
    ].join('\n');
    const jobId = await upload('/imports/customer-events', Buffer.from(lines, 'utf8'), 'application/x-ndjson');
    const job = ok(await t.gql<JobView>(JOB, { id: jobId }, 'admin')).job;
    expect(job).toMatchObject({ status: 'SUCCEEDED', processed: 5 });
    expect(job.result).toMatchObject({ accepted: 2, duplicates: 1, rejected: 2 });
    const report = ok(await t.gql<ReportView>(REPORT, { id: jobId }, 'admin')).importReport;
    expect(report.edges.map((e) => [e.node.line, e.node.status, e.node.field, e.node.reason])).toEqual([
      [2, 'DUPLICATE', 'eventId', 'ALREADY_RECORDED'],
      [3, 'REJECTED', 'line', 'INVALID_JSON'],
      [5, 'REJECTED', 'counterpartyUscc', 'REQUIRED'],
    ]);
  });

  it('imports events from a stream programmatically in batches, CSV with a BOM', async () => {
    const header = '\ufeffeventId,customerNumber,type,occurredAt\n';
    const body = Array.from(
      { length: 2500 },
      (_, i) => `B-${i},K-1,ACCOUNT_OPENED,2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`,
    ).join('\n');
    const job = await t
      .get(CustomerImportsService)
      .importCustomerEventsFromStream(Readable.from([Buffer.from(header + body, 'utf8')]), 'CSV', SYSTEM_ACTOR);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.processed).toBe(2500);
    expect(job.result).toMatchObject({ encoding: 'UTF-8-BOM', accepted: 2500 });
    const n = await t.dataSource.query<{ n: number | string }[]>(
      "SELECT COUNT(*) AS n FROM customer_events WHERE external_id LIKE 'B-%'",
    );
    expect(Number(n[0]?.n)).toBe(2500);
  });

  it("runs a bulk import's listeners one batch at a time, never seeing a later batch, and reports duplicates across batches", async () => {
    // Line 1500 repeats line 10 (an earlier batch); line 2001 repeats line 1999, the batch just before it: the
    // one whose look-up may run before that batch commits.
    const idOf = (line: number): string => (line === 1500 ? 'P-10' : line === 2001 ? 'P-1999' : `P-${line}`);
    const body = Array.from(
      { length: 3500 },
      (_, i) => `${idOf(i + 1)},K-1,ACCOUNT_OPENED,2026-02-01T00:00:${String(i % 60).padStart(2, '0')}Z`,
    ).join('\n');
    const seen: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const stop = t.get(CustomerEventsService).onRecorded(async () => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      // Slow enough for a later batch to commit meanwhile, were commits not held for the listeners.
      await new Promise((resolve) => setTimeout(resolve, 40));
      const n = await t.dataSource.query<{ n: number | string }[]>(
        "SELECT COUNT(*) AS n FROM customer_events WHERE external_id LIKE 'P-%'",
      );
      seen.push(Number(n[0]?.n));
      running -= 1;
    });
    try {
      const job = await t
        .get(CustomerImportsService)
        .importCustomerEventsFromStream(
          Readable.from([Buffer.from(`eventId,customerNumber,type,occurredAt\n${body}`, 'utf8')]),
          'CSV',
          SYSTEM_ACTOR,
        );
      expect(job.result).toMatchObject({ accepted: 3498, duplicates: 2, rejected: 0 });
      expect(seen).toEqual([1000, 1999, 2998, 3498]);
      expect(mostAtOnce).toBe(1);
      const report = ok(await t.gql<ReportView>(REPORT, { id: job.id }, 'admin')).importReport;
      expect(report.edges.map((e) => [e.node.line, e.node.status, e.node.ref])).toEqual([
        [1501, 'DUPLICATE', 'P-10'],
        [2002, 'DUPLICATE', 'P-1999'],
      ]);
    } finally {
      stop();
    }
  });

  it('finishes twelve event imports at once, more than the pool has connections, while their listeners need some', async () => {
    // Each import holds a batch's transaction for the previous batch's listeners; were all twelve allowed to,
    // the pool's ten connections would all wait for listeners that cannot get one.
    const stop = t.get(CustomerEventsService).onRecorded(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await t.dataSource.query('SELECT COUNT(*) AS n FROM customers');
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const file = (k: number): Readable =>
        Readable.from([
          Buffer.from(
            `eventId,customerNumber,type,occurredAt\n${Array.from({ length: 1500 }, (_, i) => `M${k}-${i},K-1,ACCOUNT_OPENED,2026-02-01T00:00:00Z`).join('\n')}`,
            'utf8',
          ),
        ]);
      const imports = t.get(CustomerImportsService);
      const all = Promise.all(
        Array.from({ length: 12 }, (_, k) => imports.importCustomerEventsFromStream(file(k), 'CSV', SYSTEM_ACTOR)),
      );
      const stuck = new Promise<'STUCK'>((resolve) => {
        timer = setTimeout(() => resolve('STUCK'), 90_000);
      });
      const outcome = await Promise.race([all.then((jobs) => jobs.map((j) => j.result)), stuck]);
      expect(outcome).toEqual(Array.from({ length: 12 }, (): unknown => expect.objectContaining({ accepted: 1500 })));
    } finally {
      clearTimeout(timer);
      stop();
    }
  }, 180_000);

  it('refuses unsupported content types and callers without write rights', async () => {
    const bad = await t
      .http()
      .post('/imports/customers')
      .set('authorization', `Bearer ${await t.tokenFor('admin')}`)
      .set('content-type', 'application/pdf')
      .send(Buffer.from('x'));
    expect(bad.status).toBe(400);
    expect(
      (bad.body as { errors: { extensions: { code: string; field: string } }[] }).errors[0]?.extensions,
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'contentType',
    });
    const denied = await t
      .http()
      .post('/imports/customers')
      .set('authorization', `Bearer ${await t.tokenFor('partner-bj')}`)
      .set('content-type', 'text/csv')
      .send(Buffer.from(customersCsv));
    expect(denied.status).toBe(403);
    const analyst = await t
      .http()
      .post('/imports/customers')
      .set('authorization', `Bearer ${await t.tokenFor('analyst')}`)
      .set('content-type', 'text/csv')
      .send(Buffer.from(customersCsv));
    expect(analyst.status).toBe(403);
    expect(bank.head).toBeDefined();
  });
});
