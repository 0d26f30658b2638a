import { CUSTOMER_EVENT_TYPES } from '../programs/customer-event-type';

/**
 * Bank-wide analytics settings, read once at boot through src/config/config.ts (ConfigError names the
 * variable). Rates are exact decimal strings in [0, 1].
 */
export interface AnalyticsConfig {
  /** Interchange earned on card spend (ANALYTICS_INTERCHANGE_RATE). */
  readonly interchangeRate: string;
  /** Fee earned on agency sales: fund purchases, insurance premiums (ANALYTICS_AGENCY_FEE_RATE). */
  readonly agencyFeeRate: string;
  /** Annual margin on balances, prorated by days held, basis 365 (ANALYTICS_BALANCE_MARGIN_RATE). */
  readonly balanceMarginRate: string;
  /** Event types that make a customer "active" for cohort retention (ANALYTICS_ACTIVE_EVENT_TYPES). */
  readonly activeEventTypes: readonly string[];
  /** Retention milestones in days (ANALYTICS_MILESTONES). */
  readonly milestones: readonly number[];
  /** Length of the activity window ending on each milestone (ANALYTICS_ACTIVITY_WINDOW_DAYS). */
  readonly activityWindowDays: number;
  /** How far behind its high-water mark the catch-up re-reads (ANALYTICS_OVERLAP_SECONDS). */
  readonly overlapSeconds: number;
  /** Source rows per catch-up transaction (ANALYTICS_BATCH_SIZE). */
  readonly batchSize: number;
  /** Periodic catch-up in this process; 0 = off (ANALYTICS_CATCH_UP_INTERVAL_MS; off by default in tests). */
  readonly catchUpIntervalMs: number;
}

type Env = Record<string, string | undefined>;
type Fail = (variable: string, reason: string) => Error;

const RATE_RE = /^(0(\.\d{1,12})?|1(\.0{1,12})?)$/;

export function analyticsConfigFrom(env: Env, isTest: boolean, fail: Fail): AnalyticsConfig {
  const rate = (name: string, fallback: string): string => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    if (!RATE_RE.test(raw)) throw fail(name, `must be a decimal between 0 and 1, got "${raw}"`);
    return raw;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw)) throw fail(name, `must be an integer, got "${raw}"`);
    const value = Number.parseInt(raw, 10);
    if (value < min || value > max) throw fail(name, `must be between ${min} and ${max}, got ${value}`);
    return value;
  };
  const list = (name: string, fallback: readonly string[]): string[] => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return [...fallback];
    const items = raw.split(',').map((s) => s.trim());
    if (items.some((s) => s === '')) throw fail(name, 'must be a comma-separated list without empty items');
    return items;
  };
  const activeEventTypes = list('ANALYTICS_ACTIVE_EVENT_TYPES', [
    'CARD_SPEND',
    'FUND_PURCHASE',
    'INSURANCE_PREMIUM',
    'PAYMENT_SENT',
  ]);
  const unknown = activeEventTypes.find((t) => !(CUSTOMER_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown !== undefined) throw fail('ANALYTICS_ACTIVE_EVENT_TYPES', `names an unknown event type "${unknown}"`);
  const milestones = list('ANALYTICS_MILESTONES', ['30', '90', '180', '365']).map((m) => {
    if (!/^\d{1,4}$/.test(m) || Number(m) < 1)
      throw fail('ANALYTICS_MILESTONES', `must be days between 1 and 9999, got "${m}"`);
    return Number(m);
  });
  if (new Set(milestones).size !== milestones.length) throw fail('ANALYTICS_MILESTONES', 'must not repeat a milestone');
  return {
    interchangeRate: rate('ANALYTICS_INTERCHANGE_RATE', '0.006'),
    agencyFeeRate: rate('ANALYTICS_AGENCY_FEE_RATE', '0.01'),
    balanceMarginRate: rate('ANALYTICS_BALANCE_MARGIN_RATE', '0.015'),
    activeEventTypes,
    milestones: [...milestones].sort((a, b) => a - b),
    activityWindowDays: int('ANALYTICS_ACTIVITY_WINDOW_DAYS', 30, 1, 366),
    overlapSeconds: int('ANALYTICS_OVERLAP_SECONDS', 600, 0, 86_400),
    batchSize: int('ANALYTICS_BATCH_SIZE', 5000, 1, 10_000),
    catchUpIntervalMs: int('ANALYTICS_CATCH_UP_INTERVAL_MS', isTest ? 0 : 60_000, 0, 86_400_000),
  };
}
