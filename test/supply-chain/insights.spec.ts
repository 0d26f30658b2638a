import { ProgramKind } from '../../src/programs/program.enums';
import { BankFixture, seedBank } from '../support/fixtures';
import { databases, errorOf, ok, TestApp } from '../support/harness';
import {
  corePartnerWithProgram,
  corporateCustomer,
  customerNumberOf,
  individualCustomer,
  link,
  recordEvents,
  registerCore,
  uscc,
} from './support';

const DERIVE = `mutation($i: DeriveSupplyChainLinksInput!) { deriveSupplyChainLinks(input: $i) {
  id parentCompanyId direction counterpartyUscc paymentCount volume { amount } status linkId } }`;
const CONFIRM = `mutation($id: ID!) { confirmDerivedLink(id: $id) { id status linkId } }`;
const DISMISS = `mutation($id: ID!) { dismissDerivedLink(id: $id) { id status } }`;
const EXPOSURE = `query($c: ID!) { supplyChainExposure(coreEnterpriseId: $c) {
  bankedMembers depositBalance { amount } loans { amount } total { amount }
  largest { company { name } depositBalance { amount } loans { amount } total { amount } share } } }`;
const EMPLOYER = `query($e: ID!) { employerBanking(employerId: $e) {
  employerId employees holdings { product holders share }
  crossSell { product employees { customerId nameMasked } }
  newToBank { employee { nameMasked } onboardedOn programId } } }`;

interface Candidate {
  id: string;
  parentCompanyId: string;
  direction: string;
  counterpartyUscc: string;
  paymentCount: number;
  volume: { amount: string };
  status: string;
  linkId: string | null;
}

