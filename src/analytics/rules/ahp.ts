import Decimal from 'decimal.js';
import { DomainError, badInput } from '../../common/domain-error';
import { AD, fixed } from './numeric';

/**
 * Saaty's random consistency indices RI(n) for n = 1..10 (the mean CI of random reciprocal matrices on the
 * 1/9..9 scale, Saaty 1980). CR = CI / RI(n); for n ≤ 2 a reciprocal matrix is always consistent and CR = 0.
 */
export const AHP_RANDOM_INDEX: readonly string[] = [
  '0',
  '0',
  '0.58',
  '0.90',
  '1.12',
  '1.24',
  '1.32',
  '1.41',
  '1.45',
  '1.49',
];

/** Judgements are accepted when CR < 0.10 (Saaty's rule); CR ≥ 0.10 is BAD_USER_INPUT with reason INCONSISTENT. */
export const AHP_MAX_CONSISTENCY_RATIO = '0.10';

/** a_ji must equal 1/a_ij within this relative tolerance: |a_ij · a_ji − 1| ≤ 0.005 (so "0.333" passes for 1/3). */
export const AHP_RECIPROCAL_TOLERANCE = '0.005';

/** Scale of the published weights (they are rounded by largest remainder so they sum to exactly 1). */
export const AHP_WEIGHT_SCALE = 6;

const MIN_N = 2;
const MAX_N = 10;
/** Power iteration stops when no weight moves by more than this between two iterations. */
const CONVERGENCE = new AD('1e-30');
const MAX_ITERATIONS = 10_000;

export type AhpCell = string | Decimal;

export interface AhpResult {
  n: number;
  /** Principal-eigenvector weights, scale 6, summing to exactly "1" (largest-remainder rounding). */
  weights: string[];
  /** Unrounded weights (sum 1 within the arithmetic's precision), for further computation. */
  exactWeights: Decimal[];
  /** λmax, scale 6. */
  lambdaMax: string;
  /** CI = (λmax − n)/(n − 1), scale 6, never negative (clamped at 0 against rounding of entered reciprocals). */
  consistencyIndex: string;
  /** RI(n) from Saaty's table. */
  randomIndex: string;
  /** CR = CI / RI(n), scale 6; 0 for n ≤ 2. */
  consistencyRatio: string;
  iterations: number;
}

