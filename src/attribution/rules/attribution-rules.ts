import Decimal from 'decimal.js';
import { addDays, daysBetween } from '../../common/business-time';
import { AttributionModel, AttributionScope, QualificationMeasure } from '../../programs/program.enums';
import { AttributionRule, QualificationRule } from '../../programs/rules/program-rules';

/** Where a touch came from. OVERRIDE marks a winner a manager set by hand. */
export type TouchSource = 'REFERRAL' | 'CO_BRANDED_CARD' | 'SUPPLY_CHAIN' | 'PAYROLL' | 'OVERRIDE';

export type TouchOutcome =
  'WON' | 'LOST' | 'SUPERSEDED' | 'OUT_OF_WINDOW' | 'AFTER_CONVERSION' | 'NOT_NEW' | 'NO_RULE' | 'OUT_OF_SCOPE';

export const NEW_TO_BANK_KEY = 'NEW_TO_BANK';

/** Product classes and the event types that establish them (the first such event is the conversion). */
const CONVERSION_TYPES: Readonly<Record<string, string>> = {
  ACCOUNT_OPENED: 'ACCOUNT',
  CARD_APPROVED: 'CARD',
  CARD_ACTIVATED: 'CARD',
  FUND_PURCHASE: 'FUND',
  INSURANCE_PREMIUM: 'INSURANCE',
  LOAN_DISBURSED: 'LOAN',
  PAYROLL_CREDIT: 'PAYROLL',
};

export const PRODUCT_CLASSES = ['ACCOUNT', 'CARD', 'FUND', 'INSURANCE', 'LOAN', 'PAYROLL'] as const;

/** One customer event as the engine sees it; `externalId` is the bank's id, stable whatever the arrival order. */
export interface EventFact {
  id: string;
  externalId: string;
  type: string;
  occurredAt: Date;
  businessDate: string;
  programId: string | null;
  employerUscc: string | null;
  amount: bigint | null;
  currency: string | null;
}

export interface Touch {
  /** Stable across re-runs and arrival orders: referral id, event external id, supply-chain touch id. */
  ref: string;
  source: TouchSource;
  partnerId: string;
  programId: string;
  channelId: string | null;
  referralId: string | null;
  touchedAt: Date;
  touchedOn: string;
  /** Restricts the product keys the touch can compete for (null: any). */
  productHint: string | null;
}

export interface RuleInForce {
  version: number;
  rule: AttributionRule;
}

/** (programId, business date) → the attribution rule version in force, or null. */
export type RuleLookup = (programId: string, onDate: string) => RuleInForce | null;

export interface Conversion {
  productKey: string;
  event: EventFact;
}

export interface JudgedTouch {
  touch: Touch;
  outcome: TouchOutcome;
  rank: number | null;
  ruleVersion: number | null;
  share: string | null;
}

export interface Decision {
  productKey: string;
  conversion: EventFact;
  touches: JudgedTouch[];
  winners: JudgedTouch[];
  reason: string;
  /** The rules that judged the winners (program → version and rule). */
  rules: Record<string, { version: number; rule: AttributionRule }>;
}

function byTimeThenRef(a: { at: Date; ref: string }, b: { at: Date; ref: string }): number {
  return a.at.getTime() - b.at.getTime() || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);
}

/** Events in a canonical order (occurredAt, then external id): arrival order never matters. */
export function canonicalEvents(events: readonly EventFact[]): EventFact[] {
  return [...events].sort((a, b) =>
    byTimeThenRef({ at: a.occurredAt, ref: a.externalId }, { at: b.occurredAt, ref: b.externalId }),
  );
}

export function canonicalTouches(touches: readonly Touch[]): Touch[] {
  return [...touches].sort((a, b) =>
    byTimeThenRef({ at: a.touchedAt, ref: `${a.source}:${a.ref}` }, { at: b.touchedAt, ref: `${b.source}:${b.ref}` }),
  );
}

/** The product key an event establishes (the first such event is the conversion), or null. */
export function productKeyOf(e: Pick<EventFact, 'type' | 'programId'>): string | null {
  const cls = CONVERSION_TYPES[e.type];
  if (!cls) return null;
  return cls === 'CARD' ? `CARD:${e.programId ?? '-'}` : cls;
}

