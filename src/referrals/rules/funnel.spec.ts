import { FunnelInterval, ReferralStatus } from '../referral.enums';
import { engineSteps } from '../referrals.service';
import { bucketOf, countOf, isoWeekOf, mergeBuckets, rate } from './funnel';

describe('funnel rules', () => {
  it('computes ISO 8601 weeks, including year edges', () => {
    expect(isoWeekOf('2026-01-01')).toEqual({ key: '2026-W01', monday: '2025-12-29' });
    expect(isoWeekOf('2025-12-29')).toEqual({ key: '2026-W01', monday: '2025-12-29' });
    expect(isoWeekOf('2027-01-03')).toEqual({ key: '2026-W53', monday: '2026-12-28' });
    expect(isoWeekOf('2026-02-01')).toEqual({ key: '2026-W05', monday: '2026-01-26' });
    expect(isoWeekOf('2026-02-02')).toEqual({ key: '2026-W06', monday: '2026-02-02' });
    expect(isoWeekOf('2021-01-03')).toEqual({ key: '2020-W53', monday: '2020-12-28' });
  });

  it('buckets and merges days into weeks', () => {
    expect(bucketOf(FunnelInterval.MONTH, '2026-02')).toEqual({ bucket: '2026-02', bucketStart: '2026-02-01' });
    const zero = {
      submitted: 0,
      contacted: 0,
      applied: 0,
      converted: 0,
      qualified: 0,
      rejected: 0,
      expired: 0,
      duplicate: 0,
    };
    const merged = mergeBuckets(FunnelInterval.WEEK, [
      { ...zero, groupKey: 'a', sqlBucket: '2026-02-03', submitted: 2 },
      { ...zero, groupKey: 'a', sqlBucket: '2026-02-08', submitted: 3, converted: 1 },
      { ...zero, groupKey: 'a', sqlBucket: '2026-02-09', submitted: 1 },
    ]);
    expect(merged.map((r) => [r.bucket, r.submitted, r.converted])).toEqual([
      ['2026-W06', 5, 1],
      ['2026-W07', 1, 0],
    ]);
  });

  it('rates are exact decimal strings, half-up at 4 places', () => {
    expect(rate(2, 3)).toBe('0.6667');
    expect(rate(1, 8)).toBe('0.125');
    expect(rate(1, 0)).toBe('0');
    expect(rate(3, 3)).toBe('1');
    expect(countOf('12')).toBe(12);
    expect(countOf(BigInt(4))).toBe(4);
    expect(() => countOf('1.5')).toThrow();
    expect(countOf('12.00')).toBe(12);
    expect(countOf('007')).toBe(7);
    for (const junk of ['0x10', '1e3', ' 5', '', '-3']) expect(() => countOf(junk)).toThrow();
  });

  it('engine steps never go backwards and never touch REJECTED or DUPLICATE', () => {
    expect(engineSteps(ReferralStatus.SUBMITTED, 'QUALIFIED')).toEqual([
      ReferralStatus.CONVERTED,
      ReferralStatus.QUALIFIED,
    ]);
    expect(engineSteps(ReferralStatus.CONVERTED, 'QUALIFIED')).toEqual([ReferralStatus.QUALIFIED]);
    expect(engineSteps(ReferralStatus.QUALIFIED, 'CONVERTED')).toEqual([]);
    expect(engineSteps(ReferralStatus.CONVERTED, 'EXPIRED')).toEqual([]);
    expect(engineSteps(ReferralStatus.EXPIRED, 'CONVERTED')).toEqual([ReferralStatus.CONVERTED]);
    expect(engineSteps(ReferralStatus.REJECTED, 'CONVERTED')).toEqual([]);
    expect(engineSteps(ReferralStatus.DUPLICATE, 'QUALIFIED')).toEqual([]);
    expect(engineSteps(ReferralStatus.APPLIED, 'EXPIRED')).toEqual([ReferralStatus.EXPIRED]);
  });
});
