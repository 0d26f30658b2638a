import fc from 'fast-check';
import { countOf } from '../../src/referrals/rules/funnel';
import { ReferralsService } from '../../src/referrals/referrals.service';
import { databases, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import { BankFixture, seedBank } from '../support/fixtures';
import { channel, referralProgram } from './support';

interface Row {
  groupKey: string | null;
  bucket: string;
  bucketStart: string;
  submitted: number;
  contacted: number;
  applied: number;
  converted: number;
  qualified: number;
  rejected: number;
  expired: number;
  duplicate: number;
  contactRate: string;
  applicationRate: string;
  conversionRate: string;
  qualificationRate: string;
  qualifiedOfConverted: string;
}

const FUNNEL = `query($g: FunnelGroupBy!, $i: FunnelInterval!, $f: ReferralFunnelFilter) {
  referralFunnel(groupBy: $g, interval: $i, filter: $f) { groupKey bucket bucketStart submitted contacted applied converted
    qualified rejected expired duplicate contactRate applicationRate conversionRate qualificationRate qualifiedOfConverted } }`;

const counts = (r: Row) => [
  r.bucket,
  r.groupKey,
  r.submitted,
  r.contacted,
  r.applied,
  r.converted,
  r.qualified,
  r.rejected,
  r.expired,
  r.duplicate,
];

describe.each(databases())('referral funnel on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  let program: string;
  let programSh: string;
  let f1: string;
  let f2: string;

  /**
   * The fixture (Shanghai dates), by hand:
   *  r1 F1 2026-02-02 (Mon, W06)  → QUALIFIED by the engine (so it also reached CONTACTED…CONVERTED)
   *  r2 F1 2026-02-03 (W06)       → CONTACTED → APPLIED → CONVERTED
   *  r3 F1 2026-02-04 (W06)       → CONTACTED → REJECTED
   *  r4 F2 2026-02-09 (Mon, W07)  stays SUBMITTED
   *  r5 F2 2026-01-31T16:30Z = 2026-02-01 00:30 in Shanghai (Sunday: W05, February) stays SUBMITTED
   *  r6 F1 2026-02-05 (W06)       same prospect as r1 → DUPLICATE (outside the funnel)
   *  r7 F2 2026-03-02 (Mon, W10)  → EXPIRED by the engine
   *  s1 (partner Shanghai) 2026-02-02 stays SUBMITTED
   */
  beforeAll(async () => {
    t = await TestApp.start(db);
    t.clock.set('2026-03-10T04:00:00Z');
    bank = await seedBank(t);
    program = await referralProgram(t, bank.partnerBj);
    programSh = await referralProgram(t, bank.partnerSh);
    f1 = (await channel(t, program)).id;
    f2 = (await channel(t, program)).id;
    const sh = (await channel(t, programSh)).id;
    const svc = t.get(ReferralsService);
    let n = 0;
    const submit = async (channelId: string, submittedAt: string, phone: string) =>
      (
        await svc.submit(SYSTEM_ACTOR, {
          channelId,
          idempotencyKey: `f-${++n}`,
          prospect: { phone, name: '张三' },
          submittedAt,
        })
      ).referral;
    const r1 = await submit(f1, '2026-02-02T02:00:00Z', '13100000001');
    const r2 = await submit(f1, '2026-02-03T02:00:00Z', '13100000002');
    const r3 = await submit(f1, '2026-02-04T02:00:00Z', '13100000003');
    await submit(f2, '2026-02-09T02:00:00Z', '13100000004');
    await submit(f2, '2026-01-31T16:30:00Z', '13100000005');
    const r6 = await submit(f1, '2026-02-05T02:00:00Z', '13100000001');
    expect(r6.status).toBe('DUPLICATE');
    const r7 = await submit(f2, '2026-03-02T02:00:00Z', '13100000007');
    await submit(sh, '2026-02-02T02:00:00Z', '13100000008');
    const move = async (id: string, to: 'CONTACTED' | 'APPLIED' | 'REJECTED') => {
      const current = await svc.get(SYSTEM_ACTOR, id);
      await svc.transition(SYSTEM_ACTOR, { id, to: to as never, reason: 'test', version: current.version });
    };
    await move(r2.id, 'CONTACTED');
    await move(r2.id, 'APPLIED');
    await move(r3.id, 'CONTACTED');
    await move(r3.id, 'REJECTED');
    const at = new Date('2026-03-05T00:00:00Z');
    await t.dataSource.transaction((m) =>
      svc.applyEngineOutcomes(m, [
        { referralId: r1.id, to: 'QUALIFIED', at, reason: 'qualified' },
        { referralId: r2.id, to: 'CONVERTED', at, reason: 'converted' },
        { referralId: r7.id, to: 'EXPIRED', at, reason: 'window' },
      ]),
    );
  });
  afterAll(() => t.close());

  const funnel = async (g: string, i: string, f: Record<string, unknown> | null, as = 'admin'): Promise<Row[]> =>
    ok(await t.gql<{ referralFunnel: Row[] }>(FUNNEL, { g, i, f }, as)).referralFunnel;

  it('MONTH × PROGRAM: reached-stage counts and rates computed by hand', async () => {
    const rows = await funnel('PROGRAM', 'MONTH', { programIds: [program] });
    expect(rows.map(counts)).toEqual([
      ['2026-02', program, 5, 3, 2, 2, 1, 1, 0, 1],
      ['2026-03', program, 1, 0, 0, 0, 0, 0, 1, 0],
    ]);
    expect(rows[0]).toMatchObject({
      bucketStart: '2026-02-01',
      contactRate: '0.6',
      applicationRate: '0.4',
      conversionRate: '0.4',
      qualificationRate: '0.2',
      qualifiedOfConverted: '0.5',
    });
    expect(rows[1]).toMatchObject({ conversionRate: '0', qualifiedOfConverted: '0' });
  });

  it('WEEK × CHANNEL: ISO weeks (Monday first), the Shanghai date deciding the bucket', async () => {
    const rows = await funnel('CHANNEL', 'WEEK', { programIds: [program] });
    expect(rows.map(counts)).toEqual([
      ['2026-W05', f2, 1, 0, 0, 0, 0, 0, 0, 0],
      ['2026-W06', f1, 3, 3, 2, 2, 1, 1, 0, 1],
      ['2026-W07', f2, 1, 0, 0, 0, 0, 0, 0, 0],
      ['2026-W10', f2, 1, 0, 0, 0, 0, 0, 1, 0],
    ]);
    expect(rows.map((r) => r.bucketStart)).toEqual(['2026-01-26', '2026-02-02', '2026-02-09', '2026-03-02']);
    expect(rows[1]?.conversionRate).toBe('0.6667');
  });

  it('DAY × PARTNER with a date range; ORG_UNIT groups by the program’s org unit', async () => {
    const rows = await funnel('PARTNER', 'DAY', { submittedFrom: '2026-01-31', submittedTo: '2026-02-02' });
    expect(rows.map(counts)).toEqual([
      ['2026-02-01', bank.partnerBj, 1, 0, 0, 0, 0, 0, 0, 0],
      ['2026-02-02', bank.partnerBj, 1, 1, 1, 1, 1, 0, 0, 0],
      ['2026-02-02', bank.partnerSh, 1, 0, 0, 0, 0, 0, 0, 0],
    ]);
    const byOrg = await funnel('ORG_UNIT', 'MONTH', null);
    const total = byOrg.reduce((sum, r) => sum + r.submitted + r.duplicate, 0);
    expect(total).toBe(8);
    expect(new Set(byOrg.map((r) => r.groupKey)).size).toBeGreaterThanOrEqual(1);
  });

  it('is scoped: a partner user sees only its own partner, a branch manager only its subtree', async () => {
    const sh = await funnel('PARTNER', 'MONTH', null, 'partner-sh');
    expect(sh.map(counts)).toEqual([['2026-02', bank.partnerSh, 1, 0, 0, 0, 0, 0, 0, 0]]);
    expect(await funnel('PARTNER', 'MONTH', { programIds: [program] }, 'partner-sh')).toEqual([]);
    const bj = await funnel('PARTNER', 'MONTH', null, 'manager-bj');
    expect(new Set(bj.map((r) => r.groupKey))).toEqual(new Set([bank.partnerBj]));
  });

  it('answers with one SQL statement', async () => {
    t.queries.reset();
    t.queries.recording = true;
    await t.get(ReferralsService).funnel(SYSTEM_ACTOR, {}, 'PROGRAM' as never, 'WEEK' as never);
    t.queries.recording = false;
    expect(t.queries.statements.filter((s) => /GROUP BY/i.test(s))).toHaveLength(1);
    expect(t.queries.count).toBe(1);
  });
});

describe('countOf (a count as SQL returns it)', () => {
  it('reads every safe non-negative integer the drivers give: number, bigint, digits, DECIMAL with zero places', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        expect(countOf(n)).toBe(n);
        expect(countOf(BigInt(n))).toBe(n);
        expect(countOf(String(n))).toBe(n);
        expect(countOf(`${n}.00`)).toBe(n);
      }),
    );
    expect([countOf('007'), countOf(null), countOf(undefined)]).toEqual([7, 0, 0]);
  });

  it('refuses what is not a count rather than reading it as one', () => {
    for (const bad of ['', '-1', '1e3', ' 12', '12 ', '0x10', '1.5', '12a', '+3', 'Infinity'])
      expect(() => countOf(bad)).toThrow('unexpected count value from SQL');
  });
});
