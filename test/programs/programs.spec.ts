import { ChannelType } from '../../src/channels/channel.enums';
import { ChannelsService } from '../../src/channels/channels.service';
import { ProgramsService } from '../../src/programs/programs.service';
import { ProgramKind, ProgramStatus } from '../../src/programs/program.enums';
import { AgreementStatus, PartnerKind } from '../../src/partners/partner.enums';
import { BankFixture, createPartner, seedBank } from '../support/fixtures';
import { databases, errorOf, GqlResponse, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import {
  CREATE_CHANNEL,
  CREATE_PROGRAM,
  createAgreement,
  PROGRAM_FIELDS,
  productInput,
  TRANSITION_PROGRAM,
  UPSERT_PRODUCT,
} from './support';

interface ProgramData {
  id: string;
  status: string;
  version: number;
  validFrom: string;
  validTo: string;
  orgUnitId: string;
  ownerId: string | null;
  budget: { amount: string; currency: string; formatted: string } | null;
  targets: { period: string; newCustomers: number | null; spend: { amount: string } | null }[];
}

describe.each(databases())('programs on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  let agreementBj: string;
  let agreementSh: string;
  let agreementHd: string;
  let binSerial = 100;
  const nextBin = (): string => `6288${binSerial++}`;

  beforeAll(async () => {
    t = await TestApp.start(db);
    bank = await seedBank(t);
    agreementBj = await createAgreement(t, bank.partnerBj);
    agreementSh = await createAgreement(t, bank.partnerSh);
    agreementHd = await createAgreement(t, bank.partnerHd);
  });
  afterAll(() => t.close());

  const count = async (table: string): Promise<number> => {
    const rows: { n: number | string }[] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number(rows[0]?.n ?? 0);
  };
  const audits = async (action: string): Promise<number> => {
    const rows: { n: number | string }[] = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM audit_records WHERE action = ?',
      [action],
    );
    return Number(rows[0]?.n ?? 0);
  };

  async function createProgram(
    input: Record<string, unknown>,
    as = 'manager',
  ): Promise<GqlResponse<{ createProgram: ProgramData }>> {
    return t.gql<{ createProgram: ProgramData }>(CREATE_PROGRAM, { i: input }, as);
  }

  /** Creates a program via the service and drives it to `status` along allowed moves. */
  async function programIn(kind: ProgramKind, status: ProgramStatus, agreementId = agreementBj): Promise<string> {
    const svc = t.get(ProgramsService);
    const program = await svc.createProgram(SYSTEM_ACTOR, { agreementId, kind, nameZh: '项目', targets: [] });
    if (kind === ProgramKind.CO_BRANDED_CARD) {
      const input = productInput(program.id, [nextBin()]);
      await svc.upsertProduct(SYSTEM_ACTOR, input as never);
    }
    const path: Record<ProgramStatus, ProgramStatus[]> = {
      [ProgramStatus.DRAFT]: [],
      [ProgramStatus.ACTIVE]: [ProgramStatus.ACTIVE],
      [ProgramStatus.PAUSED]: [ProgramStatus.ACTIVE, ProgramStatus.PAUSED],
      [ProgramStatus.WINDING_DOWN]: [ProgramStatus.ACTIVE, ProgramStatus.WINDING_DOWN],
      [ProgramStatus.ENDED]: [ProgramStatus.ACTIVE, ProgramStatus.ENDED],
    };
    for (const to of path[status]) await svc.transitionProgram(SYSTEM_ACTOR, { id: program.id, to });
    return program.id;
  }

  describe('create and update', () => {
    it('creates a program inside its agreement, defaulting validity, owner and org unit, and audits it', async () => {
      const before = await audits('program.create');
      const data = ok(
        await createProgram(
          {
            agreementId: agreementBj,
            kind: 'REFERRAL',
            nameZh: '航空推荐项目',
            budget: { amount: '100000.00' },
            targets: [{ period: '2026-03', newCustomers: 50, activations: 30, spend: { amount: '250000.00' } }],
          },
          'manager-bj',
        ),
      );
      const p = data.createProgram;
      expect(p.status).toBe('DRAFT');
      expect(p.validFrom).toBe('2026-01-01');
      expect(p.validTo).toBe('2026-12-31');
      expect(p.orgUnitId).toBe(bank.beijing);
      expect(p.ownerId).not.toBeNull();
      expect(p.budget).toEqual({ amount: '100000.00', currency: 'CNY', formatted: expect.any(String) as string });
      expect(p.targets[0]).toMatchObject({ period: '2026-03', newCustomers: 50, spend: { amount: '250000.00' } });
      expect(await audits('program.create')).toBe(before + 1);
    });

    it.each([
      [{ validFrom: '2025-12-31' }, 'validFrom'],
      [{ validTo: '2027-01-01' }, 'validTo'],
      [{ validFrom: '2026-06-01', validTo: '2026-05-01' }, 'validTo'],
    ])('refuses validity %j outside the agreement, naming %s, and writes nothing', async (dates, field) => {
      const before = await count('programs');
      const err = errorOf(await createProgram({ agreementId: agreementBj, kind: 'REFERRAL', nameZh: 'x', ...dates }));
      expect(err).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(await count('programs')).toBe(before);
    });

    it('refuses a negative budget and a negative target', async () => {
      const before = await count('programs');
      expect(
        errorOf(
          await createProgram({ agreementId: agreementBj, kind: 'REFERRAL', nameZh: 'x', budget: { amount: '-1.00' } }),
        ),
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'budget.amount', reason: 'NEGATIVE_AMOUNT' });
      expect(
        errorOf(
          await createProgram({
            agreementId: agreementBj,
            kind: 'REFERRAL',
            nameZh: 'x',
            targets: [{ period: '2026-01', spend: { amount: '-5' } }],
          }),
        ),
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'targets.0.spend.amount' });
      expect(await count('programs')).toBe(before);
    });

    it('updates with the version read and refuses a stale one; validity stays inside the agreement', async () => {
      const p = ok(await createProgram({ agreementId: agreementBj, kind: 'PAYROLL', nameZh: '代发' })).createProgram;
      const UPDATE = `mutation($i: UpdateProgramInput!) { updateProgram(input: $i) { ${PROGRAM_FIELDS} } }`;
      const updated = ok(
        await t.gql<{ updateProgram: ProgramData }>(
          UPDATE,
          { i: { id: p.id, version: p.version, nameZh: '代发工资', validFrom: '2026-02-01' } },
          'manager',
        ),
      ).updateProgram;
      expect(updated.validFrom).toBe('2026-02-01');
      expect(
        errorOf(await t.gql(UPDATE, { i: { id: p.id, version: p.version, nameZh: 'y' } }, 'manager')),
      ).toMatchObject({ code: 'CONFLICT', rule: 'STALE_VERSION' });
      expect(
        errorOf(await t.gql(UPDATE, { i: { id: p.id, version: updated.version, validTo: '2027-02-01' } }, 'manager')),
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'validTo' });
    });
  });

  describe('lifecycle', () => {
    const S = ProgramStatus;
    // Expected moves written out by hand (not derived from the implementation).
    const ALLOWED: Record<'COMMON' | 'CARD', Partial<Record<ProgramStatus, ProgramStatus[]>>> = {
      COMMON: {
        [S.DRAFT]: [S.ACTIVE],
        [S.ACTIVE]: [S.PAUSED, S.ENDED],
        [S.PAUSED]: [S.ACTIVE, S.ENDED],
        [S.ENDED]: [],
      },
      CARD: {
        [S.DRAFT]: [S.ACTIVE],
        [S.ACTIVE]: [S.PAUSED, S.WINDING_DOWN, S.ENDED],
        [S.PAUSED]: [S.ACTIVE, S.WINDING_DOWN, S.ENDED],
        [S.WINDING_DOWN]: [S.ENDED],
        [S.ENDED]: [],
      },
    };
    const cases: [ProgramKind, ProgramStatus, ProgramStatus, boolean][] = [];
    for (const [kind, table] of [
      [ProgramKind.REFERRAL, ALLOWED.COMMON],
      [ProgramKind.CO_BRANDED_CARD, ALLOWED.CARD],
    ] as const) {
      for (const [from, allowed] of Object.entries(table) as [ProgramStatus, ProgramStatus[]][]) {
        for (const to of Object.values(S)) if (to !== from) cases.push([kind, from, to, allowed.includes(to)]);
      }
    }

    it.each(cases)('%s: %s → %s allowed=%s', async (kind, from, to, allowed) => {
      const id = await programIn(kind, from);
      const res = await t.gql<{ transitionProgram: { status: string } }>(
        TRANSITION_PROGRAM,
        { i: { id, to, reason: 'test' } },
        'manager-bj',
      );
      if (allowed) expect(ok(res).transitionProgram.status).toBe(to);
      else expect(errorOf(res)).toMatchObject({ code: 'CONFLICT', rule: 'PROGRAM_STATUS_TRANSITION' });
    });

    it('activation needs an ACTIVE agreement, and a card product for a co-branded program', async () => {
      const draftAgreement = await createAgreement(t, bank.partnerBj, { status: AgreementStatus.DRAFT });
      const id = await programIn(ProgramKind.REFERRAL, ProgramStatus.DRAFT, draftAgreement);
      expect(errorOf(await t.gql(TRANSITION_PROGRAM, { i: { id, to: 'ACTIVE' } }, 'manager'))).toMatchObject({
        code: 'CONFLICT',
        rule: 'AGREEMENT_NOT_ACTIVE',
      });
      const card = ok(
        await createProgram({ agreementId: agreementBj, kind: 'CO_BRANDED_CARD', nameZh: '联名卡' }),
      ).createProgram;
      expect(errorOf(await t.gql(TRANSITION_PROGRAM, { i: { id: card.id, to: 'ACTIVE' } }, 'manager'))).toMatchObject({
        code: 'CONFLICT',
        rule: 'CARD_PRODUCT_REQUIRED',
      });
    });

    it('audits every transition', async () => {
      const id = await programIn(ProgramKind.REFERRAL, ProgramStatus.DRAFT);
      const before = await audits('program.transition');
      ok(await t.gql(TRANSITION_PROGRAM, { i: { id, to: 'ACTIVE' } }, 'manager'));
      expect(await audits('program.transition')).toBe(before + 1);
    });
  });

  describe('rules', () => {
    const SET_ATTR = `mutation($i: SetProgramAttributionRuleInput!) { setProgramAttributionRule(input: $i) { id } }`;
    const SET_QUAL = `mutation($i: SetProgramQualificationRuleInput!) { setProgramQualificationRule(input: $i) { id } }`;

    it('keeps effective-dated versions and answers the one in force on a date', async () => {
      const id = await programIn(ProgramKind.REFERRAL, ProgramStatus.DRAFT);
      const base = { programId: id, model: 'LAST_TOUCH', scope: 'NEW_TO_BANK', precedenceRank: 2 };
      ok(await t.gql(SET_ATTR, { i: { ...base, effectiveFrom: '2026-01-01', windowDays: 30 } }, 'manager'));
      ok(
        await t.gql(
          SET_ATTR,
          { i: { ...base, effectiveFrom: '2026-07-01', windowDays: 60, splitShare: '0.5', model: 'FIRST_TOUCH' } },
          'manager',
        ),
      );
      ok(
        await t.gql(
          SET_QUAL,
          {
            i: {
              programId: id,
              effectiveFrom: '2026-01-01',
              withinDays: 30,
              all: [
                { eventType: 'CARD_ACTIVATED', measure: 'COUNT', count: 1 },
                { eventType: 'CARD_SPEND', measure: 'SUM_AMOUNT', amount: { amount: '100.00' } },
              ],
            },
          },
          'manager',
        ),
      );
      const data = ok(
        await t.gql<{
          program: {
            attributionRules: { version: number }[];
            march: { version: number; windowDays: number; model: string };
            august: { version: number; windowDays: number; splitShare: string };
            before: null;
            qualificationRule: {
              withinDays: number;
              all: { eventType: string; count: number | null; amount: { amount: string } | null }[];
            };
          };
        }>(
          `query($id: ID!) { program(id: $id) {
            attributionRules { version }
            march: attributionRule(on: "2026-03-15") { version windowDays model }
            august: attributionRule(on: "2026-08-01") { version windowDays splitShare }
            before: attributionRule(on: "2025-12-31") { version }
            qualificationRule(on: "2026-02-01") { withinDays all { eventType count amount { amount } } } } }`,
          { id },
          'analyst',
        ),
      );
      expect(data.program.attributionRules.map((r) => r.version)).toEqual([1, 2]);
      expect(data.program.march).toEqual({ version: 1, windowDays: 30, model: 'LAST_TOUCH' });
      expect(data.program.august).toEqual({ version: 2, windowDays: 60, splitShare: '0.5' });
      expect(data.program.before).toBeNull();
      expect(data.program.qualificationRule.all).toEqual([
        { eventType: 'CARD_ACTIVATED', count: 1, amount: null },
        { eventType: 'CARD_SPEND', count: null, amount: { amount: '100.00' } },
      ]);
      const svc = t.get(ProgramsService);
      const q = await svc.qualificationRuleOn(id, '2026-02-01');
      const spend = q?.rule.all[1]?.threshold;
      expect(spend?.kind === 'AMOUNT' ? spend.amount.minor : null).toBe(10000n);
      expect((await svc.attributionRuleOn(id, '2026-07-01'))?.rule.windowDays).toBe(60);
    });

    it.each([
      [{ windowDays: 0 }, 'windowDays'],
      [{ windowDays: 3651 }, 'windowDays'],
      [{ precedenceRank: 0 }, 'precedenceRank'],
      [{ splitShare: '1.5' }, 'splitShare'],
      [{ effectiveFrom: '2027-01-01' }, 'effectiveFrom'],
    ])('refuses attribution rule %j naming %s, writing nothing', async (override, field) => {
      const id = await programIn(ProgramKind.REFERRAL, ProgramStatus.DRAFT);
      const before = await count('program_rule_versions');
      const input = {
        programId: id,
        effectiveFrom: '2026-01-01',
        windowDays: 30,
        model: 'LAST_TOUCH',
        scope: 'ANY',
        precedenceRank: 1,
        ...override,
      };
      expect(errorOf(await t.gql(SET_ATTR, { i: input }, 'manager'))).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(await count('program_rule_versions')).toBe(before);
    });

    it('refuses qualification conditions that are malformed or name an event type that does not exist', async () => {
      const id = await programIn(ProgramKind.REFERRAL, ProgramStatus.DRAFT);
      const before = await count('program_rule_versions');
      const q = (all: unknown[], withinDays = 30) => ({
        i: { programId: id, effectiveFrom: '2026-01-01', withinDays, all },
      });
      expect(
        errorOf(await t.gql(SET_QUAL, q([{ eventType: 'CARD_EXPLODED', measure: 'COUNT', count: 1 }]), 'manager')).code,
      ).toBe('BAD_USER_INPUT');
      expect(
        errorOf(await t.gql(SET_QUAL, q([{ eventType: 'CARD_SPEND', measure: 'SUM_AMOUNT', count: 3 }]), 'manager')),
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'all.0.count' });
      expect(
        errorOf(
          await t.gql(
            SET_QUAL,
            q([{ eventType: 'CARD_SPEND', measure: 'SUM_AMOUNT', amount: { amount: '-1' } }]),
            'manager',
          ),
        ),
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'all.0.amount.amount' });
      expect(errorOf(await t.gql(SET_QUAL, q([]), 'manager'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'all' });
      expect(
        errorOf(await t.gql(SET_QUAL, q([{ eventType: 'CARD_SPEND', measure: 'COUNT', count: 1 }], 0), 'manager')),
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'withinDays' });
      expect(await count('program_rule_versions')).toBe(before);
    });
  });

  describe('co-branded card product', () => {
    it('stores the product with its BIN ranges, economics and funding, and finds the program by BIN', async () => {
      const id = await programIn(ProgramKind.CO_BRANDED_CARD, ProgramStatus.DRAFT);
      const bin = nextBin();
      const p = ok(
        await t.gql<{ upsertCoBrandedCardProduct: { version: number; binPrefixes: string[]; partnerShare: string } }>(
          UPSERT_PRODUCT,
          { i: productInput(id, [bin, '62999901']) },
          'manager',
        ),
      ).upsertCoBrandedCardProduct;
      expect(p.binPrefixes).toEqual([bin, '62999901'].sort());
      expect(p.partnerShare).toBe('0.4');
      const svc = t.get(ProgramsService);
      expect(await svc.binRangeOwner(`${bin}123456789`)).toBe(id);
      expect(await svc.binRangeOwner('6299990112345678')).toBe(id);
      expect(await svc.binRangeOwner('6299990212345678')).toBeNull();
      const again = ok(
        await t.gql<{ upsertCoBrandedCardProduct: { version: number; binPrefixes: string[] } }>(
          UPSERT_PRODUCT,
          { i: productInput(id, ['62999901'], { version: p.version, level: 'PLATINUM' }) },
          'manager',
        ),
      ).upsertCoBrandedCardProduct;
      expect(again).toMatchObject({ version: p.version + 1, binPrefixes: ['62999901'] });
      const read = ok(
        await t.gql<{ coBrandedCardProgram: { level: string } }>(
          'query($id: ID!) { coBrandedCardProgram(programId: $id) { level } }',
          { id },
          'partner-bj',
        ),
      );
      expect(read.coBrandedCardProgram.level).toBe('PLATINUM');
    });

    it('refuses a BIN that overlaps another program’s, naming that program', async () => {
      const first = await programIn(ProgramKind.CO_BRANDED_CARD, ProgramStatus.DRAFT);
      const second = await programIn(ProgramKind.CO_BRANDED_CARD, ProgramStatus.DRAFT, agreementSh);
      ok(await t.gql(UPSERT_PRODUCT, { i: productInput(first, ['6210450']) }, 'manager'));
      const before = await count('card_bin_ranges');
      for (const clash of ['621045', '6210450', '62104501']) {
        expect(
          errorOf(await t.gql(UPSERT_PRODUCT, { i: productInput(second, ['62777701', clash]) }, 'manager')),
        ).toMatchObject({ code: 'CONFLICT', rule: 'BIN_RANGE_OVERLAP', otherProgramId: first, field: 'binPrefixes.1' });
      }
      expect(await count('card_bin_ranges')).toBe(before);
      ok(await t.gql(UPSERT_PRODUCT, { i: productInput(second, ['621046']) }, 'manager'));
    });

    it.each([
      [{ binPrefixes: ['62A123'] }, 'binPrefixes.0', 'NOT_DIGITS'],
      [{ binPrefixes: ['62123'] }, 'binPrefixes.0', 'INVALID_LENGTH'],
      [{ binPrefixes: ['621234567'] }, 'binPrefixes.0', 'INVALID_LENGTH'],
      [{ binPrefixes: ['62555555', '625555'] }, 'binPrefixes.1', 'OVERLAPPING_BIN_RANGES'],
      [{ earnRate: '1.5' }, 'earnRate', 'OUT_OF_RANGE'],
      [{ partnerShare: '1.01' }, 'partnerShare', 'OUT_OF_RANGE'],
      [{ funding: 'SHARED', partnerShare: undefined }, 'partnerShare', 'REQUIRED_FOR_SHARED'],
      [{ annualFee: { amount: '-200.00' } }, 'annualFee.amount', 'NEGATIVE_AMOUNT'],
      [{ economics: [{ category: 'SPEND_REBATE', description: 'x', rate: '2' }] }, 'economics.0.rate', 'OUT_OF_RANGE'],
      [
        { economics: [{ category: 'SPEND_REBATE', description: 'x', amount: { amount: '-3' } }] },
        'economics.0.amount.amount',
        'NEGATIVE_AMOUNT',
      ],
    ])('refuses %j naming %s (%s), writing nothing', async (override, field, reason) => {
      const id = await programIn(ProgramKind.CO_BRANDED_CARD, ProgramStatus.DRAFT);
      const products = await count('co_branded_card_products');
      const bins = await count('card_bin_ranges');
      const program = ok(
        await t.gql<{ program: { id: string } }>('query($id: ID!) { program(id: $id) { id } }', { id }, 'manager'),
      );
      expect(program.program.id).toBe(id);
      const res = await t.gql(UPSERT_PRODUCT, { i: productInput(id, ['62333333'], override) }, 'manager');
      expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field, reason });
      expect(await count('co_branded_card_products')).toBe(products);
      expect(await count('card_bin_ranges')).toBe(bins);
    });

    it('refuses a product on a program that is not a co-branded card program', async () => {
      const id = await programIn(ProgramKind.REFERRAL, ProgramStatus.DRAFT);
      expect(errorOf(await t.gql(UPSERT_PRODUCT, { i: productInput(id, ['62444444']) }, 'manager'))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'programId',
      });
    });
  });

  describe('compliance policy', () => {
    const ADD = `mutation($i: AddCompliancePolicyRuleInput!) { addCompliancePolicyRule(input: $i) { id code } }`;
    const REMOVE = `mutation($id: ID!) { removeCompliancePolicyRule(id: $id) { id } }`;
    const line = (category: string) => ({ category, description: category, rate: '0.1' });

    it('ships the default rules citing the 2022 CBIRC/PBoC notice', async () => {
      const rules = ok(
        await t.gql<{ compliancePolicyRules: { code: string; category: string; partnerKind: string | null }[] }>(
          '{ compliancePolicyRules { code category partnerKind reason } }',
          {},
          'auditor',
        ),
      ).compliancePolicyRules;
      expect(rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ category: 'INTEREST_INCOME_SHARE', partnerKind: null }),
          expect.objectContaining({ category: 'INSTALMENT_FEE_SHARE', partnerKind: null }),
        ]),
      );
    });

    it.each([
      ['INTEREST_INCOME_SHARE', 'CBIRC_PBOC_2022_NO_INTEREST_INCOME_SHARE'],
      ['INSTALMENT_FEE_SHARE', 'CBIRC_PBOC_2022_NO_INSTALMENT_FEE_SHARE'],
    ])('blocks %s for every partner kind with rule %s', async (category, rule) => {
      for (const agreementId of [agreementBj, agreementSh, agreementHd]) {
        const id = await programIn(ProgramKind.CO_BRANDED_CARD, ProgramStatus.DRAFT, agreementId);
        const input = productInput(id, [nextBin()], {
          economics: [line('SPEND_REBATE'), line('SERVICE_FEE'), line(category)],
        });
        expect(errorOf(await t.gql(UPSERT_PRODUCT, { i: input }, 'manager'))).toMatchObject({
          code: 'BAD_USER_INPUT',
          rule,
          field: 'economics.2.category',
        });
      }
    });

    it('lets admins add a kind-specific rule and remove it again, audited; others may not', async () => {
      const input = {
        code: 'NO_MARKETING_FUND_AIRLINE',
        category: 'MARKETING_FUND',
        partnerKind: 'AIRLINE',
        reason: 'test',
      };
      expect(errorOf(await t.gql(ADD, { i: input }, 'manager')).code).toBe('FORBIDDEN');
      const before = await audits('compliancePolicyRule.add');
      const added = ok(await t.gql<{ addCompliancePolicyRule: { id: string } }>(ADD, { i: input }, 'admin'));
      expect(await audits('compliancePolicyRule.add')).toBe(before + 1);
      expect(errorOf(await t.gql(ADD, { i: input }, 'admin'))).toMatchObject({ code: 'CONFLICT' });

      const airline = await programIn(ProgramKind.CO_BRANDED_CARD, ProgramStatus.DRAFT, agreementBj);
      const mall = await programIn(ProgramKind.CO_BRANDED_CARD, ProgramStatus.DRAFT, agreementHd);
      const econ = { economics: [line('MARKETING_FUND')] };
      expect(
        errorOf(await t.gql(UPSERT_PRODUCT, { i: productInput(airline, [nextBin()], econ) }, 'manager')),
      ).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'NO_MARKETING_FUND_AIRLINE' });
      ok(await t.gql(UPSERT_PRODUCT, { i: productInput(mall, [nextBin()], econ) }, 'manager'));

      expect(errorOf(await t.gql(REMOVE, { id: added.addCompliancePolicyRule.id }, 'manager')).code).toBe('FORBIDDEN');
      ok(await t.gql(REMOVE, { id: added.addCompliancePolicyRule.id }, 'admin'));
      expect(await audits('compliancePolicyRule.remove')).toBe(1);
      ok(await t.gql(UPSERT_PRODUCT, { i: productInput(airline, [nextBin()], econ) }, 'manager'));
    });
  });

  describe('scoping', () => {
    let bjProgram: string;
    let shProgram: string;
    let hdProgram: string;
    beforeAll(async () => {
      bjProgram = await programIn(ProgramKind.REFERRAL, ProgramStatus.DRAFT, agreementBj);
      shProgram = await programIn(ProgramKind.REFERRAL, ProgramStatus.DRAFT, agreementSh);
      hdProgram = await programIn(ProgramKind.REFERRAL, ProgramStatus.DRAFT, agreementHd);
    });
    const LIST = `query($f: ProgramsFilter) { programs(first: 100, filter: $f) { totalCount edges { node { id partnerId } } } }`;
    const partnersOf = async (as: string): Promise<Set<string>> =>
      new Set(
        ok(await t.gql<{ programs: { edges: { node: { partnerId: string } }[] } }>(LIST, {}, as)).programs.edges.map(
          (e) => e.node.partnerId,
        ),
      );

    it('a partner user reads only its own programs, read-only', async () => {
      expect(await partnersOf('partner-bj')).toEqual(new Set([bank.partnerBj]));
      ok(await t.gql('query($id: ID!) { program(id: $id) { id } }', { id: bjProgram }, 'partner-bj'));
      expect(
        errorOf(await t.gql('query($id: ID!) { program(id: $id) { id } }', { id: shProgram }, 'partner-bj')).code,
      ).toBe('NOT_FOUND');
      expect(errorOf(await t.gql(TRANSITION_PROGRAM, { i: { id: bjProgram, to: 'ACTIVE' } }, 'partner-bj')).code).toBe(
        'FORBIDDEN',
      );
      expect(
        errorOf(await createProgram({ agreementId: agreementBj, kind: 'REFERRAL', nameZh: 'x' }, 'partner-bj')).code,
      ).toBe('FORBIDDEN');
    });

    it('a branch manager sees its subtree and gets NOT_FOUND elsewhere, for reads and writes', async () => {
      expect(await partnersOf('manager-bj')).toEqual(new Set([bank.partnerBj, bank.partnerHd]));
      ok(await t.gql('query($id: ID!) { program(id: $id) { id } }', { id: hdProgram }, 'manager-bj'));
      expect(
        errorOf(await t.gql('query($id: ID!) { program(id: $id) { id } }', { id: bjProgram }, 'manager-sh')).code,
      ).toBe('NOT_FOUND');
      expect(errorOf(await t.gql(TRANSITION_PROGRAM, { i: { id: bjProgram, to: 'ACTIVE' } }, 'manager-sh')).code).toBe(
        'NOT_FOUND',
      );
      expect(
        errorOf(await createProgram({ agreementId: agreementBj, kind: 'REFERRAL', nameZh: 'x' }, 'manager-sh')).code,
      ).toBe('NOT_FOUND');
      expect(
        errorOf(
          await t.gql(
            CREATE_CHANNEL,
            { i: { programId: bjProgram, type: 'LINK', name: 'x', landingUrl: 'https://a.cn' } },
            'manager-sh',
          ),
        ).code,
      ).toBe('NOT_FOUND');
    });

    it('filters by partner, kind, status, org unit and activeOn', async () => {
      const res = ok(
        await t.gql<{ programs: { edges: { node: { id: string; partnerId: string } }[] } }>(
          LIST,
          { f: { partnerIds: [bank.partnerSh], kinds: ['REFERRAL'], statuses: ['DRAFT'], activeOn: '2026-05-01' } },
          'admin',
        ),
      );
      expect(res.programs.edges.map((e) => e.node.id)).toContain(shProgram);
      expect(res.programs.edges.every((e) => e.node.partnerId === bank.partnerSh)).toBe(true);
      const none = ok(
        await t.gql<{ programs: { totalCount: number } }>(LIST, { f: { activeOn: '2025-05-01' } }, 'admin'),
      );
      expect(none.programs.totalCount).toBe(0);
      const hd = ok(
        await t.gql<{ programs: { edges: { node: { partnerId: string } }[] } }>(
          LIST,
          { f: { orgUnitIds: [bank.haidian] } },
          'admin',
        ),
      );
      expect(new Set(hd.programs.edges.map((e) => e.node.partnerId))).toEqual(new Set([bank.partnerHd]));
    });

    it('partner.programs shows a partner user only its own partner', async () => {
      const data = ok(
        await t.gql<{ partners: { edges: { node: { id: string; programs: { partnerId: string }[] } }[] } }>(
          '{ partners(first: 10) { edges { node { id programs { partnerId } } } } }',
          {},
          'partner-bj',
        ),
      );
      expect(data.partners.edges.map((e) => e.node.id)).toEqual([bank.partnerBj]);
      expect(data.partners.edges[0]?.node.programs.every((p) => p.partnerId === bank.partnerBj)).toBe(true);
    });
  });
});

