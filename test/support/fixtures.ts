import { Role } from '../../src/auth/roles';
import { OrgUnitsService } from '../../src/org-units/org-units.service';
import { PartnersService } from '../../src/partners/partners.service';
import { PartnerKind, PartnerStatus } from '../../src/partners/partner.enums';
import { demoUscc } from '../../src/demo/foundation-demo';
import { SYSTEM_ACTOR, TestApp } from './harness';

export interface BankFixture {
  head: string;
  beijing: string;
  shanghai: string;
  haidian: string;
  partnerBj: string;
  partnerSh: string;
  partnerHd: string;
}

let serial = 5000;

/** Head office → Beijing (→ Haidian) and Shanghai, a partner in each, and one user per role. */
export async function seedBank(t: TestApp): Promise<BankFixture> {
  const org = t.get(OrgUnitsService);
  const head = await org.create(SYSTEM_ACTOR, { code: 'HO', name: 'Head office' });
  const beijing = await org.create(SYSTEM_ACTOR, { code: 'BJ', name: 'Beijing', parentId: head.id });
  const shanghai = await org.create(SYSTEM_ACTOR, { code: 'SH', name: 'Shanghai', parentId: head.id });
  const haidian = await org.create(SYSTEM_ACTOR, { code: 'BJ-HD', name: 'Haidian', parentId: beijing.id });
  const partnerBj = await createPartner(t, { code: 'P-BJ', orgUnitId: beijing.id, kind: PartnerKind.AIRLINE });
  const partnerSh = await createPartner(t, { code: 'P-SH', orgUnitId: shanghai.id, kind: PartnerKind.INSURANCE });
  const partnerHd = await createPartner(t, { code: 'P-HD', orgUnitId: haidian.id, kind: PartnerKind.MALL });
  await t.createUser('admin', Role.ADMIN);
  await t.createUser('manager', Role.PARTNERSHIP_MANAGER);
  await t.createUser('manager-bj', Role.PARTNERSHIP_MANAGER, { orgUnitId: beijing.id });
  await t.createUser('manager-sh', Role.PARTNERSHIP_MANAGER, { orgUnitId: shanghai.id });
  await t.createUser('finance', Role.FINANCE_MAKER);
  await t.createUser('approver', Role.FINANCE_APPROVER);
  await t.createUser('analyst', Role.ANALYST);
  await t.createUser('auditor', Role.AUDITOR);
  await t.createUser('partner-bj', Role.PARTNER_USER, { partnerId: partnerBj });
  await t.createUser('partner-sh', Role.PARTNER_USER, { partnerId: partnerSh });
  return {
    head: head.id,
    beijing: beijing.id,
    shanghai: shanghai.id,
    haidian: haidian.id,
    partnerBj,
    partnerSh,
    partnerHd,
  };
}

export async function createPartner(
  t: TestApp,
  input: { code: string; orgUnitId: string; kind?: PartnerKind; status?: PartnerStatus },
): Promise<string> {
  const partners = t.get(PartnersService);
  const partner = await partners.create(SYSTEM_ACTOR, {
    code: input.code,
    kind: input.kind ?? PartnerKind.ECOMMERCE,
    nameZh: `合作机构${input.code}`,
    nameEn: `Partner ${input.code}`,
    uscc: demoUscc(serial++),
    orgUnitId: input.orgUnitId,
    relatedParty: false,
    blacklisted: false,
    contacts: [{ name: '王小明', role: 'manager', phone: '13800138000', email: 'wang@example.cn' }],
    qualifications: [],
  });
  if (input.status === PartnerStatus.ACTIVE) {
    await partners.transition(SYSTEM_ACTOR, { id: partner.id, to: PartnerStatus.NEGOTIATING });
    await partners.transition(SYSTEM_ACTOR, { id: partner.id, to: PartnerStatus.ACTIVE });
  }
  return partner.id;
}
