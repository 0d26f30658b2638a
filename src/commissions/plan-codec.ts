import { badInput, DomainError } from '../common/domain-error';
import { Money, RoundingMode } from '../common/money';
import {
  assertValidPlanVersion,
  ClawbackEventType,
  CommissionRule,
  PlanVersion,
  RuleBasis,
  RuleCaps,
  RuleConditions,
  Tier,
} from './rules';

/**
 * The JSON form of a plan version body, as clients send it (GraphQL JSON) and as it is stored
 * (text column). Money is a decimal string in the rule's currency ("50.00"), rates decimal strings,
 * tier bounds integers (COUNT) or decimal amounts (AMOUNT). No floats: JSON numbers are accepted only
 * for day counts and COUNT tier bounds, and only as safe integers.
 *
 *   { "rules": [{ "id", "trigger": {"kind":"EVENT","eventType"} | {"kind":"REFERRAL_QUALIFIED"},
 *       "conditions"?: {"productCodes"?, "cardLevels"?, "merchantCategories"?, "minAmount"?},
 *       "basis": {"kind":"FLAT_PER_EVENT"|"FLAT_PER_CUSTOMER","amount"} | {"kind":"PERCENT_OF_AMOUNT","rate"}
 *              | {"kind":"PERCENT_OF_INTERCHANGE","rate","interchangeRate"}
 *              | {"kind":"TIERED","measure":"COUNT"|"AMOUNT","mode":"GRADUATED"|"VOLUME","unitLabel"?,
 *                 "tiers":[{"from","to"|null,"amountPerUnit"?|"rate"?}]},
 *       "caps"?: {"perLine"?, "perCustomer"?, "perPeriod"?, "perProgramLifetime"?},
 *       "holdingDays", "clawback"?: {"onEventTypes", "withinDays"}, "currency", "rounding"?, "feeCategory" }],
 *     "minimumPayablePerStatement"?: {"amount","currency"} }
 */
export interface PlanBody {
  rules: readonly CommissionRule[];
  minimumPayablePerStatement?: Money;
}

export const MAX_PLAN_JSON = 100_000;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, field: string, allowed: readonly string[]): Obj {
  if (!isObj(v)) throw badInput(field, 'NOT_AN_OBJECT');
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw badInput(`${field}.${k}`, 'UNKNOWN_FIELD');
  return v;
}

function str(v: unknown, field: string, max = 64): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw badInput(field, 'INVALID_TEXT');
  return v;
}

function strList(v: unknown, field: string): string[] {
  if (!Array.isArray(v)) throw badInput(field, 'NOT_A_LIST');
  return v.map((x, i) => str(x, `${field}[${i}]`));
}

function int(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^\d{1,9}$/.test(v)) return Number.parseInt(v, 10);
  throw badInput(field, 'NOT_AN_INTEGER');
}

function money(v: unknown, currency: string, field: string): Money {
  if (typeof v !== 'string') throw badInput(field, 'INVALID_AMOUNT');
  return Money.parse(v, currency, field);
}

function rate(v: unknown, field: string): string {
  if (typeof v !== 'string' || !/^\d{1,8}(\.\d{1,12})?$/.test(v)) throw badInput(field, 'INVALID_RATE');
  return v;
}

function bound(v: unknown, measure: string, currency: string, field: string): bigint {
  if (measure === 'AMOUNT') return money(v, currency, field).minor;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return BigInt(v);
  throw badInput(field, 'NOT_AN_INTEGER');
}

