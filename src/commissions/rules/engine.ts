import { addDays, daysBetween, isValidBusinessDate } from '../../common/business-time';
import { badInput } from '../../common/domain-error';
import { Money, RoundingMode, splitByLargestRemainder } from '../../common/money';
import { D, Dec, ROUNDING_WORDS, formatExact, pct, roundMinor, tierLabel, tierValue } from './format';
import {
  CalculationInput,
  CalculationResult,
  ClawbackFact,
  CommissionLine,
  CommissionRule,
  PlanVersion,
  PlanVersionResolver,
  QualifyingFact,
  RuleTotal,
  Tier,
} from './types';
import { assertValidPlanVersion } from './validate';

type TieredBasis = Extract<CommissionRule['basis'], { kind: 'TIERED' }>;

/** A line being built: amount in minor units of the rule's currency, explanation notes in order. */
interface Draft {
  fact: QualifyingFact;
  amount: bigint;
  basisAmount: Money | null;
  rateOrTier: string;
  notes: string[];
}

interface Group {
  version: PlanVersion;
  rule: CommissionRule;
  facts: QualifyingFact[];
}

/** Running totals per rule id, carried across the groups of one calculation. */
interface CapState {
  customer: Map<string, bigint>;
  period: Map<string, bigint>;
  lifetime: Map<string, bigint>;
}

const PERIOD_KEY_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Canonical order of facts: business date, then instant, then source id. */
export function compareFacts(a: QualifyingFact, b: QualifyingFact): number {
  if (a.businessDate !== b.businessDate) return a.businessDate < b.businessDate ? -1 : 1;
  const ta = a.occurredAt.getTime();
  const tb = b.occurredAt.getTime();
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0;
}

/**
 * The version in force on a date: the greatest effectiveFrom ≤ date (a later
 * version number wins a tie, so a back-dated amendment replaces its predecessor).
 */
export function planVersionResolver(versions: readonly PlanVersion[]): PlanVersionResolver {
  const sorted = [...versions].sort((a, b) =>
    a.effectiveFrom !== b.effectiveFrom ? (a.effectiveFrom < b.effectiveFrom ? 1 : -1) : b.version - a.version,
  );
  return (date) => sorted.find((v) => v.effectiveFrom <= date);
}

export function idempotencyKeyOf(planId: string, ruleId: string, sourceId: string, planVersion: number): string {
  return `${planId}|${ruleId}|${sourceId}|v${planVersion}`;
}

function validateInput(input: CalculationInput): void {
  const { period, asOf } = input;
  if (!PERIOD_KEY_RE.test(period.key)) throw badInput('period.key', 'INVALID_PERIOD');
  if (!isValidBusinessDate(period.from)) throw badInput('period.from', 'INVALID_DATE');
  if (!isValidBusinessDate(period.to)) throw badInput('period.to', 'INVALID_DATE');
  if (period.from > period.to) throw badInput('period.to', 'BEFORE_FROM');
  if (!isValidBusinessDate(asOf)) throw badInput('asOf', 'INVALID_DATE');
  const seen = new Set<string>();
  const validDates = new Set<string>();
  input.facts.forEach((f, i) => {
    const at = `facts[${i}]`;
    if (typeof f.sourceId !== 'string' || f.sourceId === '') throw badInput(`${at}.sourceId`, 'REQUIRED');
    if (seen.has(f.sourceId)) throw badInput(`${at}.sourceId`, 'DUPLICATE_SOURCE');
    seen.add(f.sourceId);
    if (f.kind !== 'EVENT' && f.kind !== 'REFERRAL_QUALIFIED') throw badInput(`${at}.kind`, 'INVALID_KIND');
    if (f.kind === 'EVENT' && !f.eventType) throw badInput(`${at}.eventType`, 'REQUIRED');
    if (!validDates.has(f.businessDate)) {
      if (!isValidBusinessDate(f.businessDate)) throw badInput(`${at}.businessDate`, 'INVALID_DATE');
      validDates.add(f.businessDate);
    }
    if (!(f.occurredAt instanceof Date) || Number.isNaN(f.occurredAt.getTime())) {
      throw badInput(`${at}.occurredAt`, 'INVALID_DATE');
    }
    if (f.amount?.isNegative()) throw badInput(`${at}.amount`, 'NEGATIVE_AMOUNT');
    for (const k of ['customerId', 'partnerId', 'programId'] as const) {
      if (typeof f[k] !== 'string' || f[k] === '') throw badInput(`${at}.${k}`, 'REQUIRED');
    }
  });
  (input.clawbackFacts ?? []).forEach((c, i) => {
    if (!isValidBusinessDate(c.businessDate)) throw badInput(`clawbackFacts[${i}].businessDate`, 'INVALID_DATE');
  });
}

