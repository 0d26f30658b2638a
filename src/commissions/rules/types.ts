import type { Money, RoundingMode } from '../../common/money';

/**
 * The typed model of a commission plan version and of the facts and ledger
 * lines the pure engine works with. Amounts are Money (integer minor units),
 * rates are decimal strings ("0.005" = 0.5 %), dates are business dates
 * 'YYYY-MM-DD' in the bank's time zone. No floats anywhere.
 */

export const ROUNDING_MODES: readonly RoundingMode[] = ['HALF_UP', 'HALF_EVEN', 'DOWN'];

export const CLAWBACK_EVENT_TYPES = ['CARD_CLOSED', 'ACCOUNT_CLOSED', 'DELINQUENT'] as const;
export type ClawbackEventType = (typeof CLAWBACK_EVENT_TYPES)[number];

export type FactKind = 'EVENT' | 'REFERRAL_QUALIFIED';

export type RuleTrigger = { kind: 'EVENT'; eventType: string } | { kind: 'REFERRAL_QUALIFIED' };

export interface RuleConditions {
  /** The fact's productCode must be one of these. */
  productCodes?: readonly string[];
  cardLevels?: readonly string[];
  merchantCategories?: readonly string[];
  /** The fact's amount must be ≥ this (same currency). */
  minAmount?: Money;
}

/**
 * One tier covers the measure range (from, to]: for COUNT the units are
 * facts numbered 1, 2, 3… within the period (so {from: 50, to: 200} is
 * "51–200"); for AMOUNT the units are minor units of the rule's currency
 * ({from: 1000000n, to: 5000000n} is "¥10,000.00–¥50,000.00"). Tiers start
 * at 0, follow each other without gap or overlap, and only the last may be
 * open (to: null).
 *
 * A tier pays either `amountPerUnit` per fact (COUNT only) or `rate` of the
 * amount (COUNT: of each fact's amount; AMOUNT: of the amount in the tier).
 */
export interface Tier {
  from: bigint;
  to: bigint | null;
  amountPerUnit?: Money;
  rate?: string;
}

export type TierMeasure = 'COUNT' | 'AMOUNT';
/** GRADUATED: each unit at its own tier's value. VOLUME: all units at the reached tier's value. */
export type TierMode = 'GRADUATED' | 'VOLUME';

export type RuleBasis =
  | { kind: 'FLAT_PER_EVENT'; amount: Money }
  /** Once per customer per rule (ever): the customer's first qualifying fact earns it. */
  | { kind: 'FLAT_PER_CUSTOMER'; amount: Money }
  | { kind: 'PERCENT_OF_AMOUNT'; rate: string }
  /** rate × (amount × interchangeRate): the partner's share of the bank's interchange revenue. */
  | { kind: 'PERCENT_OF_INTERCHANGE'; rate: string; interchangeRate: string }
  | {
      kind: 'TIERED';
      measure: TierMeasure;
      mode: TierMode;
      tiers: readonly Tier[];
      /** Plural noun used in explanations, e.g. "activations" (default "events"). */
      unitLabel?: string;
    };

export type BasisKind = RuleBasis['kind'];

export interface RuleCaps {
  /** Each line at most this. */
  perLine?: Money;
  /** Each customer's total under the rule, across all periods. */
  perCustomer?: Money;
  /** The rule's total within one period. */
  perPeriod?: Money;
  /** The rule's total per program across all periods. */
  perProgramLifetime?: Money;
}

export interface ClawbackPolicy {
  onEventTypes: readonly ClawbackEventType[];
  /** A clawback event at most this many days after the fact's business date reverses its line. */
  withinDays: number;
}

export interface CommissionRule {
  /** Stable across plan versions: prior totals and caps are keyed by it. */
  id: string;
  trigger: RuleTrigger;
  conditions?: RuleConditions;
  basis: RuleBasis;
  caps?: RuleCaps;
  /** Lines are HELD until businessDate + holdingDays, then PAYABLE. */
  holdingDays: number;
  clawback?: ClawbackPolicy;
  currency: string;
  /** Applied once per line at minor units; default HALF_UP (四舍五入). */
  rounding?: RoundingMode;
  feeCategory: string;
}