function decodeBasis(raw: unknown, currency: string, at: string): RuleBasis {
  const head = obj(raw, at, ['kind', 'amount', 'rate', 'interchangeRate', 'measure', 'mode', 'unitLabel', 'tiers']);
  switch (head.kind) {
    case 'FLAT_PER_EVENT':
    case 'FLAT_PER_CUSTOMER':
      return { kind: head.kind, amount: money(head.amount, currency, `${at}.amount`) };
    case 'PERCENT_OF_AMOUNT':
      return { kind: head.kind, rate: rate(head.rate, `${at}.rate`) };
    case 'PERCENT_OF_INTERCHANGE':
      return {
        kind: head.kind,
        rate: rate(head.rate, `${at}.rate`),
        interchangeRate: rate(head.interchangeRate, `${at}.interchangeRate`),
      };
    case 'TIERED': {
      const measure = head.measure === 'AMOUNT' ? 'AMOUNT' : head.measure === 'COUNT' ? 'COUNT' : null;
      if (!measure) throw badInput(`${at}.measure`, 'INVALID_MEASURE');
      const mode = head.mode === 'VOLUME' ? 'VOLUME' : head.mode === 'GRADUATED' ? 'GRADUATED' : null;
      if (!mode) throw badInput(`${at}.mode`, 'INVALID_MODE');
      if (!Array.isArray(head.tiers) || head.tiers.length === 0) throw badInput(`${at}.tiers`, 'REQUIRED');
      if (head.tiers.length > 50) throw badInput(`${at}.tiers`, 'TOO_MANY');
      const tiers = head.tiers.map((t, i): Tier => {
        const tf = `${at}.tiers[${i}]`;
        const o = obj(t, tf, ['from', 'to', 'amountPerUnit', 'rate']);
        return {
          from: bound(o.from, measure, currency, `${tf}.from`),
          to: o.to === null || o.to === undefined ? null : bound(o.to, measure, currency, `${tf}.to`),
          ...(o.amountPerUnit !== undefined
            ? { amountPerUnit: money(o.amountPerUnit, currency, `${tf}.amountPerUnit`) }
            : {}),
          ...(o.rate !== undefined ? { rate: rate(o.rate, `${tf}.rate`) } : {}),
        };
      });
      return {
        kind: 'TIERED',
        measure,
        mode,
        tiers,
        ...(head.unitLabel !== undefined ? { unitLabel: str(head.unitLabel, `${at}.unitLabel`, 32) } : {}),
      };
    }
    default:
      throw badInput(`${at}.kind`, 'INVALID_BASIS');
  }
}

function decodeRule(raw: unknown, at: string): CommissionRule {
  const r = obj(raw, at, [
    'id',
    'trigger',
    'conditions',
    'basis',
    'caps',
    'holdingDays',
    'clawback',
    'currency',
    'rounding',
    'feeCategory',
  ]);
  const currency = str(r.currency, `${at}.currency`, 3);
  const trig = obj(r.trigger, `${at}.trigger`, ['kind', 'eventType']);
  const trigger: CommissionRule['trigger'] =
    trig.kind === 'EVENT'
      ? { kind: 'EVENT', eventType: str(trig.eventType, `${at}.trigger.eventType`, 32) }
      : trig.kind === 'REFERRAL_QUALIFIED'
        ? { kind: 'REFERRAL_QUALIFIED' }
        : (() => {
            throw badInput(`${at}.trigger.kind`, 'INVALID_TRIGGER');
          })();
  let conditions: RuleConditions | undefined;
  if (r.conditions !== undefined && r.conditions !== null) {
    const c = obj(r.conditions, `${at}.conditions`, ['productCodes', 'cardLevels', 'merchantCategories', 'minAmount']);
    conditions = {
      ...(c.productCodes !== undefined
        ? { productCodes: strList(c.productCodes, `${at}.conditions.productCodes`) }
        : {}),
      ...(c.cardLevels !== undefined ? { cardLevels: strList(c.cardLevels, `${at}.conditions.cardLevels`) } : {}),
      ...(c.merchantCategories !== undefined
        ? { merchantCategories: strList(c.merchantCategories, `${at}.conditions.merchantCategories`) }
        : {}),
      ...(c.minAmount !== undefined ? { minAmount: money(c.minAmount, currency, `${at}.conditions.minAmount`) } : {}),
    };
  }
  let caps: RuleCaps | undefined;
  if (r.caps !== undefined && r.caps !== null) {
    const c = obj(r.caps, `${at}.caps`, ['perLine', 'perCustomer', 'perPeriod', 'perProgramLifetime']);
    const out: { -readonly [K in keyof RuleCaps]: Money } = {};
    for (const k of ['perLine', 'perCustomer', 'perPeriod', 'perProgramLifetime'] as const) {
      if (c[k] !== undefined && c[k] !== null) out[k] = money(c[k], currency, `${at}.caps.${k}`);
    }
    caps = out;
  }
  let clawback: CommissionRule['clawback'];
  if (r.clawback !== undefined && r.clawback !== null) {
    const c = obj(r.clawback, `${at}.clawback`, ['onEventTypes', 'withinDays']);
    clawback = {
      onEventTypes: strList(c.onEventTypes, `${at}.clawback.onEventTypes`) as ClawbackEventType[],
      withinDays: int(c.withinDays, `${at}.clawback.withinDays`),
    };
  }
  return {
    id: str(r.id, `${at}.id`),
    trigger,
    ...(conditions ? { conditions } : {}),
    basis: decodeBasis(r.basis, currency, `${at}.basis`),
    ...(caps ? { caps } : {}),
    holdingDays: r.holdingDays === undefined ? 0 : int(r.holdingDays, `${at}.holdingDays`),
    ...(clawback ? { clawback } : {}),
    currency,
    ...(r.rounding !== undefined && r.rounding !== null ? { rounding: r.rounding as RoundingMode } : {}),
    feeCategory: str(r.feeCategory, `${at}.feeCategory`, 40),
  };
}

