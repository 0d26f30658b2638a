import { DataSource } from 'typeorm';
import { AuditRecordEntity } from '../../src/audit/entities/audit-record.entity';
import { PartnerContactEntity } from '../../src/partners/entities/partner-contact.entity';
import { PartnerEntity } from '../../src/partners/entities/partner.entity';
import { PARTNER_TRANSITIONS, PartnerKind, PartnerStatus } from '../../src/partners/partner.enums';
import { PartnersService } from '../../src/partners/partners.service';
import { databases, errorOf, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import { BankFixture, createPartner, seedBank } from '../support/fixtures';

const CREATE = 'mutation($i: CreatePartnerInput!) { createPartner(input: $i) { id code uscc status version } }';
const UPDATE = 'mutation($i: UpdatePartnerInput!) { updatePartner(input: $i) { id version nameEn blacklisted } }';
const TRANSITION = 'mutation($i: TransitionPartnerInput!) { transitionPartner(input: $i) { id status version } }';
const CREATE_AGREEMENT =
  'mutation($i: CreateAgreementInput!) { createAgreement(input: $i) { id code status version validFrom validTo } }';
const UPDATE_AGREEMENT =
  'mutation($i: UpdateAgreementInput!) { updateAgreement(input: $i) { id version title status validTo } }';
const AUDIT =
  'query($f: AuditLogFilter) { auditLog(first: 100, filter: $f) { edges { node { action actorId actorName entityType entityId before after requestId } } } }';

interface AuditRow {
  action: string;
  actorId: string | null;
  actorName: string;
  entityType: string;
  entityId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
}

/** How to reach each status from PROSPECT. */
const PATH_TO: Record<PartnerStatus, PartnerStatus[]> = {
  [PartnerStatus.PROSPECT]: [],
  [PartnerStatus.NEGOTIATING]: [PartnerStatus.NEGOTIATING],
  [PartnerStatus.ACTIVE]: [PartnerStatus.NEGOTIATING, PartnerStatus.ACTIVE],
  [PartnerStatus.SUSPENDED]: [PartnerStatus.NEGOTIATING, PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED],
  [PartnerStatus.TERMINATED]: [PartnerStatus.TERMINATED],
};
const STATUSES = Object.values(PartnerStatus);
const MOVES = STATUSES.flatMap((from) =>
  STATUSES.map((to) => [from, to, PARTNER_TRANSITIONS[from].includes(to) ? 'allowed' : 'refused'] as const),
);

describe.each(databases())('partner registry on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  let serial = 0;
  const nextCode = (prefix: string): string => `${prefix}-${++serial}`;

  beforeAll(async () => {
    t = await TestApp.start(db);
    bank = await seedBank(t);
  });
  afterAll(() => t.close());

  function partnerInput(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { code: nextCode('REG'), kind: 'SECURITIES', nameZh: '测试证券', orgUnitId: bank.beijing, ...extra };
  }

  async function audit(entityId: string): Promise<AuditRow[]> {
    const data = ok(await t.gql<{ auditLog: { edges: { node: AuditRow }[] } }>(AUDIT, { f: { entityId } }, 'auditor'));
    return data.auditLog.edges.map((e) => e.node);
  }

  describe('unified social credit code', () => {
    it.each(['91110000802100433B', '91440300708461136T'])('accepts %s', async (uscc) => {
      const res = ok(await t.gql<{ createPartner: { uscc: string } }>(CREATE, { i: partnerInput({ uscc }) }, 'admin'));
      expect(res.createPartner.uscc).toBe(uscc);
    });

    it('normalises before checking (trim, upper-case, full-width)', async () => {
      const res = ok(
        await t.gql<{ createPartner: { uscc: string } }>(
          CREATE,
          { i: partnerInput({ uscc: ' 91350100m000100y43 ' }) },
          'admin',
        ),
      );
      expect(res.createPartner.uscc).toBe('91350100M000100Y43');
    });

    it('rejects a bad check character with BAD_USER_INPUT on uscc, and writes nothing', async () => {
      const code = nextCode('BADUSCC');
      const res = await t.gql(CREATE, { i: partnerInput({ code, uscc: '913100007109272222' }) }, 'admin');
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'uscc' });
      expect(await t.dataSource.getRepository(PartnerEntity).countBy({ code })).toBe(0);
      // The same code with the correct check character is fine.
      ok(await t.gql(CREATE, { i: partnerInput({ uscc: '91310000710927222A' }) }, 'admin'));
    });

    it('rejects a USCC already registered with CONFLICT', async () => {
      const res = await t.gql(CREATE, { i: partnerInput({ uscc: '91110000802100433B' }) }, 'admin');
      expect(errorOf(res).code).toBe('CONFLICT');
    });
  });

  it('rejects a duplicate code with CONFLICT naming the constraint', async () => {
    const code = nextCode('DUP');
    ok(await t.gql(CREATE, { i: partnerInput({ code }) }, 'manager'));
    const res = await t.gql(CREATE, { i: partnerInput({ code }) }, 'manager');
    expect(errorOf(res).code).toBe('CONFLICT');
    expect(errorOf(res).constraint).toEqual(expect.any(String));
  });

  describe('status moves', () => {
    it.each(MOVES)('%s → %s is %s', async (from, to, verdict) => {
      const id = await createPartner(t, { code: nextCode('MOVE'), orgUnitId: bank.beijing });
      for (const step of PATH_TO[from]) await t.get(PartnersService).transition(SYSTEM_ACTOR, { id, to: step });
      const res = await t.gql<{ transitionPartner: { status: string } }>(TRANSITION, { i: { id, to } }, 'manager-bj');
      const status = async (): Promise<string | undefined> =>
        (await t.dataSource.getRepository(PartnerEntity).findOneBy({ id }))?.status;
      if (verdict === 'allowed') {
        expect(ok(res).transitionPartner.status).toBe(to);
        expect(await status()).toBe(to);
      } else {
        expect(errorOf(res)).toMatchObject({ code: 'CONFLICT', rule: 'PARTNER_STATUS_TRANSITION' });
        expect(await status()).toBe(from);
      }
    });

    it('a blacklisted partner cannot be activated, not even back from SUSPENDED', async () => {
      const created = ok(
        await t.gql<{ createPartner: { id: string } }>(
          CREATE,
          { i: partnerInput({ blacklisted: true, blacklistReason: '涉诉' }) },
          'manager',
        ),
      ).createPartner;
      ok(await t.gql(TRANSITION, { i: { id: created.id, to: 'NEGOTIATING' } }, 'manager'));
      const res = await t.gql(TRANSITION, { i: { id: created.id, to: 'ACTIVE' } }, 'manager');
      expect(errorOf(res)).toMatchObject({ code: 'CONFLICT', rule: 'PARTNER_BLACKLISTED' });

      const id = await createPartner(t, {
        code: nextCode('BL'),
        orgUnitId: bank.beijing,
        status: PartnerStatus.ACTIVE,
      });
      ok(await t.gql(TRANSITION, { i: { id, to: 'SUSPENDED' } }, 'manager'));
      const row = await t.dataSource.getRepository(PartnerEntity).findOneByOrFail({ id });
      ok(
        await t.gql(UPDATE, { i: { id, version: row.version, blacklisted: true, blacklistReason: '风险' } }, 'manager'),
      );
      expect(errorOf(await t.gql(TRANSITION, { i: { id, to: 'ACTIVE' } }, 'manager'))).toMatchObject({
        code: 'CONFLICT',
        rule: 'PARTNER_BLACKLISTED',
      });
    });

    it('blacklisting needs a reason', async () => {
      const res = await t.gql(CREATE, { i: partnerInput({ blacklisted: true }) }, 'manager');
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'blacklistReason' });
    });
  });

  describe('optimistic versions', () => {
    it('updatePartner with a stale version → CONFLICT STALE_VERSION, and nothing changes', async () => {
      const id = await createPartner(t, { code: nextCode('VER'), orgUnitId: bank.beijing });
      const first = ok(
        await t.gql<{ updatePartner: { version: number } }>(UPDATE, { i: { id, version: 1, nameEn: 'A' } }, 'manager'),
      );
      expect(first.updatePartner.version).toBe(2);
      const stale = await t.gql(UPDATE, { i: { id, version: 1, nameEn: 'B' } }, 'manager-bj');
      expect(errorOf(stale)).toMatchObject({ code: 'CONFLICT', rule: 'STALE_VERSION' });
      const row = await t.dataSource.getRepository(PartnerEntity).findOneByOrFail({ id });
      expect(row).toMatchObject({ nameEn: 'A', version: 2 });
      // A transition bumps the version too.
      ok(await t.gql(TRANSITION, { i: { id, to: 'NEGOTIATING' } }, 'manager'));
      expect(errorOf(await t.gql(UPDATE, { i: { id, version: 2, nameEn: 'C' } }, 'manager')).rule).toBe(
        'STALE_VERSION',
      );
      ok(await t.gql(UPDATE, { i: { id, version: 3, nameEn: 'C' } }, 'manager'));
    });

    it('updateAgreement with a stale version → CONFLICT STALE_VERSION', async () => {
      const agreement = ok(
        await t.gql<{ createAgreement: { id: string; version: number } }>(
          CREATE_AGREEMENT,
          {
            i: {
              partnerId: bank.partnerBj,
              code: nextCode('AGV'),
              title: '联名卡合作协议',
              cooperationModes: ['CO_BRANDED_CARD', 'JOINT_MARKETING'],
              signedOn: '2025-12-20',
              validFrom: '2026-01-01',
              validTo: '2028-12-31',
            },
          },
          'manager-bj',
        ),
      ).createAgreement;
      expect(agreement.version).toBe(1);
      const updated = ok(
        await t.gql<{ updateAgreement: { version: number; status: string } }>(
          UPDATE_AGREEMENT,
          { i: { id: agreement.id, version: 1, status: 'ACTIVE' } },
          'manager-bj',
        ),
      ).updateAgreement;
      expect(updated).toMatchObject({ version: 2, status: 'ACTIVE' });
      const stale = await t.gql(UPDATE_AGREEMENT, { i: { id: agreement.id, version: 1, title: 'x' } }, 'manager');
      expect(errorOf(stale)).toMatchObject({ code: 'CONFLICT', rule: 'STALE_VERSION' });
      const back = await t.gql(UPDATE_AGREEMENT, { i: { id: agreement.id, version: 2, status: 'DRAFT' } }, 'manager');
      expect(errorOf(back)).toMatchObject({ code: 'CONFLICT', rule: 'AGREEMENT_STATUS_TRANSITION' });
    });
  });

  describe('agreements', () => {
    const base = (extra: Record<string, unknown>): Record<string, unknown> => ({
      partnerId: bank.partnerBj,
      code: nextCode('AGD'),
      title: '代销协议',
      cooperationModes: ['AGENCY_SALES'],
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      ...extra,
    });

    it('validFrom after validTo → BAD_USER_INPUT on validTo, on create and on update', async () => {
      const res = await t.gql(
        CREATE_AGREEMENT,
        { i: base({ validFrom: '2027-01-01', validTo: '2026-12-31' }) },
        'admin',
      );
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'validTo' });
      const same = ok(
        await t.gql<{ createAgreement: { id: string; validFrom: string; validTo: string } }>(
          CREATE_AGREEMENT,
          { i: base({ validFrom: '2026-05-01', validTo: '2026-05-01' }) },
          'admin',
        ),
      ).createAgreement;
      expect(same).toMatchObject({ validFrom: '2026-05-01', validTo: '2026-05-01' });
      const upd = await t.gql(UPDATE_AGREEMENT, { i: { id: same.id, version: 1, validTo: '2026-04-30' } }, 'admin');
      expect(errorOf(upd)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'validTo' });
    });

    it('rejects an impossible date and an unknown partner', async () => {
      expect(errorOf(await t.gql(CREATE_AGREEMENT, { i: base({ validTo: '2026-02-30' }) }, 'admin')).code).toBe(
        'BAD_USER_INPUT',
      );
      const unknown = await t.gql(
        CREATE_AGREEMENT,
        { i: base({ partnerId: '01890000-0000-7000-8000-000000000000' }) },
        'admin',
      );
      expect(errorOf(unknown).code).toBe('NOT_FOUND');
    });

    it('a duplicate agreement code → CONFLICT', async () => {
      const code = nextCode('AGDUP');
      ok(await t.gql(CREATE_AGREEMENT, { i: base({ code }) }, 'admin'));
      expect(errorOf(await t.gql(CREATE_AGREEMENT, { i: base({ code }) }, 'admin')).code).toBe('CONFLICT');
    });
  });

  describe('audit', () => {
    it('writes one audit row per mutation, with actor, before/after and request id', async () => {
      const me = ok(await t.gql<{ me: { id: string } }>('{ me { id } }', {}, 'manager-bj')).me;
      const created = ok(
        await t.gql<{ createPartner: { id: string } }>(
          CREATE,
          { i: partnerInput({ nameEn: 'Audited', contacts: [{ name: '李四', phone: '13912345678' }] }) },
          'manager-bj',
        ),
      ).createPartner;
      ok(await t.gql(UPDATE, { i: { id: created.id, version: 1, nameEn: 'Audited 2' } }, 'manager-bj'));
      ok(await t.gql(TRANSITION, { i: { id: created.id, to: 'NEGOTIATING', reason: '开始洽谈' } }, 'manager-bj'));
      const agreement = ok(
        await t.gql<{ createAgreement: { id: string } }>(
          CREATE_AGREEMENT,
          {
            i: {
              partnerId: created.id,
              code: nextCode('AGA'),
              title: '协议',
              cooperationModes: ['REFERRAL'],
              validFrom: '2026-01-01',
              validTo: '2026-12-31',
            },
          },
          'manager-bj',
        ),
      ).createAgreement;
      ok(await t.gql(UPDATE_AGREEMENT, { i: { id: agreement.id, version: 1, title: '协议二' } }, 'manager-bj'));

      const partnerRows = await audit(created.id);
      expect(partnerRows.map((r) => r.action).sort()).toEqual(
        ['partner.create', 'partner.transition', 'partner.update'].sort(),
      );
      for (const row of partnerRows) {
        expect(row).toMatchObject({ actorId: me.id, actorName: 'manager-bj', entityType: 'Partner' });
        expect(row.requestId).toEqual(expect.any(String));
        expect(row.after).not.toBeNull();
      }
      const byAction = new Map(partnerRows.map((r) => [r.action, r]));
      expect(byAction.get('partner.create')?.after).toMatchObject({ nameEn: 'Audited', status: 'PROSPECT' });
      expect(byAction.get('partner.update')?.before).toMatchObject({ nameEn: 'Audited', version: 1 });
      expect(byAction.get('partner.update')?.after).toMatchObject({ nameEn: 'Audited 2', version: 2 });
      expect(byAction.get('partner.transition')?.before).toMatchObject({ status: 'PROSPECT' });
      expect(byAction.get('partner.transition')?.after).toMatchObject({ status: 'NEGOTIATING', reason: '开始洽谈' });

      const agreementRows = await audit(agreement.id);
      expect(agreementRows.map((r) => r.action).sort()).toEqual(['agreement.create', 'agreement.update']);
      const update = agreementRows.find((r) => r.action === 'agreement.update');
      expect(update).toMatchObject({ actorId: me.id, before: { title: '协议' }, after: { title: '协议二' } });
    });

    it('a refused mutation leaves no audit row', async () => {
      const id = await createPartner(t, { code: nextCode('NOAUD'), orgUnitId: bank.beijing });
      const before = (await audit(id)).length;
      expect(errorOf(await t.gql(TRANSITION, { i: { id, to: 'ACTIVE' } }, 'manager')).code).toBe('CONFLICT');
      expect(errorOf(await t.gql(UPDATE, { i: { id, version: 9, nameEn: 'x' } }, 'manager')).code).toBe('CONFLICT');
      expect(await audit(id)).toHaveLength(before);
    });

    it.each(['manager', 'manager-bj', 'analyst', 'finance', 'partner-bj'])('auditLog is FORBIDDEN to %s', async (u) => {
      expect(errorOf(await t.gql(AUDIT, {}, u)).code).toBe('FORBIDDEN');
    });

    it('auditLog is open to admin and auditor', async () => {
      ok(await t.gql(AUDIT, {}, 'admin'));
      ok(await t.gql(AUDIT, {}, 'auditor'));
    });
  });

  describe('nothing half-written', () => {
    it('a createPartner whose second contact is invalid writes no partner', async () => {
      const code = nextCode('HALF');
      const res = await t.gql(
        CREATE,
        {
          i: partnerInput({
            code,
            contacts: [
              { name: '甲', phone: '13800138000' },
              { name: '乙', email: 'not-an-email' },
            ],
          }),
        },
        'manager',
      );
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'contacts.1.email' });
      expect(await t.dataSource.getRepository(PartnerEntity).countBy({ code })).toBe(0);
    });

    it('a failure after the first inserts rolls back the partner, its contacts and its audit row', async () => {
      const ds: DataSource = t.dataSource;
      const code = nextCode('ROLLBACK');
      const [partners, contacts, audits] = await Promise.all([
        ds.getRepository(PartnerEntity).count(),
        ds.getRepository(PartnerContactEntity).count(),
        ds.getRepository(AuditRecordEntity).count(),
      ]);
      // The service checks qualification dates after inserting the partner and its contacts.
      await expect(
        t.get(PartnersService).create(SYSTEM_ACTOR, {
          code,
          kind: PartnerKind.FUND,
          nameZh: '回滚基金',
          orgUnitId: bank.beijing,
          relatedParty: false,
          blacklisted: false,
          contacts: [{ name: '丙', phone: '13800138000' }],
          qualifications: [{ type: 'LICENCE', number: 'X-1', expiresOn: '2026-02-30' }],
        }),
      ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await ds.getRepository(PartnerEntity).countBy({ code })).toBe(0);
      expect(await ds.getRepository(PartnerEntity).count()).toBe(partners);
      expect(await ds.getRepository(PartnerContactEntity).count()).toBe(contacts);
      expect(await ds.getRepository(AuditRecordEntity).count()).toBe(audits);
    });
  });

  it('flags expired qualifications against today in the bank’s time zone', async () => {
    // 2026-06-14 17:00 UTC is already 2026-06-15 in Shanghai.
    t.clock.set('2026-06-14T17:00:00Z');
    try {
      const created = ok(
        await t.gql<{ createPartner: { id: string } }>(
          CREATE,
          {
            i: partnerInput({
              qualifications: [
                { type: 'A', number: 'expired-yesterday', expiresOn: '2026-06-14' },
                { type: 'B', number: 'expires-today', expiresOn: '2026-06-15' },
                { type: 'C', number: 'no-expiry' },
              ],
            }),
          },
          'manager',
        ),
      ).createPartner;
      const q = ok(
        await t.gql<{ partner: { qualifications: { number: string; expired: boolean }[] } }>(
          'query($id: ID!) { partner(id: $id) { qualifications { number expiresOn expired } } }',
          { id: created.id },
          'analyst',
        ),
      ).partner.qualifications;
      expect(Object.fromEntries(q.map((x) => [x.number, x.expired]))).toEqual({
        'expired-yesterday': true,
        'expires-today': false,
        'no-expiry': false,
      });
    } finally {
      t.clock.set(new Date());
    }
  });

  it('search treats %, _ and ! literally', async () => {
    ok(await t.gql(CREATE, { i: partnerInput({ nameZh: '百分百%合作!' }) }, 'manager'));
    const search = async (s: string): Promise<number> =>
      ok(
        await t.gql<{ partners: { totalCount: number } }>(
          'query($s: String) { partners(first: 100, filter: { search: $s }) { totalCount } }',
          { s },
          'manager',
        ),
      ).partners.totalCount;
    expect(await search('%')).toBe(1);
    expect(await search('!')).toBe(1);
    expect(await search('百分百%')).toBe(1);
    expect(await search('百_百')).toBe(0);
    expect(await search('%%')).toBe(0);
  });
});
