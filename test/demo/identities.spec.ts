import { isValidResidentId } from '../../src/common/identifiers';
import { uniqueResidentId } from '../../src/demo/generator/identities';
import { Rng } from '../../src/demo/generator/prng';
import { profile, SCALES, WorldContext } from '../../src/demo/generator/world';

describe('demo identities', () => {
  it('gives every person index a different, valid resident ID, whatever the address code and sex', () => {
    const seen = new Set<string>();
    const divisions = ['110105', '310115', '440106'];
    // Enough indexes to cover the medium scale's profiles, plus the top of the large scale's range.
    const indexes = [...Array.from({ length: 170_000 }, (_, i) => i), 1_699_998, 1_699_999];
    for (const i of indexes) {
      const id = uniqueResidentId(divisions[i % divisions.length] ?? '110105', i, i % 2 === 0);
      expect(seen.has(id.slice(6, 17))).toBe(false);
      seen.add(id.slice(6, 17));
      if (i % 997 === 0) expect(isValidResidentId(id, new Date('2026-10-31T00:00:00Z'))).toBe(true);
    }
    expect(uniqueResidentId('310115', 12, true).charAt(16)).toMatch(/[13579]/);
    expect(uniqueResidentId('310115', 12, false).charAt(16)).toMatch(/[02468]/);
    expect(() => uniqueResidentId('310115', 8_064_000, true)).toThrow(RangeError);
  });

  it('derives a different stream for every index of a family', () => {
    // Two draws per stream: one 32-bit output may repeat between different states, two in a row do not.
    const starts = new Set<string>();
    for (let i = 0; i < 200_000; i++) {
      const rng = Rng.indexed(20_260_101, 'profile', i);
      starts.add(`${rng.next()}/${rng.next()}`);
    }
    expect(starts.size).toBe(200_000);
    expect(Rng.indexed(7, 'profile', 42).next()).toBe(Rng.indexed(7, 'profile', 42).next());
  });

  it('generates no two customers with the same identity or USCC at the medium scale', () => {
    // Programs do not change identities; without them every profile is an organic customer.
    const ctx: WorldContext = { seed: 20_260_101, spec: SCALES.medium, programs: [], cores: [] };
    const keys = new Set<string>();
    let customers = 0;
    for (let i = 0; i < SCALES.medium.profiles; i++) {
      const c = profile(ctx, i).customer;
      if (!c) continue;
      customers++;
      keys.add(c.idNumber ?? c.uscc ?? '');
    }
    expect(customers).toBeGreaterThan(100_000);
    expect(keys.size).toBe(customers);
  });
});