function needsAmount(rule: CommissionRule): boolean {
  const b = rule.basis;
  switch (b.kind) {
    case 'PERCENT_OF_AMOUNT':
    case 'PERCENT_OF_INTERCHANGE':
      return true;
    case 'TIERED':
      return b.measure === 'AMOUNT' || b.tiers.some((t) => t.rate !== undefined);
    default:
      return false;
  }
}

function inList(list: readonly string[] | undefined, value: string | undefined): boolean {
  return list === undefined || (value !== undefined && list.includes(value));
}

/** Does the fact trigger the rule and meet its conditions? Amounts in another currency never qualify. */
export function factMatchesRule(rule: CommissionRule, fact: QualifyingFact): boolean {
  const t = rule.trigger;
  if (t.kind === 'EVENT') {
    if (fact.kind !== 'EVENT' || fact.eventType !== t.eventType) return false;
  } else if (fact.kind !== 'REFERRAL_QUALIFIED') {
    return false;
  }
  const c = rule.conditions;
  if (c) {
    if (!inList(c.productCodes, fact.productCode)) return false;
    if (!inList(c.cardLevels, fact.cardLevel)) return false;
    if (!inList(c.merchantCategories, fact.merchantCategory)) return false;
    if (c.minAmount) {
      const a = fact.amount;
      if (!a || a.currency !== c.minAmount.currency || a.minor < c.minAmount.minor) return false;
    }
  }
  if (needsAmount(rule) && (!fact.amount || fact.amount.currency !== rule.currency)) return false;
  return true;
}

function describeFact(f: QualifyingFact): string {
  return f.kind === 'EVENT'
    ? `${f.eventType ?? 'event'} on ${f.businessDate}`
    : `referral qualified on ${f.businessDate}`;
}

/** "= ¥0.0625, rounded half-up to ¥0.06" or "= ¥4,000.00" when exact. */
function resultText(exact: Dec, rounded: Money, mode: RoundingMode): string {
  const e = formatExact(exact, rounded.currency);
  return exact.isInteger() ? `= ${e}` : `= ${e}, ${ROUNDING_WORDS[mode]} to ${rounded.format()}`;
}

