import fc from 'fast-check';
import { Money } from '../../common/money';
import { CustomerEventType } from '../../programs/customer-event-type';
import {
  AttributionModel,
  AttributionScope,
  ComparisonOperator,
  QualificationMeasure,
} from '../../programs/program.enums';
import { AttributionRule, QualificationRule } from '../../programs/rules/program-rules';
import {
  attributeCustomer,
  conversionsOf,
  EventFact,
  qualify,
  RuleInForce,
  RuleLookup,
  Touch,
} from './attribution-rules';

function ev(externalId: string, type: string, at: string, extra: Partial<EventFact> = {}): EventFact {
  return {
    id: `id-${externalId}`,
    externalId,
    type,
    occurredAt: new Date(at),
    businessDate: at.slice(0, 10),
    programId: null,
    employerUscc: null,
    amount: null,
    currency: null,
    ...extra,
  };
}

function touch(ref: string, programId: string, at: string, extra: Partial<Touch> = {}): Touch {
  return {
    ref,
    source: 'REFERRAL',
    partnerId: `partner-of-${programId}`,
    programId,
    channelId: null,
    referralId: ref,
    touchedAt: new Date(at),
    touchedOn: at.slice(0, 10),
    productHint: null,
    ...extra,
  };
}

function rule(overrides: Partial<AttributionRule> = {}): AttributionRule {
  return {
    windowDays: 30,
    model: AttributionModel.FIRST_TOUCH,
    scope: AttributionScope.NEW_TO_BANK,
    precedenceRank: 1,
    splitShare: null,
    ...overrides,
  };
}

function lookup(rules: Record<string, AttributionRule>): RuleLookup {
  return (programId) => {
    const r = rules[programId];
    return r ? ({ version: 1, rule: r } satisfies RuleInForce) : null;
  };
}

const NEW = { onboardedOn: '2026-03-04' };

describe('conversionsOf', () => {
  it('finds NEW_TO_BANK as the first product and the first event of each product class', () => {
    const events = [
      ev('e3', 'CARD_ACTIVATED', '2026-03-10T02:00:00Z', { programId: 'card1' }),
      ev('e1', 'ACCOUNT_OPENED', '2026-03-04T02:00:00Z'),
      ev('e2', 'CARD_APPROVED', '2026-03-05T02:00:00Z', { programId: 'card1' }),
      ev('e4', 'CARD_SPEND', '2026-03-11T02:00:00Z', { programId: 'card1' }),
    ];
    expect(conversionsOf(events).map((c) => [c.productKey, c.event.externalId])).toEqual([
      ['NEW_TO_BANK', 'e1'],
      ['ACCOUNT', 'e1'],
      ['CARD:card1', 'e2'],
    ]);
  });
});

