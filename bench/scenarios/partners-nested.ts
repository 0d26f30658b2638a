import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR_FOR_BENCH } from '../system-actor';
import { BenchContext, BenchRow, fmtMs, medianMs, ratio, Scenario } from '../harness';
import { OrgUnitsService } from '../../src/org-units/org-units.service';
import { PartnersService } from '../../src/partners/partners.service';
import { PartnerKind, CooperationMode } from '../../src/partners/partner.enums';
import { demoUscc } from '../../src/demo/foundation-demo';

const PARTNERS = 100;
const QUERY = `query($first: Int!) { partners(first: $first) { edges { node { id code nameZh
  agreements { id code validFrom validTo } contacts { name phone } qualifications { type expired } orgUnit { code } } } } }`;

/** The same page answered the naive way: one statement for the page, then one per partner per relation. */
async function naivePerRowResolver(dataSource: DataSource, first: number): Promise<number> {
  let statements = 0;
  const partners = await dataSource.query<{ id: string; org_unit_id: string }[]>(
    `SELECT * FROM partners ORDER BY id LIMIT ${first}`,
  );
  statements += 1;
  for (const p of partners) {
    await dataSource.query('SELECT * FROM agreements WHERE partner_id = ?', [p.id]);
    await dataSource.query('SELECT * FROM partner_contacts WHERE partner_id = ?', [p.id]);
    await dataSource.query('SELECT * FROM partner_qualifications WHERE partner_id = ?', [p.id]);
    await dataSource.query('SELECT * FROM org_units WHERE id = ?', [p.org_unit_id]);
    statements += 4;
  }
  return statements;
}

export const partnersNested: Scenario = {
  name: 'partners-nested',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const orgUnits = ctx.app.get(OrgUnitsService);
    const partners = ctx.app.get(PartnersService);
    const head = await orgUnits.create(SYSTEM_ACTOR_FOR_BENCH, { code: 'HO', name: 'Head office' });
    for (let i = 0; i < PARTNERS; i += 1) {
      const p = await partners.create(SYSTEM_ACTOR_FOR_BENCH, {
        code: `BP-${i}`,
        kind: PartnerKind.ECOMMERCE,
        nameZh: `基准合作机构${i}`,
        uscc: demoUscc(90000 + i),
        orgUnitId: head.id,
        relatedParty: false,
        blacklisted: false,
        contacts: [
          { name: '甲', phone: '13800138000' },
          { name: '乙', phone: '13900139000' },
        ],
        qualifications: [{ type: 'LICENCE', number: `L${i}`, expiresOn: '2030-01-01' }],
      });
      for (let a = 0; a < 3; a += 1) {
        await partners.createAgreement(SYSTEM_ACTOR_FOR_BENCH, {
          partnerId: p.id,
          code: `BA-${i}-${a}`,
          title: 'bench',
          cooperationModes: [CooperationMode.REFERRAL],
          validFrom: '2026-01-01',
          validTo: '2027-12-31',
          documents: [],
        });
      }
    }
    const dataSource = ctx.app.get(DataSource);
    const statementsFor = async (first: number): Promise<number> => {
      ctx.queries.reset();
      await ctx.gql(QUERY, { first });
      return ctx.queries.count;
    };
    const s10 = await statementsFor(10);
    const s100 = await statementsFor(100);
    const naive10 = await naivePerRowResolver(dataSource, 10);
    const naive100 = await naivePerRowResolver(dataSource, 100);
    const gqlMs = await medianMs(15, () => ctx.gql(QUERY, { first: 100 }));
    const naiveMs = await medianMs(15, () => naivePerRowResolver(dataSource, 100));
    const label = `${PARTNERS} partners × 3 agreements, 2 contacts (${ctx.dbLabel})`;
    return [
      {
        scenario: label,
        metric: 'SQL statements, page of 10',
        gongying: String(s10),
        baseline: `${naive10} (naive per-row)`,
        ratio: ratio(s10, naive10),
      },
      {
        scenario: label,
        metric: 'SQL statements, page of 100',
        gongying: String(s100),
        baseline: `${naive100} (naive per-row)`,
        ratio: ratio(s100, naive100),
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
