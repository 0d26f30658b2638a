import fs from 'node:fs';
import { ALL_ENTITIES } from '../../src/database/entities';
import { residentIdCheckChar } from '../../src/common/identifiers';
import { Role } from '../../src/auth/roles';
import { toCustomer } from '../../src/customers/customers.mapper';
import { CustomersService } from '../../src/customers/customers.service';
import { CustomerEventsService, RecordedEvents } from '../../src/customers/customer-events.service';
import { databases, errorOf, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import { BankFixture, seedBank } from '../support/fixtures';

const UPSERT = `mutation($i: UpsertCustomerInput!) { upsertCustomer(input: $i) {
  outcome customer { id customerNumber name nameMasked idType idNumberMasked phoneMasked orgUnitId version status onboardedOn } } }`;
const RECORD = `mutation($i: RecordCustomerEventsInput!) { recordCustomerEvents(input: $i) {
  accepted duplicates rejected rows { index status field reason eventId } } }`;

const CLEAR_ID = '11010519491231002X';
const CLEAR_PHONE = '13912345678';
const hmtPermit = (): string => {
  const first17 = '81000019900101123';
  return first17 + residentIdCheckChar(first17);
};

interface UpsertResult {
  upsertCustomer: {
    outcome: string;
    customer: {
      id: string;
      customerNumber: string;
      name: string;
      nameMasked: boolean;
      idType: string | null;
      idNumberMasked: string | null;
      phoneMasked: string | null;
      version: number;
    };
  };
}
interface RecordResult {
  recordCustomerEvents: {
    accepted: number;
    duplicates: number;
    rejected: number;
    rows: { index: number; status: string; field: string | null; reason: string | null; eventId: string | null }[];
  };
}

describe.each(databases())('customers and customer events on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  const logs: string[] = [];
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    // Capture everything the process logs (pino writes to fd 1 through fs.writeSync; Nest through the streams).
    const keep = (chunk: unknown): void => {
      logs.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
    };
    const realWriteSync = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
    spies.push(
      jest.spyOn(fs, 'writeSync').mockImplementation((fd: number, data: unknown, ...rest: unknown[]) => {
        if (fd === 1 || fd === 2) {
          keep(data);
          return typeof data === 'string' ? Buffer.byteLength(data) : (data as Buffer).length;
        }
        return realWriteSync(fd, data, ...rest);
      }),
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (keep(chunk), true)),
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => (keep(chunk), true)),
    );
    t = await TestApp.start(db, { LOG_LEVEL: 'trace' });
    t.queries.recording = true;
    bank = await seedBank(t);
  });
  afterAll(async () => {
    await t.close();
    for (const spy of spies) spy.mockRestore();
  });

  const individual = (
    customerNumber: string,
    idType: string,
    idNumber: string,
    extra: Record<string, unknown> = {},
  ) => ({
    customerNumber,
    type: 'INDIVIDUAL',
    name: '欧阳娜娜',
    idType,
    idNumber,
    orgUnitId: bank.beijing,
    onboardedOn: '2026-01-05',
    ...extra,
  });

  it('maps entities to exactly the migrated schema (no pending change)', async () => {
    const sql = await t.dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('accepts every identity document type and refuses a bad check digit naming the field', async () => {
    const valid: [string, string][] = [
      ['RESIDENT_ID', CLEAR_ID],
      ['RESIDENT_ID', '440524188001010014'],
      ['PASSPORT', 'E12345678'],
      ['HK_MACAO_PERMIT', 'H1234567890'],
      ['TAIWAN_PERMIT', '87654321'],
      ['HMT_RESIDENCE_PERMIT', hmtPermit()],
    ];
    for (const [i, [idType, idNumber]] of valid.entries()) {
      const extra = i === 0 ? { phone: `+86 ${CLEAR_PHONE.slice(0, 3)}-${CLEAR_PHONE.slice(3)}` } : {};
      const data = ok(
        await t.gql<UpsertResult>(UPSERT, { i: individual(`C-ID-${i}`, idType, idNumber, extra) }, 'admin'),
      );
      expect(data.upsertCustomer.outcome).toBe('CREATED');
      expect(data.upsertCustomer.customer.idType).toBe(idType);
    }
    const first = ok(
      await t.gql<{ customers: { edges: { node: { idNumberMasked: string; phoneMasked: string } }[] } }>(
        '{ customers(first: 5, filter: { customerNumber: "C-ID-0" }) { edges { node { idNumberMasked phoneMasked } } } }',
        {},
        'admin',
      ),
    );
    expect(first.customers.edges[0]?.node).toEqual({
      idNumberMasked: '110105********002X',
      phoneMasked: '139****5678',
    });

    const badCheck = errorOf(
      await t.gql(UPSERT, { i: individual('C-BAD-1', 'RESIDENT_ID', '110101199003074478') }, 'admin'),
    );
    expect(badCheck).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idNumber', reason: 'INVALID_CHECK_DIGIT' });
    const badPermit = '81000019900101123' + (residentIdCheckChar('81000019900101123') === '0' ? '1' : '0');
    expect(
      errorOf(await t.gql(UPSERT, { i: individual('C-BAD-2', 'HMT_RESIDENCE_PERMIT', badPermit) }, 'admin')),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'idNumber',
      reason: 'INVALID_CHECK_DIGIT',
    });
    expect(
      errorOf(await t.gql(UPSERT, { i: individual('C-BAD-3', 'HK_MACAO_PERMIT', 'X1234567') }, 'admin')),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'idNumber',
    });
    expect(
      errorOf(await t.gql(UPSERT, { i: individual('C-BAD-4', 'PASSPORT', 'E7654321', { phone: '12345' }) }, 'admin')),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'phone', reason: 'INVALID_MOBILE' });
    // The same person under another customer number is a conflict, not a second customer.
    expect(
      errorOf(await t.gql(UPSERT, { i: individual('C-DUP', 'RESIDENT_ID', CLEAR_ID.toLowerCase()) }, 'admin')),
    ).toMatchObject({
      code: 'CONFLICT',
      field: 'idNumber',
    });
  });

  it('finds a customer by identity document, hashed at the edge', async () => {
    const found = ok(
      await t.gql<{ customers: { totalCount: number; edges: { node: { customerNumber: string } }[] } }>(
        '{ customers(first: 5, filter: { idType: RESIDENT_ID, idNumber: "11010519491231002x" }) { totalCount edges { node { customerNumber } } } }',
        {},
        'analyst',
      ),
    );
    expect(found.customers.edges.map((e) => e.node.customerNumber)).toEqual(['C-ID-0']);
    expect(found.customers.totalCount).toBe(1);
  });

  it('upserts idempotently by customer number and audits each change once', async () => {
    const corp = {
      customerNumber: 'C-CORP-1',
      type: 'CORPORATE',
      name: '福建某某科技有限公司',
      uscc: '91350100M000100Y43',
      industry: 'Software',
      size: 'SMALL',
      orgUnitId: bank.shanghai,
      onboardedOn: '2026-02-01',
    };
    const a = ok(await t.gql<UpsertResult>(UPSERT, { i: corp }, 'manager'));
    const b = ok(await t.gql<UpsertResult>(UPSERT, { i: corp }, 'manager'));
    expect(a.upsertCustomer.outcome).toBe('CREATED');
    expect(b.upsertCustomer.outcome).toBe('UNCHANGED');
    expect(b.upsertCustomer.customer.id).toBe(a.upsertCustomer.customer.id);
    const c = ok(await t.gql<UpsertResult>(UPSERT, { i: { ...corp, size: 'MEDIUM' } }, 'manager'));
    expect(c.upsertCustomer.outcome).toBe('UPDATED');
    expect(c.upsertCustomer.customer.version).toBe(2);
    const audits = await t.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_records WHERE entity_id = '${a.upsertCustomer.customer.id}' ORDER BY occurred_at, id`,
    );
    expect(audits.map((r) => r.action)).toEqual(['customer.create', 'customer.update']);
    expect(
      errorOf(
        await t.gql(UPSERT, { i: { ...corp, customerNumber: 'C-CORP-2', uscc: '913100007109272222' } }, 'manager'),
      ),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'uscc',
    });
    // Type of an existing customer cannot flip.
    expect(
      errorOf(await t.gql(UPSERT, { i: individual('C-CORP-1', 'PASSPORT', 'G1234567') }, 'manager')),
    ).toMatchObject({ code: 'CONFLICT' });
  });

  it('limits reads and writes by role and org scope; partner users see no customers', async () => {
    const list = (user: string) =>
      t.gql<{ customers: { totalCount: number } }>('{ customers(first: 50) { totalCount } }', {}, user);
    const all = ok(await list('admin')).customers.totalCount;
    expect(all).toBeGreaterThanOrEqual(7);
    expect(ok(await list('manager-sh')).customers.totalCount).toBe(1);
    expect(ok(await list('partner-bj')).customers.totalCount).toBe(0);
    const anyId = ok(
      await t.gql<UpsertResult>(
        UPSERT,
        { i: individual('C-ID-0', 'RESIDENT_ID', CLEAR_ID, { phone: CLEAR_PHONE }) },
        'admin',
      ),
    ).upsertCustomer.customer.id;
    expect(errorOf(await t.gql(`{ customer(id: "${anyId}") { id } }`, {}, 'partner-bj')).code).toBe('NOT_FOUND');
    expect(errorOf(await t.gql(`{ customer(id: "${anyId}") { id } }`, {}, 'manager-sh')).code).toBe('NOT_FOUND');
    expect(
      ok(await t.gql<{ customer: { id: string } }>(`{ customer(id: "${anyId}") { id } }`, {}, 'manager-bj')).customer
        .id,
    ).toBe(anyId);
    expect(errorOf(await t.gql(UPSERT, { i: individual('C-W-1', 'PASSPORT', 'K1234567') }, 'analyst')).code).toBe(
      'FORBIDDEN',
    );
    expect(errorOf(await t.gql(UPSERT, { i: individual('C-W-2', 'PASSPORT', 'K1234568') }, 'partner-bj')).code).toBe(
      'FORBIDDEN',
    );
    expect(
      errorOf(await t.gql(UPSERT, { i: individual('C-W-3', 'PASSPORT', 'K1234569') }, 'manager-sh')),
    ).toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('masks a person’s name for partner users (and only for them)', async () => {
    const entity = await t
      .get(CustomersService)
      .get(SYSTEM_ACTOR, (await t.get(CustomersService).findByCustomerNumber('C-ID-0'))?.id ?? '');
    const partnerActor = { ...SYSTEM_ACTOR, role: Role.PARTNER_USER, partnerId: bank.partnerBj };
    expect(toCustomer(entity, partnerActor)).toMatchObject({ name: '欧阳**', nameMasked: true });
    expect(toCustomer(entity, SYSTEM_ACTOR)).toMatchObject({ name: '欧阳娜娜', nameMasked: false });
  });

  it('records events: duplicates, bad rows with field and reason, late events, the Shanghai midnight edge', async () => {
    const heard: RecordedEvents[] = [];
    const off = t.get(CustomerEventsService).onRecorded((r) => {
      heard.push(r);
    });
    const events = [
      {
        eventId: 'EV-1',
        customerNumber: 'C-ID-0',
        type: 'CARD_SPEND',
        occurredAt: '2026-01-31T16:30:00Z',
        amount: { amount: '128.50' },
        merchantCategory: '5812',
      },
      { eventId: 'EV-2', customerNumber: 'C-ID-0', type: 'CARD_SPEND', occurredAt: '2026-01-31T15:30:00Z' },
      { eventId: 'EV-3', customerNumber: 'NOBODY', type: 'ACCOUNT_OPENED', occurredAt: '2026-01-02T01:00:00Z' },
      {
        eventId: 'EV-4',
        customerNumber: 'C-ID-0',
        type: 'FUND_PURCHASE',
        occurredAt: '2026-01-02T01:00:00Z',
        amount: { amount: '-1.00' },
      },
      { eventId: 'EV-5', customerNumber: 'C-ID-0', type: 'ACCOUNT_OPENED', occurredAt: '2026-01-02 09:00:00' },
      {
        eventId: 'EV-6',
        customerNumber: 'C-CORP-1',
        type: 'PAYROLL_CREDIT',
        occurredAt: '2026-01-10T01:00:00Z',
        amount: { amount: '9000' },
        employerUscc: '91110000802100433B',
      },
      {
        eventId: 'EV-1',
        customerNumber: 'C-ID-0',
        type: 'CARD_SPEND',
        occurredAt: '2026-01-31T16:30:00Z',
        amount: { amount: '128.50' },
      },
    ];
    const data = ok(await t.gql<RecordResult>(RECORD, { i: { events } }, 'admin')).recordCustomerEvents;
    expect(data.rows.map((r) => [r.index, r.status, r.field, r.reason])).toEqual([
      [0, 'ACCEPTED', null, null],
      [1, 'REJECTED', 'amount', 'REQUIRED'],
      [2, 'REJECTED', 'customerNumber', 'UNKNOWN_CUSTOMER'],
      [3, 'REJECTED', 'amount', 'NEGATIVE_AMOUNT'],
      [4, 'REJECTED', 'occurredAt', 'TIME_ZONE_REQUIRED'],
      [5, 'ACCEPTED', null, null],
      [6, 'DUPLICATE', 'eventId', 'ALREADY_RECORDED'],
    ]);
    expect(data.rows[6]?.eventId).toBe(data.rows[0]?.eventId);
    expect([data.accepted, data.duplicates, data.rejected]).toEqual([2, 1, 4]);

    // Resubmitting is a no-op; a late, older event is still accepted.
    const again = ok(
      await t.gql<RecordResult>(
        RECORD,
        {
          i: {
            events: [
              events[0],
              {
                eventId: 'EV-LATE',
                customerNumber: 'C-ID-0',
                type: 'ACCOUNT_OPENED',
                occurredAt: '2025-12-31T15:59:59.999Z',
              },
            ],
          },
        },
        'admin',
      ),
    ).recordCustomerEvents;
    expect(again.rows.map((r) => r.status)).toEqual(['DUPLICATE', 'ACCEPTED']);
    off();

    const customer = await t.get(CustomersService).findByCustomerNumber('C-ID-0');
    const stored = await t.get(CustomerEventsService).eventsOfCustomers([customer?.id ?? '']);
    expect(stored.map((e) => [e.externalId, e.businessDate, e.amount])).toEqual([
      ['EV-LATE', '2025-12-31', null],
      ['EV-1', '2026-02-01', 12850n],
    ]);
    expect(heard).toHaveLength(2);
    expect(heard[0]?.eventIds).toHaveLength(2);
    expect(heard[0]?.customerIds.sort()).toEqual(
      [customer?.id, (await t.get(CustomersService).findByCustomerNumber('C-CORP-1'))?.id].sort(),
    );
    const counted = await t.dataSource.query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM customer_events');
    expect(Number(counted[0]?.n)).toBe(3);
    const audit = await t.dataSource.query<{ n: number | string }[]>(
      "SELECT COUNT(*) AS n FROM audit_records WHERE action = 'customerEvents.record'",
    );
    expect(Number(audit[0]?.n)).toBe(2);
  });

  it('refuses more than 1,000 events per call naming the field, and writers only', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({
      eventId: `BULK-${i}`,
      customerNumber: 'C-ID-0',
      type: 'ACCOUNT_OPENED',
      occurredAt: '2026-01-01T00:00:00Z',
    }));
    expect(errorOf(await t.gql(RECORD, { i: { events: many } }, 'admin'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'events',
    });
    expect(errorOf(await t.gql(RECORD, { i: { events: many.slice(0, 1) } }, 'analyst')).code).toBe('FORBIDDEN');
  });

  it('accepts writes from a bank-system API key with events:write', async () => {
    const key = ok(
      await t.gql<{ createApiKey: { key: string } }>(
        'mutation { createApiKey(input: { name: "core-banking", scopes: ["events:write"] }) { key } }',
        {},
        'admin',
      ),
    ).createApiKey.key;
    const data = ok(
      await t.gql<RecordResult>(
        RECORD,
        {
          i: {
            events: [
              {
                eventId: 'EV-KEY-1',
                customerNumber: 'C-ID-0',
                type: 'CARD_ACTIVATED',
                occurredAt: '2026-01-03T00:00:00Z',
              },
            ],
          },
        },
        { apiKey: key },
      ),
    );
    expect(data.recordCustomerEvents.accepted).toBe(1);
  });

  it('never stores or logs a clear identity number or phone', async () => {
    const needles = [CLEAR_ID, CLEAR_PHONE, hmtPermit(), '440524188001010014'];
    for (const entity of ALL_ENTITIES) {
      const table = t.dataSource.getMetadata(entity).tableName;
      const rows = await t.dataSource.query<unknown[]>(`SELECT * FROM ${table}`);
      const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      for (const needle of needles) expect({ table, found: text.includes(needle) }).toEqual({ table, found: false });
    }
    const logged = logs.join('\n') + t.queries.statements.join('\n');
    // The capture works: request logs (with the GraphQL bodies' route) and the SQL are in it.
    expect(logs.join('\n')).toContain('request completed');
    expect(t.queries.statements.length).toBeGreaterThan(0);
    for (const needle of needles) expect(logged.includes(needle)).toBe(false);
  });
});
