/**
 * A tiny seeded PRNG (mulberry32) with the helpers the generator needs. Deterministic across platforms:
 * only 32-bit integer arithmetic, no Math.random.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A stream derived from a seed and a label path, e.g. derive(seed, 'customer', 42): independent of call order. */
  static derive(seed: number, ...parts: (string | number)[]): Rng {
    let h = (seed ^ 0x9e3779b9) >>> 0;
    for (const part of parts) {
      const s = String(part);
      for (let i = 0; i < s.length; i++) {
        h = Math.imul(h ^ s.charCodeAt(i), 0x85ebca6b) >>> 0;
        h = (h ^ (h >>> 13)) >>> 0;
      }
      h = Math.imul(h ^ 0x2f, 0xc2b2ae35) >>> 0;
    }
    return new Rng(h);
  }

  /**
   * Stream `index` of a numbered family (e.g. the profiles): unlike `derive`, whose string hash lets two
   * indexes land on the same state (at 170,000 profiles two pairs of identical twins appeared), distinct
   * indexes below 2^32 always get distinct states — adding an odd multiple of the index and mixing with
   * MurmurHash3's finaliser are both bijections on 32 bits.
   */
  static indexed(seed: number, label: string, index: number): Rng {
    let h = (Rng.derive(seed, label).state + Math.imul(index >>> 0, 0x9e3779b1)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    return new Rng((h ^ (h >>> 16)) >>> 0);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Picks by weight (weights need not sum to 1). */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    const last = items[items.length - 1];
    if (!last) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
}