/** Parses (and validates, with the pure core's rules) a plan body; BAD_USER_INPUT names the field. */
export function decodePlanBody(raw: unknown, field = 'rules'): PlanBody {
  if (typeof raw === 'string') {
    if (raw.length > MAX_PLAN_JSON) throw badInput(field, 'TOO_LONG');
    try {
      raw = JSON.parse(raw) as unknown;
    } catch {
      throw badInput(field, 'INVALID_JSON');
    }
  }
  const body = obj(raw, field, ['rules', 'minimumPayablePerStatement']);
  if (!Array.isArray(body.rules)) throw badInput(`${field}.rules`, 'NOT_A_LIST');
  if (body.rules.length > 100) throw badInput(`${field}.rules`, 'TOO_MANY');
  const rules = body.rules.map((r, i) => decodeRule(r, `rules[${i}]`));
  let minimum: Money | undefined;
  if (body.minimumPayablePerStatement !== undefined && body.minimumPayablePerStatement !== null) {
    const m = obj(body.minimumPayablePerStatement, 'minimumPayablePerStatement', ['amount', 'currency']);
    minimum = money(m.amount, str(m.currency, 'minimumPayablePerStatement.currency', 3), 'minimumPayablePerStatement');
  }
  return { rules, ...(minimum ? { minimumPayablePerStatement: minimum } : {}) };
}

/** A body plus its identity → a validated PlanVersion (throws BAD_USER_INPUT with the field path). */
export function toPlanVersion(body: PlanBody, planId: string, version: number, effectiveFrom: string): PlanVersion {
  const pv: PlanVersion = {
    planId,
    version,
    effectiveFrom,
    rules: body.rules,
    ...(body.minimumPayablePerStatement ? { minimumPayablePerStatement: body.minimumPayablePerStatement } : {}),
  };
  try {
    assertValidPlanVersion(pv);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw badInput('rules', 'INVALID');
  }
  return pv;
}

const m = (v: Money): string => v.toDecimalString();

function encodeBound(v: bigint, measure: string, currency: string): string {
  return measure === 'AMOUNT' ? Money.ofMinor(v, currency).toDecimalString() : v.toString();
}

/** The canonical JSON text of a body (what is stored; decodePlanBody(encodePlanBody(b)) equals b). */
export function encodePlanBody(body: PlanBody): string {
  const rules = body.rules.map((r) => {
    const b = r.basis;
    const basis =
      b.kind === 'TIERED'
        ? {
            kind: b.kind,
            measure: b.measure,
            mode: b.mode,
            ...(b.unitLabel !== undefined ? { unitLabel: b.unitLabel } : {}),
            tiers: b.tiers.map((t) => ({
              from: encodeBound(t.from, b.measure, r.currency),
              to: t.to === null ? null : encodeBound(t.to, b.measure, r.currency),
              ...(t.amountPerUnit ? { amountPerUnit: m(t.amountPerUnit) } : {}),
              ...(t.rate !== undefined ? { rate: t.rate } : {}),
            })),
          }
        : b.kind === 'PERCENT_OF_AMOUNT'
          ? { kind: b.kind, rate: b.rate }
          : b.kind === 'PERCENT_OF_INTERCHANGE'
            ? { kind: b.kind, rate: b.rate, interchangeRate: b.interchangeRate }
            : { kind: b.kind, amount: m(b.amount) };
    const c = r.conditions;
    const caps = r.caps;
    return {
      id: r.id,
      trigger: r.trigger,
      ...(c
        ? {
            conditions: {
              ...(c.productCodes ? { productCodes: c.productCodes } : {}),
              ...(c.cardLevels ? { cardLevels: c.cardLevels } : {}),
              ...(c.merchantCategories ? { merchantCategories: c.merchantCategories } : {}),
              ...(c.minAmount ? { minAmount: m(c.minAmount) } : {}),
            },
          }
        : {}),
      basis,
      ...(caps
        ? {
            caps: Object.fromEntries(
              (['perLine', 'perCustomer', 'perPeriod', 'perProgramLifetime'] as const)
                .filter((k) => caps[k] !== undefined)
                .map((k) => [k, m(caps[k] as Money)]),
            ),
          }
        : {}),
      holdingDays: r.holdingDays,
      ...(r.clawback ? { clawback: { onEventTypes: r.clawback.onEventTypes, withinDays: r.clawback.withinDays } } : {}),
      currency: r.currency,
      ...(r.rounding ? { rounding: r.rounding } : {}),
      feeCategory: r.feeCategory,
    };
  });
  const min = body.minimumPayablePerStatement;
  return JSON.stringify({
    rules,
    ...(min ? { minimumPayablePerStatement: { amount: m(min), currency: min.currency } } : {}),
  });
}
