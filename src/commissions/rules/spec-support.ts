/* Builders shared by the rules' unit specs (not used by production code). */
import { DomainError } from '../../common/domain-error';
import { Money } from '../../common/money';
import { calculate } from './engine';
import type { CalculationInput, CalculationResult, CommissionRule, PlanVersion, QualifyingFact } from './types';

export const cny = (s: string): Money => Money.parse(s, 'CNY');

export const JANUARY = { key: '2026-01', from: '2026-01-01', to: '2026-01-31' };

export function rule(overrides: Partial<CommissionRule> = {}): CommissionRule {
  return {
    id: 'r1',
    trigger: { kind: 'EVENT', eventType: 'CARD_ACTIVATED' },
    basis: { kind: 'FLAT_PER_EVENT', amount: cny('50.00') },
    holdingDays: 0,
    currency: 'CNY',
    feeCategory: 'REFERRAL_SERVICE_FEE',
    ...overrides,
  };
}

export function plan(rules: CommissionRule[], version = 1, effectiveFrom = '2026-01-01'): PlanVersion {
  return { planId: 'plan-1', version, effectiveFrom, rules };
}

let seq = 0;
export interface FactSpec {
  id?: string;
  date?: string;
  time?: string;
  customer?: string;
  program?: string;
  type?: string;
  kind?: QualifyingFact['kind'];
  amount?: string;
  productCode?: string;
  cardLevel?: string;
  merchantCategory?: string;
  referralId?: string;
}

export function fact(spec: FactSpec = {}): QualifyingFact {
  seq++;
  const date = spec.date ?? '2026-01-10';
  const kind = spec.kind ?? 'EVENT';
  return {
    sourceId: spec.id ?? `ev-${String(seq).padStart(5, '0')}`,
    kind,
    ...(kind === 'EVENT' ? { eventType: spec.type ?? 'CARD_ACTIVATED' } : {}),
    customerId: spec.customer ?? 'c1',
    partnerId: 'partner-1',
    programId: spec.program ?? 'prog-1',
    occurredAt: new Date(`${date}T${spec.time ?? '02:00:00'}Z`),
    businessDate: date,
    ...(spec.amount !== undefined ? { amount: cny(spec.amount) } : {}),
    ...(spec.productCode !== undefined ? { productCode: spec.productCode } : {}),
    ...(spec.cardLevel !== undefined ? { cardLevel: spec.cardLevel } : {}),
    ...(spec.merchantCategory !== undefined ? { merchantCategory: spec.merchantCategory } : {}),
    ...(spec.referralId !== undefined ? { referralId: spec.referralId } : {}),
  };
}

export function run(
  pv: PlanVersion,
  facts: QualifyingFact[],
  extra: Partial<Omit<CalculationInput, 'facts'>> = {},
): CalculationResult {
  return calculate({ planVersionAt: () => pv, facts, period: JANUARY, asOf: '2026-03-31', ...extra });
}

export function fen(result: CalculationResult): bigint[] {
  return result.lines.map((l) => l.amount.minor);
}

export function errorOf(fn: () => unknown): { code: string; field: unknown; reason: unknown } | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return { code: e.code, field: e.details.field, reason: e.details.reason };
    throw e;
  }
  return undefined;
}
