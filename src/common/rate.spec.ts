import fc from 'fast-check';
import { DomainError } from './domain-error';
import { parseRate } from './rate';

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return `${e.details.field ?? ''}:${e.details.reason ?? ''}`;
    throw e;
  }
  return undefined;
}

describe('parseRate', () => {
  it.each([
    ['0.06', '0.06'],
    ['0.060', '0.06'],
    [' 0.03 ', '0.03'],
    ['1', '1'],
    ['1.0', '1'],
    ['0', '0'],
    ['-0.00', '0'],
    ['0.00000001', '0.00000001'],
    ['０．０１', '0.01'],
  ])('%s → %s', (raw, out) => {
    expect(parseRate(raw)).toBe(out);
  });

  it.each([
    ['', 'REQUIRED'],
    ['abc', 'INVALID_RATE'],
    ['6%', 'INVALID_RATE'],
    ['1e-2', 'INVALID_RATE'],
    ['.5', 'INVALID_RATE'],
    ['0.000000001', 'TOO_MANY_DECIMALS'],
    ['1.01', 'OUT_OF_RANGE'],
    ['-0.01', 'OUT_OF_RANGE'],
  ])('rejects %s (%s)', (raw, reason) => {
    expect(reasonOf(() => parseRate(raw, 'vatRate'))).toBe(`vatRate:${reason}`);
  });

  it('custom bounds', () => {
    expect(parseRate('-0.5', 'adj', { min: '-1' })).toBe('-0.5');
    expect(parseRate('12.5', 'pct', { max: '100' })).toBe('12.5');
    expect(reasonOf(() => parseRate('0.2', 'cap', { max: '0.1' }))).toBe('cap:OUT_OF_RANGE');
  });

  it('property: idempotent on its own output', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000 }), (n) => {
        // n / 10^8 written with all 8 decimals, e.g. "0.06000000"
        const s = `${Math.floor(n / 1e8)}.${String(n % 1e8).padStart(8, '0')}`;
        const once = parseRate(s);
        expect(parseRate(once)).toBe(once);
        expect(once).not.toMatch(/\.\d*0$/);
      }),
    );
  });
});
