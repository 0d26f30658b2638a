import fc from 'fast-check';
import {
  TRACKING_ALPHABET,
  generateTrackingCode,
  isValidTrackingCode,
  normalizeTrackingCode,
  trackingCheckChar,
} from './tracking-code';

/** Deterministic PRNG so the exhaustive sample is reproducible. */
function seeded(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

describe('tracking codes', () => {
  it('alphabet has 31 characters without look-alikes', () => {
    expect(TRACKING_ALPHABET).toHaveLength(31);
    expect(new Set(TRACKING_ALPHABET).size).toBe(31);
    for (const c of '01OIL') expect(TRACKING_ALPHABET).not.toContain(c);
  });

  it('generates valid codes of 8–10 characters', () => {
    for (const len of [8, 9, 10]) {
      const code = generateTrackingCode(len);
      expect(code).toHaveLength(len);
      expect(isValidTrackingCode(code)).toBe(true);
    }
    expect(generateTrackingCode()).toHaveLength(9);
    expect(() => generateTrackingCode(7)).toThrow();
    expect(() => generateTrackingCode(11)).toThrow();
    expect(() => generateTrackingCode(9, () => 31)).toThrow(RangeError);
  });

  it('normalises case, full-width, spaces and hyphens', () => {
    const code = generateTrackingCode(10, seeded(7));
    expect(normalizeTrackingCode(` ${code.slice(0, 5).toLowerCase()}-${code.slice(5)} `)).toBe(code);
    expect(isValidTrackingCode(code.toLowerCase())).toBe(true);
    expect(isValidTrackingCode('')).toBe(false);
    expect(isValidTrackingCode('2345678')).toBe(false);
  });

  it('rejects characters outside the alphabet', () => {
    expect(isValidTrackingCode('0OIL2345A')).toBe(false);
    expect(() => trackingCheckChar('ABC0')).toThrow();
  });

  it('exhaustive on a sample: every single substitution and adjacent transposition is rejected', () => {
    const random = seeded(20260131);
    let checked = 0;
    const undetected: string[] = []; // collected, not expect()ed per case, to keep this fast
    for (let sample = 0; sample < 300; sample++) {
      const code = generateTrackingCode(8 + (sample % 3), random);
      expect(isValidTrackingCode(code)).toBe(true);
      for (let i = 0; i < code.length; i++) {
        for (const sub of TRACKING_ALPHABET) {
          if (sub === code[i]) continue;
          const mutated = code.slice(0, i) + sub + code.slice(i + 1);
          if (isValidTrackingCode(mutated)) undetected.push(`${code}→${mutated}`);
          checked++;
        }
        if (i + 1 < code.length && code[i] !== code[i + 1]) {
          const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
          if (isValidTrackingCode(swapped)) undetected.push(`${code}→${swapped}`);
          checked++;
        }
      }
    }
    expect(undetected).toEqual([]);
    expect(checked).toBeGreaterThan(80_000);
  });

  it('property: exactly one check character completes any payload', () => {
    const ch = fc.constantFrom(...TRACKING_ALPHABET.split(''));
    fc.assert(
      fc.property(fc.array(ch, { minLength: 7, maxLength: 9 }), (chars) => {
        const payload = chars.join('');
        const ok = TRACKING_ALPHABET.split('').filter((c) => isValidTrackingCode(payload + c));
        expect(ok).toEqual([trackingCheckChar(payload)]);
      }),
    );
  });
});