export interface PlanVersion {
  planId: string;
  version: number;
  effectiveFrom: string;
  rules: readonly CommissionRule[];
  /** Statement-level threshold (applied by settlement, carried here with the version). */
  minimumPayablePerStatement?: Money;
}

/** Something that happened and may earn commission: a customer event or a qualified referral. */
export interface QualifyingFact {
  /** Event id (EVENT) or referral id (REFERRAL_QUALIFIED); unique within one calculation. */
  sourceId: string;
  kind: FactKind;
  /** Required when kind is EVENT (e.g. CARD_ACTIVATED, SPEND). */
  eventType?: string;
  /** The referral that brought the customer in, cited as a second source on the line. */
  referralId?: string;
  customerId: string;
  partnerId: string;
  programId: string;
  occurredAt: Date;
  businessDate: string;
  amount?: Money;
  productCode?: string;
  cardLevel?: string;
  merchantCategory?: string;
}

export interface ClawbackFact {
  customerId: string;
  eventType: string;
  businessDate: string;
}

export interface Period {
  /** 'YYYY-MM' */
  key: string;
  /** First and last business day, inclusive. */
  from: string;
  to: string;
}

export interface PriorRuleTotal {
  ruleId: string;
  programId: string;
  amount: Money;
}

export interface PriorCustomerTotal {
  ruleId: string;
  customerId: string;
  amount: Money;
}

/** Returns the plan version in force on a business date (undefined: no plan in force). */
export type PlanVersionResolver = (businessDate: string) => PlanVersion | undefined;

export interface CalculationInput {
  planVersionAt: PlanVersionResolver;
  /** Any order; facts outside the period are ignored. */
  facts: readonly QualifyingFact[];
  clawbackFacts?: readonly ClawbackFact[];
  period: Period;
  /** What each rule already accrued per program in earlier periods (lifetime caps). */
  priorLifetimeTotals?: readonly PriorRuleTotal[];
  /**
   * What each customer already accrued per rule in earlier periods (customer
   * caps). An entry also means FLAT_PER_CUSTOMER was already paid for that customer.
   */
  priorCustomerTotals?: readonly PriorCustomerTotal[];
  /** Business date the calculation is made on: decides HELD vs PAYABLE. */
  asOf: string;
}

export type LineStatus = 'HELD' | 'PAYABLE' | 'REVERSED';
/** ACCRUAL: what a fact earned. CLAWBACK: its negative copy after a clawback event. */
export type LineKind = 'ACCRUAL' | 'CLAWBACK';

export interface CommissionLine {
  /** (ruleId, primary sourceId, planVersion[, CLAWBACK]): one line per key, ever. */
  idempotencyKey: string;
  kind: LineKind;
  planId: string;
  planVersion: number;
  ruleId: string;
  /** Primary source first (event or referral id), then the related referral if any. Never empty. */
  sourceIds: readonly string[];
  customerId: string;
  partnerId: string;
  programId: string;
  periodKey: string;
  /** Business date of the primary source. */
  businessDate: string;
  basisAmount: Money | null;
  rateOrTier: string;
  amount: Money;
  status: LineStatus;
  payableOn: string;
  feeCategory: string;
  explanation: string;
}

export interface RuleTotal {
  planId: string;
  planVersion: number;
  ruleId: string;
  /** Before caps (after tiers and rounding). */
  gross: Money;
  /** Sum of the rule's ACCRUAL lines. */
  accrued: Money;
  /** Sum of its CLAWBACK lines (≤ 0). */
  clawedBack: Money;
  lineCount: number;
}

export interface CalculationResult {
  periodKey: string;
  /** Canonically ordered: any input order gives the same array. */
  lines: CommissionLine[];
  ruleTotals: RuleTotal[];
  /** Net of all lines, one entry per currency, sorted by currency. */
  totals: Money[];
}

/** A row of the append-only ledger: a computed line posted at a revision, or the reversal of one. */
export interface LedgerEntry extends CommissionLine {
  /** 0 for the first posting of an idempotency key, +1 for each correction. */
  revision: number;
  /** True for a correction reversal: the negative copy of the line (key, revision). */
  reversal: boolean;
  /** Unique per ledger row: `${idempotencyKey}#${revision}` (+ '~R' for a reversal). */
  ledgerKey: string;
}