describe.each(databases())('partner → programs → channels SQL count on %s', (db) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start(db);
    const bank = await seedBank(t);
    const svc = t.get(ProgramsService);
    const channels = t.get(ChannelsService);
    for (let i = 0; i < 100; i++) {
      const partnerId = await createPartner(t, { code: `QC-${i}`, orgUnitId: bank.beijing, kind: PartnerKind.MALL });
      const agreementId = await createAgreement(t, partnerId);
      for (const kind of [ProgramKind.CO_BRANDED_CARD, ProgramKind.REFERRAL]) {
        const program = await svc.createProgram(SYSTEM_ACTOR, { agreementId, kind, nameZh: `项目${i}`, targets: [] });
        if (kind === ProgramKind.CO_BRANDED_CARD)
          await svc.upsertProduct(
            SYSTEM_ACTOR,
            productInput(program.id, [`6277${String(i).padStart(4, '0')}`]) as never,
          );
        await channels.create(SYSTEM_ACTOR, {
          programId: program.id,
          type: ChannelType.QR_CODE,
          name: `ch${i}`,
          landingUrl: 'https://card.example.cn/apply',
        });
      }
    }
  }, 300_000);
  afterAll(() => t.close());

  it('costs the same number of SQL statements for 10, 50 and 100 partners', async () => {
    const QUERY = `query($n: Int!) { partners(first: $n) { edges { node { id programs { id
      channels { id } coBrandedCardProduct { id binPrefixes } attributionRules { version } } } } } }`;
    const counts: number[] = [];
    for (const n of [10, 50, 100]) {
      await t.tokenFor('admin');
      t.queries.reset();
      const data = ok(
        await t.gql<{ partners: { edges: { node: { programs: { channels: unknown[] }[] } }[] } }>(
          QUERY,
          { n },
          'admin',
        ),
      );
      expect(data.partners.edges).toHaveLength(n);
      // The 3 seeded partners come first and have no programs; every other has 2 programs with a channel each.
      const channelCount = data.partners.edges.flatMap((e) => e.node.programs).flatMap((p) => p.channels).length;
      expect(channelCount).toBe(2 * (n - 3));
      counts.push(t.queries.count);
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[1]).toBe(counts[2]);
    expect(counts[0]).toBeLessThan(15);
  });
});