function draftsForSimpleBasis(rule: CommissionRule, facts: readonly QualifyingFact[], mode: RoundingMode): Draft[] {
  const b = rule.basis;
  // The flat amount's text is the same on every line of the group: formatted once.
  const flat = b.kind === 'FLAT_PER_EVENT' || b.kind === 'FLAT_PER_CUSTOMER' ? b.amount.format() : '';
  return facts.map((fact): Draft => {
    const what = describeFact(fact);
    switch (b.kind) {
      case 'FLAT_PER_EVENT':
        return {
          fact,
          amount: b.amount.minor,
          basisAmount: fact.amount ?? null,
          rateOrTier: `${flat} per event`,
          notes: [`${what}: flat ${flat} per event = ${flat}`],
        };
      case 'FLAT_PER_CUSTOMER':
        return {
          fact,
          amount: b.amount.minor,
          basisAmount: fact.amount ?? null,
          rateOrTier: `${flat} per customer`,
          notes: [`first qualifying ${what} of the customer: flat ${flat} per customer, paid once`],
        };
      case 'PERCENT_OF_AMOUNT': {
        const amount = fact.amount as Money;
        const exact = new D(amount.minor.toString()).times(b.rate);
        const rounded = roundMinor(exact, mode, rule.currency);
        return {
          fact,
          amount: rounded.minor,
          basisAmount: amount,
          rateOrTier: pct(b.rate),
          notes: [`${what}: ${pct(b.rate)} × ${amount.format()} ${resultText(exact, rounded, mode)}`],
        };
      }
      case 'PERCENT_OF_INTERCHANGE': {
        const amount = fact.amount as Money;
        const interchange = new D(amount.minor.toString()).times(b.interchangeRate);
        const exact = interchange.times(b.rate);
        const rounded = roundMinor(exact, mode, rule.currency);
        return {
          fact,
          amount: rounded.minor,
          basisAmount: amount,
          rateOrTier: `${pct(b.rate)} of interchange at ${pct(b.interchangeRate)}`,
          notes: [
            `${what}: interchange ${pct(b.interchangeRate)} × ${amount.format()} = ${formatExact(interchange, rule.currency)}; ` +
              `partner share ${pct(b.rate)} ${resultText(exact, rounded, mode)}`,
          ],
        };
      }
      case 'TIERED':
        throw new Error('TIERED is computed per group');
    }
  });
}

function tierIndexFor(tiers: readonly Tier[], measure: bigint): number {
  // Tiers are contiguous from 0 and the last is open (validated), so a match always exists for measure ≥ 1.
  const i = tiers.findIndex((t) => measure > t.from && (t.to === null || measure <= t.to));
  return i < 0 ? 0 : i;
}

/** Exact values → bigint weights in the same proportion (scaled by 10^maxDecimals). */
function weightsOf(values: readonly Dec[]): bigint[] {
  const dp = values.reduce((m, v) => Math.max(m, v.decimalPlaces()), 0);
  const scale = new D(10).pow(dp);
  return values.map((v) => BigInt(v.times(scale).toFixed(0)));
}

