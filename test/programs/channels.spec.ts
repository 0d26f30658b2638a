import { ChannelsService } from '../../src/channels/channels.service';
import { TRACKING_ALPHABET } from '../../src/common/tracking-code';
import { ProgramsService } from '../../src/programs/programs.service';
import { ProgramKind, ProgramStatus } from '../../src/programs/program.enums';
import { BankFixture, seedBank } from '../support/fixtures';
import { databases, errorOf, GqlResponse, ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import { CREATE_CHANNEL, createAgreement } from './support';

interface ChannelData {
  id: string;
  status: string;
  version: number;
  trackingCode: string;
  trackedUrl: string;
  qrPngPath: string;
  partnerId: string;
}

describe.each(databases())('channels on %s', (db) => {
  let t: TestApp;
  let bank: BankFixture;
  let programBj: string;
  let programSh: string;

  beforeAll(async () => {
    t = await TestApp.start(db, { GRAPHQL_MAX_BATCH: '100' });
    bank = await seedBank(t);
    const svc = t.get(ProgramsService);
    const agreementBj = await createAgreement(t, bank.partnerBj);
    const agreementSh = await createAgreement(t, bank.partnerSh);
    programBj = (
      await svc.createProgram(SYSTEM_ACTOR, {
        agreementId: agreementBj,
        kind: ProgramKind.REFERRAL,
        nameZh: '推荐',
        targets: [],
      })
    ).id;
    programSh = (
      await svc.createProgram(SYSTEM_ACTOR, {
        agreementId: agreementSh,
        kind: ProgramKind.REFERRAL,
        nameZh: '推荐',
        targets: [],
      })
    ).id;
  });
  afterAll(() => t.close());

  const create = (
    input: Record<string, unknown>,
    as = 'manager',
  ): Promise<GqlResponse<{ createChannel: ChannelData }>> =>
    t.gql<{ createChannel: ChannelData }>(CREATE_CHANNEL, { i: input }, as);
  const channelFor = async (programId = programBj): Promise<ChannelData> =>
    ok(
      await create({
        programId,
        type: 'QR_CODE',
        name: '机场柜台',
        landingUrl: 'https://card.example.cn/apply?src=air',
      }),
    ).createChannel;
  const count = async (): Promise<number> => {
    const rows: { n: number | string }[] = await t.dataSource.query('SELECT COUNT(*) AS n FROM channels');
    return Number(rows[0]?.n ?? 0);
  };
  const TRANSITION = `mutation($i: TransitionChannelInput!) { transitionChannel(input: $i) { id status version } }`;
  const BY_CODE = 'query($c: String!) { channelByTrackingCode(code: $c) { id trackingCode } }';

  describe('create, update and lifecycle', () => {
    it('creates an ACTIVE channel with a 9-character checked tracking code and a tracked URL, audited', async () => {
      const c = await channelFor();
      expect(c.status).toBe('ACTIVE');
      expect(c.partnerId).toBe(bank.partnerBj);
      expect(c.trackingCode).toMatch(new RegExp(`^[${TRACKING_ALPHABET}]{9}$`));
      expect(new URL(c.trackedUrl).searchParams.get('gy')).toBe(c.trackingCode);
      expect(new URL(c.trackedUrl).searchParams.get('src')).toBe('air');
      expect(c.qrPngPath).toBe(`/channels/${c.trackingCode}/qr.png`);
      const rows: { n: number | string }[] = await t.dataSource.query(
        "SELECT COUNT(*) AS n FROM audit_records WHERE action = 'channel.create' AND entity_id = ?",
        [c.id],
      );
      expect(Number(rows[0]?.n)).toBe(1);
    });

    it.each([
      ['http://card.example.cn/apply', 'HTTPS_REQUIRED'],
      ['javascript:alert(1)', 'HTTPS_REQUIRED'],
      ['not a url', 'INVALID_URL'],
      ['https://user:pw@card.example.cn/', 'CREDENTIALS_NOT_ALLOWED'],
    ])('refuses landing URL %s (%s) and writes nothing', async (landingUrl, reason) => {
      const before = await count();
      expect(errorOf(await create({ programId: programBj, type: 'LINK', name: 'x', landingUrl }))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'landingUrl',
        reason,
      });
      expect(await count()).toBe(before);
    });

    it('refuses a channel for an ended program', async () => {
      const svc = t.get(ProgramsService);
      const agreement = await createAgreement(t, bank.partnerBj);
      const p = await svc.createProgram(SYSTEM_ACTOR, {
        agreementId: agreement,
        kind: ProgramKind.REFERRAL,
        nameZh: 'x',
        targets: [],
      });
      await svc.transitionProgram(SYSTEM_ACTOR, { id: p.id, to: ProgramStatus.ACTIVE });
      await svc.transitionProgram(SYSTEM_ACTOR, { id: p.id, to: ProgramStatus.ENDED });
      expect(
        errorOf(await create({ programId: p.id, type: 'LINK', name: 'x', landingUrl: 'https://a.example.cn' })),
      ).toMatchObject({ code: 'CONFLICT', rule: 'PROGRAM_NOT_OPEN' });
    });

    it('moves ACTIVE ⇄ PAUSED → RETIRED and refuses every move out of RETIRED', async () => {
      const c = await channelFor();
      const move = (to: string) =>
        t.gql<{ transitionChannel: { status: string } }>(TRANSITION, { i: { id: c.id, to } }, 'manager-bj');
      expect(errorOf(await move('ACTIVE'))).toMatchObject({ code: 'CONFLICT', rule: 'CHANNEL_STATUS_TRANSITION' });
      expect(ok(await move('PAUSED')).transitionChannel.status).toBe('PAUSED');
      expect(errorOf(await move('PAUSED'))).toMatchObject({ code: 'CONFLICT', rule: 'CHANNEL_STATUS_TRANSITION' });
      expect(ok(await move('ACTIVE')).transitionChannel.status).toBe('ACTIVE');
      expect(ok(await move('RETIRED')).transitionChannel.status).toBe('RETIRED');
      for (const to of ['ACTIVE', 'PAUSED', 'RETIRED'])
        expect(errorOf(await move(to))).toMatchObject({ code: 'CONFLICT', rule: 'CHANNEL_STATUS_TRANSITION' });
      const UPDATE = `mutation($i: UpdateChannelInput!) { updateChannel(input: $i) { id } }`;
      expect(errorOf(await t.gql(UPDATE, { i: { id: c.id, version: 5, name: 'y' } }, 'manager'))).toMatchObject({
        code: 'CONFLICT',
        rule: 'CHANNEL_RETIRED',
      });
    });

    it('updates with the version read, keeps the tracking code, refuses a stale version', async () => {
      const c = await channelFor();
      const UPDATE = `mutation($i: UpdateChannelInput!) { updateChannel(input: $i) { version trackingCode landingUrl name } }`;
      const u = ok(
        await t.gql<{ updateChannel: { version: number; trackingCode: string; landingUrl: string } }>(
          UPDATE,
          { i: { id: c.id, version: c.version, name: '新名字', landingUrl: 'https://b.example.cn/x' } },
          'manager',
        ),
      ).updateChannel;
      expect(u).toMatchObject({
        version: c.version + 1,
        trackingCode: c.trackingCode,
        landingUrl: 'https://b.example.cn/x',
      });
      expect(errorOf(await t.gql(UPDATE, { i: { id: c.id, version: c.version, name: 'z' } }, 'manager'))).toMatchObject(
        {
          code: 'CONFLICT',
          rule: 'STALE_VERSION',
        },
      );
      expect(
        errorOf(await t.gql(UPDATE, { i: { id: c.id, version: u.version, landingUrl: 'ftp://x.cn' } }, 'manager')),
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'landingUrl' });
    });
  });

  describe('tracking codes', () => {
    it('finds a channel by its code, also typed in lower case with spaces or hyphens', async () => {
      const c = await channelFor();
      const spaced = `${c.trackingCode.slice(0, 4).toLowerCase()}-${c.trackingCode.slice(4)} `;
      for (const code of [c.trackingCode, spaced])
        expect(
          ok(await t.gql<{ channelByTrackingCode: { id: string } }>(BY_CODE, { c: code }, 'analyst'))
            .channelByTrackingCode.id,
        ).toBe(c.id);
    });

    it('rejects every single-character substitution of 20 codes with INVALID_CHECK_CHARACTER', async () => {
      const codes: string[] = [];
      for (let i = 0; i < 20; i++) codes.push((await channelFor()).trackingCode);
      const typos: string[] = [];
      for (const code of codes)
        for (let pos = 0; pos < code.length; pos++)
          for (const ch of TRACKING_ALPHABET)
            if (ch !== code[pos]) typos.push(code.slice(0, pos) + ch + code.slice(pos + 1));
      expect(typos).toHaveLength(20 * 9 * 30);
      const token = await t.tokenFor('analyst');
      const reasons = new Map<string, number>();
      for (let i = 0; i < typos.length; i += 100) {
        const batch = typos.slice(i, i + 100).map((c) => ({ query: BY_CODE, variables: { c } }));
        const res = await t
          .http()
          .post('/graphql')
          .set('authorization', `Bearer ${token}`)
          .set('content-type', 'application/json')
          .send(batch);
        const bodies = res.body as GqlResponse<{ channelByTrackingCode: { id: string } | null }>[];
        expect(bodies).toHaveLength(batch.length);
        for (const body of bodies) {
          expect(body.data?.channelByTrackingCode ?? null).toBeNull();
          const err = errorOf(body);
          expect(err.code).toBe('BAD_USER_INPUT');
          reasons.set(String(err.reason), (reasons.get(String(err.reason)) ?? 0) + 1);
        }
      }
      expect(Object.fromEntries(reasons)).toEqual({ INVALID_CHECK_CHARACTER: typos.length });
    });

    it('rejects transpositions, look-alike characters and wrong lengths before any lookup', async () => {
      const code = (await channelFor()).trackingCode;
      const swaps: string[] = [];
      for (let i = 0; i + 1 < code.length; i++)
        if (code[i] !== code[i + 1])
          swaps.push(code.slice(0, i) + code.charAt(i + 1) + code.charAt(i) + code.slice(i + 2));
      for (const c of swaps)
        expect(errorOf(await t.gql(BY_CODE, { c }, 'analyst'))).toMatchObject({
          code: 'BAD_USER_INPUT',
          reason: 'INVALID_CHECK_CHARACTER',
        });
      for (const lookAlike of ['0', 'O', '1', 'I', 'L'])
        expect(errorOf(await t.gql(BY_CODE, { c: lookAlike + code.slice(1) }, 'analyst'))).toMatchObject({
          code: 'BAD_USER_INPUT',
          reason: 'INVALID_CHARACTER',
        });
      expect(errorOf(await t.gql(BY_CODE, { c: code.slice(0, 7) }, 'analyst'))).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'INVALID_LENGTH',
      });
      await expect(t.get(ChannelsService).resolveByTrackingCode(swaps[0] ?? '')).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
      });
      expect(await t.get(ProgramsService).resolveChannelByTrackingCode(code)).toMatchObject({ trackingCode: code });
    });
  });

  describe('QR endpoints', () => {
    let bj: ChannelData;
    let sh: ChannelData;
    beforeAll(async () => {
      bj = await channelFor(programBj);
      sh = await channelFor(programSh);
    });

    it('serves PNG and SVG to users who may read the channel', async () => {
      const png = await t
        .http()
        .get(bj.qrPngPath)
        .set('authorization', `Bearer ${await t.tokenFor('partner-bj')}`);
      expect(png.status).toBe(200);
      expect(png.headers['content-type']).toMatch(/^image\/png/);
      expect((png.body as Buffer).subarray(1, 4).toString('ascii')).toBe('PNG');
      const svg = await t
        .http()
        .get(`/channels/${bj.trackingCode}/qr.svg`)
        .set('authorization', `Bearer ${await t.tokenFor('manager-bj')}`)
        .buffer(true)
        .parse((res, cb) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => cb(null, text));
        });
      expect(svg.status).toBe(200);
      expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(String(svg.body)).toContain('<svg');
    });

    it('answers 401 to anonymous callers, 404 for another partner’s channel, 400 for a typo', async () => {
      expect((await t.http().get(bj.qrPngPath)).status).toBe(401);
      expect((await t.http().get(`/channels/${bj.trackingCode}/qr.svg`)).status).toBe(401);
      const partnerToken = await t.tokenFor('partner-bj');
      expect((await t.http().get(sh.qrPngPath).set('authorization', `Bearer ${partnerToken}`)).status).toBe(404);
      const managerSh = await t.tokenFor('manager-sh');
      expect((await t.http().get(bj.qrPngPath).set('authorization', `Bearer ${managerSh}`)).status).toBe(404);
      const last = bj.trackingCode.charAt(8);
      const typo = bj.trackingCode.slice(0, 8) + (last === '2' ? '3' : '2');
      const res = await t.http().get(`/channels/${typo}/qr.png`).set('authorization', `Bearer ${partnerToken}`);
      expect(res.status).toBe(400);
      expect((res.body as GqlResponse).errors?.[0]?.extensions?.reason).toBe('INVALID_CHECK_CHARACTER');
    });
  });

  describe('scoping', () => {
    it('a partner user reads only its own channels and cannot write', async () => {
      const bj = await channelFor(programBj);
      const sh = await channelFor(programSh);
      const list = ok(
        await t.gql<{ channels: { edges: { node: { partnerId: string; program: { id: string } } }[] } }>(
          '{ channels(first: 100) { edges { node { partnerId program { id } } } } }',
          {},
          'partner-bj',
        ),
      );
      expect(new Set(list.channels.edges.map((e) => e.node.partnerId))).toEqual(new Set([bank.partnerBj]));
      expect(
        errorOf(await t.gql('query($id: ID!) { channel(id: $id) { id } }', { id: sh.id }, 'partner-bj')).code,
      ).toBe('NOT_FOUND');
      expect(errorOf(await t.gql(BY_CODE, { c: sh.trackingCode }, 'partner-bj')).code).toBe('NOT_FOUND');
      expect(errorOf(await t.gql(TRANSITION, { i: { id: bj.id, to: 'PAUSED' } }, 'partner-bj')).code).toBe('FORBIDDEN');
      expect(
        errorOf(
          await create({ programId: programBj, type: 'LINK', name: 'x', landingUrl: 'https://a.cn' }, 'partner-bj'),
        ).code,
      ).toBe('FORBIDDEN');
    });

    it('managers of another branch get NOT_FOUND for reads and writes', async () => {
      const bj = await channelFor(programBj);
      expect(
        errorOf(await t.gql('query($id: ID!) { channel(id: $id) { id } }', { id: bj.id }, 'manager-sh')).code,
      ).toBe('NOT_FOUND');
      expect(errorOf(await t.gql(TRANSITION, { i: { id: bj.id, to: 'PAUSED' } }, 'manager-sh')).code).toBe('NOT_FOUND');
      const filtered = ok(
        await t.gql<{ channels: { totalCount: number } }>(
          'query($f: ChannelsFilter) { channels(first: 10, filter: $f) { totalCount } }',
          { f: { programIds: [programBj] } },
          'manager-sh',
        ),
      );
      expect(filtered.channels.totalCount).toBe(0);
      const programs = ok(
        await t.gql<{ program: { channels: { id: string }[] } }>(
          'query($id: ID!) { program(id: $id) { channels { id } } }',
          { id: programBj },
          'manager-bj',
        ),
      );
      expect(programs.program.channels.map((c) => c.id)).toContain(bj.id);
    });
  });
});
