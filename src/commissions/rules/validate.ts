import { isValidBusinessDate } from '../../common/business-time';
import { DomainError } from '../../common/domain-error';
import { Money, minorUnitsOf } from '../../common/money';
import { parseRate } from '../../common/rate';
import { CLAWBACK_EVENT_TYPES, CommissionRule, PlanVersion, ROUNDING_MODES, Tier } from './types';

export interface PlanError {
  field: string;
  reason: string;
}

/** Longest holding / clawback window we accept (ten years). */
export const MAX_DAYS = 3660;
const MAX_TEXT = 64;

function isNonEmptyText(s: unknown, max = MAX_TEXT): s is string {
  return typeof s === 'string' && s.trim() !== '' && s.length <= max;
}

function isDayCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= MAX_DAYS;
}

/**
 * Checks a plan version (a draft to simulate or a version to save) and
 * returns every problem with the field path it concerns, e.g.
 * { field: 'rules[0].basis.tiers[1].from', reason: 'TIER_GAP' }. Empty: valid.
 */
export function validatePlanVersion(pv: PlanVersion): PlanError[] {
  const errors: PlanError[] = [];
  const err = (field: string, reason: string): void => {
    errors.push({ field, reason });
  };

  if (!isNonEmptyText(pv.planId)) err('planId', 'REQUIRED');
  if (!Number.isSafeInteger(pv.version) || pv.version < 1) err('version', 'INVALID_VERSION');
  if (!isValidBusinessDate(pv.effectiveFrom)) err('effectiveFrom', 'INVALID_DATE');
  if (pv.minimumPayablePerStatement?.isNegative()) err('minimumPayablePerStatement', 'NEGATIVE_AMOUNT');
  if (pv.rules.length === 0) err('rules', 'REQUIRED');
  if (pv.rules.length > 100) err('rules', 'TOO_MANY');

  const seen = new Set<string>();
  pv.rules.forEach((rule, i) => {
    const at = `rules[${i}]`;
    if (!isNonEmptyText(rule.id)) err(`${at}.id`, 'REQUIRED');
    else if (seen.has(rule.id)) err(`${at}.id`, 'DUPLICATE_RULE_ID');
    seen.add(rule.id);
    validateRule(rule, at, err);
  });
  return errors;
}

/** Throws BAD_USER_INPUT naming the first bad field (all of them in details.errors). */
export function assertValidPlanVersion(pv: PlanVersion): void {
  const errors = validatePlanVersion(pv);
  const first = errors[0];
  if (first) {
    throw new DomainError('BAD_USER_INPUT', `Invalid commission plan: ${first.field} ${first.reason}`, {
      field: first.field,
      reason: first.reason,
      errors,
    });
  }
}

