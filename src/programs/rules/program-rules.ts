import { badInput } from '../../common/domain-error';
import { isValidBusinessDate } from '../../common/business-time';
import { Money } from '../../common/money';
import { parseRate } from '../../common/rate';
import { CUSTOMER_EVENT_TYPES, CustomerEventType } from '../customer-event-type';
import { AttributionModel, AttributionScope, ComparisonOperator, QualificationMeasure } from '../program.enums';

/** Who gets the credit for a customer, and for how long after a touch. */
export interface AttributionRule {
  windowDays: number;
  model: AttributionModel;
  scope: AttributionScope;
  /** 1 = highest precedence among competing sources. */
  precedenceRank: number;
  /** Optional share (0–1) when competing programs split the credit. */
  splitShare: string | null;
}

export type QualificationThreshold = { kind: 'COUNT'; count: number } | { kind: 'AMOUNT'; amount: Money };

export interface QualificationCondition {
  eventType: CustomerEventType;
  measure: QualificationMeasure;
  operator: ComparisonOperator;
  threshold: QualificationThreshold;
}

/** All conditions must hold on the customer's events within `withinDays` of conversion. */
export interface QualificationRule {
  withinDays: number;
  all: QualificationCondition[];
}

/** One stored version of a rule set. */
export interface RuleVersion<T> {
  version: number;
  effectiveFrom: string;
  rule: T;
}

export const MAX_WINDOW_DAYS = 3650;
export const MAX_PRECEDENCE_RANK = 1000;
export const MAX_CONDITIONS = 20;
export const MAX_COUNT_THRESHOLD = 1_000_000;

type Json = Record<string, unknown>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function intIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw badInput(field, 'NOT_AN_INTEGER');
  if (value < min || value > max) throw badInput(field, 'OUT_OF_RANGE');
  return value;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[], reason: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw badInput(field, reason);
  return value as T;
}

/**
 * Validates an attribution rule given as plain data (GraphQL input or stored JSON) into its typed form.
 * Field names in errors are relative to the rule (`windowDays`, `splitShare`…), prefixed by `prefix`.
 */
export function parseAttributionRule(raw: unknown, prefix = ''): AttributionRule {
  const f = (name: string): string => (prefix ? `${prefix}.${name}` : name);
  if (!isObject(raw)) throw badInput(prefix || 'rule', 'INVALID_RULE');
  const splitRaw = raw.splitShare;
  let splitShare: string | null = null;
  if (splitRaw !== undefined && splitRaw !== null) {
    if (typeof splitRaw !== 'string') throw badInput(f('splitShare'), 'INVALID_RATE');
    splitShare = parseRate(splitRaw, f('splitShare'), { min: '0', max: '1' });
    if (splitShare === '0') throw badInput(f('splitShare'), 'OUT_OF_RANGE');
  }
  return {
    windowDays: intIn(raw.windowDays, f('windowDays'), 1, MAX_WINDOW_DAYS),
    model: oneOf(raw.model, f('model'), Object.values(AttributionModel), 'UNKNOWN_MODEL'),
    scope: oneOf(raw.scope, f('scope'), Object.values(AttributionScope), 'UNKNOWN_SCOPE'),
    precedenceRank: intIn(raw.precedenceRank, f('precedenceRank'), 1, MAX_PRECEDENCE_RANK),
    splitShare,
  };
}

