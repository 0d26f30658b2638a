import Decimal from 'decimal.js';
import fc from 'fast-check';
import { DomainError } from '../../common/domain-error';
import { AHP_RANDOM_INDEX, ahpWeights, roundWeightsToOne } from './ahp';

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

const D = Decimal.clone({ precision: 40 });

describe('ahpWeights — worked examples', () => {
  it('3×3 textbook matrix [[1,3,5],[1/3,1,3],[1/5,1/3,1]]', () => {
    // The classic tutorial matrix (criterion 1 moderately more important than 2, strongly more than 3; 2
    // moderately more than 3), widely quoted with weights ≈ 0.637 / 0.258 / 0.105 and CR ≈ 0.033.
    // By hand: for n = 3 the principal eigenvector equals the normalised row geometric means (Crawford &
    // Williams 1985): g = (15^(1/3), 1, 15^(-1/3)) = (2.466212, 1, 0.405480), Σ = 3.871692 →
    // w = (0.636986, 0.258285, 0.104729). λmax = 1 + k + 1/k with k = (a12·a23/a13)^(1/3) = (9/5)^(1/3)
    // = 1.216440 → λmax = 3.038511, CI = 0.038511 / 2 = 0.019256, CR = CI / 0.58 = 0.033199.
    // (numpy.linalg.eig gives the same: 0.636986 0.258285 0.104729, λ 3.0385111, CR 0.0331992.)
    const r = ahpWeights([
      ['1', '3', '5'],
      ['1/3', '1', '3'],
      ['1/5', '1/3', '1'],
    ]);
    expect(r.weights).toEqual(['0.636986', '0.258285', '0.104729']);
    expect(r.exactWeights.map((w) => w.toFixed(4))).toEqual(['0.6370', '0.2583', '0.1047']);
    expect(r.lambdaMax).toBe('3.038511');
    expect(r.consistencyIndex).toBe('0.019256');
    expect(r.randomIndex).toBe('0.58');
    expect(r.consistencyRatio).toBe('0.033199');

    // The same figures from the closed forms, computed independently of the power iteration.
    const g = [new D(15).cbrt(), new D(1), new D(1).div(15).cbrt()];
    const sum = g.reduce((s, x) => s.plus(x), new D(0));
    g.forEach((x, i) => expect(r.exactWeights[i]!.minus(x.div(sum)).abs().lt('1e-25')).toBe(true));
    const k = new D(9).div(5).cbrt();
    const lambda = k.plus(new D(1).div(k)).plus(1);
    expect(lambda.toFixed(6)).toBe(r.lambdaMax);
  });

  it('4×4 matrix [[1,3,7,9],[1/3,1,5,7],[1/7,1/5,1,3],[1/9,1/7,1/3,1]]', () => {
    // A textbook-style 4-criteria judgment matrix on Saaty's 1–9 scale. Expected values: numpy.linalg.eig
    // (LAPACK) principal eigenvector normalised to sum 1: 0.583089 0.289530 0.084896 0.042485, λmax 4.1645767,
    // CI = 0.1645767/3 = 0.0548589, CR = CI/0.90 = 0.0609543 < 0.10 → accepted.
    const r = ahpWeights([
      ['1', '3', '7', '9'],
      ['1/3', '1', '5', '7'],
      ['1/7', '1/5', '1', '3'],
      ['1/9', '1/7', '1/3', '1'],
    ]);
    expect(r.exactWeights.map((w) => w.toFixed(4))).toEqual(['0.5831', '0.2895', '0.0849', '0.0425']);
    expect(r.weights).toEqual(['0.583089', '0.289530', '0.084896', '0.042485']);
    expect(r.lambdaMax).toBe('4.164577');
    expect(r.consistencyIndex).toBe('0.054859');
    expect(r.randomIndex).toBe('0.90');
    expect(r.consistencyRatio).toBe('0.060954');
    // And it is an eigenvector: A·w = λ·w.
    const a = [
      [1, 3, 7, 9],
      [new D(1).div(3), 1, 5, 7],
      [new D(1).div(7), new D(1).div(5), 1, 3],
      [new D(1).div(9), new D(1).div(7), new D(1).div(3), 1],
    ];
    const lam = a
      .map((row) => row.reduce<Decimal>((s, x, j) => s.plus(new D(x).times(r.exactWeights[j]!)), new D(0)))
      .reduce((s, x) => s.plus(x), new D(0));
    a.forEach((row, i) => {
      const awi = row.reduce<Decimal>((s, x, j) => s.plus(new D(x).times(r.exactWeights[j]!)), new D(0));
      expect(awi.minus(lam.times(r.exactWeights[i]!)).abs().lt('1e-20')).toBe(true);
    });
  });

  it('a perfectly consistent matrix (a_ij = w_i / w_j for w = 0.4/0.3/0.2/0.1) gives back w with CR = 0', () => {
    const r = ahpWeights([
      ['1', '4/3', '2', '4'],
      ['3/4', '1', '3/2', '3'],
      ['1/2', '2/3', '1', '2'],
      ['1/4', '1/3', '1/2', '1'],
    ]);
    expect(r.weights).toEqual(['0.400000', '0.300000', '0.200000', '0.100000']);
    expect(r.lambdaMax).toBe('4.000000');
    expect(r.consistencyIndex).toBe('0.000000');
    expect(r.consistencyRatio).toBe('0.000000');
  });

  it('2×2: always consistent (RI = 0 → CR = 0)', () => {
    const r = ahpWeights([
      ['1', '3'],
      ['1/3', '1'],
    ]);
    expect(r.weights).toEqual(['0.750000', '0.250000']);
    expect(r.consistencyRatio).toBe('0.000000');
  });

  it('accepts Decimal cells and rounded reciprocals within tolerance ("0.333" for 1/3)', () => {
    const r = ahpWeights([
      [new Decimal(1), new Decimal(3)],
      [new Decimal('0.333'), new Decimal(1)],
    ]);
    // 2×2 by hand: λ = 1 + √(3 × 0.333) = 1 + √0.999, w1/w2 = 3/√0.999 = 3.001501 → w1 = 3.001501/4.001501 = 0.750094.
    expect(r.weights).toEqual(['0.750094', '0.249906']);
    expect(r.lambdaMax).toBe('1.999500');
  });

  it('CR ≥ 0.10 → BAD_USER_INPUT INCONSISTENT carrying the ratio', () => {
    // numpy: λmax 4.3907302, CI 0.1302434, CR = 0.1302434 / 0.90 = 0.1447149.
    const e = errorOf(() =>
      ahpWeights([
        ['1', '5', '6', '7'],
        ['1/5', '1', '4', '6'],
        ['1/6', '1/4', '1', '4'],
        ['1/7', '1/6', '1/4', '1'],
      ]),
    );
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.details).toMatchObject({
      field: 'matrix',
      reason: 'INCONSISTENT',
      consistencyRatio: '0.144715',
      lambdaMax: '4.390730',
    });
  });

  it('an intransitive cycle (1 ≫ 2 ≫ 3 ≫ 1) is inconsistent', () => {
    // Circulant: the uniform vector is the eigenvector, λmax = 1 + 9 + 1/9 = 10.111111, CI = 3.555556, CR = 6.130268.
    const e = errorOf(() =>
      ahpWeights([
        ['1', '9', '1/9'],
        ['1/9', '1', '9'],
        ['9', '1/9', '1'],
      ]),
    );
    expect(e.details).toMatchObject({ reason: 'INCONSISTENT', consistencyRatio: '6.130268' });
  });

  it.each([
    ['not square', [['1', '2'], ['1/2']], 'matrix[1]', 'NOT_SQUARE'],
    ['too small', [['1']], 'matrix', 'SIZE_OUT_OF_RANGE'],
    ['too big', Array.from({ length: 11 }, () => Array.from({ length: 11 }, () => '1')), 'matrix', 'SIZE_OUT_OF_RANGE'],
    [
      'zero',
      [
        ['1', '0'],
        ['1', '1'],
      ],
      'matrix[0][1]',
      'NOT_POSITIVE',
    ],
    [
      'negative',
      [
        ['1', '-2'],
        ['1/2', '1'],
      ],
      'matrix[0][1]',
      'NOT_POSITIVE',
    ],
    [
      'garbage',
      [
        ['1', 'two'],
        ['1/2', '1'],
      ],
      'matrix[0][1]',
      'INVALID_NUMBER',
    ],
    [
      'zero denominator',
      [
        ['1', '1/0'],
        ['1', '1'],
      ],
      'matrix[0][1]',
      'NOT_POSITIVE',
    ],
    [
      'diagonal',
      [
        ['1', '2'],
        ['1/2', '2'],
      ],
      'matrix[1][1]',
      'DIAGONAL_NOT_ONE',
    ],
    [
      'not reciprocal',
      [
        ['1', '2', '3'],
        ['1/2', '1', '2'],
        ['1/3', '1/3', '1'],
      ],
      'matrix[2][1]',
      'NOT_RECIPROCAL',
    ],
  ])('rejects %s naming the cell', (_name, matrix, field, reason) => {
    const e = errorOf(() => ahpWeights(matrix));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.details).toMatchObject({ field, reason });
  });

  it('Saaty random indices for n = 1..10', () => {
    expect(AHP_RANDOM_INDEX).toEqual(['0', '0', '0.58', '0.90', '1.12', '1.24', '1.32', '1.41', '1.45', '1.49']);
  });

  it('largest-remainder rounding of weights sums to exactly 1', () => {
    expect(roundWeightsToOne([new D(1), new D(1), new D(1)])).toEqual(['0.333334', '0.333333', '0.333333']);
  });
});

