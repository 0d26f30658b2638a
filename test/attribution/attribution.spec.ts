import { AttributionEntity, AttributionTouchEntity } from '../../src/attribution/entities/attribution.entity';
import { ReferralQualifiedFactSource } from '../../src/attribution/referral-fact-source';
import { CommissionFactSources } from '../../src/commissions/fact-sources';
import { AuditRecordEntity } from '../../src/audit/entities/audit-record.entity';
import { PartnersService } from '../../src/partners/partners.service';
import { AttributionModel, AttributionScope, ProgramKind } from '../../src/programs/program.enums';
import { BankFixture, seedBank } from '../support/fixtures';
import { databases, errorOf, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import {
  addReferral,
  attributionOf,
  cardQualification,
  keyOf,
  newCustomer,
  programWithRule,
  record,
  referralStatus,
} from './support';

const RUN = 'mutation($i: RunAttributionInput) { runAttribution(input: $i) { customers decisionsChanged } }';
const OVERRIDE = `mutation($i: OverrideAttributionInput!) { overrideAttribution(input: $i) { id productKey overridden
  overrideReason winners { source programId share } } }`;
const CLEAR = 'mutation($i: ClearAttributionOverrideInput!) { clearAttributionOverride(input: $i) }';
const PARTNER_BROUGHT_IN = `query($id: ID!, $f: BroughtInCustomersFilter) { partner(id: $id) { id
  broughtInCustomers(first: 50, filter: $f) { totalCount edges { node { id name nameMasked idNumberMasked } } } } }`;
const PROGRAM_BROUGHT_IN = `query($id: ID!, $f: BroughtInCustomersFilter) { program(id: $id) { id
  broughtInCustomers(first: 50, filter: $f) { totalCount edges { node { id } } } } }`;

describe.each(databases())('attribution engine (%s)', (db) => {
  let t: TestApp;
  let bank: BankFixture;

  beforeAll(async () => {
    t = await TestApp.start(db);
    t.clock.set('2026-04-01T00:00:00Z');
    bank = await seedBank(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('multi-source precedence: a rank-1 referral wins over a rank-2 co-branded card program, with the reason', async () => {
    const card = await programWithRule(t, bank.partnerBj, ProgramKind.CO_BRANDED_CARD, { precedenceRank: 2 });
    const referral = await programWithRule(t, bank.partnerSh, ProgramKind.REFERRAL, { precedenceRank: 1 });
    const c = await newCustomer(t, bank.beijing, '2026-03-01');
    const rid = await addReferral(t, c, bank.partnerSh, referral, '2026-02-15T02:00:00Z');
    await record(t, c, [
      { type: 'CARD_APPLIED', at: '2026-02-20T02:00:00Z', program: card },
      { type: 'CARD_APPROVED', at: '2026-03-01T02:00:00Z', program: card },
    ]);
    const ntb = keyOf(await attributionOf(t, c.id), 'NEW_TO_BANK');
    expect(ntb.convertedOn).toBe('2026-03-01');
    expect(ntb.winners.map((w) => [w.source, w.programId, w.share])).toEqual([['REFERRAL', referral, '1']]);
    expect(ntb.touches.map((x) => [x.source, x.outcome, x.rank])).toEqual([
      ['REFERRAL', 'WON', 1],
      ['CO_BRANDED_CARD', 'LOST', 2],
    ]);
    expect(ntb.reason).toContain('(rank 1) won over co-branded card program');
    expect(ntb.rule).toMatchObject({ rules: { [referral]: { version: 1, windowDays: 30, scope: 'NEW_TO_BANK' } } });
    // The referral was driven to CONVERTED through the referrals contract.
    expect(await referralStatus(t, rid)).toBe('CONVERTED');
  });

  it('split shares summing to 1 credit both programs; shares that do not sum to 1 fall back to precedence', async () => {
    const a = await programWithRule(t, bank.partnerBj, ProgramKind.REFERRAL, { precedenceRank: 1, splitShare: '0.7' });
    const b = await programWithRule(t, bank.partnerSh, ProgramKind.REFERRAL, { precedenceRank: 2, splitShare: '0.3' });
    const c = await newCustomer(t, bank.beijing, '2026-03-02');
    await addReferral(t, c, bank.partnerBj, a, '2026-02-25T02:00:00Z');
    await addReferral(t, c, bank.partnerSh, b, '2026-02-20T02:00:00Z');
    await record(t, c, [{ type: 'ACCOUNT_OPENED', at: '2026-03-02T02:00:00Z' }]);
    const split = keyOf(await attributionOf(t, c.id), 'NEW_TO_BANK');
    expect(split.winners.map((w) => [w.programId, w.share])).toEqual([
      [b, '0.3'],
      [a, '0.7'],
    ]);

    const x = await programWithRule(t, bank.partnerBj, ProgramKind.REFERRAL, { precedenceRank: 2, splitShare: '0.5' });
    const y = await programWithRule(t, bank.partnerSh, ProgramKind.REFERRAL, { precedenceRank: 1, splitShare: '0.6' });
    const d = await newCustomer(t, bank.beijing, '2026-03-02');
    await addReferral(t, d, bank.partnerBj, x, '2026-02-20T02:00:00Z');
    await addReferral(t, d, bank.partnerSh, y, '2026-02-25T02:00:00Z');
    await record(t, d, [{ type: 'ACCOUNT_OPENED', at: '2026-03-02T02:00:00Z' }]);
    const fallback = keyOf(await attributionOf(t, d.id), 'NEW_TO_BANK');
    expect(fallback.winners.map((w) => [w.programId, w.share])).toEqual([[y, '1']]);
    expect(fallback.reason).toContain('not 1, so precedence decided');
  });

  it('FIRST_TOUCH and LAST_TOUCH pick within a program; a competing partner loses on rank', async () => {
    // A co-branded card program touched twice: a referral through its channel, then the card application.
    const first = await programWithRule(t, bank.partnerBj, ProgramKind.CO_BRANDED_CARD, {
      model: AttributionModel.FIRST_TOUCH,
    });
    const rival = await programWithRule(t, bank.partnerSh, ProgramKind.REFERRAL, { precedenceRank: 3 });
    const c = await newCustomer(t, bank.beijing, '2026-03-03');
    const viaChannel = await addReferral(t, c, bank.partnerBj, first, '2026-02-10T02:00:00Z');
    const lost = await addReferral(t, c, bank.partnerSh, rival, '2026-02-09T02:00:00Z');
    await record(t, c, [
      { type: 'CARD_APPLIED', at: '2026-02-20T02:00:00Z', program: first, id: 'ATFT-APPLY' },
      { type: 'CARD_APPROVED', at: '2026-03-03T02:00:00Z', program: first },
    ]);
    const ntb = keyOf(await attributionOf(t, c.id), 'NEW_TO_BANK');
    const outcome = Object.fromEntries(ntb.touches.map((x) => [x.sourceRef, x.outcome]));
    expect(outcome).toEqual({ [lost]: 'LOST', [viaChannel]: 'WON', 'ATFT-APPLY': 'SUPERSEDED' });

    const last = await programWithRule(t, bank.partnerBj, ProgramKind.CO_BRANDED_CARD, {
      model: AttributionModel.LAST_TOUCH,
    });
    const d = await newCustomer(t, bank.beijing, '2026-03-03');
    const early = await addReferral(t, d, bank.partnerBj, last, '2026-02-10T02:00:00Z');
    await record(t, d, [
      { type: 'CARD_APPLIED', at: '2026-02-20T02:00:00Z', program: last, id: 'ATLT-APPLY' },
      { type: 'CARD_APPROVED', at: '2026-03-03T02:00:00Z', program: last },
    ]);
    const lt = keyOf(await attributionOf(t, d.id), 'NEW_TO_BANK');
    expect(Object.fromEntries(lt.touches.map((x) => [x.sourceRef, x.outcome]))).toEqual({
      [early]: 'SUPERSEDED',
      'ATLT-APPLY': 'WON',
    });
  });

  it('NEW_TO_BANK excludes a customer who banked with us before the touch; NEW_TO_PRODUCT credits the new product', async () => {
    const ntb = await programWithRule(t, bank.partnerBj, ProgramKind.REFERRAL, { scope: AttributionScope.NEW_TO_BANK });
    const ntp = await programWithRule(t, bank.partnerSh, ProgramKind.REFERRAL, {
      scope: AttributionScope.NEW_TO_PRODUCT,
      precedenceRank: 5,
    });
    const c = await newCustomer(t, bank.beijing, '2025-06-01');
    await addReferral(t, c, bank.partnerBj, ntb, '2026-02-25T02:00:00Z');
    await addReferral(t, c, bank.partnerSh, ntp, '2026-02-26T02:00:00Z');
    await record(t, c, [
      { type: 'ACCOUNT_OPENED', at: '2025-06-01T02:00:00Z' },
      { type: 'FUND_PURCHASE', at: '2026-03-05T02:00:00Z', amount: '5000.00' },
    ]);
    const views = await attributionOf(t, c.id);
    const bankKey = keyOf(views, 'NEW_TO_BANK');
    expect(bankKey.winners).toEqual([]);
    expect(bankKey.touches.find((x) => x.programId === ntb)?.outcome).toBe('NOT_NEW');
    const fund = keyOf(views, 'FUND');
    expect(fund.winners.map((w) => w.programId)).toEqual([ntp]);
    expect(fund.touches.find((x) => x.programId === ntb)?.outcome).toBe('OUT_OF_SCOPE');
  });

  it('ANY scope and a payroll employer: the employer’s PAYROLL program is credited for payroll', async () => {
    const employer = await t.get(PartnersService).get(SYSTEM_ACTOR, bank.partnerHd);
    const payroll = await programWithRule(t, bank.partnerHd, ProgramKind.PAYROLL, { scope: AttributionScope.ANY });
    const c = await newCustomer(t, bank.beijing, '2025-01-01');
    await record(t, c, [
      { type: 'ACCOUNT_OPENED', at: '2025-01-02T02:00:00Z' },
      { type: 'PAYROLL_CREDIT', at: '2026-03-10T02:00:00Z', amount: '8000.00', employerUscc: employer.uscc as string },
    ]);
    const views = await attributionOf(t, c.id);
    const pay = keyOf(views, 'PAYROLL');
    expect(pay.winners.map((w) => [w.source, w.programId, w.partnerId])).toEqual([
      ['PAYROLL', payroll, bank.partnerHd],
    ]);
    // The touch came after the customer's first product: not brought in to the bank.
    expect(keyOf(views, 'NEW_TO_BANK').touches.map((x) => x.outcome)).toEqual(['AFTER_CONVERSION']);
  });

  it('re-runs are idempotent; a late event re-decides without duplicate rows and is audited', async () => {
    const card = await programWithRule(t, bank.partnerBj, ProgramKind.CO_BRANDED_CARD, { precedenceRank: 1 });
    const ref = await programWithRule(t, bank.partnerSh, ProgramKind.REFERRAL, { precedenceRank: 2 });
    const c = await newCustomer(t, bank.beijing, '2026-03-10');
    const rid = await addReferral(t, c, bank.partnerSh, ref, '2026-03-01T02:00:00Z');
    await record(t, c, [{ type: 'ACCOUNT_OPENED', at: '2026-03-10T02:00:00Z' }]);
    expect(await referralStatus(t, rid)).toBe('CONVERTED');
    const before = keyOf(await attributionOf(t, c.id), 'NEW_TO_BANK');
    expect(before.winners.map((w) => w.programId)).toEqual([ref]);

    const again = ok(
      await t.gql<{ runAttribution: { decisionsChanged: number } }>(RUN, { i: { customerIds: [c.id] } }, 'admin'),
    );
    expect(again.runAttribution.decisionsChanged).toBe(0);
    const full = ok(await t.gql<{ runAttribution: { decisionsChanged: number } }>(RUN, {}, 'admin'));
    expect(full.runAttribution.decisionsChanged).toBe(0);

    // A card application from before the account opening arrives late: the rank-1 card program now wins.
    await record(t, c, [{ type: 'CARD_APPLIED', at: '2026-03-05T02:00:00Z', program: card }]);
    const after = keyOf(await attributionOf(t, c.id), 'NEW_TO_BANK');
    expect(after.id).toBe(before.id);
    expect(after.version).toBe(before.version + 1);
    expect(after.winners.map((w) => w.programId)).toEqual([card]);
    const rows = await t.dataSource
      .getRepository(AttributionEntity)
      .countBy({ customerId: c.id, productKey: 'NEW_TO_BANK' });
    expect(rows).toBe(1);
    const touches = await t.dataSource.getRepository(AttributionTouchEntity).countBy({ attributionId: before.id });
    expect(touches).toBe(2);
    const audits = await t.dataSource
      .getRepository(AuditRecordEntity)
      .countBy({ entityType: 'Attribution', entityId: before.id, action: 'attribution.redecide' });
    expect(audits).toBe(1);
    // The referral lost the re-decision but never moves backwards.
    expect(await referralStatus(t, rid)).toBe('CONVERTED');
  });

  it('a manager override (audited) survives re-runs until it is cleared; bad overrides are refused', async () => {
    const ref = await programWithRule(t, bank.partnerSh, ProgramKind.REFERRAL, {});
    const other = await programWithRule(t, bank.partnerBj, ProgramKind.REFERRAL, {});
    const c = await newCustomer(t, bank.beijing, '2026-03-10');
    await addReferral(t, c, bank.partnerSh, ref, '2026-03-01T02:00:00Z');
    await record(t, c, [{ type: 'ACCOUNT_OPENED', at: '2026-03-10T02:00:00Z' }]);
    const input = {
      customerId: c.id,
      productKey: 'NEW_TO_BANK',
      winners: [
        { programId: other, share: '0.5' },
        { programId: ref, share: '0.5' },
      ],
      reason: 'Joint campaign agreed in the steering meeting',
    };
    expect(
      errorOf(await t.gql(OVERRIDE, { i: { ...input, winners: [{ programId: other, share: '0.6' }] } }, 'admin')),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'winners',
    });
    expect(errorOf(await t.gql(OVERRIDE, { i: input }, 'analyst')).code).toBe('FORBIDDEN');
    // A Shanghai-scoped manager cannot manage the Beijing partner's program.
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(errorOf(await t.gql(OVERRIDE, { i: input }, 'manager-sh')).code);
    expect(errorOf(await t.gql(OVERRIDE, { i: { ...input, productKey: 'LOAN' } }, 'manager')).code).toBe('NOT_FOUND');

    const done = ok(
      await t.gql<{ overrideAttribution: { overridden: boolean; winners: { programId: string; share: string }[] } }>(
        OVERRIDE,
        { i: input },
        'manager',
      ),
    );
    expect(done.overrideAttribution.overridden).toBe(true);
    expect(done.overrideAttribution.winners.map((w) => [w.programId, w.share]).sort()).toEqual(
      [
        [other, '0.5'],
        [ref, '0.5'],
      ].sort(),
    );
    await record(t, c, [{ type: 'CARD_SPEND', at: '2026-03-12T02:00:00Z', amount: '10.00' }]);
    ok(await t.gql(RUN, { i: { customerIds: [c.id] } }, 'admin'));
    const kept = keyOf(await attributionOf(t, c.id), 'NEW_TO_BANK');
    expect(kept.overridden).toBe(true);
    expect(kept.winners.map((w) => w.source)).toEqual(['OVERRIDE', 'OVERRIDE']);
    expect(kept.touches.find((x) => x.source === 'REFERRAL')?.outcome).toBe('OVERRULED');
    const audited = await t.dataSource
      .getRepository(AuditRecordEntity)
      .countBy({ entityType: 'Attribution', entityId: kept.id, action: 'attribution.override' });
    expect(audited).toBe(1);

    ok(await t.gql(CLEAR, { i: { customerId: c.id, productKey: 'NEW_TO_BANK' } }, 'manager'));
    const back = keyOf(await attributionOf(t, c.id), 'NEW_TO_BANK');
    expect(back.overridden).toBe(false);
    expect(back.winners.map((w) => [w.source, w.programId])).toEqual([['REFERRAL', ref]]);
  });

  it('qualification: pending, then QUALIFIED by a late event, with the satisfying events; referral driven to QUALIFIED', async () => {
    const card = await programWithRule(t, bank.partnerBj, ProgramKind.CO_BRANDED_CARD, {
      scope: AttributionScope.NEW_TO_PRODUCT,
    });
    await cardQualification(t, card);
    const c = await newCustomer(t, bank.beijing, '2025-01-01');
    await record(t, c, [
      { type: 'CARD_APPLIED', at: '2026-03-01T02:00:00Z', program: card, id: 'ATQ-APPLY' },
      { type: 'CARD_APPROVED', at: '2026-03-02T02:00:00Z', program: card, id: 'ATQ-APPROVE' },
      { type: 'CARD_ACTIVATED', at: '2026-03-03T02:00:00Z', program: card, id: 'ATQ-ACT' },
      { type: 'CARD_SPEND', at: '2026-03-10T02:00:00Z', program: card, amount: '60.00', id: 'ATQ-S2' },
    ]);
    const pending = keyOf(await attributionOf(t, c.id), `CARD:${card}`);
    // Clock is 2026-04-01, inside the 30-day window after 2026-03-02.
    expect(pending.winners[0]?.qualification).toMatchObject({ status: 'PENDING', eventIds: [] });

    // A late spend that happened before the one already recorded completes the rule.
    await record(t, c, [
      { type: 'CARD_SPEND', at: '2026-03-05T02:00:00Z', program: card, amount: '50.00', id: 'ATQ-S1' },
    ]);
    const qualified = keyOf(await attributionOf(t, c.id), `CARD:${card}`);
    expect(qualified.winners[0]?.qualification).toEqual({
      status: 'QUALIFIED',
      qualifiedOn: '2026-03-10',
      eventIds: ['ATQ-ACT', 'ATQ-S1', 'ATQ-S2'],
    });
    const q = ok(
      await t.gql<{ program: { broughtInCustomers: { totalCount: number } } }>(
        PROGRAM_BROUGHT_IN,
        { id: card, f: { qualified: true } },
        'admin',
      ),
    );
    expect(q.program.broughtInCustomers.totalCount).toBe(1);
    const notQ = ok(
      await t.gql<{ program: { broughtInCustomers: { totalCount: number } } }>(
        PROGRAM_BROUGHT_IN,
        { id: card, f: { qualified: false } },
        'admin',
      ),
    );
    expect(notQ.program.broughtInCustomers.totalCount).toBe(0);
  });

  it('referral outcomes: QUALIFIED after the rule is met, EXPIRED when the customer converted after the window', async () => {
    const ref = await programWithRule(t, bank.partnerSh, ProgramKind.REFERRAL, { windowDays: 10 });
    await cardQualification(t, ref);
    const c = await newCustomer(t, bank.beijing, '2026-03-20');
    const expired = await addReferral(t, c, bank.partnerSh, ref, '2026-03-01T02:00:00Z');
    await record(t, c, [{ type: 'ACCOUNT_OPENED', at: '2026-03-20T02:00:00Z' }]);
    expect(await referralStatus(t, expired)).toBe('EXPIRED');

    const d = await newCustomer(t, bank.beijing, '2026-03-02');
    const won = await addReferral(t, d, bank.partnerSh, ref, '2026-03-01T02:00:00Z');
    await record(t, d, [
      { type: 'ACCOUNT_OPENED', at: '2026-03-02T02:00:00Z' },
      { type: 'CARD_ACTIVATED', at: '2026-03-03T02:00:00Z' },
      { type: 'CARD_SPEND', at: '2026-03-04T02:00:00Z', amount: '100.00' },
    ]);
    expect(await referralStatus(t, won)).toBe('QUALIFIED');
    // Commissions see the qualified referral through the registered fact source (and not the expired one).
    const facts = await t
      .get(ReferralQualifiedFactSource)
      .factsFor([bank.partnerSh], { key: '2026-03', from: '2026-03-01', to: '2026-03-31' });
    expect(facts.filter((f) => f.referralId === won || f.referralId === expired)).toEqual([
      expect.objectContaining({
        kind: 'REFERRAL_QUALIFIED',
        sourceId: won,
        customerId: d.id,
        businessDate: '2026-03-04',
      }),
    ]);
    expect(
      t
        .get(CommissionFactSources)
        .all()
        .map((x) => x.name),
    ).toContain('referral-qualified');
  });

  it('partner users see only the customers their partner brought in, masked; others get NOT_FOUND', async () => {
    const ref = await programWithRule(t, bank.partnerSh, ProgramKind.REFERRAL, {});
    const c = await newCustomer(t, bank.beijing, '2026-03-15');
    await addReferral(t, c, bank.partnerSh, ref, '2026-03-10T02:00:00Z');
    await record(t, c, [{ type: 'ACCOUNT_OPENED', at: '2026-03-15T02:00:00Z' }]);

    const mine = ok(
      await t.gql<{
        customer: { name: string; attribution: { reason: string | null; touches: { partnerId: string }[] }[] };
      }>(
        `query($id: ID!) { customer(id: $id) { name attribution { reason touches { partnerId } } } }`,
        { id: c.id },
        'partner-sh',
      ),
    );
    expect(mine.customer.name).toBe('王**');
    expect(mine.customer.attribution.length).toBeGreaterThan(0);
    expect(mine.customer.attribution.every((a) => a.reason === null)).toBe(true);
    expect(mine.customer.attribution.flatMap((a) => a.touches).every((x) => x.partnerId === bank.partnerSh)).toBe(true);

    expect(errorOf(await t.gql(`query($id: ID!) { customer(id: $id) { id } }`, { id: c.id }, 'partner-bj')).code).toBe(
      'NOT_FOUND',
    );
    const list = ok(
      await t.gql<{ customers: { edges: { node: { id: string } }[] } }>(
        'query { customers(first: 100) { edges { node { id } } } }',
        {},
        'partner-sh',
      ),
    );
    expect(list.customers.edges.map((e) => e.node.id)).toContain(c.id);
    const bjList = ok(
      await t.gql<{ customers: { edges: { node: { id: string } }[] } }>(
        'query { customers(first: 100) { edges { node { id } } } }',
        {},
        'partner-bj',
      ),
    );
    expect(bjList.customers.edges.map((e) => e.node.id)).not.toContain(c.id);

    const brought = ok(
      await t.gql<{
        partner: { broughtInCustomers: { edges: { node: { id: string; name: string; nameMasked: boolean } }[] } };
      }>(
        PARTNER_BROUGHT_IN,
        {
          id: bank.partnerSh,
          f: { productKeys: ['NEW_TO_BANK'], convertedFrom: '2026-03-15', convertedTo: '2026-03-15' },
        },
        'partner-sh',
      ),
    );
    expect(brought.partner.broughtInCustomers.edges.map((e) => [e.node.id, e.node.nameMasked])).toEqual([[c.id, true]]);
    const empty = ok(
      await t.gql<{ partner: { broughtInCustomers: { totalCount: number } } }>(
        PARTNER_BROUGHT_IN,
        { id: bank.partnerSh, f: { convertedFrom: '2026-03-16' } },
        'admin',
      ),
    );
    expect(empty.partner.broughtInCustomers.totalCount).toBe(0);
    expect(errorOf(await t.gql(PARTNER_BROUGHT_IN, { id: bank.partnerSh }, 'partner-bj')).code).toBe('NOT_FOUND');
    expect(errorOf(await t.gql(RUN, {}, 'partner-sh')).code).toBe('FORBIDDEN');
  });
});