describe.each(databases())('supply-chain insights on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;

  beforeAll(async () => {
    t = await TestApp.start(db);
    t.clock.set('2026-11-30T04:00:00Z');
    bank = await seedBank(t);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('derived links and exposure', () => {
    let core: { id: string; companyId: string };
    let m1Company: string;
    let numC: string;
    let numM1: string;

    beforeAll(async () => {
      const custC = await corporateCustomer(t, bank.beijing, uscc(300), '派生核心');
      const custM1 = await corporateCustomer(t, bank.beijing, uscc(301), '一级供应商M1');
      const custD2 = await corporateCustomer(t, bank.beijing, uscc(321), '经销商D2');
      numC = await customerNumberOf(t, custC);
      numM1 = await customerNumberOf(t, custM1);
      const numD2 = await customerNumberOf(t, custD2);
      core = await registerCore(t, 'manager-bj', {
        company: { name: '派生核心', uscc: uscc(300) },
        orgUnitId: bank.beijing,
      });
      m1Company = (
        await link(t, 'manager-bj', {
          coreEnterpriseId: core.id,
          member: { name: '一级供应商M1', uscc: uscc(301) },
          direction: 'UPSTREAM',
        })
      ).memberCompanyId;
      await link(t, 'manager-bj', {
        coreEnterpriseId: core.id,
        member: { name: '经销商D2', uscc: uscc(321) },
        direction: 'DOWNSTREAM',
      });
      const pay = (number: string, type: string, counterparty: string, amount: string, day: string) => ({
        customerNumber: number,
        type,
        counterpartyUscc: counterparty,
        counterpartyName: `对手${counterparty.slice(-4)}`,
        amount,
        occurredAt: `${day}T02:00:00Z`,
      });
      await recordEvents(t, [
        // X: 3 payments, 150,000.00 — at both thresholds.
        ...['2026-10-01', '2026-10-02', '2026-10-03'].map((d) => pay(numC, 'PAYMENT_SENT', uscc(310), '50000.00', d)),
        // Y: 2 payments, 600,000.00 — too few at minPayments 3.
        ...['2026-10-01', '2026-10-05'].map((d) => pay(numC, 'PAYMENT_SENT', uscc(311), '300000.00', d)),
        // Z: 5 payments, 50,000.00 — too little volume.
        ...['2026-09-01', '2026-09-02', '2026-09-03', '2026-09-04', '2026-09-05'].map((d) =>
          pay(numC, 'PAYMENT_SENT', uscc(312), '10000.00', d),
        ),
        // W: enough, but outside the 180-day window.
        ...['2026-01-10', '2026-01-11', '2026-01-12'].map((d) => pay(numC, 'PAYMENT_SENT', uscc(313), '100000.00', d)),
        // M1 is already linked: never proposed.
        ...['2026-10-01', '2026-10-02', '2026-10-03'].map((d) => pay(numC, 'PAYMENT_SENT', uscc(301), '100000.00', d)),
        // R pays the core: a downstream candidate.
        ...['2026-11-01', '2026-11-02', '2026-11-03'].map((d) =>
          pay(numC, 'PAYMENT_RECEIVED', uscc(320), '40000.00', d),
        ),
        // S is paid by upstream member M1: its own supplier, tier 2.
        ...['2026-08-01', '2026-08-15', '2026-09-01'].map((d) => pay(numM1, 'PAYMENT_SENT', uscc(330), '60000.00', d)),
        // M1 receiving money is not a sign of an upstream supplier.
        ...['2026-08-01', '2026-08-15', '2026-09-01'].map((d) =>
          pay(numM1, 'PAYMENT_RECEIVED', uscc(331), '60000.00', d),
        ),
        // Balances and loans for exposure.
        {
          customerNumber: numM1,
          type: 'DEPOSIT_BALANCE_SNAPSHOT',
          amount: '1000000.00',
          occurredAt: '2026-10-01T00:00:00Z',
        },
        {
          customerNumber: numM1,
          type: 'DEPOSIT_BALANCE_SNAPSHOT',
          amount: '800000.00',
          occurredAt: '2026-11-01T00:00:00Z',
        },
        { customerNumber: numM1, type: 'LOAN_DISBURSED', amount: '2000000.00', occurredAt: '2026-06-01T00:00:00Z' },
        { customerNumber: numM1, type: 'LOAN_DISBURSED', amount: '500000.00', occurredAt: '2026-07-01T00:00:00Z' },
        {
          customerNumber: numD2,
          type: 'DEPOSIT_BALANCE_SNAPSHOT',
          amount: '200000.00',
          occurredAt: '2026-11-01T00:00:00Z',
        },
        // The core's own balance is not a member exposure.
        {
          customerNumber: numC,
          type: 'DEPOSIT_BALANCE_SNAPSHOT',
          amount: '9999999.00',
          occurredAt: '2026-11-01T00:00:00Z',
        },
      ]);
    });

    it('proposes candidates only above both thresholds inside the window', async () => {
      const proposed = ok(
        await t.gql<{ deriveSupplyChainLinks: Candidate[] }>(
          DERIVE,
          { i: { coreEnterpriseId: core.id, minPayments: 3, minVolume: { amount: '100000.00' }, lookbackDays: 180 } },
          'manager-bj',
        ),
      ).deriveSupplyChainLinks;
      const view = proposed
        .map((c) => [c.counterpartyUscc, c.direction, c.parentCompanyId, c.paymentCount, c.volume.amount, c.status])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      expect(view).toEqual([
        [uscc(310), 'UPSTREAM', core.companyId, 3, '150000.00', 'PROPOSED'],
        [uscc(320), 'DOWNSTREAM', core.companyId, 3, '120000.00', 'PROPOSED'],
        [uscc(330), 'UPSTREAM', m1Company, 3, '180000.00', 'PROPOSED'],
      ]);
      const higher = ok(
        await t.gql<{ deriveSupplyChainLinks: Candidate[] }>(
          DERIVE,
          { i: { coreEnterpriseId: core.id, minPayments: 3, minVolume: { amount: '150000.01' }, lookbackDays: 180 } },
          'manager-bj',
        ),
      ).deriveSupplyChainLinks;
      // Open proposals stay open; nothing new at the higher bar.
      expect(higher).toHaveLength(3);
      const denied = await t.gql(DERIVE, { i: { coreEnterpriseId: core.id } }, 'manager-sh');
      expect(errorOf(denied).code).toBe('NOT_FOUND');
    });

    it('confirms into DERIVED links, and never proposes a dismissed candidate again', async () => {
      const list = ok(
        await t.gql<{ supplyChainDerivedLinks: Candidate[] }>(
          `query($c: ID!) { supplyChainDerivedLinks(coreEnterpriseId: $c, status: PROPOSED) { id counterpartyUscc } }`,
          { c: core.id },
          'manager-bj',
        ),
      ).supplyChainDerivedLinks;
      const idOf = (u: string): string => list.find((c) => c.counterpartyUscc === u)?.id ?? '';
      expect(
        ok(await t.gql<{ dismissDerivedLink: Candidate }>(DISMISS, { id: idOf(uscc(310)) }, 'manager-bj'))
          .dismissDerivedLink.status,
      ).toBe('DISMISSED');
      const confirmed = ok(
        await t.gql<{ confirmDerivedLink: Candidate }>(CONFIRM, { id: idOf(uscc(330)) }, 'manager-bj'),
      ).confirmDerivedLink;
      expect(confirmed.status).toBe('CONFIRMED');
      expect(errorOf(await t.gql(CONFIRM, { id: idOf(uscc(330)) }, 'manager-bj'))).toMatchObject({
        code: 'CONFLICT',
        rule: 'DERIVED_LINK_DECIDED',
      });
      expect(errorOf(await t.gql(DISMISS, { id: idOf(uscc(320)) }, 'partner-bj')).code).toBe('FORBIDDEN');
      const chain = ok(
        await t.gql<{ supplyChain: { edges: { id: string; parentCompanyId: string; tier: number }[] } }>(
          `query($c: ID!) { supplyChain(coreEnterpriseId: $c, direction: UPSTREAM, maxTier: 5) { edges { id parentCompanyId tier } } }`,
          { c: core.id },
          'manager-bj',
        ),
      ).supplyChain;
      expect(chain.edges.find((e) => e.id === confirmed.linkId)).toMatchObject({ parentCompanyId: m1Company, tier: 2 });

      // Lower the bar: Y (2 payments) is proposed now; X stays dismissed, S is linked.
      const again = ok(
        await t.gql<{ deriveSupplyChainLinks: Candidate[] }>(
          DERIVE,
          { i: { coreEnterpriseId: core.id, minPayments: 2, minVolume: { amount: '100000.00' }, lookbackDays: 180 } },
          'manager-bj',
        ),
      ).deriveSupplyChainLinks;
      expect(again.map((c) => c.counterpartyUscc).sort()).toEqual([uscc(311), uscc(320)]);
      // A 365-day window reaches W's January payments.
      const wider = ok(
        await t.gql<{ deriveSupplyChainLinks: Candidate[] }>(
          DERIVE,
          { i: { coreEnterpriseId: core.id, minPayments: 3, minVolume: { amount: '100000.00' }, lookbackDays: 365 } },
          'manager-bj',
        ),
      ).deriveSupplyChainLinks;
      expect(wider.map((c) => c.counterpartyUscc).sort()).toEqual([uscc(311), uscc(313), uscc(320)]);
      const dismissed = ok(
        await t.gql<{ supplyChainDerivedLinks: Candidate[] }>(
          `query($c: ID!) { supplyChainDerivedLinks(coreEnterpriseId: $c, status: DISMISSED) { counterpartyUscc } }`,
          { c: core.id },
          'manager-bj',
        ),
      ).supplyChainDerivedLinks;
      expect(dismissed.map((c) => c.counterpartyUscc)).toEqual([uscc(310)]);
    });

    it('sums banked members’ latest balances and loans for concentration risk', async () => {
      const exposure = ok(
        await t.gql<{
          supplyChainExposure: {
            bankedMembers: number;
            depositBalance: { amount: string };
            loans: { amount: string };
            total: { amount: string };
            largest: { company: { name: string }; total: { amount: string }; share: string }[];
          };
        }>(EXPOSURE, { c: core.id }, 'analyst'),
      ).supplyChainExposure;
      // M1: latest balance 800,000.00 + loans 2,500,000.00; D2: 200,000.00; S (confirmed) does not bank with us.
      expect(exposure).toMatchObject({
        bankedMembers: 2,
        depositBalance: { amount: '1000000.00' },
        loans: { amount: '2500000.00' },
        total: { amount: '3500000.00' },
      });
      expect(exposure.largest.map((r) => [r.company.name, r.total.amount, r.share])).toEqual([
        ['一级供应商M1', '3300000.00', '0.9429'],
        ['经销商D2', '200000.00', '0.0571'],
      ]);
    });
  });

  describe('employer banking (代发工资)', () => {
    let employerId: string;
    let programId: string;

    beforeAll(async () => {
      ({ programId } = await corePartnerWithProgram(t, 'P-PAY', bank.beijing, ProgramKind.PAYROLL));
      employerId = await corporateCustomer(t, bank.beijing, uscc(400), '代发雇主');
      const e1 = await individualCustomer(t, bank.beijing, '张三', '2026-02-01');
      const e2 = await individualCustomer(t, bank.beijing, '李四', '2025-06-01');
      const e3 = await individualCustomer(t, bank.beijing, '欧阳娜娜', '2026-03-01');
      const other = await individualCustomer(t, bank.beijing, '王五', '2026-02-01');
      const payroll = (number: string, day: string, employer: string, withProgram = true) => ({
        customerNumber: number,
        type: 'PAYROLL_CREDIT',
        employerUscc: employer,
        amount: '12000.00',
        occurredAt: `${day}T01:00:00Z`,
        ...(withProgram ? { programId } : {}),
      });
      const at = (day: string): string => `${day}T03:00:00Z`;
      await recordEvents(t, [
        payroll(e1.number, '2026-03-10', uscc(400)),
        payroll(e1.number, '2026-04-10', uscc(400)),
        payroll(e2.number, '2026-03-10', uscc(400)),
        payroll(e3.number, '2026-03-10', uscc(400), false),
        payroll(other.number, '2026-03-10', uscc(401)),
        { customerNumber: e1.number, type: 'CARD_ACTIVATED', cardRef: 'CARD-1', occurredAt: at('2026-03-12') },
        {
          customerNumber: e1.number,
          type: 'DEPOSIT_BALANCE_SNAPSHOT',
          amount: '5000.00',
          occurredAt: at('2026-04-30'),
        },
        { customerNumber: e2.number, type: 'FUND_PURCHASE', amount: '1000.00', occurredAt: at('2026-04-01') },
        { customerNumber: e2.number, type: 'LOAN_DISBURSED', amount: '50000.00', occurredAt: at('2026-04-02') },
        { customerNumber: e2.number, type: 'DEPOSIT_BALANCE_SNAPSHOT', amount: '100.00', occurredAt: at('2026-05-01') },
        { customerNumber: e2.number, type: 'DEPOSIT_BALANCE_SNAPSHOT', amount: '0.00', occurredAt: at('2026-06-01') },
        { customerNumber: other.number, type: 'CARD_ACTIVATED', cardRef: 'CARD-9', occurredAt: at('2026-03-12') },
      ]);
    });

    it('counts employees, product shares, masked cross-sell lists and new-to-bank employees', async () => {
      const view = ok(
        await t.gql<{
          employerBanking: {
            employerId: string;
            employees: number;
            holdings: { product: string; holders: number; share: string }[];
            crossSell: { product: string; employees: { nameMasked: string }[] }[];
            newToBank: { employee: { nameMasked: string }; onboardedOn: string; programId: string }[];
          };
        }>(EMPLOYER, { e: employerId }, 'manager-bj'),
      ).employerBanking;
      expect(view.employees).toBe(3);
      expect(view.holdings).toEqual([
        { product: 'CARD', holders: 1, share: '0.3333' },
        { product: 'DEPOSIT', holders: 1, share: '0.3333' },
        { product: 'WEALTH', holders: 1, share: '0.3333' },
        { product: 'LOAN', holders: 1, share: '0.3333' },
      ]);
      const names = (product: string): string[] =>
        (view.crossSell.find((c) => c.product === product)?.employees ?? []).map((e) => e.nameMasked).sort();
      expect(names('CARD')).toEqual(['李*', '欧阳**'].sort());
      expect(names('DEPOSIT')).toEqual(['李*', '欧阳**'].sort());
      expect(names('WEALTH')).toEqual(['张*', '欧阳**'].sort());
      expect(names('LOAN')).toEqual(['张*', '欧阳**'].sort());
      expect(view.newToBank).toEqual([{ employee: { nameMasked: '张*' }, onboardedOn: '2026-02-01', programId }]);
    });

    it('is for the bank’s own staff in scope', async () => {
      expect(errorOf(await t.gql(EMPLOYER, { e: employerId }, 'partner-bj')).code).toBe('FORBIDDEN');
      expect(errorOf(await t.gql(EMPLOYER, { e: employerId }, 'manager-sh')).code).toBe('NOT_FOUND');
    });
  });
});
