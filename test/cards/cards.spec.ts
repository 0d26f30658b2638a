import fc from 'fast-check';
import { isValidLuhn } from '../../src/common/identifiers';
import { CardsService } from '../../src/cards/cards.service';
import { CustomerEventsService } from '../../src/customers/customer-events.service';
import { CustomersService } from '../../src/customers/customers.service';
import { ProgramsService } from '../../src/programs/programs.service';
import { ProgramKind, ProgramStatus } from '../../src/programs/program.enums';
import { databases, errorOf, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import { BankFixture, seedBank } from '../support/fixtures';
import { createAgreement, productInput, UPSERT_PRODUCT } from '../programs/support';

/** A spend needs an amount and a merchant category. */
function spendFields(type: string): Record<string, string> {
  return type === 'CARD_SPEND' ? { amount: '10.00', merchantCategory: '5411' } : {};
}

/** A 16-digit PAN with the given prefix and a valid Luhn check digit. */
function pan(prefix: string, serial: number): string {
  const body = (prefix + String(serial).padStart(15 - prefix.length, '0')).slice(0, 15);
  for (let d = 0; d <= 9; d++) if (isValidLuhn(body + String(d))) return body + String(d);
  throw new Error('unreachable');
}

interface CardData {
  id: string;
  customerId: string;
  programId: string;
  partnerId: string;
  maskedPan: string | null;
  bin: string | null;
  status: string;
  lastActivityOn: string | null;
  dormantSince: string | null;
}
const CARD_FIELDS = 'id customerId programId partnerId maskedPan bin status lastActivityOn dormantSince';
const CARDS = `query($f: CardsFilter) { cards(first: 100, filter: $f) { totalCount edges { node { ${CARD_FIELDS} } } } }`;

describe.each(databases())('co-branded cards on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  let program: string;
  let otherProgram: string;
  let serial = 0;
  const BIN = '622588';
  const OTHER_BIN = '622599';

  beforeAll(async () => {
    t = await TestApp.start(db);
    t.clock.set('2026-06-01T04:00:00Z');
    bank = await seedBank(t);
    const programs = t.get(ProgramsService);
    const make = async (partnerId: string, bins: string[]): Promise<string> => {
      const agreementId = await createAgreement(t, partnerId);
      const p = await programs.createProgram(SYSTEM_ACTOR, {
        agreementId,
        kind: ProgramKind.CO_BRANDED_CARD,
        nameZh: '联名卡',
        targets: [],
      });
      ok(await t.gql(UPSERT_PRODUCT, { i: productInput(p.id, bins) }, 'admin'));
      await programs.transitionProgram(SYSTEM_ACTOR, { id: p.id, to: ProgramStatus.ACTIVE });
      return p.id;
    };
    program = await make(bank.partnerBj, [BIN]);
    otherProgram = await make(bank.partnerSh, [OTHER_BIN]);
  });
  afterAll(() => t.close());

  const customer = async (): Promise<{ id: string; number: string }> => {
    const number = `C-${db}-${++serial}`;
    const { customer: c } = await t.get(CustomersService).upsert(SYSTEM_ACTOR, {
      customerNumber: number,
      type: 'INDIVIDUAL',
      name: '张三',
      idType: 'PASSPORT',
      idNumber: `E${String(1000000 + serial)}`,
      orgUnitId: bank.beijing,
      onboardedOn: '2026-01-05',
    });
    return { id: c.id, number };
  };
  let eventSerial = 0;
  const record = async (
    customerNumber: string,
    type: string,
    occurredAt: string,
    extra: Record<string, string> = {},
  ): Promise<void> => {
    const [row] = await t
      .get(CustomerEventsService)
      .record(SYSTEM_ACTOR, [{ eventId: `E-${db}-${++eventSerial}`, customerNumber, type, occurredAt, ...extra }]);
    expect(row?.status).toBe('ACCEPTED');
  };
  const cardsOf = async (customerId: string, as = 'admin'): Promise<CardData[]> =>
    ok(
      await t.gql<{ cards: { edges: { node: CardData }[] } }>(CARDS, { f: { customerIds: [customerId] } }, as),
    ).cards.edges.map((e) => e.node);

  it('CARD_* events drive one card per customer and program: APPLIED → APPROVED → ACTIVATED, masked PAN only', async () => {
    const c = await customer();
    const number = pan(BIN, 1);
    await record(c.number, 'CARD_APPLIED', '2026-01-10T02:00:00Z', { programId: program, cardRef: number });
    let [card] = await cardsOf(c.id);
    expect(card).toMatchObject({
      programId: program,
      partnerId: bank.partnerBj,
      status: 'APPLIED',
      maskedPan: `${BIN}******${number.slice(-4)}`,
      bin: BIN,
    });
    await record(c.number, 'CARD_APPROVED', '2026-01-12T02:00:00Z', { programId: program });
    await record(c.number, 'CARD_ACTIVATED', '2026-01-15T02:00:00Z', { cardRef: `${BIN}******${number.slice(-4)}` });
    [card] = await cardsOf(c.id);
    expect(card).toMatchObject({ status: 'ACTIVATED', lastActivityOn: '2026-01-15' });
    expect(await cardsOf(c.id)).toHaveLength(1);
    // The full card number is stored nowhere: neither on the card nor on the event.
    for (const table of ['cards', 'customer_events']) {
      const rows = await t.dataSource.query<unknown[]>(`SELECT * FROM ${table}`);
      expect({ table, found: JSON.stringify(rows).includes(number) }).toEqual({ table, found: false });
    }
  });

  it('folds late, out-of-order events the same way; DECLINED ends an application', async () => {
    const c = await customer();
    await record(c.number, 'CARD_ACTIVATED', '2026-02-05T02:00:00Z', { programId: program });
    await record(c.number, 'CARD_APPLIED', '2026-02-01T02:00:00Z', { programId: program });
    await record(c.number, 'CARD_APPROVED', '2026-02-03T02:00:00Z', { programId: program });
    expect((await cardsOf(c.id))[0]?.status).toBe('ACTIVATED');
    const d = await customer();
    await record(d.number, 'CARD_APPLIED', '2026-02-01T02:00:00Z', { programId: program });
    await record(d.number, 'CARD_DECLINED', '2026-02-02T02:00:00Z', { programId: program });
    await record(d.number, 'CARD_ACTIVATED', '2026-02-03T02:00:00Z', { programId: program });
    expect((await cardsOf(d.id))[0]?.status).toBe('DECLINED');
  });

  it('refuses a PAN failing Luhn and a BIN outside the program’s ranges', async () => {
    const c = await customer();
    const good = pan(BIN, 7);
    const bad = good.slice(0, -1) + String((Number(good.slice(-1)) + 1) % 10);
    // The event itself is refused (never stored with a full card number), so no card either.
    const [row] = await t.get(CustomerEventsService).record(SYSTEM_ACTOR, [
      {
        eventId: `E-${db}-bad-pan`,
        customerNumber: c.number,
        type: 'CARD_APPLIED',
        occurredAt: '2026-02-01T02:00:00Z',
        programId: program,
        cardRef: bad,
      },
    ]);
    expect(row).toMatchObject({ status: 'REJECTED', field: 'cardRef', reason: 'INVALID_PAN' });
    expect(await cardsOf(c.id)).toEqual([]);
    const d = await customer();
    await record(d.number, 'CARD_APPLIED', '2026-02-01T02:00:00Z', { programId: program, cardRef: pan(OTHER_BIN, 8) });
    expect(await cardsOf(d.id)).toEqual([]);
    expect([...t.get(CardsService).lastSkipped.values()]).toContain('BIN_OUTSIDE_PROGRAM');
    // Without a program id the BIN finds the program.
    const e = await customer();
    await record(e.number, 'CARD_APPLIED', '2026-02-01T02:00:00Z', { cardRef: pan(OTHER_BIN, 9) });
    expect((await cardsOf(e.id))[0]?.programId).toBe(otherProgram);
  });

  it('markDormantCards(asOf) turns cards without spend for N days DORMANT; a new spend wakes them; CLOSED ends them', async () => {
    const quiet = await customer();
    const busy = await customer();
    for (const [c, spendOn] of [
      [quiet, '2026-02-01T02:00:00Z'],
      [busy, '2026-04-01T02:00:00Z'],
    ] as const) {
      await record(c.number, 'CARD_APPLIED', '2026-01-01T02:00:00Z', { programId: program });
      await record(c.number, 'CARD_APPROVED', '2026-01-02T02:00:00Z', { programId: program });
      await record(c.number, 'CARD_ACTIVATED', '2026-01-03T02:00:00Z', { programId: program });
      await record(c.number, 'CARD_SPEND', spendOn, { programId: program, amount: '100.00', merchantCategory: '5411' });
    }
    const MARK = 'mutation($d: Date!, $n: Int) { markDormantCards(asOf: $d, days: $n) { jobId changed } }';
    expect(errorOf(await t.gql(MARK, { d: '2026-05-01', n: 60 }, 'partner-bj')).code).toBe('FORBIDDEN');
    const run = ok(
      await t.gql<{ markDormantCards: { changed: number } }>(MARK, { d: '2026-05-01', n: 60 }, 'manager'),
    ).markDormantCards;
    expect(run.changed).toBeGreaterThanOrEqual(1);
    expect((await cardsOf(quiet.id))[0]).toMatchObject({ status: 'DORMANT', dormantSince: '2026-05-01' });
    expect((await cardsOf(busy.id))[0]?.status).toBe('ACTIVATED');
    // An unrelated late event does not wake a dormant card…
    await record(quiet.number, 'CARD_APPROVED', '2026-01-02T05:00:00Z', { programId: program });
    expect((await cardsOf(quiet.id))[0]?.status).toBe('DORMANT');
    // …a spend does.
    await record(quiet.number, 'CARD_SPEND', '2026-05-10T02:00:00Z', {
      programId: program,
      amount: '5.00',
      merchantCategory: '5411',
    });
    expect((await cardsOf(quiet.id))[0]).toMatchObject({
      status: 'ACTIVATED',
      dormantSince: null,
      lastActivityOn: '2026-05-10',
    });
    await record(quiet.number, 'CARD_CLOSED', '2026-05-20T02:00:00Z', { programId: program });
    expect((await cardsOf(quiet.id))[0]?.status).toBe('CLOSED');
    // The configured default (CARD_DORMANT_DAYS = 180) applies when days is left out.
    const byDefault = ok(
      await t.gql<{ markDormantCards: { changed: number } }>(MARK, { d: '2026-06-01' }, 'manager'),
    ).markDormantCards;
    expect(byDefault.changed).toBe(0);
  });

  it('folding new events onto the stored card equals a full re-fold, whatever the arrival order (property)', async () => {
    const TYPES = ['CARD_APPLIED', 'CARD_APPROVED', 'CARD_DECLINED', 'CARD_ACTIVATED', 'CARD_SPEND', 'CARD_CLOSED'];
    const FIELDS = 'status maskedPan bin lastActivityOn dormantSince';
    const stateOf = async (customerId: string): Promise<unknown> =>
      ok(
        await t.gql<{ cards: { edges: { node: Record<string, unknown> }[] } }>(
          `query($f: CardsFilter) { cards(first: 5, filter: $f) { edges { node { ${FIELDS} } } } }`,
          { f: { customerIds: [customerId] } },
          'admin',
        ),
      ).cards.edges.map((e) => e.node);
    const sequences = fc.uniqueArray(
      fc.record({ type: fc.constantFrom(...TYPES), day: fc.integer({ min: 1, max: 28 }), withPan: fc.boolean() }),
      { minLength: 1, maxLength: 6, selector: (e) => e.day },
    );
    await fc.assert(
      fc.asyncProperty(sequences, fc.func(fc.integer()), async (events, order) => {
        const number = pan(BIN, 900 + ++serial);
        const inputs = events
          .sort((a, b) => a.day - b.day)
          .map((e) => ({
            type: e.type,
            occurredAt: `2026-03-${String(e.day).padStart(2, '0')}T02:00:00Z`,
            extra: { programId: program, ...(e.withPan ? { cardRef: number } : {}), ...spendFields(e.type) },
          }));
        // One call per event in occurrence order: after the first, each new event folds onto the stored card.
        const inOrder = await customer();
        for (const e of inputs) await record(inOrder.number, e.type, e.occurredAt, e.extra);
        // The same events arriving shuffled, one per call: late ones take the full re-fold.
        const shuffled = await customer();
        const permuted = inputs.map((e, i) => ({ e, k: order(i) })).sort((a, b) => a.k - b.k);
        for (const { e } of permuted) await record(shuffled.number, e.type, e.occurredAt, e.extra);
        // All at once: one full fold.
        const atOnce = await customer();
        const [first] = await t.get(CustomerEventsService).record(
          SYSTEM_ACTOR,
          inputs.map((e) => ({
            eventId: `E-${db}-${++eventSerial}`,
            customerNumber: atOnce.number,
            type: e.type,
            occurredAt: e.occurredAt,
            ...e.extra,
          })),
        );
        expect(first?.status).toBe('ACCEPTED');
        const expected = await stateOf(atOnce.id);
        expect(await stateOf(inOrder.id)).toEqual(expected);
        expect(await stateOf(shuffled.id)).toEqual(expected);
      }),
      { numRuns: 12 },
    );
  });

  it('a WINDING_DOWN program takes no new cards but still serves existing ones', async () => {
    const existing = await customer();
    await record(existing.number, 'CARD_APPLIED', '2026-03-01T02:00:00Z', { programId: otherProgram });
    expect((await cardsOf(existing.id))[0]?.status).toBe('APPLIED');
    await t.get(ProgramsService).transitionProgram(SYSTEM_ACTOR, { id: otherProgram, to: ProgramStatus.WINDING_DOWN });
    const newcomer = await customer();
    await record(newcomer.number, 'CARD_APPLIED', '2026-03-02T02:00:00Z', { programId: otherProgram });
    expect(await cardsOf(newcomer.id)).toEqual([]);
    expect([...t.get(CardsService).lastSkipped.values()]).toContain('PROGRAM_NOT_ACCEPTING_NEW_CARDS');
    await record(existing.number, 'CARD_APPROVED', '2026-03-03T02:00:00Z', { programId: otherProgram });
    expect((await cardsOf(existing.id))[0]?.status).toBe('APPROVED');
  });

  it('is scoped like partners: partner users and branch managers see only their partners’ cards', async () => {
    const all = ok(
      await t.gql<{ cards: { totalCount: number; edges: { node: CardData }[] } }>(CARDS, {}, 'admin'),
    ).cards;
    const bjCard = all.edges.find((e) => e.node.partnerId === bank.partnerBj)?.node;
    expect(bjCard).toBeDefined();
    const sh = ok(
      await t.gql<{ cards: { totalCount: number; edges: { node: CardData }[] } }>(CARDS, {}, 'partner-sh'),
    ).cards;
    expect(sh.totalCount).toBeGreaterThan(0);
    expect(sh.edges.every((e) => e.node.partnerId === bank.partnerSh)).toBe(true);
    expect(
      ok(await t.gql<{ cards: { totalCount: number } }>(CARDS, { f: { partnerIds: [bank.partnerBj] } }, 'partner-sh'))
        .cards.totalCount,
    ).toBe(0);
    const CARD = `query($id: ID!) { card(id: $id) { ${CARD_FIELDS} } }`;
    expect(errorOf(await t.gql(CARD, { id: bjCard?.id }, 'partner-sh')).code).toBe('NOT_FOUND');
    expect(errorOf(await t.gql(CARD, { id: bjCard?.id }, 'manager-sh')).code).toBe('NOT_FOUND');
    expect(ok(await t.gql<{ card: CardData }>(CARD, { id: bjCard?.id }, 'partner-bj')).card.id).toBe(bjCard?.id);
    expect(ok(await t.gql<{ card: CardData }>(CARD, { id: bjCard?.id }, 'manager-bj')).card.id).toBe(bjCard?.id);
  });
});
