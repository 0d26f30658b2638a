import { INestApplication } from '@nestjs/common';
import { Actor } from '../auth/actor';
import { Role } from '../auth/roles';
import { UsersService } from '../auth/users.service';
import { usccCheckChar } from '../common/identifiers';
import { OrgUnitsService } from '../org-units/org-units.service';
import { PartnersService } from '../partners/partners.service';
import { CooperationMode, PartnerKind, PartnerStatus, PartnerTier, RiskRating } from '../partners/partner.enums';

export const DEMO_USERS: { username: string; role: Role; displayName: string }[] = [
  { username: 'admin', role: Role.ADMIN, displayName: '系统管理员 Administrator' },
  { username: 'manager', role: Role.PARTNERSHIP_MANAGER, displayName: '渠道经理 Partnership manager' },
  { username: 'finance', role: Role.FINANCE_MAKER, displayName: '财务经办 Finance maker' },
  { username: 'approver', role: Role.FINANCE_APPROVER, displayName: '财务复核 Finance approver' },
  { username: 'analyst', role: Role.ANALYST, displayName: '分析师 Analyst' },
  { username: 'auditor', role: Role.AUDITOR, displayName: '审计 Auditor' },
  { username: 'partner', role: Role.PARTNER_USER, displayName: '合作方用户 Partner user' },
];

const SYSTEM: Actor = {
  kind: 'user',
  id: '00000000-0000-7000-8000-000000000000',
  name: 'demo-seed',
  role: Role.ADMIN,
  partnerId: null,
  orgUnitId: null,
  orgScope: null,
  scopes: [],
};

/** A valid USCC built from a deterministic body, so demo partners pass the GB 32100 check. */
export function demoUscc(serial: number, region = '110000'): string {
  const body = `91${region}${String(serial).padStart(8, '0')}X`.slice(0, 17).replace(/[IOSVZ]/g, '0');
  return body + usccCheckChar(body);
}

interface DemoPartner {
  code: string;
  kind: PartnerKind;
  nameZh: string;
  nameEn: string;
  branch: 'BJ' | 'SH' | 'GZ';
  tier: PartnerTier;
  risk: RiskRating;
  modes: CooperationMode[];
  status: PartnerStatus;
}