/** Parses one cell: a decimal ("3", "0.2"), a fraction ("1/3"), or a Decimal. */
function parseCell(cell: AhpCell, field: string): Decimal {
  let d: Decimal;
  try {
    if (typeof cell === 'string') {
      const s = cell.trim();
      const frac = /^(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(s);
      if (frac) {
        const den = new AD(frac[2] ?? '0');
        if (den.isZero()) throw badInput(field, 'NOT_POSITIVE');
        d = new AD(frac[1] ?? '0').div(den);
      } else {
        if (!/^-?\d+(?:\.\d+)?$/.test(s)) throw badInput(field, 'INVALID_NUMBER');
        d = new AD(s);
      }
    } else {
      d = new AD(cell);
    }
  } catch (e) {
    if (e instanceof DomainError) throw e;
    throw badInput(field, 'INVALID_NUMBER');
  }
  if (!d.isFinite()) throw badInput(field, 'INVALID_NUMBER');
  if (!d.isPositive() || d.isZero()) throw badInput(field, 'NOT_POSITIVE');
  return d;
}

/** Validates shape, positivity, unit diagonal and reciprocity; returns the parsed matrix. */
export function parseAhpMatrix(matrix: readonly (readonly AhpCell[])[], field = 'matrix'): Decimal[][] {
  const n = matrix.length;
  if (n < MIN_N || n > MAX_N) throw badInput(field, 'SIZE_OUT_OF_RANGE');
  const a: Decimal[][] = [];
  matrix.forEach((row, i) => {
    if (row.length !== n) throw badInput(`${field}[${i}]`, 'NOT_SQUARE');
    a.push(row.map((cell, j) => parseCell(cell, `${field}[${i}][${j}]`)));
  });
  const tol = new AD(AHP_RECIPROCAL_TOLERANCE);
  for (let i = 0; i < n; i++) {
    const ai = a[i] as Decimal[];
    if (!(ai[i] as Decimal).eq(1)) throw badInput(`${field}[${i}][${i}]`, 'DIAGONAL_NOT_ONE');
    for (let j = i + 1; j < n; j++) {
      const aij = ai[j] as Decimal;
      const aji = (a[j] as Decimal[])[i] as Decimal;
      if (aij.times(aji).minus(1).abs().gt(tol)) throw badInput(`${field}[${j}][${i}]`, 'NOT_RECIPROCAL');
    }
  }
  return a;
}

/** Rounds non-negative weights summing to ~1 to `scale` decimals so that they sum to exactly 1 (ties → lower index). */
export function roundWeightsToOne(weights: readonly Decimal[], scale = AHP_WEIGHT_SCALE): string[] {
  const unit = new AD(10).pow(scale);
  const total = weights.reduce((s, w) => s.plus(w), new AD(0));
  const scaled = weights.map((w) => w.div(total).times(unit));
  const floors = scaled.map((s) => s.floor());
  let leftover = unit.minus(floors.reduce((s, f) => s.plus(f), new AD(0))).toNumber();
  const order = scaled
    .map((s, i) => ({ r: s.minus(floors[i] as Decimal), i }))
    .sort((x, y) => y.r.comparedTo(x.r) || x.i - y.i);
  const units = floors.map((f) => f);
  for (const { i } of order) {
    if (leftover <= 0) break;
    units[i] = (units[i] as Decimal).plus(1);
    leftover--;
  }
  return units.map((u) => fixed(u.div(unit), scale));
}

/**
 * AHP weights from a pairwise-comparison matrix (a_ij = how much more important criterion i is than j, on
 * Saaty's 1/9..9 scale): the principal (Perron) eigenvector found by power iteration in decimal arithmetic
 * (w ← A·w / Σ(A·w) from the uniform vector until no component moves by more than 1e-30), normalised to sum 1;
 * λmax = Σ_i (A·w)_i for the normalised w; CI = (λmax − n)/(n − 1); CR = CI / RI(n).
 *
 * Errors (BAD_USER_INPUT, field names the cell): SIZE_OUT_OF_RANGE (n outside 2..10), NOT_SQUARE,
 * INVALID_NUMBER, NOT_POSITIVE, DIAGONAL_NOT_ONE, NOT_RECIPROCAL (reported on the lower cell a_ji), and
 * INCONSISTENT on field `matrix` when CR ≥ 0.10, with details.consistencyRatio (and CI, λmax) as decimal strings.
 */
export function ahpWeights(matrix: readonly (readonly AhpCell[])[], field = 'matrix'): AhpResult {
  const a = parseAhpMatrix(matrix, field);
  const n = a.length;
  let w: Decimal[] = a.map(() => new AD(1).div(n));
  let iterations = 0;
  let converged = false;
  let lambda = new AD(n);
  while (iterations < MAX_ITERATIONS) {
    iterations++;
    const aw = a.map((row) => row.reduce((s, aij, j) => s.plus(aij.times(w[j] as Decimal)), new AD(0)));
    lambda = aw.reduce((s, x) => s.plus(x), new AD(0));
    const next = aw.map((x) => x.div(lambda));
    const moved = next.reduce((m, x, i) => Decimal.max(m, x.minus(w[i] as Decimal).abs()), new AD(0));
    w = next;
    if (moved.lte(CONVERGENCE)) {
      converged = true;
      break;
    }
  }
  if (!converged) throw badInput(field, 'NOT_CONVERGED');

  const ci = Decimal.max(new AD(0), lambda.minus(n).div(n - 1));
  const ri = new AD(AHP_RANDOM_INDEX[n - 1] ?? '0');
  const cr = ri.isZero() ? new AD(0) : ci.div(ri);
  const result: AhpResult = {
    n,
    weights: roundWeightsToOne(w),
    exactWeights: w,
    lambdaMax: fixed(lambda, 6),
    consistencyIndex: fixed(ci, 6),
    randomIndex: ri.toFixed(2),
    consistencyRatio: fixed(cr, 6),
    iterations,
  };
  if (cr.gte(AHP_MAX_CONSISTENCY_RATIO)) {
    throw new DomainError(
      'BAD_USER_INPUT',
      `Pairwise comparisons are inconsistent: CR = ${result.consistencyRatio} ≥ ${AHP_MAX_CONSISTENCY_RATIO}`,
      {
        field,
        reason: 'INCONSISTENT',
        consistencyRatio: result.consistencyRatio,
        consistencyIndex: result.consistencyIndex,
        lambdaMax: result.lambdaMax,
      },
    );
  }
  return result;
}
