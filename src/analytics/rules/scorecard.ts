import Decimal from 'decimal.js';
import { badInput } from '../../common/domain-error';
import { type AhpCell, ahpWeights, type AhpResult } from './ahp';
import { AD, SCORE_SCALE, assertCount, fixed } from './numeric';

/**
 * 合作机构评价 — the partner scorecard (贡献度 contribution, 风险度 risk, 知名度 reputation, 关联度 relatedness).
 *
 * Every dimension is built from sub-indicators measured per partner for one period. Each sub-indicator is
 * normalised to 0–100 ACROSS THE PARTNER POPULATION scored together (min-max):
 *
 *   higher-is-better:  s = 100 × (x − min) / (max − min)
 *   higher-is-worse:   s = 100 × (max − x) / (max − min)
 *   max = min (a single partner, or all partners equal): s = 50 for everyone — the population gives no
 *   information to tell them apart, so everyone sits in the middle rather than at a misleading 0 or 100.
 *
 * A dimension's score is the arithmetic mean of its sub-indicator scores. ALL FOUR DIMENSION SCORES POINT THE
 * SAME WAY (higher = better): the risk dimension is published as a SAFETY score (higher = safer) because its
 * sub-indicators are all higher-is-worse; the raw riskiness values are kept beside it for drill-down.
 *
 * Sub-indicators (raw values are exact decimals; ratios with a zero denominator count as 0):
 * - contribution
 *   - C1 valueBroughtIn (+): revenue attributed to the customers the partner brought in, in minor units, for
 *     the period (interchange + agency fees + balance margin, see value.ts `attributedRevenue`).
 * - risk (all −, i.e. higher raw = less safe)
 *   - R1 adverseShare: customers brought in that became delinquent (DELINQUENT event) or closed early
 *     (ACCOUNT_CLOSED / CARD_CLOSED within the program's early-closure window) ÷ customers brought in.
 *   - R2 clawbackRatio: commission clawed back ÷ commission accrued (gross), capped at 1.
 *   - R3 riskRatingPoints: the partner's risk rating LOW = 0, MEDIUM = 1, HIGH = 2; unrated counts as MEDIUM.
 * - reputation
 *   - P1 tierPoints (+): the partner's recorded tier WATCH = 0, GENERAL = 1, CORE = 2, STRATEGIC = 3; none = 1.
 *   - P2 ratingPoints (+): the partner's external rating (e.g. credit/brand rating) through a configurable table
 *     (default AAA 9 … C 1); unrated or unknown grades count as the table's median point.
 *   - P3 complaintRate (−): complaints recorded against the partner in the period ÷ customers brought in
 *     (complaints with no customers brought in: the complaint count itself).
 * - relatedness (all +)
 *   - L1 sharedCustomers: customers brought in by the partner who also hold a product attributed to ANOTHER
 *     program (the bank's or another partner's).
 *   - L2 supplyChainSize: active supply-chain members (sc_links ACTIVE) under the core enterprises the partner is.
 *   - L3 crossProgramLinks: distinct other programs that share at least one customer with the partner's programs.
 *
 * Composite = Σ weight_d × score_d over the four dimensions (weights ≥ 0, summing to exactly 1; set directly or
 * derived from an AHP matrix ordered [contribution, risk, reputation, relatedness]). All arithmetic is exact
 * decimal; published scores are rounded half-up to 4 decimals, and ranking uses the published composite so that
 * what looks tied is treated as tied. Ties break by: higher contribution score, then higher risk (safety) score,
 * then partner code ascending, then partner id ascending (total, deterministic order). Tiers by composite:
 * ≥ strategic → STRATEGIC, ≥ core → CORE, ≥ general → GENERAL, else WATCH (defaults 80 / 60 / 40).
 */

export type ScorecardDimension = 'contribution' | 'risk' | 'reputation' | 'relatedness';
export const SCORECARD_DIMENSIONS: readonly ScorecardDimension[] = [
  'contribution',
  'risk',
  'reputation',
  'relatedness',
];

export type ScorecardTier = 'STRATEGIC' | 'CORE' | 'GENERAL' | 'WATCH';
export type RiskRatingValue = 'LOW' | 'MEDIUM' | 'HIGH';