const PARTNERS: DemoPartner[] = [
  {
    code: 'SEC-HT',
    kind: PartnerKind.SECURITIES,
    nameZh: '华泰证券股份有限公司',
    nameEn: 'Huatai Securities',
    branch: 'SH',
    tier: PartnerTier.CORE,
    risk: RiskRating.LOW,
    modes: [CooperationMode.AGENCY_SALES, CooperationMode.REFERRAL],
    status: PartnerStatus.ACTIVE,
  },
  {
    code: 'INS-PA',
    kind: PartnerKind.INSURANCE,
    nameZh: '平安人寿保险股份有限公司',
    nameEn: 'Ping An Life',
    branch: 'GZ',
    tier: PartnerTier.STRATEGIC,
    risk: RiskRating.LOW,
    modes: [CooperationMode.AGENCY_SALES, CooperationMode.JOINT_PRODUCT],
    status: PartnerStatus.ACTIVE,
  },
  {
    code: 'FUND-HX',
    kind: PartnerKind.FUND,
    nameZh: '华夏基金管理有限公司',
    nameEn: 'China AMC',
    branch: 'BJ',
    tier: PartnerTier.CORE,
    risk: RiskRating.LOW,
    modes: [CooperationMode.AGENCY_SALES],
    status: PartnerStatus.ACTIVE,
  },
  {
    code: 'AIR-DH',
    kind: PartnerKind.AIRLINE,
    nameZh: '东方航空股份有限公司',
    nameEn: 'China Eastern Airlines',
    branch: 'SH',
    tier: PartnerTier.STRATEGIC,
    risk: RiskRating.LOW,
    modes: [CooperationMode.CO_BRANDED_CARD, CooperationMode.JOINT_MARKETING],
    status: PartnerStatus.ACTIVE,
  },
  {
    code: 'ECOM-JD',
    kind: PartnerKind.ECOMMERCE,
    nameZh: '京东商城电子商务有限公司',
    nameEn: 'JD Mall',
    branch: 'BJ',
    tier: PartnerTier.STRATEGIC,
    risk: RiskRating.MEDIUM,
    modes: [CooperationMode.CO_BRANDED_CARD, CooperationMode.PAYMENT_INTEGRATION],
    status: PartnerStatus.ACTIVE,
  },
  {
    code: 'MALL-WD',
    kind: PartnerKind.MALL,
    nameZh: '万达广场商业管理有限公司',
    nameEn: 'Wanda Plaza',
    branch: 'BJ',
    tier: PartnerTier.GENERAL,
    risk: RiskRating.MEDIUM,
    modes: [CooperationMode.CO_BRANDED_CARD],
    status: PartnerStatus.ACTIVE,
  },
  {
    code: 'GAS-SH',
    kind: PartnerKind.GAS_STATION,
    nameZh: '中石化销售股份有限公司上海分公司',
    nameEn: 'Sinopec Shanghai',
    branch: 'SH',
    tier: PartnerTier.CORE,
    risk: RiskRating.LOW,
    modes: [CooperationMode.CO_BRANDED_CARD],
    status: PartnerStatus.ACTIVE,
  },
  {
    code: 'RE-LJ',
    kind: PartnerKind.REAL_ESTATE_AGENCY,
    nameZh: '链家房地产经纪有限公司',
    nameEn: 'Lianjia Real Estate',
    branch: 'BJ',
    tier: PartnerTier.GENERAL,
    risk: RiskRating.MEDIUM,
    modes: [CooperationMode.MORTGAGE_REFERRAL],
    status: PartnerStatus.ACTIVE,
  },
  {
    code: 'GOV-ZJ',
    kind: PartnerKind.INDUSTRIAL_PARK,
    nameZh: '张江高科技园区管理委员会',
    nameEn: 'Zhangjiang Hi-Tech Park',
    branch: 'SH',
    tier: PartnerTier.CORE,
    risk: RiskRating.LOW,
    modes: [CooperationMode.AGENCY_SERVICES, CooperationMode.REFERRAL],
    status: PartnerStatus.NEGOTIATING,
  },
  {
    code: 'ASSN-GD',
    kind: PartnerKind.CHAMBER_OF_COMMERCE,
    nameZh: '广东省工商业联合会',
    nameEn: 'Guangdong Federation of Industry and Commerce',
    branch: 'GZ',
    tier: PartnerTier.GENERAL,
    risk: RiskRating.LOW,
    modes: [CooperationMode.MEMBER_OFFERS],
    status: PartnerStatus.PROSPECT,
  },
  {
    code: 'CORE-MD',
    kind: PartnerKind.CORE_ENTERPRISE,
    nameZh: '美的集团股份有限公司',
    nameEn: 'Midea Group',
    branch: 'GZ',
    tier: PartnerTier.STRATEGIC,
    risk: RiskRating.LOW,
    modes: [CooperationMode.SUPPLY_CHAIN_FINANCE, CooperationMode.PAYROLL, CooperationMode.EMPLOYEE_BANKING],
    status: PartnerStatus.ACTIVE,
  },
  {
    code: 'TEL-CM',
    kind: PartnerKind.TELECOM,
    nameZh: '中国移动通信集团广东有限公司',
    nameEn: 'China Mobile Guangdong',
    branch: 'GZ',
    tier: PartnerTier.GENERAL,
    risk: RiskRating.HIGH,
    modes: [CooperationMode.CO_BRANDED_CARD],
    status: PartnerStatus.SUSPENDED,
  },
];