describe('attributeCustomer', () => {
  const events = [ev('e1', 'ACCOUNT_OPENED', '2026-03-04T02:00:00Z')];

  it('FIRST_TOUCH credits the earliest touch of a program, LAST_TOUCH the latest', () => {
    const touches = [touch('r1', 'p', '2026-02-10T00:00:00Z'), touch('r2', 'p', '2026-02-20T00:00:00Z')];
    const first = attributeCustomer({ ...NEW, events }, touches, lookup({ p: rule() }));
    expect(first[0]?.winners.map((w) => w.touch.ref)).toEqual(['r1']);
    expect(first[0]?.touches.map((t) => t.outcome)).toEqual(['WON', 'SUPERSEDED']);
    const last = attributeCustomer(
      { ...NEW, events },
      touches,
      lookup({ p: rule({ model: AttributionModel.LAST_TOUCH }) }),
    );
    expect(last[0]?.winners.map((w) => w.touch.ref)).toEqual(['r2']);
  });

  it('precedence: the lowest rank wins across programs and the reason says so', () => {
    const touches = [touch('r1', 'a', '2026-02-20T00:00:00Z'), touch('r2', 'b', '2026-02-15T00:00:00Z')];
    const [d] = attributeCustomer({ ...NEW, events }, touches, lookup({ a: rule(), b: rule({ precedenceRank: 2 }) }));
    expect(d?.winners.map((w) => w.touch.ref)).toEqual(['r1']);
    expect(d?.touches.find((t) => t.touch.ref === 'r2')?.outcome).toBe('LOST');
    expect(d?.reason).toContain('(rank 1) won over');
    expect(d?.reason).toContain('within the 30-day window');
  });

  it('equal ranks: the earliest touch wins', () => {
    const touches = [touch('r1', 'a', '2026-02-20T00:00:00Z'), touch('r2', 'b', '2026-02-15T00:00:00Z')];
    const [d] = attributeCustomer({ ...NEW, events }, touches, lookup({ a: rule(), b: rule() }));
    expect(d?.winners.map((w) => w.touch.ref)).toEqual(['r2']);
  });

  it('split shares summing to 1 credit both; otherwise precedence decides and the reason says so', () => {
    const touches = [touch('r1', 'a', '2026-02-20T00:00:00Z'), touch('r2', 'b', '2026-02-15T00:00:00Z')];
    const [split] = attributeCustomer(
      { ...NEW, events },
      touches,
      lookup({ a: rule({ splitShare: '0.6' }), b: rule({ precedenceRank: 2, splitShare: '0.4' }) }),
    );
    expect(split?.winners.map((w) => [w.touch.ref, w.share])).toEqual([
      ['r1', '0.6'],
      ['r2', '0.4'],
    ]);
    const [fallback] = attributeCustomer(
      { ...NEW, events },
      touches,
      lookup({ a: rule({ splitShare: '0.6' }), b: rule({ precedenceRank: 2, splitShare: '0.5' }) }),
    );
    expect(fallback?.winners.map((w) => [w.touch.ref, w.share])).toEqual([['r1', '1']]);
    expect(fallback?.reason).toContain('not 1, so precedence decided');
  });

  it('out of window, after conversion, no rule', () => {
    const touches = [
      touch('old', 'a', '2026-01-01T00:00:00Z'),
      touch('late', 'a', '2026-03-05T00:00:00Z'),
      touch('norule', 'z', '2026-03-01T00:00:00Z'),
    ];
    const [d] = attributeCustomer({ onboardedOn: '2026-03-04', events }, touches, lookup({ a: rule() }));
    expect(Object.fromEntries(d?.touches.map((t) => [t.touch.ref, t.outcome]) ?? [])).toEqual({
      old: 'OUT_OF_WINDOW',
      late: 'NOT_NEW',
      norule: 'NO_RULE',
    });
    expect(d?.winners).toEqual([]);
  });

  it('NEW_TO_BANK excludes a customer who banked with us before the touch', () => {
    const history = [
      ev('e0', 'ACCOUNT_OPENED', '2025-06-01T02:00:00Z'),
      ev('e1', 'FUND_PURCHASE', '2026-03-04T02:00:00Z'),
    ];
    const touches = [touch('r1', 'a', '2026-03-01T00:00:00Z')];
    const ntb = attributeCustomer({ onboardedOn: '2025-06-01', events: history }, touches, lookup({ a: rule() }));
    expect(ntb.flatMap((d) => d.winners)).toEqual([]);
    // The same customer is credited for the new product under NEW_TO_PRODUCT.
    const ntp = attributeCustomer(
      { onboardedOn: '2025-06-01', events: history },
      touches,
      lookup({ a: rule({ scope: AttributionScope.NEW_TO_PRODUCT }) }),
    );
    expect(ntp.filter((d) => d.winners.length > 0).map((d) => d.productKey)).toEqual(['FUND']);
  });

  it('ANY credits both the first product and product keys', () => {
    const touches = [touch('r1', 'a', '2026-03-01T00:00:00Z')];
    const ds = attributeCustomer({ ...NEW, events }, touches, lookup({ a: rule({ scope: AttributionScope.ANY }) }));
    expect(ds.filter((d) => d.winners.length > 0).map((d) => d.productKey)).toEqual(['NEW_TO_BANK', 'ACCOUNT']);
  });

  it('is the same for any order of the same events and touches (property)', () => {
    const programs = ['a', 'b', 'c'];
    const rules = lookup({
      a: rule({ splitShare: '0.5' }),
      b: rule({ precedenceRank: 2, model: AttributionModel.LAST_TOUCH, splitShare: '0.5' }),
      c: rule({ precedenceRank: 1, scope: AttributionScope.ANY, windowDays: 10 }),
    });
    const types = ['ACCOUNT_OPENED', 'CARD_APPROVED', 'FUND_PURCHASE', 'CARD_SPEND', 'LOAN_DISBURSED'];
    const eventArb = fc.record({
      type: fc.constantFrom(...types),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 1 }),
    });
    const touchArb = fc.record({
      program: fc.constantFrom(...programs),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 1 }),
    });
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 1, maxLength: 8 }),
        fc.array(touchArb, { minLength: 1, maxLength: 6 }),
        fc.integer(),
        (es, ts, seed) => {
          const events = es.map((e, i) =>
            ev(`e${i}`, e.type, `2026-03-${String(e.day).padStart(2, '0')}T0${e.hour}:00:00Z`, { programId: 'card' }),
          );
          const touches = ts.map((t, i) =>
            touch(`t${i}`, t.program, `2026-02-${String(t.day).padStart(2, '0')}T0${t.hour}:00:00Z`),
          );
          const shuffle = <T>(xs: T[]): T[] => {
            const out = [...xs];
            let s = seed;
            for (let i = out.length - 1; i > 0; i--) {
              s = (s * 1103515245 + 12345) & 0x7fffffff;
              const j = s % (i + 1);
              [out[i], out[j]] = [out[j] as T, out[i] as T];
            }
            return out;
          };
          const view = (ds: ReturnType<typeof attributeCustomer>): unknown =>
            ds.map((d) => ({
              key: d.productKey,
              conv: d.conversion.externalId,
              winners: d.winners.map((w) => [w.touch.ref, w.share]),
              touches: d.touches.map((t) => [t.touch.ref, t.outcome]),
              reason: d.reason,
            }));
          const a = attributeCustomer({ onboardedOn: '2026-03-01', events }, touches, rules);
          const b = attributeCustomer({ onboardedOn: '2026-03-01', events: shuffle(events) }, shuffle(touches), rules);
          expect(view(b)).toEqual(view(a));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('qualify', () => {
  const q: QualificationRule = {
    withinDays: 30,
    all: [
      {
        eventType: CustomerEventType.CARD_ACTIVATED,
        measure: QualificationMeasure.COUNT,
        operator: ComparisonOperator.GTE,
        threshold: { kind: 'COUNT', count: 1 },
      },
      {
        eventType: CustomerEventType.CARD_SPEND,
        measure: QualificationMeasure.SUM_AMOUNT,
        operator: ComparisonOperator.GTE,
        threshold: { kind: 'AMOUNT', amount: Money.ofMinor(10000n, 'CNY') },
      },
    ],
  };
  const conv = ev('c', 'CARD_APPROVED', '2026-03-01T02:00:00Z');
  const spend = (id: string, at: string, fen: bigint): EventFact =>
    ev(id, 'CARD_SPEND', at, { amount: fen, currency: 'CNY' });

  it('activation plus ¥100 of spend within 30 days qualifies on the event that completes it', () => {
    const events = [
      conv,
      ev('a', 'CARD_ACTIVATED', '2026-03-02T02:00:00Z'),
      spend('s1', '2026-03-03T02:00:00Z', 6000n),
      spend('s2', '2026-03-05T02:00:00Z', 4000n),
      spend('s3', '2026-03-06T02:00:00Z', 4000n),
    ];
    expect(qualify(q, conv, events, '2026-03-10')).toEqual({
      status: 'QUALIFIED',
      qualifiedAt: new Date('2026-03-05T02:00:00Z'),
      qualifiedOn: '2026-03-05',
      eventExternalIds: ['a', 's1', 's2'],
    });
  });

  it('is PENDING inside the window and NOT_QUALIFIED after it; spend after the window does not count', () => {
    const events = [
      conv,
      ev('a', 'CARD_ACTIVATED', '2026-03-02T02:00:00Z'),
      spend('s1', '2026-04-15T02:00:00Z', 20000n),
    ];
    expect(qualify(q, conv, events, '2026-03-10').status).toBe('PENDING');
    expect(qualify(q, conv, events, '2026-04-20').status).toBe('NOT_QUALIFIED');
    expect(qualify(null, conv, events, '2026-04-20').status).toBe('NO_RULE');
  });
});