function validateRule(rule: CommissionRule, at: string, err: (field: string, reason: string) => void): void {
  let currencyOk = true;
  try {
    minorUnitsOf(rule.currency);
  } catch {
    currencyOk = false;
    err(`${at}.currency`, 'UNSUPPORTED_CURRENCY');
  }
  const money = (m: Money | undefined, field: string): void => {
    if (m === undefined) return;
    if (currencyOk && m.currency !== rule.currency) err(field, 'CURRENCY_MISMATCH');
    if (m.isNegative()) err(field, 'NEGATIVE_AMOUNT');
  };
  const rate = (r: string | undefined, field: string): void => {
    if (r === undefined) {
      err(field, 'REQUIRED');
      return;
    }
    try {
      parseRate(r, field);
    } catch (e) {
      err(field, e instanceof DomainError && typeof e.details.reason === 'string' ? e.details.reason : 'INVALID_RATE');
    }
  };

  const trigger = rule.trigger;
  if (trigger.kind === 'EVENT') {
    if (!isNonEmptyText(trigger.eventType)) err(`${at}.trigger.eventType`, 'REQUIRED');
  } else if ((trigger.kind as string) !== 'REFERRAL_QUALIFIED') {
    err(`${at}.trigger.kind`, 'INVALID_TRIGGER');
  }

  const c = rule.conditions;
  if (c) {
    for (const key of ['productCodes', 'cardLevels', 'merchantCategories'] as const) {
      const list = c[key];
      if (list === undefined) continue;
      if (list.length === 0 || list.length > 100) err(`${at}.conditions.${key}`, 'INVALID_LIST');
      if (list.some((v) => !isNonEmptyText(v))) err(`${at}.conditions.${key}`, 'INVALID_VALUE');
    }
    money(c.minAmount, `${at}.conditions.minAmount`);
  }

  const b = rule.basis;
  const bf = `${at}.basis`;
  switch (b.kind) {
    case 'FLAT_PER_EVENT':
    case 'FLAT_PER_CUSTOMER':
      money(b.amount, `${bf}.amount`);
      break;
    case 'PERCENT_OF_AMOUNT':
      rate(b.rate, `${bf}.rate`);
      break;
    case 'PERCENT_OF_INTERCHANGE':
      rate(b.rate, `${bf}.rate`);
      rate(b.interchangeRate, `${bf}.interchangeRate`);
      break;
    case 'TIERED':
      if (b.measure !== 'COUNT' && b.measure !== 'AMOUNT') err(`${bf}.measure`, 'INVALID_MEASURE');
      if (b.mode !== 'GRADUATED' && b.mode !== 'VOLUME') err(`${bf}.mode`, 'INVALID_MODE');
      if (b.unitLabel !== undefined && !isNonEmptyText(b.unitLabel, 32)) err(`${bf}.unitLabel`, 'INVALID_VALUE');
      validateTiers(b.tiers, b.measure, `${bf}.tiers`, err, money, rate);
      break;
    default:
      err(`${bf}.kind`, 'INVALID_BASIS');
  }

  const caps = rule.caps;
  if (caps) {
    for (const key of ['perLine', 'perCustomer', 'perPeriod', 'perProgramLifetime'] as const) {
      money(caps[key], `${at}.caps.${key}`);
    }
  }
  if (!isDayCount(rule.holdingDays)) err(`${at}.holdingDays`, 'INVALID_DAYS');
  if (rule.clawback) {
    const cb = rule.clawback;
    if (cb.onEventTypes.length === 0) err(`${at}.clawback.onEventTypes`, 'REQUIRED');
    if (cb.onEventTypes.some((t) => !(CLAWBACK_EVENT_TYPES as readonly string[]).includes(t))) {
      err(`${at}.clawback.onEventTypes`, 'UNKNOWN_EVENT_TYPE');
    }
    if (!isDayCount(cb.withinDays)) err(`${at}.clawback.withinDays`, 'INVALID_DAYS');
  }
  if (rule.rounding !== undefined && !ROUNDING_MODES.includes(rule.rounding)) {
    err(`${at}.rounding`, 'INVALID_ROUNDING_MODE');
  }
  if (!isNonEmptyText(rule.feeCategory)) err(`${at}.feeCategory`, 'REQUIRED');
}

function validateTiers(
  tiers: readonly Tier[],
  measure: string,
  at: string,
  err: (field: string, reason: string) => void,
  money: (m: Money | undefined, field: string) => void,
  rate: (r: string | undefined, field: string) => void,
): void {
  if (tiers.length === 0) {
    err(at, 'REQUIRED');
    return;
  }
  if (tiers.length > 50) err(at, 'TOO_MANY');
  let expectedFrom = 0n;
  tiers.forEach((t, i) => {
    const tf = `${at}[${i}]`;
    if (t.from < expectedFrom) err(`${tf}.from`, i === 0 ? 'TIER_NOT_FROM_ZERO' : 'TIER_OVERLAP');
    else if (t.from > expectedFrom) err(`${tf}.from`, i === 0 ? 'TIER_NOT_FROM_ZERO' : 'TIER_GAP');
    if (t.to === null) {
      if (i !== tiers.length - 1) err(`${tf}.to`, 'OPEN_TIER_NOT_LAST');
    } else if (t.to <= t.from) {
      err(`${tf}.to`, 'EMPTY_TIER');
    }
    expectedFrom = t.to ?? t.from;
    const hasAmount = t.amountPerUnit !== undefined;
    const hasRate = t.rate !== undefined;
    if (hasAmount === hasRate) {
      err(tf, 'RATE_OR_AMOUNT_REQUIRED');
    } else if (hasAmount) {
      if (measure === 'AMOUNT') err(`${tf}.amountPerUnit`, 'NOT_ALLOWED_FOR_AMOUNT_MEASURE');
      money(t.amountPerUnit, `${tf}.amountPerUnit`);
    } else {
      rate(t.rate, `${tf}.rate`);
    }
  });
  const last = tiers[tiers.length - 1];
  if (last && last.to !== null) err(`${at}[${tiers.length - 1}].to`, 'LAST_TIER_MUST_BE_OPEN');
  // Mixing per-unit amounts and rates in one table makes volume pricing meaningless.
  if (tiers.some((t) => t.rate !== undefined) && tiers.some((t) => t.amountPerUnit !== undefined)) {
    err(at, 'MIXED_TIER_VALUES');
  }
}
