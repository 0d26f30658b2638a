import fc from 'fast-check';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { ALL_ENTITIES } from '../../src/database/entities';
import { ReferralsService, SubmitReferralFields, SubmitResult } from '../../src/referrals/referrals.service';
import { Actor } from '../../src/auth/actor';
import { DomainError } from '../../src/common/domain-error';
import { ReferralImportsService } from '../../src/referrals/referral-imports.service';
import { ProgramStatus } from '../../src/programs/program.enums';
import { ChannelsService } from '../../src/channels/channels.service';
import { ChannelStatus } from '../../src/channels/channel.enums';
import { TRACKING_ALPHABET } from '../../src/common/tracking-code';
import { JobsService } from '../../src/jobs/jobs.service';
import { databases, errorOf, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import { BankFixture, seedBank } from '../support/fixtures';
import { channel, ReferralData, referralProgram, SUBMIT } from './support';

const CLEAR_ID = '11010519491231002X';
const CLEAR_ID_2 = '440524188001010014';
const CLEAR_PHONE = '13912345678';
const CLEAR_PHONE_2 = '13800001111';

/** Replaces the check character with another one: the code then fails its check. */
function corrupt(code: string): string {
  const last = code.charAt(code.length - 1);
  const other = TRACKING_ALPHABET.charAt((TRACKING_ALPHABET.indexOf(last) + 1) % TRACKING_ALPHABET.length);
  return code.slice(0, -1) + other;
}

describe.each(databases())('referrals on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  let programBj: string;
  let programSh: string;
  let programDraft: string;
  let chBj: { id: string; trackingCode: string };
  let chBjPaused: { id: string; trackingCode: string };
  let chSh: { id: string; trackingCode: string };
  let chDraft: { id: string; trackingCode: string };
  let keyBj: string;
  let keyBank: string;
  const logs: string[] = [];
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    const keep = (chunk: unknown): void => {
      logs.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
    };
    const realWriteSync = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
    spies.push(
      jest.spyOn(fs, 'writeSync').mockImplementation((fd: number, data: unknown, ...rest: unknown[]) => {
        if (fd === 1 || fd === 2) {
          keep(data);
          return typeof data === 'string' ? Buffer.byteLength(data) : (data as Buffer).length;
        }
        return realWriteSync(fd, data, ...rest);
      }),
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (keep(chunk), true)),
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => (keep(chunk), true)),
    );
    t = await TestApp.start(db, { LOG_LEVEL: 'trace' });
    t.queries.recording = true;
    t.clock.set('2026-03-10T04:00:00Z');
    bank = await seedBank(t);
    programBj = await referralProgram(t, bank.partnerBj);
    programSh = await referralProgram(t, bank.partnerSh);
    programDraft = await referralProgram(t, bank.partnerBj, { status: ProgramStatus.DRAFT });
    chBj = await channel(t, programBj);
    chBjPaused = await channel(t, programBj);
    chSh = await channel(t, programSh);
    chDraft = await channel(t, programDraft);
    const paused = await t.get(ChannelsService).get(SYSTEM_ACTOR, chBjPaused.id);
    await t.get(ChannelsService).transition(SYSTEM_ACTOR, { id: paused.id, to: ChannelStatus.PAUSED });
    const createKey = async (input: Record<string, unknown>): Promise<string> =>
      ok(
        await t.gql<{ createApiKey: { key: string } }>(
          'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }',
          { i: input },
          'admin',
        ),
      ).createApiKey.key;
    keyBj = await createKey({ name: 'airline-crm', scopes: ['referrals:write'], partnerId: bank.partnerBj });
    keyBank = await createKey({ name: 'bank-crm', scopes: ['referrals:write'] });
  });
  afterAll(async () => {
    await t.close();
    for (const spy of spies) spy.mockRestore();
  });

  const prospect = (extra: Record<string, unknown> = {}) => ({
    idType: 'RESIDENT_ID',
    idNumber: CLEAR_ID,
    phone: CLEAR_PHONE,
    name: '欧阳娜娜',
    ...extra,
  });
  const submit = (input: Record<string, unknown>, as: string | { apiKey: string } = { apiKey: keyBj }) =>
    t.gql<{ submitReferral: ReferralData }>(SUBMIT, { i: input }, as);
  let serial = 0;
  const key = (): string => `k-${db}-${++serial}`;

  it('maps entities to exactly the migrated schema (no pending change)', async () => {
    const sql = await t.dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  describe('intake', () => {
    it('a partner system submits by tracking code: hashed, masked, window from the attribution rule, audited', async () => {
      const r = ok(
        await submit({
          trackingCode: chBj.trackingCode.toLowerCase(),
          idempotencyKey: key(),
          prospect: prospect(),
          product: 'CARD-GOLD',
        }),
      ).submitReferral;
      expect(r).toMatchObject({
        partnerId: bank.partnerBj,
        programId: programBj,
        channelId: chBj.id,
        status: 'SUBMITTED',
        maskedName: '欧阳**',
        maskedIdNumber: '110105********002X',
        maskedPhone: '139****5678',
        idType: 'RESIDENT_ID',
        submittedOn: '2026-03-10',
        expiresOn: '2026-04-09',
        productCode: 'CARD-GOLD',
      });
      const audits: { n: number | string }[] = await t.dataSource.query(
        "SELECT COUNT(*) AS n FROM audit_records WHERE entity_id = ? AND action = 'referral.submit'",
        [r.id],
      );
      expect(Number(audits[0]?.n)).toBe(1);
      const history: { to_status: string }[] = await t.dataSource.query(
        'SELECT to_status FROM referral_status_changes WHERE referral_id = ?',
        [r.id],
      );
      expect(history.map((h) => h.to_status)).toEqual(['SUBMITTED']);
    });

    it('same key + same payload → the same referral; same key + another payload → CONFLICT IDEMPOTENCY_KEY_REUSED', async () => {
      const k = key();
      const input = {
        channelId: chBj.id,
        idempotencyKey: k,
        prospect: prospect({ idNumber: CLEAR_ID_2, phone: null }),
        submittedAt: '2026-03-09T01:00:00Z',
      };
      const first = ok(await submit(input)).submitReferral;
      const again = ok(await submit(input)).submitReferral;
      expect(again.id).toBe(first.id);
      expect(again.version).toBe(1);
      // The replay is the stored row read back (plain SQL, hydrated): every field as first answered.
      expect(again).toEqual(first);
      const rows: { n: number | string }[] = await t.dataSource.query(
        'SELECT COUNT(*) AS n FROM referrals WHERE idempotency_key = ?',
        [k],
      );
      expect(Number(rows[0]?.n)).toBe(1);
      const other = await submit({ ...input, prospect: prospect({ idNumber: CLEAR_ID_2, phone: CLEAR_PHONE_2 }) });
      expect(errorOf(other)).toMatchObject({
        code: 'CONFLICT',
        rule: 'IDEMPOTENCY_KEY_REUSED',
        field: 'idempotencyKey',
      });
      const otherTime = await submit({ ...input, submittedAt: '2026-03-09T02:00:00Z' });
      expect(errorOf(otherTime)).toMatchObject({ code: 'CONFLICT', rule: 'IDEMPOTENCY_KEY_REUSED' });
      // Another caller may use the same key: keys are per caller.
      const byBank = ok(await submit(input, { apiKey: keyBank })).submitReferral;
      expect(byBank.id).not.toBe(first.id);
      // …and the same prospect from the same partner inside the window is then a DUPLICATE.
      expect(byBank).toMatchObject({ status: 'DUPLICATE', duplicateOfId: first.id });
    });

    it('a partner-bound API key may use only its own partner’s channels (NOT_FOUND otherwise)', async () => {
      const byCode = await submit({ trackingCode: chSh.trackingCode, idempotencyKey: key(), prospect: prospect() });
      expect(errorOf(byCode)).toMatchObject({ code: 'NOT_FOUND', field: 'trackingCode' });
      const byId = await submit({ channelId: chSh.id, idempotencyKey: key(), prospect: prospect() });
      expect(errorOf(byId)).toMatchObject({ code: 'NOT_FOUND', field: 'channelId' });
      // An unbound bank key and an admin may.
      expect(
        ok(await submit({ channelId: chSh.id, idempotencyKey: key(), prospect: prospect() }, { apiKey: keyBank }))
          .submitReferral.partnerId,
      ).toBe(bank.partnerSh);
      expect(
        ok(
          await submit(
            { channelId: chSh.id, idempotencyKey: key(), prospect: prospect({ phone: CLEAR_PHONE_2 }) },
            'manager-sh',
          ),
        ).submitReferral.partnerId,
      ).toBe(bank.partnerSh);
      // A branch manager outside the partner's org unit does not see the channel.
      expect(
        errorOf(await submit({ channelId: chSh.id, idempotencyKey: key(), prospect: prospect() }, 'manager-bj')),
      ).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('refuses other roles and bad input with the field named', async () => {
      expect(
        errorOf(await submit({ channelId: chBj.id, idempotencyKey: key(), prospect: prospect() }, 'analyst')).code,
      ).toBe('FORBIDDEN');
      expect(
        errorOf(await submit({ channelId: chBj.id, idempotencyKey: key(), prospect: prospect() }, 'partner-bj')).code,
      ).toBe('FORBIDDEN');
      expect(
        errorOf(
          await submit({ trackingCode: corrupt(chBj.trackingCode), idempotencyKey: key(), prospect: prospect() }),
        ),
      ).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'trackingCode',
      });
      expect(
        errorOf(
          await submit({
            trackingCode: chBj.trackingCode,
            channelId: chBj.id,
            idempotencyKey: key(),
            prospect: prospect(),
          }),
        ),
      ).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'trackingCode',
      });
      expect(
        errorOf(
          await submit({
            channelId: chBj.id,
            idempotencyKey: key(),
            prospect: prospect({ idNumber: '110105194912310021' }),
          }),
        ),
      ).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'prospect.idNumber',
      });
      expect(
        errorOf(
          await submit({
            channelId: chBj.id,
            idempotencyKey: key(),
            prospect: prospect({ idType: null, idNumber: null, phone: null }),
          }),
        ),
      ).toMatchObject({
        code: 'BAD_USER_INPUT',
      });
      expect(
        errorOf(
          await submit({
            channelId: chBj.id,
            idempotencyKey: key(),
            prospect: prospect(),
            submittedAt: '2026-03-12T00:00:00Z',
          }),
        ),
      ).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'submittedAt',
      });
    });

    it('a paused channel or a program that is not ACTIVE → CONFLICT naming the rule', async () => {
      expect(
        errorOf(await submit({ channelId: chBjPaused.id, idempotencyKey: key(), prospect: prospect() })),
      ).toMatchObject({
        code: 'CONFLICT',
        rule: 'CHANNEL_NOT_ACTIVE',
      });
      expect(
        errorOf(await submit({ channelId: chDraft.id, idempotencyKey: key(), prospect: prospect() })),
      ).toMatchObject({
        code: 'CONFLICT',
        rule: 'PROGRAM_NOT_ACTIVE',
      });
    });

    it('DUPLICATE for the same prospect (identity or phone) from the same partner inside the window, not outside it or from another partner', async () => {
      const p = { idType: 'PASSPORT', idNumber: 'E55501234', phone: '13700000001', name: '李雷' };
      const first = ok(
        await submit({ channelId: chBj.id, idempotencyKey: key(), prospect: p, submittedAt: '2026-01-10T02:00:00Z' }),
      ).submitReferral;
      expect(first.status).toBe('SUBMITTED');
      expect(first.expiresOn).toBe('2026-02-09');
      // Same phone, another document, inside the window (last day) → DUPLICATE of the first.
      const dup = ok(
        await submit({
          channelId: chBj.id,
          idempotencyKey: key(),
          prospect: { ...p, idNumber: 'E55509999' },
          submittedAt: '2026-02-09T02:00:00Z',
        }),
      ).submitReferral;
      expect(dup).toMatchObject({ status: 'DUPLICATE', duplicateOfId: first.id });
      // Another partner may refer the same prospect.
      const other = ok(
        await submit(
          { channelId: chSh.id, idempotencyKey: key(), prospect: p, submittedAt: '2026-02-01T02:00:00Z' },
          { apiKey: keyBank },
        ),
      ).submitReferral;
      expect(other.status).toBe('SUBMITTED');
      // The day after the window ended: a new referral.
      const later = ok(
        await submit({ channelId: chBj.id, idempotencyKey: key(), prospect: p, submittedAt: '2026-02-10T02:00:00Z' }),
      ).submitReferral;
      expect(later.status).toBe('SUBMITTED');
      const touches = await t
        .get(ReferralsService)
        .referralTouches([], [dup.id.length > 0 ? await phoneHashOf('13700000001') : '']);
      expect(touches.map((x) => x.referralId).sort()).toEqual([first.id, other.id, later.id].sort());
    });
  });

  async function phoneHashOf(phone: string): Promise<string> {
    const rows: { phone_hash: string }[] = await t.dataSource.query(
      "SELECT phone_hash FROM referrals WHERE masked_phone = ? AND status = 'DUPLICATE'",
      [`${phone.slice(0, 3)}****${phone.slice(7)}`],
    );
    return rows[0]?.phone_hash ?? '';
  }

  describe('transitions and engines', () => {
    const TRANSITION = `mutation($i: TransitionReferralInput!) { transitionReferral(input: $i) { id status statusReason version } }`;
    const fresh = async (): Promise<ReferralData> =>
      ok(
        await submit({
          channelId: chBj.id,
          idempotencyKey: key(),
          prospect: prospect({ idNumber: null, idType: null, phone: `1360000${String(serial).padStart(4, '0')}` }),
        }),
      ).submitReferral;

    it('managers move a referral along REFERRAL_TRANSITIONS with a reason; anything else is refused', async () => {
      const r = await fresh();
      const contacted = ok(
        await t.gql<{ transitionReferral: { status: string; version: number } }>(
          TRANSITION,
          { i: { id: r.id, to: 'CONTACTED', reason: '电话联系', version: 1 } },
          'manager-bj',
        ),
      ).transitionReferral;
      expect(contacted).toMatchObject({ status: 'CONTACTED', version: 2 });
      const back = await t.gql(TRANSITION, { i: { id: r.id, to: 'SUBMITTED', reason: 'x', version: 2 } }, 'manager');
      expect(errorOf(back)).toMatchObject({ code: 'CONFLICT', rule: 'REFERRAL_STATUS_TRANSITION' });
      const convert = await t.gql(TRANSITION, { i: { id: r.id, to: 'CONVERTED', reason: 'x', version: 2 } }, 'manager');
      expect(errorOf(convert)).toMatchObject({ code: 'CONFLICT', rule: 'REFERRAL_STATUS_TRANSITION' });
      const stale = await t.gql(TRANSITION, { i: { id: r.id, to: 'APPLIED', reason: 'x', version: 1 } }, 'manager');
      expect(errorOf(stale)).toMatchObject({ code: 'CONFLICT', rule: 'STALE_VERSION' });
      expect(
        errorOf(await t.gql(TRANSITION, { i: { id: r.id, to: 'APPLIED', reason: 'x', version: 2 } }, 'manager-sh'))
          .code,
      ).toBe('NOT_FOUND');
      expect(
        errorOf(await t.gql(TRANSITION, { i: { id: r.id, to: 'APPLIED', reason: 'x', version: 2 } }, 'partner-bj'))
          .code,
      ).toBe('FORBIDDEN');
      expect(
        errorOf(await t.gql(TRANSITION, { i: { id: r.id, to: 'APPLIED', reason: 'x', version: 2 } }, 'analyst')).code,
      ).toBe('FORBIDDEN');
      const history = ok(
        await t.gql<{
          referral: { history: { fromStatus: string | null; toStatus: string; reason: string | null }[] };
        }>(
          'query($id: ID!) { referral(id: $id) { history { fromStatus toStatus reason actorId } } }',
          { id: r.id },
          'admin',
        ),
      ).referral.history;
      expect(history.map((h) => [h.fromStatus, h.toStatus, h.reason])).toEqual([
        [null, 'SUBMITTED', null],
        ['SUBMITTED', 'CONTACTED', '电话联系'],
      ]);
    });

    it('engine outcomes are idempotent, never move backwards, and write history', async () => {
      const svc = t.get(ReferralsService);
      const r = await fresh();
      const at = new Date('2026-03-10T05:00:00Z');
      await t.dataSource.transaction((m) =>
        svc.applyEngineOutcomes(m, [{ referralId: r.id, to: 'QUALIFIED', at, reason: 'qualified' }]),
      );
      await t.dataSource.transaction((m) =>
        svc.applyEngineOutcomes(m, [{ referralId: r.id, to: 'QUALIFIED', at, reason: 'again' }]),
      );
      await t.dataSource.transaction((m) =>
        svc.applyEngineOutcomes(m, [{ referralId: r.id, to: 'CONVERTED', at, reason: 'late' }]),
      );
      await t.dataSource.transaction((m) =>
        svc.applyEngineOutcomes(m, [{ referralId: r.id, to: 'EXPIRED', at, reason: 'late' }]),
      );
      const after = await svc.get(SYSTEM_ACTOR, r.id);
      expect(after.status).toBe('QUALIFIED');
      expect(after.convertedAt).not.toBeNull();
      const history = (await svc.historyOf([r.id])).map((h) => h.toStatus);
      expect(history).toEqual(['SUBMITTED', 'CONVERTED', 'QUALIFIED']);
    });

    it('expireReferrals(asOf) marks open referrals whose window passed as EXPIRED, once', async () => {
      const svc = t.get(ReferralsService);
      const old = ok(
        await submit({
          channelId: chBj.id,
          idempotencyKey: key(),
          prospect: prospect({ idType: null, idNumber: null, phone: '13500000077' }),
          submittedAt: '2026-01-02T02:00:00Z',
        }),
      ).submitReferral;
      const open = await fresh();
      const EXPIRE = 'mutation($d: Date!) { expireReferrals(asOf: $d) { jobId changed } }';
      expect(errorOf(await t.gql(EXPIRE, { d: '2026-03-11' }, 'partner-bj')).code).toBe('FORBIDDEN');
      const run = ok(
        await t.gql<{ expireReferrals: { jobId: string; changed: number } }>(EXPIRE, { d: '2026-03-11' }, 'manager'),
      ).expireReferrals;
      expect(run.changed).toBeGreaterThanOrEqual(1);
      expect((await svc.get(SYSTEM_ACTOR, old.id)).status).toBe('EXPIRED');
      expect((await svc.get(SYSTEM_ACTOR, open.id)).status).toBe('SUBMITTED');
      const expiredBefore: { n: number | string }[] = await t.dataSource.query(
        "SELECT COUNT(*) AS n FROM referrals WHERE status = 'EXPIRED'",
      );
      const again = ok(
        await t.gql<{ expireReferrals: { changed: number } }>(EXPIRE, { d: '2026-03-11' }, 'manager'),
      ).expireReferrals;
      expect(again.changed).toBe(0);
      const expiredAfter: { n: number | string }[] = await t.dataSource.query(
        "SELECT COUNT(*) AS n FROM referrals WHERE status = 'EXPIRED'",
      );
      expect(Number(expiredAfter[0]?.n)).toBe(Number(expiredBefore[0]?.n));
      // Every open referral left has a window that has not passed.
      const stale: { n: number | string }[] = await t.dataSource.query(
        "SELECT COUNT(*) AS n FROM referrals WHERE status IN ('SUBMITTED','CONTACTED','APPLIED') AND expires_on < '2026-03-11'",
      );
      expect(Number(stale[0]?.n)).toBe(0);
    });
  });

  describe('reading and isolation', () => {
    const LIST = `query($f: ReferralsFilter) { referrals(first: 100, filter: $f) { totalCount edges { node { id partnerId maskedIdNumber maskedPhone maskedName } } } }`;

    it('partner users see only their own referrals (by id, list and filter), masked', async () => {
      const mine = ok(
        await t.gql<{
          referrals: { totalCount: number; edges: { node: { partnerId: string; maskedIdNumber: string | null } }[] };
        }>(LIST, {}, 'partner-sh'),
      ).referrals;
      expect(mine.totalCount).toBeGreaterThan(0);
      expect(mine.edges.every((e) => e.node.partnerId === bank.partnerSh)).toBe(true);
      const all = ok(await t.gql<{ referrals: { totalCount: number } }>(LIST, {}, 'admin')).referrals;
      expect(all.totalCount).toBeGreaterThan(mine.totalCount);
      const asked = ok(
        await t.gql<{ referrals: { totalCount: number } }>(LIST, { f: { partnerIds: [bank.partnerBj] } }, 'partner-sh'),
      ).referrals;
      expect(asked.totalCount).toBe(0);
      const bjRow: { id: string }[] = await t.dataSource.query(
        'SELECT id FROM referrals WHERE partner_id = ? LIMIT 1',
        [bank.partnerBj],
      );
      const byId = await t.gql('query($id: ID!) { referral(id: $id) { id } }', { id: bjRow[0]?.id }, 'partner-sh');
      expect(errorOf(byId).code).toBe('NOT_FOUND');
      expect(
        ok(
          await t.gql<{ referral: { id: string } }>(
            'query($id: ID!) { referral(id: $id) { id } }',
            { id: bjRow[0]?.id },
            'partner-bj',
          ),
        ).referral.id,
      ).toBe(bjRow[0]?.id);
      // A Shanghai manager does not see Beijing's referrals either.
      expect(
        errorOf(await t.gql('query($id: ID!) { referral(id: $id) { id } }', { id: bjRow[0]?.id }, 'manager-sh')).code,
      ).toBe('NOT_FOUND');
      const filtered = ok(
        await t.gql<{ referrals: { totalCount: number } }>(
          LIST,
          { f: { statuses: ['DUPLICATE'], channelIds: [chBj.id] } },
          'admin',
        ),
      ).referrals;
      // The bank key's resubmission in the idempotency test and the phone match in the duplicate test.
      expect(filtered.totalCount).toBe(2);
    });
  });

  describe('bulk import', () => {
    it('imports CSV rows through the same intake and reports every bad row with line, field and reason', async () => {
      const csv = [
        'trackingCode,idempotencyKey,idType,idNumber,phone,name,product,submittedAt',
        `${chBj.trackingCode},imp-1,RESIDENT_ID,${CLEAR_ID},,张三,CARD,2026-03-09T01:00:00Z`,
        `${corrupt(chBj.trackingCode)},imp-2,RESIDENT_ID,${CLEAR_ID},,张三,,`,
        `${chBj.trackingCode},imp-3,RESIDENT_ID,110105194912310021,,张三,,`,
        `${chSh.trackingCode},imp-4,,,13300000001,王五,,`,
        `${chBjPaused.trackingCode},imp-5,,,13300000002,王五,,`,
        `${chBj.trackingCode},imp-1,RESIDENT_ID,${CLEAR_ID},,张三,CARD,2026-03-09T01:00:00Z`,
        `${chBj.trackingCode},imp-1,RESIDENT_ID,${CLEAR_ID_2},,张三,CARD,2026-03-09T01:00:00Z`,
        `${chBj.trackingCode},,,,13300000003,王五,,`,
      ].join('\n');
      const res = await t
        .http()
        .post('/imports/referrals')
        .set('x-api-key', keyBj)
        .set('content-type', 'text/csv')
        .send(csv);
      expect(res.status).toBe(202);
      const jobId = (res.body as { jobId: string }).jobId;
      const job = await t.get(JobsService).waitFor(jobId);
      expect(job.status).toBe('SUCCEEDED');
      expect(job.result).toMatchObject({ processed: 8, created: 1, existing: 1, rejected: 6 });
      const rows: { line: number; status: string; field: string | null; reason: string | null }[] =
        await t.dataSource.query(
          'SELECT line, status, field, reason FROM job_report_rows WHERE job_id = ? ORDER BY line',
          [jobId],
        );
      expect(rows.map((r) => [Number(r.line), r.status, r.field, r.reason])).toEqual([
        [3, 'REJECTED', 'trackingCode', 'INVALID_CHECK_CHARACTER'],
        [4, 'REJECTED', 'prospect.idNumber', expect.any(String)],
        [5, 'REJECTED', 'trackingCode', 'NOT_FOUND'],
        [6, 'REJECTED', 'trackingCode', 'CHANNEL_NOT_ACTIVE'],
        [7, 'EXISTING', 'idempotencyKey', 'ALREADY_SUBMITTED'],
        [8, 'REJECTED', 'idempotencyKey', 'IDEMPOTENCY_KEY_REUSED'],
        [9, 'REJECTED', 'idempotencyKey', 'REQUIRED'],
      ]);
      const ndjson = `{"channelId":"${chBj.id}","idempotencyKey":"imp-nd-1","phone":"13300000009","name":"赵六"}\nnot json\n`;
      const res2 = await t
        .http()
        .post('/imports/referrals')
        .set('x-api-key', keyBj)
        .set('content-type', 'application/x-ndjson')
        .send(ndjson);
      const job2 = await t.get(JobsService).waitFor((res2.body as { jobId: string }).jobId);
      expect(job2.result).toMatchObject({ processed: 2, created: 1, rejected: 1 });
      // The import service runs for code callers as well.
      const direct = await t
        .get(ReferralImportsService)
        .importFromStream(
          Readable.from([
            Buffer.from(`{"channelId":"${chBj.id}","idempotencyKey":"imp-nd-2","phone":"13300000010","name":"赵六"}\n`),
          ]),
          'NDJSON',
          SYSTEM_ACTOR,
        );
      expect(direct.result).toMatchObject({ created: 1 });
    });
  });

  describe('bulk import in batches', () => {
    type ReportLine = [number, string, string | null, string | null, string | null];
    const importCsv = async (lines: string[]): Promise<{ result: unknown; report: ReportLine[] }> => {
      const res = await t
        .http()
        .post('/imports/referrals')
        .set('x-api-key', keyBj)
        .set('content-type', 'text/csv')
        .send(['trackingCode,idempotencyKey,phone,name,submittedAt', ...lines].join('\n'));
      expect(res.status).toBe(202);
      const jobId = (res.body as { jobId: string }).jobId;
      const job = await t.get(JobsService).waitFor(jobId);
      expect(job.status).toBe('SUCCEEDED');
      const rows: { line: number; status: string; field: string | null; reason: string | null; ref: string | null }[] =
        await t.dataSource.query(
          'SELECT line, status, field, reason, ref FROM job_report_rows WHERE job_id = ? ORDER BY line',
          [jobId],
        );
      return { result: job.result, report: rows.map((r) => [Number(r.line), r.status, r.field, r.reason, r.ref]) };
    };
    const referralOf = async (key: string): Promise<{ id: string; status: string; duplicate_of_id: string | null }> => {
      const rows: { id: string; status: string; duplicate_of_id: string | null }[] = await t.dataSource.query(
        'SELECT id, status, duplicate_of_id FROM referrals WHERE idempotency_key = ?',
        [key],
      );
      expect(rows).toHaveLength(1);
      return rows[0] as { id: string; status: string; duplicate_of_id: string | null };
    };

    it('answers every row as if submitted alone in file order: duplicates and repeated keys inside a file and across files', async () => {
      const k = (n: number): string => `bt-${db}-${n}`;
      const bj = chBj.trackingCode;
      const first = await importCsv([
        `${bj},${k(1)},13600000001,甲一,2026-03-01T02:00:00Z`, // 2 created
        `${bj},${k(2)},13600000001,甲二,2026-03-02T02:00:00Z`, // 3 DUPLICATE of line 2 (same phone, inside the window)
        `${bj},${k(1)},13600000001,甲一,2026-03-01T02:00:00Z`, // 4 same key, same payload → line 2's referral
        `${bj},${k(1)},13600000002,甲一,2026-03-01T02:00:00Z`, // 5 same key, another payload → CONFLICT
        `${bj},${k(3)},1360000000,乙,2026-03-01T02:00:00Z`, // 6 bad phone
        `${bj},${k(4)},13600000003,丙,2026-03-01T02:00:00Z`, // 7 created
        `${chSh.trackingCode},${k(5)},13600000004,丁,2026-03-01T02:00:00Z`, // 8 another partner's channel
        `${bj},${k(2)},13600000001,甲二,2026-03-02T02:00:00Z`, // 9 replay of the DUPLICATE on line 3
        `${chBjPaused.trackingCode},${k(6)},13600000005,戊,2026-03-01T02:00:00Z`, // 10 paused channel
        `${bj},${k(7)},13600000005,戊,2026-03-01T03:00:00Z`, // 11 created: the refused line 10 blocks nothing
      ]);
      const r1 = await referralOf(k(1));
      const r2 = await referralOf(k(2));
      const r4 = await referralOf(k(4));
      const r7 = await referralOf(k(7));
      expect([r1.status, r2.status, r4.status, r7.status]).toEqual([
        'SUBMITTED',
        'DUPLICATE',
        'SUBMITTED',
        'SUBMITTED',
      ]);
      expect(r2.duplicate_of_id).toBe(r1.id);
      expect(first.result).toMatchObject({ processed: 10, created: 3, existing: 2, duplicates: 1, rejected: 4 });
      expect(first.report).toEqual([
        [3, 'DUPLICATE', 'prospect', 'ALREADY_REFERRED_IN_WINDOW', r2.id],
        [4, 'EXISTING', 'idempotencyKey', 'ALREADY_SUBMITTED', r1.id],
        [5, 'REJECTED', 'idempotencyKey', 'IDEMPOTENCY_KEY_REUSED', k(1)],
        [6, 'REJECTED', 'prospect.phone', expect.any(String), k(3)],
        [8, 'REJECTED', 'trackingCode', 'NOT_FOUND', k(5)],
        [9, 'EXISTING', 'idempotencyKey', 'ALREADY_SUBMITTED', r2.id],
        [10, 'REJECTED', 'trackingCode', 'CHANNEL_NOT_ACTIVE', k(6)],
      ]);

      const second = await importCsv([
        `${bj},${k(1)},13600000001,甲一,2026-03-01T02:00:00Z`, // 2 key from the first file, same payload
        `${bj},${k(4)},13600000009,丙,2026-03-01T02:00:00Z`, // 3 key from the first file, another payload
        `${bj},${k(8)},13600000003,丙,2026-03-05T02:00:00Z`, // 4 DUPLICATE of the first file's line 7
        `${bj},${k(6)},13600000006,戊,2026-03-01T02:00:00Z`, // 5 the key refused in the first file is free
      ]);
      const r8 = await referralOf(k(8));
      expect(r8.duplicate_of_id).toBe(r4.id);
      expect(second.result).toMatchObject({ processed: 4, created: 1, existing: 1, duplicates: 1, rejected: 1 });
      expect(second.report).toEqual([
        [2, 'EXISTING', 'idempotencyKey', 'ALREADY_SUBMITTED', r1.id],
        [3, 'REJECTED', 'idempotencyKey', 'IDEMPOTENCY_KEY_REUSED', k(4)],
        [4, 'DUPLICATE', 'prospect', 'ALREADY_REFERRED_IN_WINDOW', r8.id],
      ]);
      expect((await referralOf(k(6))).status).toBe('SUBMITTED');
      // Each created referral has its first status change and its audit row, written by the batch.
      const ids = [r1.id, r2.id, r4.id, r7.id, r8.id];
      const history: { n: number | string }[] = await t.dataSource.query(
        `SELECT COUNT(*) AS n FROM referral_status_changes WHERE from_status IS NULL AND referral_id IN (${ids.map(() => '?').join(',')})`,
        ids,
      );
      expect(Number(history[0]?.n)).toBe(ids.length);
      const audit: { n: number | string }[] = await t.dataSource.query(
        `SELECT COUNT(*) AS n FROM audit_records WHERE action = 'referral.submit' AND entity_id IN (${ids.map(() => '?').join(',')})`,
        ids,
      );
      expect(Number(audit[0]?.n)).toBe(ids.length);
    });

    it('a file longer than one intake batch: replays, DUPLICATEs and CONFLICTs across the batch boundary', async () => {
      const k = (n: number): string => `bb-${db}-${n}`;
      const bj = chBj.trackingCode;
      // Lines 2…2001 fill the first batch of 2,000 rows; the last two of them are referred again just after the cut.
      const lines = Array.from(
        { length: 2000 },
        (_, i) => `${bj},${k(i)},1371${String(i).padStart(7, '0')},批${i},2026-03-01T02:00:00Z`,
      );
      lines.push(
        `${bj},${k(1998)},13710001998,批1998,2026-03-01T02:00:00Z`, // 2002 replay of line 2000
        `${bj},${k(5000)},13710001999,批1999,2026-03-04T02:00:00Z`, // 2003 DUPLICATE of line 2001
        `${bj},${k(1999)},13710009999,批1999,2026-03-01T02:00:00Z`, // 2004 line 2001's key, another payload
      );
      const { result, report } = await importCsv(lines);
      const r1998 = await referralOf(k(1998));
      const r1999 = await referralOf(k(1999));
      const r5000 = await referralOf(k(5000));
      expect(r5000).toMatchObject({ status: 'DUPLICATE', duplicate_of_id: r1999.id });
      expect(result).toMatchObject({ processed: 2003, created: 2000, existing: 1, duplicates: 1, rejected: 1 });
      expect(report).toEqual([
        [2002, 'EXISTING', 'idempotencyKey', 'ALREADY_SUBMITTED', r1998.id],
        [2003, 'DUPLICATE', 'prospect', 'ALREADY_REFERRED_IN_WINDOW', r5000.id],
        [2004, 'REJECTED', 'idempotencyKey', 'IDEMPOTENCY_KEY_REUSED', k(1999)],
      ]);
    });

    it('the DUPLICATE look-up reads the (hash, partner) indexes, even on statistics taken before a bulk load', async () => {
      const k = (n: number): string => `st-${db}-${n}`;
      const bj = chBj.trackingCode;
      // Statistics that lag behind a filling table: frozen now, before 3,000 more of one partner's referrals.
      if (db === 'mysql') await t.dataSource.query('ALTER TABLE referrals STATS_AUTO_RECALC = 0');
      try {
        await importCsv(
          Array.from(
            { length: 3000 },
            (_, i) => `${bj},${k(i)},1381${String(i).padStart(7, '0')},统${i},2026-03-01T02:00:00Z`,
          ),
        );
        t.queries.reset();
        const { result } = await importCsv([
          `${bj},${k(9000)},13810000001,统1,2026-03-02T02:00:00Z`, // DUPLICATE by phone
          `${bj},${k(9001)},13810009001,统9001,2026-03-02T02:00:00Z`,
        ]);
        expect(result).toMatchObject({ created: 1, duplicates: 1 });
        const lookUps = t.queries.statements
          .map((sql, i) => ({ sql, params: t.queries.parameters[i] ?? [] }))
          .filter((s) => s.sql.includes('AS k1'));
        expect(lookUps.map((s) => /t\.[`"](\w+)[`"] = w\.k1/.exec(s.sql)?.[1])).toEqual(['phone_hash']);
        for (const { sql, params } of lookUps) {
          const plan: Record<string, unknown>[] = await t.dataSource.query(
            db === 'mysql' ? `EXPLAIN ${sql}` : `EXPLAIN QUERY PLAN ${sql}`,
            params,
          );
          // The index on (phone_hash, partner_id), not the partner's own: that one reads every referral of the partner per pair.
          if (db === 'mysql') expect(plan.find((row) => row.table === 't')?.key).toBe('ix_referrals_phone_partner');
          else
            expect(plan.map((row) => String(row.detail)).join('\n')).toMatch(/USING INDEX ix_referrals_phone_partner/);
        }
      } finally {
        if (db === 'mysql') await t.dataSource.query('ALTER TABLE referrals STATS_AUTO_RECALC = DEFAULT');
      }
    });

    it('submitMany, split in any batches, answers like one submit per row in order', async () => {
      const service = t.get(ReferralsService);
      let run = 0;
      const row = fc.record({
        key: fc.integer({ min: 0, max: 5 }),
        person: fc.integer({ min: 0, max: 3 }),
        name: fc.constantFrom('甲', '乙'),
        day: fc.integer({ min: 0, max: 69 }),
        bad: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(row, { minLength: 1, maxLength: 25 }),
          fc.array(fc.integer({ min: 1, max: 10 }), { maxLength: 3 }),
          async (rows, cuts) => {
            run++;
            const actorOf = (n: number): Actor => ({
              ...SYSTEM_ACTOR,
              id: `00000000-0000-7000-8000-${db === 'sqlite' ? '1' : '2'}${String(run * 10 + n).padStart(11, '0')}`,
            });
            const inputs = (channelId: string, tag: string): SubmitReferralFields[] =>
              rows.map((r) => ({
                channelId,
                idempotencyKey: `eq-${tag}-${r.key}`,
                prospect: {
                  phone: r.bad ? '1' : `135${String(run).padStart(4, '0')}${tag}${String(r.person).padStart(3, '0')}`,
                  name: r.name,
                },
                submittedAt: new Date(Date.UTC(2026, 0, 1 + r.day, 2)).toISOString(),
              }));
            // One submit per row (partner Bj) against submitMany in batches (partner Sh): independent states.
            const sequential: (SubmitResult | DomainError)[] = [];
            const one = actorOf(1);
            for (const input of inputs(chBj.id, '1'))
              sequential.push(await service.submit(one, input).catch((e: DomainError) => e));
            const many: (SubmitResult | DomainError)[] = [];
            const all = inputs(chSh.id, '2');
            let at = 0;
            for (const cut of [...cuts, all.length]) {
              many.push(...(await service.submitMany(actorOf(2), all.slice(at, at + cut))));
              at += cut;
              if (at >= all.length) break;
            }
            const normalized = (outcomes: (SubmitResult | DomainError)[]): unknown[] => {
              const createdAt = new Map<string, number>();
              return outcomes.map((o, i) => {
                if (o instanceof DomainError) return [o.code, o.details.field, o.details.rule ?? o.details.reason];
                if (o.created) createdAt.set(o.referral.id, i);
                return [
                  o.created,
                  o.referral.status,
                  createdAt.get(o.referral.id),
                  o.referral.duplicateOfId === null ? null : createdAt.get(o.referral.duplicateOfId),
                  o.referral.expiresOn,
                ];
              });
            };
            expect(many).toHaveLength(rows.length);
            expect(normalized(many)).toEqual(normalized(sequential));
          },
        ),
        { numRuns: 12, seed: 20261130 },
      );
    });
  });

  it('never stores or logs a clear identity number or phone', async () => {
    const needles = [CLEAR_ID, CLEAR_ID_2, CLEAR_PHONE, CLEAR_PHONE_2, 'E55501234', '13700000001'];
    for (const entity of ALL_ENTITIES) {
      const table = t.dataSource.getMetadata(entity).tableName;
      const rows = await t.dataSource.query<unknown[]>(`SELECT * FROM ${table}`);
      const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      for (const needle of needles)
        expect({ table, needle, found: text.includes(needle) }).toEqual({ table, needle, found: false });
    }
    expect(t.queries.statements.length).toBeGreaterThan(0);
    expect(logs.join('\n')).toContain('request completed');
    const logged = logs.join('\n') + t.queries.statements.join('\n');
    for (const needle of needles) expect({ needle, found: logged.includes(needle) }).toEqual({ needle, found: false });
  });
});
