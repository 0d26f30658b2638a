import { CooperationMode, PartnerKind } from '../../partners/partner.enums';
import { ProgramKind } from '../../programs/program.enums';

/** Provincial branches the generator adds (the foundation demo already has HO, BJ, SH, GZ). */
export const REGIONS = [
  { code: 'BJ', name: '北京', division: '110105', subs: [['BJ-CY', '朝阳支行 Chaoyang sub-branch']] },
  { code: 'SH', name: '上海', division: '310115', subs: [['SH-XH', '徐汇支行 Xuhui sub-branch']] },
  { code: 'GZ', name: '广州', division: '440106', subs: [['GZ-TH', '天河支行 Tianhe sub-branch']] },
  { code: 'ZJ', name: '杭州', division: '330106', subs: [['ZJ-XH', '西湖支行 Xihu sub-branch']] },
  { code: 'JS', name: '南京', division: '320102', subs: [['JS-GL', '鼓楼支行 Gulou sub-branch']] },
  { code: 'SC', name: '成都', division: '510104', subs: [['SC-JJ', '锦江支行 Jinjiang sub-branch']] },
  { code: 'HB', name: '武汉', division: '420102', subs: [['HB-JA', '江岸支行 Jiang’an sub-branch']] },
] as const;

export const NEW_BRANCHES: readonly { code: string; name: string }[] = [
  { code: 'ZJ', name: '浙江分行 Zhejiang branch' },
  { code: 'JS', name: '江苏分行 Jiangsu branch' },
  { code: 'SC', name: '四川分行 Sichuan branch' },
  { code: 'HB', name: '湖北分行 Hubei branch' },
];

export const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '罗',
  '欧阳',
  '司马',
];
export const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '涛',
  '明',
  '超',
  '秀英',
  '子涵',
  '浩然',
  '雨桐',
  '思远',
  '嘉怡',
];
export const COMPANY_WORDS = [
  '恒通',
  '瑞丰',
  '华联',
  '金桥',
  '鼎盛',
  '长江',
  '东方',
  '新元',
  '嘉禾',
  '正泰',
  '卓越',
  '信达',
];
export const INDUSTRIES = [
  ['制造', 'Manufacturing'],
  ['贸易', 'Wholesale and retail'],
  ['物流', 'Logistics'],
  ['科技', 'Information technology'],
  ['建材', 'Construction'],
  ['餐饮', 'Catering'],
] as const;

/** One template per partner kind of domain.md: Chinese name stem, what the cooperation is, which programs follow. */
export interface PartnerTemplate {
  kind: PartnerKind;
  abbr: string;
  names: readonly string[];
  modes: readonly CooperationMode[];
  programs: readonly ProgramKind[];
}

const CARD = [CooperationMode.CO_BRANDED_CARD, CooperationMode.JOINT_MARKETING, CooperationMode.REFERRAL];
const AGENCY = [CooperationMode.AGENCY_SALES, CooperationMode.JOINT_PRODUCT, CooperationMode.REFERRAL];
const GOV = [CooperationMode.AGENCY_SERVICES, CooperationMode.REFERRAL];
const MEMBER = [CooperationMode.MEMBER_OFFERS, CooperationMode.REFERRAL];