function draftsForTiered(
  rule: CommissionRule,
  b: TieredBasis,
  facts: readonly QualifyingFact[],
  mode: RoundingMode,
): Draft[] {
  const cur = rule.currency;
  const unit = b.unitLabel ?? (rule.trigger.kind === 'EVENT' ? 'events' : 'qualified referrals');
  const label = (i: number): string => {
    const t = b.tiers[i] as Tier;
    return tierLabel(t, i, b.measure, cur, unit);
  };
  const qty = (f: QualifyingFact): bigint => (b.measure === 'COUNT' ? 1n : (f.amount as Money).minor);
  const valueOf = (t: Tier, f: QualifyingFact, units: bigint): Dec =>
    t.amountPerUnit
      ? new D(t.amountPerUnit.minor.toString()).times(units.toString())
      : new D((b.measure === 'COUNT' ? (f.amount as Money).minor : units).toString()).times(t.rate ?? '0');

  const contributions: Dec[] = [];
  const rateOrTier: string[] = [];
  const lineNotes: string[] = [];
  let summary: string;

  if (b.mode === 'GRADUATED') {
    let cumulative = 0n;
    const perTier = b.tiers.map(() => ({ units: 0n, value: new D(0) }));
    for (const f of facts) {
      const q = qty(f);
      const start = cumulative;
      cumulative += q;
      if (b.measure === 'COUNT') {
        const i = tierIndexFor(b.tiers, cumulative);
        const t = b.tiers[i] as Tier;
        const v = valueOf(t, f, 1n);
        contributions.push(v);
        const slot = perTier[i];
        if (slot) {
          slot.units += 1n;
          slot.value = slot.value.plus(v);
        }
        rateOrTier.push(`${label(i)} ${tierValue(t)}`);
        const base = t.amountPerUnit ? '' : ` of ${(f.amount as Money).format()}`;
        lineNotes.push(
          `${describeFact(f)} is no. ${cumulative} of the period: ${label(i)} ${tierValue(t)}${base} = ${formatExact(v, cur)}`,
        );
      } else {
        // The fact covers the measure range (start, cumulative]; each part at its tier's rate.
        let v = new D(0);
        const parts: string[] = [];
        let firstTier = -1;
        b.tiers.forEach((t, i) => {
          const lo = start > t.from ? start : t.from;
          const hi = t.to === null || cumulative < t.to ? cumulative : t.to;
          if (hi <= lo) return;
          if (firstTier < 0) firstTier = i;
          const pv = valueOf(t, f, hi - lo);
          v = v.plus(pv);
          const slot = perTier[i];
          if (slot) {
            slot.units += hi - lo;
            slot.value = slot.value.plus(pv);
          }
          parts.push(`${Money.ofMinor(hi - lo, cur).format()} in ${label(i)} ${tierValue(t)}`);
        });
        contributions.push(v);
        rateOrTier.push(parts.length === 0 ? label(0) : parts.map((p) => p.slice(p.indexOf(' in ') + 4)).join(' + '));
        lineNotes.push(
          `${describeFact(f)} ${(f.amount as Money).format()} (period running total ` +
            `${Money.ofMinor(start, cur).format()}–${Money.ofMinor(cumulative, cur).format()}): ` +
            `${parts.length === 0 ? 'nothing' : parts.join(' + ')} = ${formatExact(v, cur)}`,
        );
      }
    }
    const used = perTier
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => s.units > 0n)
      .map(({ s, i }) => {
        const u = b.measure === 'COUNT' ? `${s.units} ${unit}` : Money.ofMinor(s.units, cur).format();
        return `${label(i)} ${u} ${tierValue(b.tiers[i] as Tier)} = ${formatExact(s.value, cur)}`;
      });
    summary = `period graduated: ${used.join(' + ')}`;
  } else {
    const total = facts.reduce((s, f) => s + qty(f), 0n);
    const i = tierIndexFor(b.tiers, total);
    const t = b.tiers[i] as Tier;
    for (const f of facts) {
      contributions.push(valueOf(t, f, qty(f)));
      rateOrTier.push(`${label(i)} ${tierValue(t)}`);
      lineNotes.push(
        b.measure === 'COUNT'
          ? `${describeFact(f)}${t.amountPerUnit ? '' : ` ${(f.amount as Money).format()}`}`
          : `${describeFact(f)} ${(f.amount as Money).format()}`,
      );
    }
    const reached = b.measure === 'COUNT' ? `${total} ${unit}` : Money.ofMinor(total, cur).format();
    const amountSum = (): bigint => facts.reduce((s, f) => s + (f.amount as Money).minor, 0n);
    const base = t.amountPerUnit ? `${total}` : Money.ofMinor(amountSum(), cur).format();
    summary = `period volume ${reached} reached ${label(i)}: ${base} ${tierValue(t)}`;
  }

  const exactTotal = contributions.reduce((s, v) => s.plus(v), new D(0));
  const total = roundMinor(exactTotal, mode, cur);
  const shares = splitByLargestRemainder(total.minor, weightsOf(contributions));
  const totalText = `${summary} ${resultText(exactTotal, total, mode)}`;
  return facts.map((fact, k): Draft => {
    const share = shares[k] ?? 0n;
    const own = contributions[k] ?? new D(0);
    const notes = [lineNotes[k] ?? describeFact(fact), totalText];
    if (!own.equals(share.toString())) {
      notes.push(`this line's share by largest remainder ${Money.ofMinor(share, cur).format()}`);
    }
    return { fact, amount: share, basisAmount: fact.amount ?? null, rateOrTier: rateOrTier[k] ?? '', notes };
  });
}

