import fc from 'fast-check';
import { AttributionModel, AttributionScope, ProgramKind } from '../../src/programs/program.enums';
import { BankFixture, seedBank } from '../support/fixtures';
import { databases, TestApp } from '../support/harness';
import {
  addReferral,
  attributionOf,
  AttributionView,
  cardQualification,
  Ev,
  newCustomer,
  programWithRule,
  record,
} from './support';

/** What must not depend on arrival order: decisions described by stable references (program, event id, source). */
function view(decisions: AttributionView[], programName: Map<string, string>): unknown {
  const name = (id: string): string => programName.get(id) ?? id;
  return decisions.map((d) => ({
    key: d.productKey.startsWith('CARD:') ? `CARD:${name(d.productKey.slice(5))}` : d.productKey,
    convertedOn: d.convertedOn,
    // Event ids carry a per-side suffix (a/b): compare them without it.
    winners: d.winners.map((w) => [
      w.source,
      name(w.programId),
      w.share,
      w.qualification && { ...w.qualification, eventIds: w.qualification.eventIds.map((id) => id.slice(0, -1)) },
    ]),
    touches: d.touches.map((x) => [x.source, name(x.programId), x.outcome, x.rank]),
  }));
}

describe.each(databases())('attribution is independent of event arrival order (%s)', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  let card: string;
  let ref: string;
  let rival: string;
  const names = new Map<string, string>();

  beforeAll(async () => {
    t = await TestApp.start(db);
    t.clock.set('2026-06-01T00:00:00Z');
    bank = await seedBank(t);
    card = await programWithRule(t, bank.partnerBj, ProgramKind.CO_BRANDED_CARD, {
      model: AttributionModel.LAST_TOUCH,
      scope: AttributionScope.ANY,
      precedenceRank: 2,
      windowDays: 20,
    });
    await cardQualification(t, card);
    ref = await programWithRule(t, bank.partnerSh, ProgramKind.REFERRAL, { precedenceRank: 1, windowDays: 15 });
    rival = await programWithRule(t, bank.partnerHd, ProgramKind.REFERRAL, {
      precedenceRank: 1,
      scope: AttributionScope.NEW_TO_PRODUCT,
    });
    names.set(card, 'card').set(ref, 'ref').set(rival, 'rival');
  });
  afterAll(async () => {
    await t.close();
  });

  const types = ['ACCOUNT_OPENED', 'CARD_APPLIED', 'CARD_APPROVED', 'CARD_ACTIVATED', 'CARD_SPEND', 'FUND_PURCHASE'];
  const eventArb = fc.record({
    type: fc.constantFrom(...types),
    day: fc.integer({ min: 1, max: 40 }),
    amount: fc.integer({ min: 1, max: 200 }),
  });

  it('recording the same events one by one in two orders gives the same decisions', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArb, { minLength: 2, maxLength: 6 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer(),
        async (es, refDay, rivalDay, seed) => {
          run++;
          const at = (day: number): string => new Date(Date.UTC(2026, 1, 1, 2) + day * 86_400_000).toISOString();
          const evs: (Ev & { key: string })[] = es.map((e, i) => ({
            key: `P${run}-${i}`,
            type: e.type,
            at: at(e.day),
            program: e.type.startsWith('CARD_') ? card : undefined,
            amount: e.type === 'CARD_SPEND' || e.type === 'FUND_PURCHASE' ? `${e.amount}.00` : undefined,
          }));
          const shuffled = [...evs];
          let s = seed;
          for (let i = shuffled.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) & 0x7fffffff;
            const j = s % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j] as Ev & { key: string }, shuffled[i] as Ev & { key: string }];
          }
          const results: unknown[] = [];
          for (const [side, order] of [
            ['a', evs],
            ['b', shuffled.reverse()],
          ] as const) {
            const c = await newCustomer(t, bank.beijing, '2026-02-01');
            await addReferral(t, c, bank.partnerSh, ref, at(refDay));
            await addReferral(t, c, bank.partnerHd, rival, at(rivalDay));
            // One call per event: every arrival re-attributes, as late events do in production.
            for (const e of order) await record(t, c, [{ ...e, id: `${e.key}${side}` }]);
            results.push(view(await attributionOf(t, c.id), names));
          }
          expect(results[1]).toEqual(results[0]);
        },
      ),
      { numRuns: db === 'sqlite' ? 10 : 3 },
    );
  });
});