describe('ahpWeights — properties (fast-check)', () => {
  const weightVector = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 10 });

  it('a consistent matrix built from any weights returns those weights, λmax = n and CR = 0', () => {
    fc.assert(
      fc.property(weightVector, (w) => {
        const matrix = w.map((wi) => w.map((wj) => `${wi}/${wj}`));
        const r = ahpWeights(matrix);
        const total = w.reduce((s, x) => s + x, 0);
        r.exactWeights.forEach((x, i) => expect(x.minus(new D(w[i]!).div(total)).abs().lt('1e-20')).toBe(true));
        expect(r.lambdaMax).toBe(`${w.length}.000000`);
        expect(r.consistencyRatio).toBe('0.000000');
        expect(r.weights.reduce((s, x) => s.plus(x), new D(0)).eq(1)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  const saaty = fc.constantFrom(
    '1',
    '2',
    '3',
    '4',
    '5',
    '6',
    '7',
    '8',
    '9',
    '1/2',
    '1/3',
    '1/4',
    '1/5',
    '1/6',
    '1/7',
    '1/8',
    '1/9',
  );
  const reciprocalMatrix = fc.integer({ min: 2, max: 6 }).chain((n) =>
    fc.array(saaty, { minLength: (n * (n - 1)) / 2, maxLength: (n * (n - 1)) / 2 }).map((upper) => {
      const m: string[][] = Array.from({ length: n }, () => Array.from({ length: n }, () => '1'));
      let k = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const v = upper[k++]!;
          m[i]![j] = v;
          m[j]![i] = v.startsWith('1/') ? v.slice(2) : v === '1' ? '1' : `1/${v}`;
        }
      }
      return m;
    }),
  );

  it('any reciprocal matrix: weights positive summing to exactly 1 and λmax ≥ n, or INCONSISTENT with CR ≥ 0.10', () => {
    fc.assert(
      fc.property(reciprocalMatrix, (m) => {
        try {
          const r = ahpWeights(m);
          expect(r.weights.every((x) => new D(x).gte(0))).toBe(true);
          expect(r.weights.reduce((s, x) => s.plus(x), new D(0)).eq(1)).toBe(true);
          expect(new D(r.lambdaMax).gte(m.length - 1e-6)).toBe(true);
          expect(new D(r.consistencyRatio).lt('0.10')).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(DomainError);
          const err = e as DomainError;
          expect(err.details.reason).toBe('INCONSISTENT');
          expect(new D(err.details.consistencyRatio as string).gte('0.10')).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('relabelling the criteria permutes the weights the same way', () => {
    fc.assert(
      fc.property(
        reciprocalMatrix.chain((m) =>
          fc.tuple(fc.constant(m), fc.shuffledSubarray([...m.keys()], { minLength: m.length, maxLength: m.length })),
        ),
        ([m, perm]) => {
          const pm = perm.map((pi) => perm.map((pj) => m[pi]![pj]!));
          let a: ReturnType<typeof ahpWeights> | null = null;
          try {
            a = ahpWeights(m);
          } catch {
            expect(() => ahpWeights(pm)).toThrow(DomainError);
            return;
          }
          const b = ahpWeights(pm);
          perm.forEach((pi, i) => expect(b.exactWeights[i]!.minus(a.exactWeights[pi]!).abs().lt('1e-20')).toBe(true));
          expect(b.consistencyRatio).toBe(a.consistencyRatio);
        },
      ),
      { numRuns: 40 },
    );
  });
});