function parseCondition(raw: unknown, field: string): QualificationCondition {
  if (!isObject(raw)) throw badInput(field, 'INVALID_CONDITION');
  const eventType = oneOf(raw.eventType, `${field}.eventType`, CUSTOMER_EVENT_TYPES, 'UNKNOWN_EVENT_TYPE');
  const measure = oneOf(raw.measure, `${field}.measure`, Object.values(QualificationMeasure), 'UNKNOWN_MEASURE');
  const operator = oneOf(
    raw.operator ?? ComparisonOperator.GTE,
    `${field}.operator`,
    Object.values(ComparisonOperator),
    'UNKNOWN_OPERATOR',
  );
  let threshold: QualificationThreshold;
  if (measure === QualificationMeasure.COUNT) {
    if (raw.amount !== undefined && raw.amount !== null) throw badInput(`${field}.amount`, 'NOT_ALLOWED_FOR_COUNT');
    if (raw.count === undefined || raw.count === null) throw badInput(`${field}.count`, 'REQUIRED');
    threshold = { kind: 'COUNT', count: intIn(raw.count, `${field}.count`, 1, MAX_COUNT_THRESHOLD) };
  } else {
    if (raw.count !== undefined && raw.count !== null) throw badInput(`${field}.count`, 'NOT_ALLOWED_FOR_SUM_AMOUNT');
    const amount = raw.amount;
    if (!isObject(amount)) throw badInput(`${field}.amount`, 'REQUIRED');
    if (typeof amount.currency !== 'string') throw badInput(`${field}.amount.currency`, 'REQUIRED');
    let money: Money;
    if (typeof amount.minor === 'string') money = Money.ofMinor(amount.minor, amount.currency);
    else if (typeof amount.amount === 'string')
      money = Money.parse(amount.amount, amount.currency, `${field}.amount.amount`);
    else throw badInput(`${field}.amount`, 'REQUIRED');
    if (money.isNegative()) throw badInput(`${field}.amount.amount`, 'NEGATIVE_AMOUNT');
    threshold = { kind: 'AMOUNT', amount: money };
  }
  return { eventType, measure, operator, threshold };
}

/** Validates a qualification rule (GraphQL input or stored JSON) into its typed form. */
export function parseQualificationRule(raw: unknown, prefix = ''): QualificationRule {
  const f = (name: string): string => (prefix ? `${prefix}.${name}` : name);
  if (!isObject(raw)) throw badInput(prefix || 'rule', 'INVALID_RULE');
  const withinDays = intIn(raw.withinDays, f('withinDays'), 1, MAX_WINDOW_DAYS);
  if (!Array.isArray(raw.all) || raw.all.length === 0) throw badInput(f('all'), 'AT_LEAST_ONE_CONDITION');
  if (raw.all.length > MAX_CONDITIONS) throw badInput(f('all'), 'TOO_MANY_CONDITIONS');
  const all = raw.all.map((c: unknown, i) => parseCondition(c, `${f('all')}.${i}`));
  const seen = new Set<string>();
  all.forEach((c, i) => {
    const key = `${c.eventType}/${c.measure}`;
    if (seen.has(key)) throw badInput(`${f('all')}.${i}`, 'DUPLICATE_CONDITION');
    seen.add(key);
  });
  return { withinDays, all };
}

/** The JSON stored in program_rule_versions.body: money as minor-unit strings, never floats. */
export function attributionRuleToJson(rule: AttributionRule): JsonObject {
  return { ...rule };
}

export function qualificationRuleToJson(rule: QualificationRule): JsonObject {
  return {
    withinDays: rule.withinDays,
    all: rule.all.map((c) => ({
      eventType: c.eventType,
      measure: c.measure,
      operator: c.operator,
      ...(c.threshold.kind === 'COUNT'
        ? { count: c.threshold.count }
        : { amount: { minor: c.threshold.amount.minor.toString(), currency: c.threshold.amount.currency } }),
    })),
  };
}

/**
 * The version in force on `onDate` (YYYY-MM-DD): the latest effectiveFrom not after the date; among versions
 * with the same effectiveFrom, the highest version number wins. Null when none is in force yet.
 */
export function effectiveRule<T extends { version: number; effectiveFrom: string }>(
  versions: readonly T[],
  onDate: string,
): T | null {
  if (!isValidBusinessDate(onDate)) throw badInput('onDate', 'INVALID_DATE');
  let best: T | null = null;
  for (const v of versions) {
    if (v.effectiveFrom > onDate) continue;
    if (
      best === null ||
      v.effectiveFrom > best.effectiveFrom ||
      (v.effectiveFrom === best.effectiveFrom && v.version > best.version)
    )
      best = v;
  }
  return best;
}
