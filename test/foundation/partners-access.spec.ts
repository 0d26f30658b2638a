import { PartnersService } from '../../src/partners/partners.service';
import { CooperationMode } from '../../src/partners/partner.enums';
import { databases, errorOf, GqlResponse, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import { BankFixture, createPartner, seedBank } from '../support/fixtures';

type Outcome = 'ok' | 'FORBIDDEN' | 'NOT_FOUND';
type Op =
  | 'partner'
  | 'partners'
  | 'createPartner'
  | 'updatePartner'
  | 'transitionPartner'
  | 'agreement'
  | 'createAgreement'
  | 'updateAgreement';

const USERS = [
  'admin',
  'manager',
  'manager-bj',
  'manager-sh',
  'finance',
  'approver',
  'analyst',
  'auditor',
  'partner-bj',
] as const;
type User = (typeof USERS)[number];

const WRITERS: readonly User[] = ['admin', 'manager', 'manager-bj'];

/** The target is a Beijing partner (partner-bj: its own partner). */
function expected(op: Op, user: User): Outcome {
  switch (op) {
    case 'partners':
      return 'ok';
    case 'partner':
    case 'agreement':
      return user === 'manager-sh' ? 'NOT_FOUND' : 'ok';
    case 'createPartner':
      // manager-sh reaches the mutation but may not create in Beijing.
      return WRITERS.includes(user) ? 'ok' : 'FORBIDDEN';
    default:
      if (WRITERS.includes(user)) return 'ok';
      return user === 'manager-sh' ? 'NOT_FOUND' : 'FORBIDDEN';
  }
}

const OPS: Op[] = [
  'partner',
  'partners',
  'createPartner',
  'updatePartner',
  'transitionPartner',
  'agreement',
  'createAgreement',
  'updateAgreement',
];

const CONTACTS_OF = 'query($id: ID!) { partner(id: $id) { contacts { name phone email masked } } }';

describe.each(databases())('partner access on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  let serial = 0;
  const agreementOf = new Map<string, string>();

  async function agreementFor(partnerId: string, code: string): Promise<string> {
    const a = await t.get(PartnersService).createAgreement(SYSTEM_ACTOR, {
      partnerId,
      code,
      title: `Agreement ${code}`,
      cooperationModes: [CooperationMode.CO_BRANDED_CARD],
      validFrom: '2026-01-01',
      validTo: '2027-12-31',
      documents: [],
    });
    agreementOf.set(partnerId, a.id);
    return a.id;
  }

  beforeAll(async () => {
    t = await TestApp.start(db);
    bank = await seedBank(t);
    await agreementFor(bank.partnerBj, 'AG-BJ');
    await agreementFor(bank.partnerSh, 'AG-SH');
    await agreementFor(bank.partnerHd, 'AG-HD');
  });
  afterAll(() => t.close());

  /** A fresh Beijing partner with an agreement, so every write case starts from version 1. */
  async function target(user: User): Promise<{ partnerId: string; agreementId: string }> {
    if (user === 'partner-bj') return { partnerId: bank.partnerBj, agreementId: agreementOf.get(bank.partnerBj)! };
    serial += 1;
    const partnerId = await createPartner(t, { code: `ACC-${serial}`, orgUnitId: bank.beijing });
    const agreementId = await agreementFor(partnerId, `AG-ACC-${serial}`);
    return { partnerId, agreementId };
  }

  async function run(op: Op, user: User): Promise<GqlResponse> {
    const { partnerId, agreementId } = await target(user);
    serial += 1;
    switch (op) {
      case 'partner':
        return t.gql('query($id: ID!) { partner(id: $id) { id } }', { id: partnerId }, user);
      case 'partners':
        return t.gql('{ partners(first: 5) { edges { node { id } } } }', {}, user);
      case 'createPartner':
        return t.gql(
          'mutation($i: CreatePartnerInput!) { createPartner(input: $i) { id } }',
          { i: { code: `NEW-${serial}`, kind: 'FUND', nameZh: '新基金', orgUnitId: bank.beijing } },
          user,
        );
      case 'updatePartner':
        return t.gql(
          'mutation($i: UpdatePartnerInput!) { updatePartner(input: $i) { id version } }',
          { i: { id: partnerId, version: 1, nameEn: 'Renamed' } },
          user,
        );
      case 'transitionPartner':
        return t.gql(
          'mutation($i: TransitionPartnerInput!) { transitionPartner(input: $i) { id status } }',
          { i: { id: partnerId, to: 'NEGOTIATING' } },
          user,
        );
      case 'agreement':
        return t.gql('query($id: ID!) { agreement(id: $id) { id partner { id } } }', { id: agreementId }, user);
      case 'createAgreement':
        return t.gql(
          'mutation($i: CreateAgreementInput!) { createAgreement(input: $i) { id } }',
          {
            i: {
              partnerId,
              code: `AG-NEW-${serial}`,
              title: 'Joint marketing',
              cooperationModes: ['JOINT_MARKETING'],
              validFrom: '2026-01-01',
              validTo: '2026-12-31',
            },
          },
          user,
        );
      case 'updateAgreement':
        return t.gql(
          'mutation($i: UpdateAgreementInput!) { updateAgreement(input: $i) { id version } }',
          { i: { id: agreementId, version: 1, title: 'Renamed agreement' } },
          user,
        );
    }
  }

  const table = OPS.flatMap((op) => USERS.map((user) => [op, user, expected(op, user)] as const));

  it.each(table)('%s as %s → %s', async (op, user, outcome) => {
    const res = await run(op, user);
    if (outcome === 'ok') {
      expect(res.errors).toBeUndefined();
      expect(res.data).toBeTruthy();
    } else {
      expect(errorOf(res).code).toBe(outcome);
    }
  });

  describe('reach', () => {
    const LIST = 'query($f: PartnersFilter) { partners(first: 100, filter: $f) { totalCount edges { node { id } } } }';

    async function visible(user: string, filter: Record<string, unknown> = {}): Promise<string[]> {
      const data = ok(
        await t.gql<{ partners: { totalCount: number; edges: { node: { id: string } }[] } }>(LIST, { f: filter }, user),
      );
      expect(data.partners.totalCount).toBe(data.partners.edges.length);
      return data.partners.edges.map((e) => e.node.id);
    }

    it('partner-bj sees only its own partner, by list and by filter', async () => {
      expect(await visible('partner-bj')).toEqual([bank.partnerBj]);
      expect(await visible('partner-bj', { orgUnitIds: [bank.shanghai] })).toEqual([]);
      expect(await visible('partner-bj', { search: 'P-SH' })).toEqual([]);
      expect(await visible('partner-bj', { search: 'P-BJ' })).toEqual([bank.partnerBj]);
    });

    it('manager-bj sees the Beijing subtree (BJ and BJ-HD) but not Shanghai', async () => {
      const ids = await visible('manager-bj');
      expect(ids).toEqual(expect.arrayContaining([bank.partnerBj, bank.partnerHd]));
      expect(ids).not.toContain(bank.partnerSh);
      expect(await visible('manager-bj', { orgUnitIds: [bank.haidian] })).toEqual([bank.partnerHd]);
      expect(await visible('manager-bj', { orgUnitIds: [bank.shanghai] })).toEqual([]);
      expect(await visible('manager-bj', { search: 'P-SH' })).toEqual([]);
      const hd = await t.gql('query($id: ID!) { partner(id: $id) { id } }', { id: bank.partnerHd }, 'manager-bj');
      expect(ok(hd)).toBeTruthy();
    });

    it('manager-sh sees Shanghai only', async () => {
      expect(await visible('manager-sh')).toEqual([bank.partnerSh]);
      expect(await visible('manager-sh', { orgUnitIds: [bank.beijing, bank.haidian] })).toEqual([]);
      expect(await visible('manager-sh', { search: 'P-' })).toEqual([bank.partnerSh]);
    });

    it('bank-wide roles see every partner', async () => {
      for (const user of ['admin', 'manager', 'analyst', 'auditor']) {
        expect(await visible(user)).toEqual(expect.arrayContaining([bank.partnerBj, bank.partnerSh, bank.partnerHd]));
      }
    });

    it.each([
      ['partner-bj', 'partnerSh'],
      ['manager-sh', 'partnerBj'],
      ['manager-sh', 'partnerHd'],
      ['partner-sh', 'partnerHd'],
    ] as const)('%s cannot reach %s by id, nor its agreement or nested partner', async (user, which) => {
      const partnerId = bank[which];
      const byId = await t.gql('query($id: ID!) { partner(id: $id) { id nameZh } }', { id: partnerId }, user);
      expect(errorOf(byId).code).toBe('NOT_FOUND');
      expect(byId.data ?? null).toBeNull();
      const nested = await t.gql(
        'query($id: ID!) { agreement(id: $id) { id partner { id nameZh contacts { phone } } } }',
        { id: agreementOf.get(partnerId) },
        user,
      );
      expect(errorOf(nested).code).toBe('NOT_FOUND');
      expect(JSON.stringify(nested.data ?? null)).not.toContain(partnerId);
    });

    it('nested lists only lead back to visible partners', async () => {
      const res = ok(
        await t.gql<{ partners: { edges: { node: { id: string; agreements: { partner: { id: string } }[] } }[] } }>(
          '{ partners(first: 100) { edges { node { id agreements { id partner { id } } } } } }',
          {},
          'partner-bj',
        ),
      );
      const reached = res.partners.edges.flatMap((e) => [e.node.id, ...e.node.agreements.map((a) => a.partner.id)]);
      expect(new Set(reached)).toEqual(new Set([bank.partnerBj]));
    });

    it('an unknown id answers NOT_FOUND like an out-of-scope one', async () => {
      const res = await t.gql(
        'query($id: ID!) { partner(id: $id) { id } }',
        { id: '01890000-0000-7000-8000-000000000000' },
        'admin',
      );
      expect(errorOf(res).code).toBe('NOT_FOUND');
    });
  });

  describe('contacts', () => {
    type Contacts = { partner: { contacts: { phone: string; email: string; masked: boolean }[] } };

    it.each(['analyst', 'partner-bj', 'auditor', 'finance'])('are masked for %s', async (user) => {
      const contact = ok(await t.gql<Contacts>(CONTACTS_OF, { id: bank.partnerBj }, user)).partner.contacts[0];
      expect(contact?.masked).toBe(true);
      expect(contact?.phone).toBe('138****8000');
      expect(contact?.phone).not.toContain('13800138000');
      expect(contact?.email).not.toBe('wang@example.cn');
    });

    it.each(['admin', 'manager', 'manager-bj'])('are clear for %s, who manages the partner', async (user) => {
      const contact = ok(await t.gql<Contacts>(CONTACTS_OF, { id: bank.partnerBj }, user)).partner.contacts[0];
      expect(contact).toMatchObject({ masked: false, phone: '13800138000', email: 'wang@example.cn' });
    });

    it('are clear for manager-bj on a Haidian partner (subtree) and masked in lists for analysts', async () => {
      const hd = ok(await t.gql<Contacts>(CONTACTS_OF, { id: bank.partnerHd }, 'manager-bj')).partner.contacts[0];
      expect(hd?.masked).toBe(false);
      const list = ok(
        await t.gql<{ partners: { edges: { node: { contacts: { phone: string; masked: boolean }[] } }[] } }>(
          '{ partners(first: 100) { edges { node { contacts { phone masked } } } } }',
          {},
          'analyst',
        ),
      );
      const phones = list.partners.edges.flatMap((e) => e.node.contacts);
      expect(phones.length).toBeGreaterThan(0);
      expect(phones.every((c) => c.masked && !c.phone.includes('13800138000'))).toBe(true);
    });
  });
});