export interface PartnerScorecardFacts {
  partnerId: string;
  partnerCode: string;
  valueBroughtInMinor: bigint;
  customersBroughtIn: number;
  adverseCustomers: number;
  commissionAccruedMinor: bigint;
  commissionClawedBackMinor: bigint;
  riskRating: RiskRatingValue | null;
  tier: ScorecardTier | null;
  externalRating: string | null;
  complaints: number;
  sharedCustomers: number;
  supplyChainSize: number;
  crossProgramLinks: number;
}

export type ScorecardWeights = Record<ScorecardDimension, string>;

export interface TierThresholds {
  strategic: string;
  core: string;
  general: string;
}

export const DEFAULT_TIER_THRESHOLDS: TierThresholds = { strategic: '80', core: '60', general: '40' };

export const DEFAULT_RATING_POINTS: Readonly<Record<string, number>> = {
  AAA: 9,
  AA: 8,
  A: 7,
  BBB: 6,
  BB: 5,
  B: 4,
  CCC: 3,
  CC: 2,
  C: 1,
};

export const RISK_RATING_POINTS: Readonly<Record<RiskRatingValue, number>> = { LOW: 0, MEDIUM: 1, HIGH: 2 };
export const TIER_POINTS: Readonly<Record<ScorecardTier, number>> = { WATCH: 0, GENERAL: 1, CORE: 2, STRATEGIC: 3 };

export interface ScorecardOptions {
  weights: ScorecardWeights;
  thresholds?: TierThresholds;
  ratingPoints?: Readonly<Record<string, number>>;
}

export interface SubIndicatorValue {
  /** Raw value, exact decimal string (ratios to 6 decimals). */
  raw: string;
  /** Normalised 0–100 score, scale 4. */
  score: string;
}

export interface PartnerScorecard {
  partnerId: string;
  partnerCode: string;
  rank: number;
  tier: ScorecardTier;
  composite: string;
  scores: Record<ScorecardDimension, string>;
  indicators: Record<string, SubIndicatorValue>;
}

interface SubIndicatorDef {
  key: string;
  dimension: ScorecardDimension;
  higherIsBetter: boolean;
  raw: (
    f: PartnerScorecardFacts,
    ctx: { ratingPoints: Readonly<Record<string, number>>; ratingMedian: Decimal },
  ) => Decimal;
}

function safeRatio(part: Decimal.Value, whole: Decimal.Value): Decimal {
  const w = new AD(whole);
  return w.isZero() ? new AD(0) : new AD(part).div(w);
}

export const SUB_INDICATORS: readonly SubIndicatorDef[] = [
  {
    key: 'valueBroughtIn',
    dimension: 'contribution',
    higherIsBetter: true,
    raw: (f) => new AD(f.valueBroughtInMinor.toString()),
  },
  {
    key: 'adverseShare',
    dimension: 'risk',
    higherIsBetter: false,
    raw: (f) => safeRatio(f.adverseCustomers, f.customersBroughtIn),
  },
  {
    key: 'clawbackRatio',
    dimension: 'risk',
    higherIsBetter: false,
    raw: (f) =>
      Decimal.min(new AD(1), safeRatio(f.commissionClawedBackMinor.toString(), f.commissionAccruedMinor.toString())),
  },
  {
    key: 'riskRatingPoints',
    dimension: 'risk',
    higherIsBetter: false,
    raw: (f) => new AD(RISK_RATING_POINTS[f.riskRating ?? 'MEDIUM']),
  },
  {
    key: 'tierPoints',
    dimension: 'reputation',
    higherIsBetter: true,
    raw: (f) => new AD(TIER_POINTS[f.tier ?? 'GENERAL']),
  },
  {
    key: 'ratingPoints',
    dimension: 'reputation',
    higherIsBetter: true,
    raw: (f, ctx) => {
      const p = f.externalRating === null ? undefined : ctx.ratingPoints[f.externalRating.trim().toUpperCase()];
      return p === undefined ? ctx.ratingMedian : new AD(p);
    },
  },
  {
    key: 'complaintRate',
    dimension: 'reputation',
    higherIsBetter: false,
    raw: (f) => (f.customersBroughtIn === 0 ? new AD(f.complaints) : safeRatio(f.complaints, f.customersBroughtIn)),
  },
  { key: 'sharedCustomers', dimension: 'relatedness', higherIsBetter: true, raw: (f) => new AD(f.sharedCustomers) },
  { key: 'supplyChainSize', dimension: 'relatedness', higherIsBetter: true, raw: (f) => new AD(f.supplyChainSize) },
  { key: 'crossProgramLinks', dimension: 'relatedness', higherIsBetter: true, raw: (f) => new AD(f.crossProgramLinks) },
];

