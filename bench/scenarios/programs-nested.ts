import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR_FOR_BENCH } from '../system-actor';
import { BenchContext, BenchRow, fmtMs, medianMs, ratio, Scenario } from '../harness';
import { OrgUnitsService } from '../../src/org-units/org-units.service';
import { PartnersService } from '../../src/partners/partners.service';
import { ProgramsService } from '../../src/programs/programs.service';
import { ChannelsService } from '../../src/channels/channels.service';
import { ProgramKind } from '../../src/programs/program.enums';
import { ChannelType } from '../../src/channels/channel.enums';
import { CooperationMode, PartnerKind } from '../../src/partners/partner.enums';
import { demoUscc } from '../../src/demo/foundation-demo';

const PARTNERS = 100;
const PROGRAMS_PER_PARTNER = 2;
const CHANNELS_PER_PROGRAM = 3;
const QUERY = `query($first: Int!) { partners(first: $first) { edges { node { id code
  programs { id kind status channels { id trackingCode type status } } } } } }`;

/** Partner → programs → channels answered the naive way: one statement per parent row per relation. */
async function naivePerRowResolver(dataSource: DataSource, first: number): Promise<void> {
  const partners = await dataSource.query<{ id: string }[]>(`SELECT id FROM partners ORDER BY id LIMIT ${first}`);
  for (const p of partners) {
    const programs = await dataSource.query<{ id: string }[]>('SELECT * FROM programs WHERE partner_id = ?', [p.id]);
    for (const program of programs) await dataSource.query('SELECT * FROM channels WHERE program_id = ?', [program.id]);
  }
}

export const programsNested: Scenario = {
  name: 'programs-nested',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const head = await ctx.app.get(OrgUnitsService).create(SYSTEM_ACTOR_FOR_BENCH, { code: 'HO', name: 'Head office' });
    const partners = ctx.app.get(PartnersService);
    const programs = ctx.app.get(ProgramsService);
    const channels = ctx.app.get(ChannelsService);
    for (let i = 0; i < PARTNERS; i += 1) {
      const partner = await partners.create(SYSTEM_ACTOR_FOR_BENCH, {
        code: `PP-${i}`,
        kind: PartnerKind.SECURITIES,
        nameZh: `基准项目机构${i}`,
        uscc: demoUscc(70000 + i),
        orgUnitId: head.id,
        relatedParty: false,
        blacklisted: false,
        contacts: [],
        qualifications: [],
      });
      const agreement = await partners.createAgreement(SYSTEM_ACTOR_FOR_BENCH, {
        partnerId: partner.id,
        code: `PA-${i}`,
        title: 'bench',
        cooperationModes: [CooperationMode.REFERRAL],
        validFrom: '2026-01-01',
        validTo: '2027-12-31',
        documents: [],
      });
      for (let p = 0; p < PROGRAMS_PER_PARTNER; p += 1) {
        const program = await programs.createProgram(SYSTEM_ACTOR_FOR_BENCH, {
          agreementId: agreement.id,
          kind: ProgramKind.REFERRAL,
          nameZh: `推荐项目${i}-${p}`,
          targets: [],
        });
        for (let c = 0; c < CHANNELS_PER_PROGRAM; c += 1) {
          await channels.create(SYSTEM_ACTOR_FOR_BENCH, {
            programId: program.id,
            type: ChannelType.QR_CODE,
            name: `渠道${c}`,
            landingUrl: 'https://bank.example.cn/apply',
          });
        }
      }
    }
    const dataSource = ctx.app.get(DataSource);
    const statementsFor = async (first: number): Promise<number> => {
      ctx.queries.reset();
      await ctx.gql(QUERY, { first });
      return ctx.queries.count;
    };
    const naiveStatements = async (first: number): Promise<number> => {
      ctx.queries.reset();
      await naivePerRowResolver(dataSource, first);
      return ctx.queries.count;
    };
    const s10 = await statementsFor(10);
    const s100 = await statementsFor(100);
    const n10 = await naiveStatements(10);
    const n100 = await naiveStatements(100);
    const gqlMs = await medianMs(15, () => ctx.gql(QUERY, { first: 100 }));
    const naiveMs = await medianMs(15, () => naivePerRowResolver(dataSource, 100));
    const label = `${PARTNERS} partners × ${PROGRAMS_PER_PARTNER} programs × ${CHANNELS_PER_PROGRAM} channels (${ctx.dbLabel})`;
    return [
      {
        scenario: label,
        metric: 'SQL statements, page of 10',
        gongying: String(s10),
        baseline: `${n10} (naive per-row)`,
        ratio: ratio(s10, n10),
      },
      {
        scenario: label,
        metric: 'SQL statements, page of 100',
        gongying: String(s100),
        baseline: `${n100} (naive per-row)`,
        ratio: ratio(s100, n100),
      },
      {
        scenario: label,
        metric: 'time, page of 100 (median of 15)',
        gongying: `${fmtMs(gqlMs)} (GraphQL over HTTP)`,
        baseline: `${fmtMs(naiveMs)} (naive SQL only)`,
        ratio: ratio(gqlMs, naiveMs),
      },
    ];
  },
};
