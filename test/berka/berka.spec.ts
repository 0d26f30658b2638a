import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { BERKA_CARD_PRODUCTS, BerkaImportResult, importBerka } from '../../src/berka/berka-import';
import { berkaDate, decodeBirthNumber, splitAscLine } from '../../src/berka/berka-format';
import { CustomerEntity } from '../../src/customers/entities/customer.entity';
import { CustomerEventEntity } from '../../src/customers/entities/customer-event.entity';
import { OrgUnitEntity } from '../../src/org-units/entities/org-unit.entity';
import { Role } from '../../src/auth/roles';
import { databases, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';

const DIR = process.env.BERKA_DIR ?? join(__dirname, '../../../shared/data/berka-pkdd99-financial');

describe('Berka file format', () => {
  it('decodes birth numbers: women have month + 50, years are 19YY', () => {
    expect(decodeBirthNumber('706213')).toEqual({ birthDate: '1970-12-13', sex: 'F' });
    expect(decodeBirthNumber('450204')).toEqual({ birthDate: '1945-02-04', sex: 'M' });
    expect(decodeBirthNumber('706313')).toBeNull(); // month 13 after removing 50
    expect(decodeBirthNumber('450230')).toBeNull(); // 30 February
  });
  it('reads YYMMDD dates with or without a time', () => {
    expect(berkaDate('931107 00:00:00')).toBe('1993-11-07');
    expect(berkaDate('940331')).toBe('1994-03-31');
    expect(berkaDate('940231')).toBeNull();
  });
  it('splits quoted fields and keeps empty and single-space values apart', () => {
    expect(splitAscLine('695247;2378;930101;"PRIJEM";"VKLAD";700.00;700.00;"";;')).toEqual([
      '695247',
      '2378',
      '930101',
      'PRIJEM',
      'VKLAD',
      '700.00',
      '700.00',
      '',
      '',
      '',
    ]);
    expect(splitAscLine('1;" ";"a;b"')).toEqual(['1', ' ', 'a;b']);
  });
});

describe.each(databases())('Berka (PKDD99) import on %s', (db) => {
  let t: TestApp;
  let result: BerkaImportResult;
  beforeAll(async () => {
    t = await TestApp.start(db);
    t.clock.set('2026-11-30T00:00:00Z');
    const started = Date.now();
    result = await importBerka(t.app, { dir: DIR, actor: SYSTEM_ACTOR });
    process.stdout.write(`berka import on ${db}: ${Date.now() - started} ms\n`);
    await t.createUser('berka-analyst', Role.ANALYST);
  }, 600_000);
  afterAll(() => t.close());

  it('loads every file with the published counts', async () => {
    const ds = t.get(DataSource);
    expect(result.customers).toMatchObject({ status: 'SUCCEEDED', processed: 5369, accepted: 5369, rejected: 0 });
    expect(await ds.getRepository(CustomerEntity).countBy({ type: 'INDIVIDUAL' as never, idType: 'PASSPORT' })).toBe(
      5369,
    );
    const byType = async (type: string) => ds.getRepository(CustomerEventEntity).countBy({ type: type as never });
    expect(result.accountsOpened.accepted).toBe(4500);
    expect(await byType('ACCOUNT_OPENED')).toBe(4500);
    expect(result.cards.accepted).toBe(892);
    expect(await byType('CARD_APPROVED')).toBe(892);
    expect(result.loans.accepted).toBe(682);
    expect(await byType('LOAN_DISBURSED')).toBe(682);
    expect(result.transactions?.accepted).toBe(49102);
    expect((await byType('PAYMENT_RECEIVED')) + (await byType('PAYMENT_SENT'))).toBe(49102);
    expect(await byType('PAYMENT_RECEIVED')).toBe(22994);
    expect(await byType('PAYMENT_SENT')).toBe(25457 + 651);
    expect(result.orgUnits).toMatchObject({ districts: 77, districtsCreated: 77, regions: 8 });
    expect(await ds.getRepository(OrgUnitEntity).createQueryBuilder('o').where("o.code LIKE 'CZ-D%'").getCount()).toBe(
      77,
    );
  });

  it('reports the truncated last line of the transactions file as the only row error', () => {
    expect(result.rowErrors).toEqual([
      { file: 'trans_truncated.asc', line: 49104, field: 'line', reason: 'TRUNCATED_RECORD' },
    ]);
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'district.asc', field: 'A12', reason: 'UNKNOWN_VALUE' }),
      ]),
    );
  });

  it('splits cards by type into the three products of the demo programs', async () => {
    const ds = t.get(DataSource);
    const counts: Record<string, number> = {};
    for (const p of BERKA_CARD_PRODUCTS)
      counts[p.type] = await ds.getRepository(CustomerEventEntity).countBy({
        type: 'CARD_APPROVED' as never,
        programId: result.programIds[p.type] ?? 'none',
        productCode: p.code,
      });
    expect(counts).toEqual({ junior: 145, classic: 659, gold: 88 });
  });

  it('keeps CZK amounts exact and decodes a woman’s birth number', async () => {
    const ds = t.get(DataSource);
    const loan = await ds.getRepository(CustomerEventEntity).findOneByOrFail({ externalId: 'BERKA-LOAN-5314' });
    expect(loan).toMatchObject({ amount: 96396_00n, currency: 'CZK', businessDate: '1993-07-05' });
    const tr = await ds.getRepository(CustomerEventEntity).findOneByOrFail({ externalId: 'BERKA-T-695247' });
    expect(tr).toMatchObject({
      type: 'PAYMENT_RECEIVED',
      amount: 700_00n,
      currency: 'CZK',
      businessDate: '1993-01-01',
    });
    const c1 = await ds.getRepository(CustomerEntity).findOneByOrFail({ customerNumber: 'BERKA-C-1' });
    expect(c1.name).toContain('F, born 1970-12-13');
    const data = ok<{ customers: { totalCount: number } }>(
      await t.gql(
        '{ customers(first: 1, filter: { idType: PASSPORT, idNumber: "BERKA0000001" }) { totalCount } }',
        {},
        'berka-analyst',
      ),
    );
    expect(data.customers.totalCount).toBe(1);
  });

  it('is idempotent: a second run adds nothing', async () => {
    const again = await importBerka(t.app, { dir: DIR, actor: SYSTEM_ACTOR, skipTransactions: db === 'mysql' });
    expect(again.orgUnits.districtsCreated).toBe(0);
    expect(again.customers.rejected).toBe(0);
    expect(again.cards).toMatchObject({ accepted: 0, duplicates: 892 });
    expect(await t.get(DataSource).getRepository(CustomerEntity).count()).toBe(5369);
  }, 600_000);
});