/** Min-max normalisation to 0–100 across the population (see the module comment for the all-equal rule). */
export function minMaxScores(values: readonly Decimal[], higherIsBetter: boolean): Decimal[] {
  if (values.length === 0) return [];
  const min = values.reduce((m, v) => Decimal.min(m, v));
  const max = values.reduce((m, v) => Decimal.max(m, v));
  const span = max.minus(min);
  if (span.isZero()) return values.map(() => new AD(50));
  return values.map((v) => (higherIsBetter ? v.minus(min) : max.minus(v)).times(100).div(span));
}

/** Validates direct weights: four decimals in [0, 1] summing to exactly 1. */
export function validateWeights(weights: ScorecardWeights, field = 'weights'): Record<ScorecardDimension, Decimal> {
  const out = {} as Record<ScorecardDimension, Decimal>;
  let sum = new AD(0);
  for (const d of SCORECARD_DIMENSIONS) {
    const raw = weights[d];
    if (typeof raw !== 'string' || !/^\d+(?:\.\d{1,8})?$/.test(raw.trim()))
      throw badInput(`${field}.${d}`, 'INVALID_NUMBER');
    const w = new AD(raw.trim());
    if (w.gt(1)) throw badInput(`${field}.${d}`, 'OUT_OF_RANGE');
    out[d] = w;
    sum = sum.plus(w);
  }
  if (!sum.eq(1)) throw badInput(field, 'WEIGHTS_MUST_SUM_TO_ONE');
  return out;
}

/** Weights from an AHP matrix over [contribution, risk, reputation, relatedness] (4×4), rounded to sum 1. */
export function weightsFromAhp(matrix: readonly (readonly AhpCell[])[]): { weights: ScorecardWeights; ahp: AhpResult } {
  if (matrix.length !== SCORECARD_DIMENSIONS.length) throw badInput('matrix', 'SIZE_OUT_OF_RANGE');
  const ahp = ahpWeights(matrix);
  const weights = {} as ScorecardWeights;
  SCORECARD_DIMENSIONS.forEach((d, i) => {
    weights[d] = ahp.weights[i] ?? '0';
  });
  return { weights, ahp };
}

/** Validates thresholds: 0 ≤ general ≤ core ≤ strategic ≤ 100. */
export function validateThresholds(t: TierThresholds, field = 'thresholds'): Record<keyof TierThresholds, Decimal> {
  const parse = (k: keyof TierThresholds): Decimal => {
    const s = t[k];
    if (typeof s !== 'string' || !/^\d+(?:\.\d{1,4})?$/.test(s.trim()))
      throw badInput(`${field}.${k}`, 'INVALID_NUMBER');
    const v = new AD(s.trim());
    if (v.gt(100)) throw badInput(`${field}.${k}`, 'OUT_OF_RANGE');
    return v;
  };
  const strategic = parse('strategic');
  const core = parse('core');
  const general = parse('general');
  if (core.gt(strategic)) throw badInput(`${field}.core`, 'THRESHOLDS_NOT_DESCENDING');
  if (general.gt(core)) throw badInput(`${field}.general`, 'THRESHOLDS_NOT_DESCENDING');
  return { strategic, core, general };
}

export function tierOf(composite: Decimal, t: Record<keyof TierThresholds, Decimal>): ScorecardTier {
  if (composite.gte(t.strategic)) return 'STRATEGIC';
  if (composite.gte(t.core)) return 'CORE';
  if (composite.gte(t.general)) return 'GENERAL';
  return 'WATCH';
}