/** Re-splits `headroom` over the drafts in proportion to their amounts when they exceed it. */
function capGroup(
  drafts: readonly Draft[],
  cap: Money,
  prior: bigint,
  what: string,
  scopeWord: string,
  cur: string,
): bigint {
  const sum = drafts.reduce((s, d) => s + d.amount, 0n);
  const headroomRaw = cap.minor - prior;
  const headroom = headroomRaw > 0n ? headroomRaw : 0n;
  if (sum <= headroom) return sum;
  const parts = splitByLargestRemainder(
    headroom,
    drafts.map((d) => d.amount),
  );
  const m = (v: bigint): string => Money.ofMinor(v, cur).format();
  const earlier = prior > 0n ? `${m(prior)} earlier, ` : '';
  drafts.forEach((d, i) => {
    const next = parts[i] ?? 0n;
    d.notes.push(
      `capped at ${cap.format()} ${what} (${earlier}${scopeWord} ${m(sum)} → ${m(headroom)}): this line ${m(next)}`,
    );
    d.amount = next;
  });
  return headroom;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function applyCaps(rule: CommissionRule, drafts: Draft[], state: CapState): void {
  const cur = rule.currency;
  const caps = rule.caps ?? {};
  if (caps.perLine) {
    const cap = caps.perLine;
    for (const d of drafts) {
      if (d.amount > cap.minor) {
        d.notes.push(`capped at ${cap.format()} per line (was ${Money.ofMinor(d.amount, cur).format()})`);
        d.amount = cap.minor;
      }
    }
  }
  for (const [customerId, list] of groupBy(drafts, (d) => d.fact.customerId)) {
    const key = `${rule.id}|${customerId}`;
    const prior = state.customer.get(key) ?? 0n;
    const after = caps.perCustomer
      ? capGroup(list, caps.perCustomer, prior, 'per customer', 'this period', cur)
      : list.reduce((s, d) => s + d.amount, 0n);
    state.customer.set(key, prior + after);
  }
  {
    const prior = state.period.get(rule.id) ?? 0n;
    const after = caps.perPeriod
      ? capGroup(drafts, caps.perPeriod, prior, 'per period', 'rule total', cur)
      : drafts.reduce((s, d) => s + d.amount, 0n);
    state.period.set(rule.id, prior + after);
  }
  for (const [programId, list] of groupBy(drafts, (d) => d.fact.programId)) {
    const key = `${rule.id}|${programId}`;
    const prior = state.lifetime.get(key) ?? 0n;
    const after = caps.perProgramLifetime
      ? capGroup(list, caps.perProgramLifetime, prior, 'program lifetime', 'this period', cur)
      : list.reduce((s, d) => s + d.amount, 0n);
    state.lifetime.set(key, prior + after);
  }
}

function sumPrior<E extends { ruleId: string; amount: Money }>(
  entries: readonly E[],
  keyOf: (e: E) => string,
  field: string,
): Map<string, { minor: bigint; currency: string }> {
  const out = new Map<string, { minor: bigint; currency: string }>();
  for (const e of entries) {
    const k = keyOf(e);
    const cur = out.get(k);
    if (cur && cur.currency !== e.amount.currency) throw badInput(field, 'CURRENCY_MISMATCH');
    out.set(k, { minor: (cur?.minor ?? 0n) + e.amount.minor, currency: e.amount.currency });
  }
  return out;
}

function findClawback(
  rule: CommissionRule,
  fact: QualifyingFact,
  byCustomer: Map<string, ClawbackFact[]>,
): { fact: ClawbackFact; days: number } | undefined {
  const policy = rule.clawback;
  if (!policy) return undefined;
  for (const c of byCustomer.get(fact.customerId) ?? []) {
    if (!(policy.onEventTypes as readonly string[]).includes(c.eventType)) continue;
    const days = daysBetween(fact.businessDate, c.businessDate);
    if (days >= 0 && days <= policy.withinDays) return { fact: c, days };
  }
  return undefined;
}

function compareLines(a: CommissionLine, b: CommissionLine, factOf: Map<string, QualifyingFact>): number {
  const fa = factOf.get(a.sourceIds[0] ?? '');
  const fb = factOf.get(b.sourceIds[0] ?? '');
  if (fa && fb && fa !== fb) return compareFacts(fa, fb);
  const ka = `${a.planId}\u0000${a.ruleId}\u0000${String(a.planVersion).padStart(10, '0')}\u0000${a.kind}`;
  const kb = `${b.planId}\u0000${b.ruleId}\u0000${String(b.planVersion).padStart(10, '0')}\u0000${b.kind}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Turns one period's qualifying facts into commission lines under the plan
 * version in force on each fact's business date. Pure and deterministic:
 * facts are put in canonical order first, so any input order gives the same
 * result. Per rule (and plan version): lines per fact, tiers over the
 * period with the total split back by largest remainder, then caps in the
 * order line → customer → period → program lifetime (each excess re-split
 * by largest remainder), holding, and clawback lines. Simulation of a draft
 * is this same function with `planVersionAt: () => draft`.
 */
export function calculate(input: CalculationInput): CalculationResult {
  validateInput(input);
  const { period, asOf } = input;
  const facts = input.facts
    .filter((f) => f.businessDate >= period.from && f.businessDate <= period.to)
    .sort(compareFacts);

  const validated = new Set<PlanVersion>();
  const versionAt = new Map<string, PlanVersion | undefined>();
  const resolve = (date: string): PlanVersion | undefined => {
    if (!versionAt.has(date)) {
      const v = input.planVersionAt(date);
      if (v && !validated.has(v)) {
        assertValidPlanVersion(v);
        validated.add(v);
      }
      versionAt.set(date, v);
    }
    return versionAt.get(date);
  };

  const priorCustomer = sumPrior(
    input.priorCustomerTotals ?? [],
    (e) => `${e.ruleId}|${e.customerId}`,
    'priorCustomerTotals',
  );
  const priorLifetime = sumPrior(
    input.priorLifetimeTotals ?? [],
    (e) => `${e.ruleId}|${e.programId}`,
    'priorLifetimeTotals',
  );

  // 1. Match facts to rules in canonical order (FLAT_PER_CUSTOMER: first fact per customer wins).
  const groups = new Map<string, Group>();
  const paidCustomers = new Set<string>(priorCustomer.keys());
  for (const fact of facts) {
    const version = resolve(fact.businessDate);
    if (!version) continue;
    for (const rule of version.rules) {
      if (!factMatchesRule(rule, fact)) continue;
      if (rule.basis.kind === 'FLAT_PER_CUSTOMER') {
        const paidKey = `${rule.id}|${fact.customerId}`;
        if (paidCustomers.has(paidKey)) continue;
        paidCustomers.add(paidKey);
      }
      const gk = `${version.planId}\u0000${String(version.version).padStart(10, '0')}\u0000${rule.id}`;
      const g = groups.get(gk);
      if (g) g.facts.push(fact);
      else groups.set(gk, { version, rule, facts: [fact] });
    }
  }

  // 2. Basis, tiers and caps per group, in a fixed group order.
  const state: CapState = { customer: new Map(), period: new Map(), lifetime: new Map() };
  for (const [k, v] of priorCustomer) {
    state.customer.set(k, v.minor);
  }
  for (const [k, v] of priorLifetime) {
    state.lifetime.set(k, v.minor);
  }
  const currencyOfPrior = new Map<string, string>();
  for (const [k, v] of [...priorCustomer, ...priorLifetime])
    currencyOfPrior.set(k.slice(0, k.indexOf('|')), v.currency);

  const clawbacksByCustomer = groupBy(
    [...(input.clawbackFacts ?? [])].sort((a, b) =>
      a.businessDate !== b.businessDate
        ? a.businessDate < b.businessDate
          ? -1
          : 1
        : a.eventType < b.eventType
          ? -1
          : a.eventType > b.eventType
            ? 1
            : 0,
    ),
    (c) => c.customerId,
  );

  const lines: CommissionLine[] = [];
  const ruleTotals: RuleTotal[] = [];
  for (const gk of [...groups.keys()].sort()) {
    const { version, rule, facts: gFacts } = groups.get(gk) as Group;
    const cur = rule.currency;
    const priorCur = currencyOfPrior.get(rule.id);
    if (priorCur !== undefined && priorCur !== cur) throw badInput('priorTotals', 'CURRENCY_MISMATCH');
    const mode: RoundingMode = rule.rounding ?? 'HALF_UP';
    const drafts =
      rule.basis.kind === 'TIERED'
        ? draftsForTiered(rule, rule.basis, gFacts, mode)
        : draftsForSimpleBasis(rule, gFacts, mode);
    const gross = drafts.reduce((s, d) => s + d.amount, 0n);
    applyCaps(rule, drafts, state);

    let accrued = 0n;
    let clawedBack = 0n;
    let count = 0;
    const payableOnOf = new Map<string, string>();
    for (const d of drafts) {
      const f = d.fact;
      const amount = Money.ofMinor(d.amount, cur);
      let payableOn = payableOnOf.get(f.businessDate);
      if (payableOn === undefined)
        payableOnOf.set(f.businessDate, (payableOn = addDays(f.businessDate, rule.holdingDays)));
      const holding = rule.holdingDays > 0 ? `; held ${rule.holdingDays} days, payable on ${payableOn}` : '';
      const key = idempotencyKeyOf(version.planId, rule.id, f.sourceId, version.version);
      const line: CommissionLine = {
        idempotencyKey: key,
        kind: 'ACCRUAL',
        planId: version.planId,
        planVersion: version.version,
        ruleId: rule.id,
        sourceIds: f.referralId && f.referralId !== f.sourceId ? [f.sourceId, f.referralId] : [f.sourceId],
        customerId: f.customerId,
        partnerId: f.partnerId,
        programId: f.programId,
        periodKey: period.key,
        businessDate: f.businessDate,
        basisAmount: d.basisAmount,
        rateOrTier: d.rateOrTier,
        amount,
        status: asOf >= payableOn ? 'PAYABLE' : 'HELD',
        payableOn,
        feeCategory: rule.feeCategory,
        explanation: `${d.notes.join('; ')}${holding}`,
      };
      lines.push(line);
      accrued += d.amount;
      count++;
      const claw = amount.isPositive() ? findClawback(rule, f, clawbacksByCustomer) : undefined;
      if (claw) {
        lines.push({
          ...line,
          idempotencyKey: `${key}|CLAWBACK`,
          kind: 'CLAWBACK',
          amount: amount.negate(),
          status: 'REVERSED',
          payableOn: claw.fact.businessDate,
          explanation:
            `clawed back: ${claw.fact.eventType} on ${claw.fact.businessDate}, ${claw.days} days after ` +
            `${f.businessDate} (within ${rule.clawback?.withinDays ?? 0} days): ${amount.negate().format()}`,
        });
        clawedBack -= d.amount;
        count++;
      }
    }
    ruleTotals.push({
      planId: version.planId,
      planVersion: version.version,
      ruleId: rule.id,
      gross: Money.ofMinor(gross, cur),
      accrued: Money.ofMinor(accrued, cur),
      clawedBack: Money.ofMinor(clawedBack, cur),
      lineCount: count,
    });
  }

  const factOf = new Map(facts.map((f) => [f.sourceId, f]));
  lines.sort((a, b) => compareLines(a, b, factOf));
  return { periodKey: period.key, lines, ruleTotals, totals: totalsOf(lines) };
}

/** Net of the lines per currency, sorted by currency. */
export function totalsOf(lines: readonly CommissionLine[]): Money[] {
  const sums = new Map<string, bigint>();
  for (const l of lines) sums.set(l.amount.currency, (sums.get(l.amount.currency) ?? 0n) + l.amount.minor);
  return [...sums.keys()].sort().map((c) => Money.ofMinor(sums.get(c) ?? 0n, c));
}

/** What a draft plan would have paid: the same calculation with the draft in force on every date. */
export function simulatePlan(draft: PlanVersion, input: Omit<CalculationInput, 'planVersionAt'>): CalculationResult {
  return calculate({ ...input, planVersionAt: () => draft });
}
