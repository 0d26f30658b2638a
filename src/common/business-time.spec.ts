import fc from 'fast-check';
import { DomainError } from './domain-error';
import {
  BANK_TIME_ZONE,
  addDays,
  businessDateOf,
  daysBetween,
  isValidBusinessDate,
  periodKeyOf,
  startOfBusinessDay,
} from './business-time';

describe('business time', () => {
  it('pins the month-end edge in Shanghai', () => {
    // 2026-01-31 23:30 in Shanghai is still January's period.
    const late = new Date('2026-01-31T15:30:00Z');
    expect(businessDateOf(late, BANK_TIME_ZONE)).toBe('2026-01-31');
    expect(periodKeyOf(late, 'Asia/Shanghai')).toBe('2026-01');
    // One hour later it is 2026-02-01 00:30 in Shanghai.
    const next = new Date('2026-01-31T16:30:00Z');
    expect(businessDateOf(next, 'Asia/Shanghai')).toBe('2026-02-01');
    expect(periodKeyOf(next, 'Asia/Shanghai')).toBe('2026-02');
    expect(periodKeyOf(next, 'UTC')).toBe('2026-01');
  });

  it('startOfBusinessDay', () => {
    expect(startOfBusinessDay('2026-02-01', 'Asia/Shanghai').toISOString()).toBe('2026-01-31T16:00:00.000Z');
    expect(startOfBusinessDay('2026-02-01', 'UTC').toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(startOfBusinessDay('2026-07-01', 'America/New_York').toISOString()).toBe('2026-07-01T04:00:00.000Z');
    expect(startOfBusinessDay('2026-01-01', 'America/New_York').toISOString()).toBe('2026-01-01T05:00:00.000Z');
    // Midnight skipped by DST (Santiago springs forward at 00:00 → 01:00 on 2025-09-07).
    expect(startOfBusinessDay('2025-09-07', 'America/Santiago').toISOString()).toBe('2025-09-07T04:00:00.000Z');
  });

  it('rejects bad zones and dates', () => {
    expect(() => businessDateOf(new Date('2026-01-01T00:00:00Z'), 'Mars/Olympus')).toThrow(DomainError);
    expect(() => businessDateOf(new Date('nope'), 'Asia/Shanghai')).toThrow(DomainError);
    expect(() => startOfBusinessDay('2026-02-30', 'Asia/Shanghai')).toThrow(DomainError);
  });

  it('isValidBusinessDate', () => {
    expect(isValidBusinessDate('2024-02-29')).toBe(true);
    expect(isValidBusinessDate('2026-02-29')).toBe(false);
    expect(isValidBusinessDate('2026-13-01')).toBe(false);
    expect(isValidBusinessDate('2026-1-01')).toBe(false);
    expect(isValidBusinessDate('2026-01-01T00:00')).toBe(false);
    expect(isValidBusinessDate('0000-01-01')).toBe(false);
  });

  it('addDays and daysBetween', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysBetween('2026-01-01', '2026-03-01')).toBe(59);
    expect(daysBetween('2026-03-01', '2026-01-01')).toBe(-59);
    expect(() => addDays('2026-01-01', 1.5)).toThrow(DomainError);
    expect(() => daysBetween('x', '2026-01-01')).toThrow(DomainError);
  });

  it('property: start of day maps back to the same date in Shanghai, one ms earlier is the day before', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
        (d) => {
          const date = businessDateOf(d, 'Asia/Shanghai');
          const start = startOfBusinessDay(date, 'Asia/Shanghai');
          expect(businessDateOf(start, 'Asia/Shanghai')).toBe(date);
          expect(businessDateOf(new Date(start.getTime() - 1), 'Asia/Shanghai')).toBe(addDays(date, -1));
          expect(start.getTime()).toBeLessThanOrEqual(d.getTime());
        },
      ),
    );
  });

  it('agrees with Intl at every quarter hour of a year, across DST, half-hour and 45-minute zones', () => {
    // businessDateOf caches each zone's offset per UTC hour; the reference asks Intl for every instant.
    const zones = [
      'Asia/Shanghai',
      'America/New_York',
      'America/Santiago',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'Pacific/Chatham',
    ];
    for (const timeZone of zones) {
      const reference = new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      });
      const wrong: string[] = [];
      for (let at = Date.UTC(2025, 0, 1); at < Date.UTC(2026, 0, 1); at += 15 * 60_000)
        for (const instant of [at, at + 15 * 60_000 - 1000]) {
          const expected = reference.format(new Date(instant));
          const actual = businessDateOf(new Date(instant), timeZone);
          if (actual !== expected) wrong.push(`${new Date(instant).toISOString()} ${actual} ≠ ${expected}`);
        }
      expect({ timeZone, wrong: wrong.slice(0, 5) }).toEqual({ timeZone, wrong: [] });
    }
  });

  it('property: start of day maps back to its date in zones with DST and half-hour offsets', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom('America/Santiago', 'Australia/Lord_Howe', 'America/New_York', 'Asia/Kathmandu'),
        (d, zone) => {
          const date = businessDateOf(d, zone);
          const start = startOfBusinessDay(date, zone);
          expect(businessDateOf(start, zone)).toBe(date);
          expect(businessDateOf(new Date(start.getTime() - 1000), zone)).toBe(addDays(date, -1));
        },
      ),
    );
  });

  it('property: addDays and daysBetween are inverse', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), (n) => {
        expect(daysBetween('2000-02-29', addDays('2000-02-29', n))).toBe(n);
      }),
    );
  });
});