function assertFacts(f: PartnerScorecardFacts, i: number): void {
  const field = (k: string): string => `partners[${i}].${k}`;
  for (const k of [
    'customersBroughtIn',
    'adverseCustomers',
    'complaints',
    'sharedCustomers',
    'supplyChainSize',
    'crossProgramLinks',
  ] as const) {
    assertCount(f[k], field(k));
  }
  if (f.adverseCustomers > f.customersBroughtIn) throw badInput(field('adverseCustomers'), 'EXCEEDS_CUSTOMERS');
  if (f.commissionAccruedMinor < 0n) throw badInput(field('commissionAccruedMinor'), 'NEGATIVE');
  if (f.commissionClawedBackMinor < 0n) throw badInput(field('commissionClawedBackMinor'), 'NEGATIVE');
}

function medianPoint(points: Readonly<Record<string, number>>): Decimal {
  const vs = Object.values(points).sort((a, b) => a - b);
  if (vs.length === 0) return new AD(0);
  const mid = Math.floor(vs.length / 2);
  return vs.length % 2 === 1 ? new AD(vs[mid] ?? 0) : new AD(vs[mid - 1] ?? 0).plus(vs[mid] ?? 0).div(2);
}

/**
 * Scores, ranks and tiers a partner population for one period (see the module comment for every definition).
 * The result is ordered by rank.
 */
export function scorePartners(facts: readonly PartnerScorecardFacts[], options: ScorecardOptions): PartnerScorecard[] {
  const weights = validateWeights(options.weights);
  const thresholds = validateThresholds(options.thresholds ?? DEFAULT_TIER_THRESHOLDS);
  const ratingPoints = options.ratingPoints ?? DEFAULT_RATING_POINTS;
  const seen = new Set<string>();
  facts.forEach((f, i) => {
    assertFacts(f, i);
    if (seen.has(f.partnerId)) throw badInput(`partners[${i}].partnerId`, 'DUPLICATE');
    seen.add(f.partnerId);
  });
  const ctx = { ratingPoints, ratingMedian: medianPoint(ratingPoints) };

  const raws = SUB_INDICATORS.map((def) => facts.map((f) => def.raw(f, ctx)));
  const subScores = SUB_INDICATORS.map((def, k) => minMaxScores(raws[k] ?? [], def.higherIsBetter));

  const rows = facts.map((f, i) => {
    const dims = {} as Record<ScorecardDimension, Decimal>;
    for (const d of SCORECARD_DIMENSIONS) {
      const ks = SUB_INDICATORS.map((def, k) => ({ def, k })).filter((x) => x.def.dimension === d);
      dims[d] = ks.reduce((s, { k }) => s.plus(subScores[k]?.[i] ?? 0), new AD(0)).div(ks.length);
    }
    const composite = SCORECARD_DIMENSIONS.reduce((s, d) => s.plus(weights[d].times(dims[d])), new AD(0));
    const published = new AD(fixed(composite, SCORE_SCALE));
    const indicators: Record<string, SubIndicatorValue> = {};
    SUB_INDICATORS.forEach((def, k) => {
      const raw = raws[k]?.[i] ?? new AD(0);
      indicators[def.key] = {
        raw: raw.isInteger() ? raw.toFixed(0) : fixed(raw, 6),
        score: fixed(subScores[k]?.[i] ?? new AD(0), SCORE_SCALE),
      };
    });
    const scores = {} as Record<ScorecardDimension, string>;
    for (const d of SCORECARD_DIMENSIONS) scores[d] = fixed(dims[d], SCORE_SCALE);
    return { f, dims, published, indicators, scores };
  });

  rows.sort(
    (a, b) =>
      b.published.comparedTo(a.published) ||
      new AD(b.scores.contribution).comparedTo(a.scores.contribution) ||
      new AD(b.scores.risk).comparedTo(a.scores.risk) ||
      compareText(a.f.partnerCode, b.f.partnerCode) ||
      compareText(a.f.partnerId, b.f.partnerId),
  );

  return rows.map((r, idx) => ({
    partnerId: r.f.partnerId,
    partnerCode: r.f.partnerCode,
    rank: idx + 1,
    tier: tierOf(r.published, thresholds),
    composite: fixed(r.published, SCORE_SCALE),
    scores: r.scores,
    indicators: r.indicators,
  }));
}

/** Code-point order (not locale order), so the ranking is the same on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