export const PARTNER_TEMPLATES: readonly PartnerTemplate[] = [
  {
    kind: PartnerKind.SECURITIES,
    abbr: 'SEC',
    names: ['中信证券', '国泰君安证券', '招商证券'],
    modes: AGENCY,
    programs: [ProgramKind.AGENCY_SALES, ProgramKind.REFERRAL],
  },
  {
    kind: PartnerKind.INSURANCE,
    abbr: 'INS',
    names: ['中国人寿保险', '太平洋保险', '新华保险'],
    modes: AGENCY,
    programs: [ProgramKind.AGENCY_SALES],
  },
  {
    kind: PartnerKind.FUND,
    abbr: 'FND',
    names: ['易方达基金', '南方基金', '博时基金'],
    modes: AGENCY,
    programs: [ProgramKind.AGENCY_SALES],
  },
  {
    kind: PartnerKind.TRUST,
    abbr: 'TRU',
    names: ['中信信托', '平安信托', '华润信托'],
    modes: AGENCY,
    programs: [ProgramKind.AGENCY_SALES],
  },
  {
    kind: PartnerKind.TRAVEL,
    abbr: 'TRV',
    names: ['携程旅行', '同程旅行', '中国国旅'],
    modes: CARD,
    programs: [ProgramKind.CO_BRANDED_CARD, ProgramKind.JOINT_MARKETING],
  },
  {
    kind: PartnerKind.AIRLINE,
    abbr: 'AIR',
    names: ['中国国际航空', '南方航空', '海南航空'],
    modes: CARD,
    programs: [ProgramKind.CO_BRANDED_CARD],
  },
  {
    kind: PartnerKind.TICKETING,
    abbr: 'TKT',
    names: ['大麦票务', '猫眼演出', '12306合作票务'],
    modes: CARD,
    programs: [ProgramKind.JOINT_MARKETING, ProgramKind.REFERRAL],
  },
  {
    kind: PartnerKind.ECOMMERCE,
    abbr: 'ECM',
    names: ['天猫商城', '拼多多', '唯品会'],
    modes: [...CARD, CooperationMode.PAYMENT_INTEGRATION],
    programs: [ProgramKind.CO_BRANDED_CARD],
  },
  {
    kind: PartnerKind.REAL_ESTATE_AGENCY,
    abbr: 'REA',
    names: ['我爱我家房地产经纪', '中原地产', '麦田房产'],
    modes: [CooperationMode.MORTGAGE_REFERRAL, CooperationMode.REFERRAL],
    programs: [ProgramKind.REFERRAL],
  },
  {
    kind: PartnerKind.LAW_FIRM,
    abbr: 'LAW',
    names: ['金杜律师事务所', '君合律师事务所', '中伦律师事务所'],
    modes: [CooperationMode.DEBT_RECOVERY, CooperationMode.IPO_SERVICES, CooperationMode.REFERRAL],
    programs: [ProgramKind.REFERRAL],
  },
  {
    kind: PartnerKind.MALL,
    abbr: 'MAL',
    names: ['万象城', '大悦城', '银泰百货广场'],
    modes: CARD,
    programs: [ProgramKind.CO_BRANDED_CARD],
  },
  {
    kind: PartnerKind.DEPARTMENT_STORE,
    abbr: 'DPS',
    names: ['王府井百货', '新世界百货', '百盛百货'],
    modes: CARD,
    programs: [ProgramKind.CO_BRANDED_CARD],
  },
  {
    kind: PartnerKind.GAS_STATION,
    abbr: 'GAS',
    names: ['中国石油销售', '壳牌加油站', '延长壳牌'],
    modes: CARD,
    programs: [ProgramKind.CO_BRANDED_CARD],
  },
  {
    kind: PartnerKind.PROPERTY_MANAGER,
    abbr: 'PMC',
    names: ['万科物业', '碧桂园服务', '绿城服务'],
    modes: CARD,
    programs: [ProgramKind.REFERRAL, ProgramKind.JOINT_MARKETING],
  },
  {
    kind: PartnerKind.BANK,
    abbr: 'BNK',
    names: ['城市商业银行', '农村商业银行', '村镇银行'],
    modes: [CooperationMode.AGENCY_SERVICES, CooperationMode.AGENCY_SALES],
    programs: [ProgramKind.AGENCY_SALES],
  },
  {
    kind: PartnerKind.GOVERNMENT_TAX,
    abbr: 'TAX',
    names: ['税务局纳税服务中心', '市场监督管理局登记中心', '税务服务厅'],
    modes: GOV,
    programs: [ProgramKind.REFERRAL],
  },
  {
    kind: PartnerKind.INDUSTRIAL_PARK,
    abbr: 'PRK',
    names: ['经济技术开发区管委会', '高新技术产业园', '自贸区管委会'],
    modes: GOV,
    programs: [ProgramKind.REFERRAL],
  },
  {
    kind: PartnerKind.HOUSING_BUREAU,
    abbr: 'HSB',
    names: ['住房保障和房屋管理局', '公积金管理中心', '不动产登记中心'],
    modes: GOV,
    programs: [ProgramKind.REFERRAL],
  },
  {
    kind: PartnerKind.INVESTMENT_PROMOTION,
    abbr: 'INV',
    names: ['投资促进中心', '招商服务中心', '外商投资服务中心'],
    modes: GOV,
    programs: [ProgramKind.REFERRAL],
  },
  {
    kind: PartnerKind.ASSOCIATION,
    abbr: 'ASN',
    names: ['个体劳动者协会', '电子商务协会', '物流与采购协会'],
    modes: MEMBER,
    programs: [ProgramKind.REFERRAL],
  },
  {
    kind: PartnerKind.EXCHANGE,
    abbr: 'EXC',
    names: ['产权交易所', '商品交易所', '股权交易中心'],
    modes: MEMBER,
    programs: [ProgramKind.REFERRAL],
  },
  {
    kind: PartnerKind.CHAMBER_OF_COMMERCE,
    abbr: 'CHB',
    names: ['温州商会', '福建商会', '潮汕商会'],
    modes: MEMBER,
    programs: [ProgramKind.REFERRAL],
  },
  {
    kind: PartnerKind.CLUB,
    abbr: 'CLB',
    names: ['高尔夫俱乐部', '汽车俱乐部', '企业家俱乐部'],
    modes: MEMBER,
    programs: [ProgramKind.REFERRAL, ProgramKind.JOINT_MARKETING],
  },
  {
    kind: PartnerKind.CORE_ENTERPRISE,
    abbr: 'COR',
    names: ['比亚迪股份', '海尔智家', '三一重工'],
    modes: [CooperationMode.SUPPLY_CHAIN_FINANCE, CooperationMode.PAYROLL, CooperationMode.EMPLOYEE_BANKING],
    programs: [ProgramKind.SUPPLY_CHAIN, ProgramKind.PAYROLL, ProgramKind.EMPLOYEE_BANKING],
  },
  {
    kind: PartnerKind.TELECOM,
    abbr: 'TEL',
    names: ['中国电信', '中国联通', '中国广电'],
    modes: CARD,
    programs: [ProgramKind.CO_BRANDED_CARD],
  },
  {
    kind: PartnerKind.POSTAL,
    abbr: 'PST',
    names: ['中国邮政集团', '邮政速递物流', '邮政储蓄代理网点'],
    modes: [...CARD, CooperationMode.AGENCY_SERVICES],
    programs: [ProgramKind.CO_BRANDED_CARD, ProgramKind.AGENCY_SALES],
  },
];