/** The first event establishing each product, plus NEW_TO_BANK = the customer's first-ever product. */
export function conversionsOf(events: readonly EventFact[]): Conversion[] {
  const out = new Map<string, EventFact>();
  let first: EventFact | null = null;
  for (const e of canonicalEvents(events)) {
    const key = productKeyOf(e);
    if (key === null) continue;
    if (first === null) first = e;
    if (!out.has(key)) out.set(key, e);
  }
  const list: Conversion[] = [];
  if (first) list.push({ productKey: NEW_TO_BANK_KEY, event: first });
  for (const [productKey, event] of [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    list.push({ productKey, event });
  return list;
}

export function hintMatches(hint: string | null, productKey: string): boolean {
  if (hint === null || productKey === NEW_TO_BANK_KEY) return true;
  if (hint === productKey) return true;
  return hint === 'CARD' && productKey.startsWith('CARD:');
}

function scopeAllows(scope: AttributionScope, productKey: string): boolean {
  if (scope === AttributionScope.ANY) return true;
  return scope === AttributionScope.NEW_TO_BANK ? productKey === NEW_TO_BANK_KEY : productKey !== NEW_TO_BANK_KEY;
}

function describe(t: Touch): string {
  switch (t.source) {
    case 'REFERRAL':
      return `Referral ${t.ref}${t.channelId ? ` via channel ${t.channelId}` : ''} of program ${t.programId}`;
    case 'CO_BRANDED_CARD':
      return `co-branded card program ${t.programId}`;
    case 'SUPPLY_CHAIN':
      return `supply-chain touch ${t.ref} of program ${t.programId}`;
    case 'PAYROLL':
      return `payroll program ${t.programId}`;
    default:
      return `override for program ${t.programId}`;
  }
}

/**
 * Decides one product key: which touches are eligible under their program's rule in force on the touch
 * date, the model within each program, then split shares or precedence across programs.
 */
export function decide(
  conversion: Conversion,
  touches: readonly Touch[],
  customer: { onboardedOn: string; events: readonly EventFact[] },
  rules: RuleLookup,
): Decision | null {
  const { productKey, event } = conversion;
  const relevant = canonicalTouches(touches).filter((t) => hintMatches(t.productHint, productKey));
  if (relevant.length === 0) return null;
  const convertedOn = event.businessDate;
  const events = canonicalEvents(customer.events);
  const judged: JudgedTouch[] = relevant.map((touch) => {
    const found = rules(touch.programId, touch.touchedOn);
    const base = { touch, rank: found?.rule.precedenceRank ?? null, ruleVersion: found?.version ?? null, share: null };
    if (!found) return { ...base, outcome: 'NO_RULE' };
    const { rule } = found;
    if (!scopeAllows(rule.scope, productKey)) return { ...base, outcome: 'OUT_OF_SCOPE' };
    if (touch.touchedAt.getTime() > event.occurredAt.getTime())
      return {
        ...base,
        outcome: rule.scope === AttributionScope.ANY ? 'AFTER_CONVERSION' : 'NOT_NEW',
      };
    if (rule.scope === AttributionScope.NEW_TO_BANK) {
      const bankedBefore =
        customer.onboardedOn < touch.touchedOn ||
        events.some((e) => e.occurredAt.getTime() < touch.touchedAt.getTime());
      if (bankedBefore) return { ...base, outcome: 'NOT_NEW' };
    }
    if (convertedOn > addDays(touch.touchedOn, rule.windowDays)) return { ...base, outcome: 'OUT_OF_WINDOW' };
    return { ...base, outcome: 'LOST' };
  });

  // Within one program the program's model picks one touch (rule of the program's earliest eligible touch).
  const eligible = judged.filter((j) => j.outcome === 'LOST');
  const perProgram = new Map<string, JudgedTouch[]>();
  for (const j of eligible) {
    const list = perProgram.get(j.touch.programId) ?? [];
    list.push(j);
    perProgram.set(j.touch.programId, list);
  }
  const ruleOf = new Map<string, RuleInForce>();
  const candidates: JudgedTouch[] = [];
  for (const [programId, list] of perProgram) {
    const first = list[0] as JudgedTouch;
    const found = rules(programId, first.touch.touchedOn) as RuleInForce;
    ruleOf.set(programId, found);
    const pick = found.rule.model === AttributionModel.LAST_TOUCH ? (list[list.length - 1] as JudgedTouch) : first;
    for (const j of list) if (j !== pick) j.outcome = 'SUPERSEDED';
    candidates.push(pick);
  }
  candidates.sort(
    (a, b) =>
      (a.rank ?? 0) - (b.rank ?? 0) ||
      byTimeThenRef(
        { at: a.touch.touchedAt, ref: `${a.touch.source}:${a.touch.ref}` },
        { at: b.touch.touchedAt, ref: `${b.touch.source}:${b.touch.ref}` },
      ),
  );

  let winners: JudgedTouch[] = [];
  let how = '';
  const allSplit =
    candidates.length > 1 && candidates.every((c) => ruleOf.get(c.touch.programId)?.rule.splitShare != null);
  if (allSplit) {
    const sum = candidates.reduce(
      (s, c) => s.plus(new Decimal(ruleOf.get(c.touch.programId)?.rule.splitShare ?? '0')),
      new Decimal(0),
    );
    if (sum.equals(1)) {
      winners = candidates;
      for (const w of winners) w.share = new Decimal(ruleOf.get(w.touch.programId)?.rule.splitShare ?? '0').toString();
      how = `split ${winners.map((w) => `${describe(w.touch)} ${w.share ?? ''}`).join(', ')}`;
    } else {
      how = `split shares sum to ${sum.toString()}, not 1, so precedence decided: `;
    }
  }
  if (winners.length === 0 && candidates.length > 0) {
    const top = candidates[0] as JudgedTouch;
    top.share = '1';
    winners = [top];
    const losers = candidates.slice(1);
    how += `${describe(top.touch)} (rank ${top.rank ?? '-'}) won${
      losers.length ? ` over ${losers.map((l) => `${describe(l.touch)} (rank ${l.rank ?? '-'})`).join(', ')}` : ''
    }`;
  }
  for (const w of winners) w.outcome = 'WON';

  let reason: string;
  if (winners.length === 0) {
    const counts = new Map<string, number>();
    for (const j of judged) counts.set(j.outcome, (counts.get(j.outcome) ?? 0) + 1);
    reason = `No touch qualified for ${productKey} converted ${convertedOn}: ${[...counts.entries()]
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}`;
  } else {
    const w0 = ruleOf.get((winners[0] as JudgedTouch).touch.programId) as RuleInForce;
    const days = daysBetween((winners[0] as JudgedTouch).touch.touchedOn, convertedOn);
    reason = `${how}; converted ${convertedOn} ${days} day(s) after the touch, within the ${w0.rule.windowDays}-day window; ${productKey}`;
  }
  const usedRules: Decision['rules'] = {};
  for (const w of winners) {
    const r = ruleOf.get(w.touch.programId);
    if (r) usedRules[w.touch.programId] = { version: r.version, rule: r.rule };
  }
  return { productKey, conversion: event, touches: judged, winners, reason, rules: usedRules };
}

/** Every decision for one customer, product keys in a fixed order. */
export function attributeCustomer(
  customer: { onboardedOn: string; events: readonly EventFact[] },
  touches: readonly Touch[],
  rules: RuleLookup,
): Decision[] {
  const out: Decision[] = [];
  for (const conversion of conversionsOf(customer.events)) {
    const d = decide(conversion, touches, customer, rules);
    if (d) out.push(d);
  }
  return out;
}

export interface QualificationResult {
  status: 'QUALIFIED' | 'PENDING' | 'NOT_QUALIFIED' | 'NO_RULE';
  qualifiedAt: Date | null;
  qualifiedOn: string | null;
  /** External ids of the events that satisfied the rule (up to the moment it was met). */
  eventExternalIds: string[];
}

/**
 * Walks the customer's events from the conversion to `withinDays` after it; QUALIFIED at the first event
 * after which every condition holds. PENDING while the window is open, NOT_QUALIFIED once it passed.
 */
export function qualify(
  rule: QualificationRule | null,
  conversion: EventFact,
  events: readonly EventFact[],
  today: string,
): QualificationResult {
  if (!rule) return { status: 'NO_RULE', qualifiedAt: null, qualifiedOn: null, eventExternalIds: [] };
  const lastDay = addDays(conversion.businessDate, rule.withinDays);
  const counts = rule.all.map(() => 0);
  const sums = rule.all.map(() => 0n);
  const used: string[] = [];
  const met = (): boolean =>
    rule.all.every((c, i) =>
      c.threshold.kind === 'COUNT'
        ? (counts[i] ?? 0) >= c.threshold.count
        : (sums[i] ?? 0n) >= c.threshold.amount.minor,
    );
  for (const e of canonicalEvents(events)) {
    if (e.occurredAt.getTime() < conversion.occurredAt.getTime()) continue;
    if (e.businessDate > lastDay) break;
    let counted = false;
    rule.all.forEach((c, i) => {
      if ((c.eventType as string) !== e.type) return;
      if (c.measure === QualificationMeasure.COUNT) {
        counts[i] = (counts[i] ?? 0) + 1;
        counted = true;
      } else if (c.threshold.kind === 'AMOUNT' && e.amount !== null && e.currency === c.threshold.amount.currency) {
        sums[i] = (sums[i] ?? 0n) + e.amount;
        counted = true;
      }
    });
    if (counted) used.push(e.externalId);
    if (counted && met())
      return { status: 'QUALIFIED', qualifiedAt: e.occurredAt, qualifiedOn: e.businessDate, eventExternalIds: used };
  }
  return {
    status: today > lastDay ? 'NOT_QUALIFIED' : 'PENDING',
    qualifiedAt: null,
    qualifiedOn: null,
    eventExternalIds: [],
  };
}