const PATH_TO: Record<PartnerStatus, PartnerStatus[]> = {
  [PartnerStatus.PROSPECT]: [],
  [PartnerStatus.NEGOTIATING]: [PartnerStatus.NEGOTIATING],
  [PartnerStatus.ACTIVE]: [PartnerStatus.NEGOTIATING, PartnerStatus.ACTIVE],
  [PartnerStatus.SUSPENDED]: [PartnerStatus.NEGOTIATING, PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED],
  [PartnerStatus.TERMINATED]: [PartnerStatus.TERMINATED],
};

/**
 * The foundation's demo: org units, a dozen partners of different kinds with agreements, and one user per
 * role. Everything goes through the services (validation, audit), never around them.
 */
export async function seedFoundationDemo(
  app: INestApplication,
  password: string,
  progress: (message: string) => void,
): Promise<void> {
  const orgUnits = app.get(OrgUnitsService);
  const partners = app.get(PartnersService);
  const users = app.get(UsersService);

  const head = await orgUnits.create(SYSTEM, { code: 'HO', name: '总行 Head office' });
  const branches = {
    BJ: await orgUnits.create(SYSTEM, { code: 'BJ', name: '北京分行 Beijing branch', parentId: head.id }),
    SH: await orgUnits.create(SYSTEM, { code: 'SH', name: '上海分行 Shanghai branch', parentId: head.id }),
    GZ: await orgUnits.create(SYSTEM, { code: 'GZ', name: '广州分行 Guangzhou branch', parentId: head.id }),
  };
  await orgUnits.create(SYSTEM, { code: 'BJ-HD', name: '海淀支行 Haidian sub-branch', parentId: branches.BJ.id });
  await orgUnits.create(SYSTEM, { code: 'SH-PD', name: '浦东支行 Pudong sub-branch', parentId: branches.SH.id });
  progress('demo: org units created');

  const createdPartnerIds: string[] = [];
  for (const [i, p] of PARTNERS.entries()) {
    const partner = await partners.create(SYSTEM, {
      code: p.code,
      kind: p.kind,
      nameZh: p.nameZh,
      nameEn: p.nameEn,
      uscc: demoUscc(1000 + i, p.branch === 'BJ' ? '110000' : p.branch === 'SH' ? '310000' : '440000'),
      orgUnitId: branches[p.branch].id,
      tier: p.tier,
      riskRating: p.risk,
      relatedParty: false,
      blacklisted: false,
      contacts: [
        {
          name: `联系人${i + 1}`,
          role: '合作经理',
          phone: `1380013${String(1000 + i).padStart(4, '0')}`,
          email: `contact${i + 1}@partner.example.cn`,
        },
      ],
      qualifications: [
        { type: 'BUSINESS_LICENCE', number: `LIC-${1000 + i}`, expiresOn: i % 5 === 0 ? '2025-12-31' : '2029-12-31' },
      ],
    });
    for (const to of PATH_TO[p.status]) await partners.transition(SYSTEM, { id: partner.id, to });
    const agreement = await partners.createAgreement(SYSTEM, {
      partnerId: partner.id,
      code: `AGR-${p.code}-2026`,
      title: `${p.nameZh}全面合作协议`,
      cooperationModes: p.modes,
      signedOn: '2025-12-20',
      validFrom: '2026-01-01',
      validTo: '2028-12-31',
      documents: [{ name: '合作协议.pdf', uri: `docs://agreements/${p.code}/2026.pdf` }],
    });
    if (p.status !== PartnerStatus.PROSPECT)
      await partners.updateAgreement(SYSTEM, {
        id: agreement.id,
        version: agreement.version,
        status: 'ACTIVE' as never,
      });
    createdPartnerIds.push(partner.id);
  }
  progress(`demo: ${PARTNERS.length} partners with agreements created`);

  for (const u of DEMO_USERS) {
    await users.create(SYSTEM, {
      username: u.username,
      password,
      role: u.role,
      displayName: u.displayName,
      partnerId: u.role === Role.PARTNER_USER ? (createdPartnerIds[3] ?? null) : null,
      orgUnitId: u.role === Role.PARTNERSHIP_MANAGER ? head.id : null,
    });
  }
  progress(`demo: ${DEMO_USERS.length} users created (one per role)`);
}
