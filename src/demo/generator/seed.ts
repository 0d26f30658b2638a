import { INestApplicationContext } from '@nestjs/common';
import { createReadStream, createWriteStream, WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { DataSource } from 'typeorm';
import { Actor } from '../../auth/actor';
import { conflict } from '../../common/domain-error';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { AnalyticsMaintenanceService } from '../../analytics/analytics-maintenance.service';
import { ChannelsService } from '../../channels/channels.service';
import { ChannelType } from '../../channels/channel.enums';
import { CommissionsService } from '../../commissions/commissions.service';
import { CustomerImportsService } from '../../customers/customer-imports.service';
import { OrgUnitsService } from '../../org-units/org-units.service';
import { PartnerEntity } from '../../partners/entities/partner.entity';
import { PartnersService } from '../../partners/partners.service';
import { AgreementStatus, PartnerKind, PartnerStatus, PartnerTier, RiskRating } from '../../partners/partner.enums';
import { CustomerEventType } from '../../programs/customer-event-type';
import {
  AttributionModel,
  AttributionScope,
  CardLevel,
  ComparisonOperator,
  EconomicsCategory,
  ProgramKind,
  ProgramStatus,
  QualificationMeasure,
  RewardsFunding,
} from '../../programs/program.enums';
import { ProgramsService } from '../../programs/programs.service';
import { ReferralImportsService } from '../../referrals/referral-imports.service';
import { SupplyChainService } from '../../supply-chain/supply-chain.service';
import { ChainDirection } from '../../supply-chain/supply-chain.enums';
import { NEW_BRANCHES, PARTNER_TEMPLATES, REGIONS } from './catalog';
import { FinanceSummary, seedFinance } from './finance';
import { uscc } from './identities';
import { Rng } from './prng';
import {
  chainMember,
  employeeIdentity,
  ProgramRef,
  ReferralRow,
  profile,
  Row,
  Scale,
  SCALES,
  WorldContext,
  instantAt,
} from './world';

export interface SeedOptions {
  scale: Scale;
  seed: number;
  actor: Actor;
  progress?: (message: string) => void;
  /** Where the NDJSON files wait for their imports (default: a fresh temp dir, removed afterwards); each file is deleted once imported. */
  workDir?: string;
  /** Password of the users the finance phase creates (default: a random one nobody knows). */
  password?: string;
}

export interface SeedSummary {
  scale: Scale;
  seed: number;
  partners: number;
  programs: number;
  channels: number;
  chainLinks: number;
  commissionPlans: number;
  referrals: Record<string, unknown>;
  customers: Record<string, unknown>;
  events: Record<string, unknown>;
  finance: FinanceSummary;
  peakRssMiB: number;
  seconds: number;
}

const CHANNEL_ROTATION: ChannelType[] = [
  ChannelType.QR_CODE,
  ChannelType.LINK,
  ChannelType.BRANCH_COUNTER,
  ChannelType.PARTNER_API,
  ChannelType.EVENT,
  ChannelType.EMPLOYEE_REFERRAL,
  ChannelType.APP,
];

const CARD_LEVELS = [CardLevel.CLASSIC, CardLevel.GOLD, CardLevel.PLATINUM, CardLevel.DIAMOND];

/** An NDJSON file being written row by row, honouring back-pressure. */
class NdjsonFile {
  private readonly out: WriteStream;
  rows = 0;

  constructor(path: string) {
    this.out = createWriteStream(path, { encoding: 'utf8' });
  }

  async write(row: Row | object): Promise<void> {
    this.rows++;
    if (!this.out.write(`${JSON.stringify(row)}\n`)) await once(this.out, 'drain');
  }

  /** Flushes and closes the file; returns how many rows it holds. */
  async close(): Promise<number> {
    this.out.end();
    await once(this.out, 'finish');
    return this.rows;
  }
}

/**
 * The file as a stream for an import, reporting every 5 % of it read: the imports hold one batch at a time,
 * so the share read tracks the rows done, and a long import is not silent.
 */
async function* readWithProgress(
  path: string,
  label: string,
  rows: number,
  progress: (message: string) => void,
): AsyncGenerator<Buffer> {
  const size = Math.max((await stat(path)).size, 1);
  const started = Date.now();
  let read = 0;
  let next = 5;
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    const bytes = chunk as Buffer;
    read += bytes.length;
    const share = Math.floor((read * 100) / size);
    if (share >= next && share < 100) {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      const done = Math.floor((rows * share) / 100);
      progress(`demo: ${label} ~${percent(done, rows)} read, ~${Math.round(done / seconds)} rows/s`);
      next = share - (share % 5) + 5;
    }
    yield bytes;
  }
}

function percent(n: number, total: number): string {
  return `${n.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${Math.floor((n * 100) / Math.max(total, 1))}%)`;
}

/** The bank the generator set up through the services, before any file is imported. */
export interface DemoWorld {
  context: WorldContext;
  partners: number;
  channels: number;
  chainLinks: number;
  commissionPlans: number;
}

/** The three NDJSON files of a world's referrals, customers and events, and how many rows each holds. */
export interface DemoFiles {
  referrals: { path: string; rows: number };
  customers: { path: string; rows: number };
  events: { path: string; rows: number };
}

/**
 * Seeds the demo bank at a scale, through the services' own paths: partners, agreements, programs with
 * rules, card products, channels, supply chains and commission plans through their services; referrals,
 * customers and events as NDJSON files through the streamed imports (validation, attribution listeners,
 * audit, jobs). Deterministic from the seed: the same seed and scale give the same partners, customers,
 * referrals and events.
 */
export async function seedDemoWorld(app: INestApplicationContext, options: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const progress = options.progress ?? (() => undefined);
  const { actor, seed } = options;

  // The finance phase pays partners: without the bank's own account no payout batch can be released.
  if (app.get<AppConfig>(APP_CONFIG).payouts.debtor === null)
    throw conflict(
      'PAYOUT_DEBTOR_NOT_CONFIGURED',
      'The demo pays its partners: set PAYOUT_DEBTOR_* (the first start and seed:demo use the demo bank’s account)',
    );
  const world = await buildDemoWorld(app, { scale: options.scale, seed, actor, progress });

  // ---- referrals, customers and events: NDJSON files streamed through the imports ----
  const dir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'gongying-demo-')));
  if (options.workDir) await mkdir(dir, { recursive: true });
  try {
    const files = await writeDemoFiles(world.context, dir, progress);
    progress(
      `demo: files written (${files.referrals.rows} referrals, ${files.customers.rows} customers, ${files.events.rows} events); importing…`,
    );
    const referralJob = await app
      .get(ReferralImportsService)
      .importFromStream(
        readWithProgress(files.referrals.path, 'referrals', files.referrals.rows, progress),
        'NDJSON',
        actor,
      );
    // Each file goes once imported: the large scale's 6 GB of files need not sit beside its 70 GB database.
    await rm(files.referrals.path, { force: true });
    progress(`demo: referrals imported ${JSON.stringify(referralJob.result)}`);
    const imports = app.get(CustomerImportsService);
    const customerJob = await imports.importCustomersFromStream(
      readWithProgress(files.customers.path, 'customers', files.customers.rows, progress),
      'NDJSON',
      actor,
    );
    await rm(files.customers.path, { force: true });
    progress(`demo: customers imported ${JSON.stringify(customerJob.result)}`);
    const eventJob = await imports.importCustomerEventsFromStream(
      readWithProgress(files.events.path, 'events', files.events.rows, progress),
      'NDJSON',
      actor,
    );
    await rm(files.events.path, { force: true });
    progress(`demo: events imported ${JSON.stringify(eventJob.result)}`);
    const finance = await seedFinance(app, {
      seed,
      actor,
      progress,
      ...(options.password ? { password: options.password } : {}),
    });
    // Reports catch the roll-ups up before reading; doing it here keeps a large bank's first report from paying.
    const rollUpStarted = Date.now();
    const caught = await app.get(AnalyticsMaintenanceService).catchUpAll();
    const facts = caught.reduce((sum, c) => sum + c.applied, 0);
    progress(
      `demo: analytics roll-ups current (${facts.toLocaleString('en-US')} facts in ${Math.round((Date.now() - rollUpStarted) / 1000)} s)`,
    );
    return {
      scale: options.scale,
      seed,
      partners: world.partners,
      programs: world.context.programs.length,
      channels: world.channels,
      chainLinks: world.chainLinks,
      commissionPlans: world.commissionPlans,
      referrals: (referralJob.result ?? {}) as Record<string, unknown>,
      customers: (customerJob.result ?? {}) as Record<string, unknown>,
      events: (eventJob.result ?? {}) as Record<string, unknown>,
      finance,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    if (!options.workDir) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Sets up the world's bank through the services: org units, partners of every kind with agreements, programs
 * (rules, card products, channels), supply chains and commission plans. Refuses a database that already holds one.
 */
export async function buildDemoWorld(
  app: INestApplicationContext,
  options: { scale: Scale; seed: number; actor: Actor; progress?: (message: string) => void },
): Promise<DemoWorld> {
  const progress = options.progress ?? (() => undefined);
  const { actor, seed } = options;
  const spec = SCALES[options.scale];
  const orgUnits = app.get(OrgUnitsService);
  const partners = app.get(PartnersService);
  const programs = app.get(ProgramsService);
  const channels = app.get(ChannelsService);

  // The generated partner codes are fixed (G-<kind>-<n>), so a second world cannot go into the same database.
  const firstCode = `G-${PARTNER_TEMPLATES[0]?.abbr ?? 'SEC'}-1`;
  if (await app.get(DataSource).getRepository(PartnerEntity).existsBy({ code: firstCode }))
    throw conflict(
      'DEMO_ALREADY_SEEDED',
      `This database already holds a demo world (partner ${firstCode} exists); seed another scale into an empty database ` +
        '(set DATABASE_URL or DATABASE_PATH to a new one).',
    );

  // ---- org units: provincial branches and sub-branches ----
  const head =
    (await orgUnits.findByCode('HO')) ?? (await orgUnits.create(actor, { code: 'HO', name: '总行 Head office' }));
  for (const b of NEW_BRANCHES)
    if (!(await orgUnits.findByCode(b.code)))
      await orgUnits.create(actor, { code: b.code, name: b.name, parentId: head.id });
  for (const r of REGIONS) {
    const branch =
      (await orgUnits.findByCode(r.code)) ??
      (await orgUnits.create(actor, { code: r.code, name: `${r.name}分行`, parentId: head.id }));
    for (const [code, name] of r.subs)
      if (!(await orgUnits.findByCode(code))) await orgUnits.create(actor, { code, name, parentId: branch.id });
  }
  progress('demo: org units for 7 provinces');

  // ---- partners of every kind, agreements, programs with rules, products, channels ----
  const refs: ProgramRef[] = [];
  const cores: WorldContext['cores'] = [];
  const planTargets: { partnerId: string; programId: string; kind: ProgramKind }[] = [];
  let partnerCount = 0;
  let channelCount = 0;
  let bin = 0;
  for (const template of PARTNER_TEMPLATES) {
    for (let n = 1; n <= spec.partnersPerKind; n++) {
      const rng = Rng.derive(seed, 'partner', template.kind, n);
      const region = REGIONS[(partnerCount + n) % REGIONS.length] ?? REGIONS[0];
      const code = `G-${template.abbr}-${n}`;
      const nameZh = `${region.name}${template.names[(n - 1) % template.names.length] ?? template.abbr}${n > 1 ? `（${n}）` : ''}有限公司`;
      const partnerUscc = uscc(rng, region.division);
      const unit = await orgUnits.findByCode(region.code);
      const partner = await partners.create(actor, {
        code,
        kind: template.kind,
        nameZh,
        nameEn: `${template.kind.toLowerCase().replace(/_/g, ' ')} partner ${n}`,
        uscc: partnerUscc,
        orgUnitId: unit?.id ?? head.id,
        tier: rng.pick([PartnerTier.STRATEGIC, PartnerTier.CORE, PartnerTier.GENERAL]),
        riskRating: rng.pick([RiskRating.LOW, RiskRating.LOW, RiskRating.MEDIUM, RiskRating.HIGH]),
        relatedParty: rng.chance(0.1),
        blacklisted: false,
        contacts: [
          {
            name: `联系人${template.abbr}${n}`,
            role: '合作经理',
            phone: `139${rng.digits(8)}`,
            email: `${code.toLowerCase()}@partner.example.cn`,
          },
        ],
        qualifications: [{ type: 'BUSINESS_LICENCE', number: `LIC-${code}`, expiresOn: '2029-12-31' }],
      });
      partnerCount++;
      await partners.transition(actor, { id: partner.id, to: PartnerStatus.NEGOTIATING });
      await partners.transition(actor, { id: partner.id, to: PartnerStatus.ACTIVE });
      const agreement = await partners.createAgreement(actor, {
        partnerId: partner.id,
        code: `AGR-${code}`,
        title: `${nameZh}合作协议`,
        cooperationModes: [...template.modes],
        signedOn: '2024-12-15',
        validFrom: '2024-12-15',
        validTo: '2028-12-31',
        documents: [{ name: '合作协议.pdf', uri: `docs://agreements/${code}.pdf` }],
      });
      await partners.updateAgreement(actor, {
        id: agreement.id,
        version: agreement.version,
        status: AgreementStatus.ACTIVE,
      });
      for (const [k, kind] of template.programs.entries()) {
        const program = await programs.createProgram(actor, {
          agreementId: agreement.id,
          kind,
          nameZh: `${nameZh.replace(/有限公司$/, '')}${kind === ProgramKind.CO_BRANDED_CARD ? '联名卡' : kind === ProgramKind.PAYROLL ? '代发工资' : kind === ProgramKind.SUPPLY_CHAIN ? '产业链金融' : kind === ProgramKind.AGENCY_SALES ? '代销' : kind === ProgramKind.EMPLOYEE_BANKING ? '员工综合金融' : kind === ProgramKind.JOINT_MARKETING ? '联合营销' : '客户推荐'}项目`,
          nameEn: `${code} ${kind}`,
          targets: [{ period: '2026-01', newCustomers: 100 + k * 10 }],
        });
        await programs.setAttributionRule(actor, {
          programId: program.id,
          effectiveFrom: '2024-12-15',
          windowDays: kind === ProgramKind.CO_BRANDED_CARD ? 30 : 90,
          model: rng.chance(0.5) ? AttributionModel.FIRST_TOUCH : AttributionModel.LAST_TOUCH,
          scope: kind === ProgramKind.CO_BRANDED_CARD ? AttributionScope.NEW_TO_PRODUCT : AttributionScope.NEW_TO_BANK,
          precedenceRank: kind === ProgramKind.PAYROLL ? 1 : 2,
        });
        if (kind === ProgramKind.EMPLOYEE_BANKING)
          await programs.setQualificationRule(actor, {
            programId: program.id,
            effectiveFrom: '2024-12-15',
            withinDays: 30,
            all: [
              {
                eventType: CustomerEventType.PAYROLL_CREDIT,
                measure: QualificationMeasure.COUNT,
                operator: ComparisonOperator.GTE,
                count: 1,
              },
            ],
          });
        if (kind === ProgramKind.CO_BRANDED_CARD)
          await programs.setQualificationRule(actor, {
            programId: program.id,
            effectiveFrom: '2024-12-15',
            withinDays: 30,
            all: [
              {
                eventType: CustomerEventType.CARD_ACTIVATED,
                measure: QualificationMeasure.COUNT,
                operator: ComparisonOperator.GTE,
                count: 1,
              },
              {
                eventType: CustomerEventType.CARD_SPEND,
                measure: QualificationMeasure.SUM_AMOUNT,
                operator: ComparisonOperator.GTE,
                amount: { amount: '100.00' },
              },
            ],
          });
        let productCode = `${code}-${kind}`.slice(0, 40);
        if (kind === ProgramKind.CO_BRANDED_CARD) {
          bin++;
          productCode = `${code}-CARD`;
          await programs.upsertProduct(actor, {
            programId: program.id,
            productName: `${nameZh.replace(/有限公司$/, '')}联名信用卡`,
            level: CARD_LEVELS[bin % CARD_LEVELS.length] ?? CardLevel.GOLD,
            binPrefixes: [`6288${String(bin).padStart(2, '0')}`],
            annualFee: { amount: rng.pick(['0.00', '200.00', '600.00']) },
            feeWaiver: { spendCountAtLeast: 6 },
            earnRate: '0.1',
            funding: RewardsFunding.SHARED,
            partnerShare: '0.4',
            economics: [
              {
                category: EconomicsCategory.ACQUISITION_BOUNTY,
                description: '每张激活卡奖励',
                amount: { amount: '80.00' },
                trigger: CustomerEventType.CARD_ACTIVATED,
              },
              { category: EconomicsCategory.INTERCHANGE_SHARE, description: '交换费分成', rate: '0.2' },
            ],
          });
        }
        await programs.transitionProgram(actor, { id: program.id, to: ProgramStatus.ACTIVE });
        const refChannels: ProgramRef['channels'] = [];
        if (kind !== ProgramKind.SUPPLY_CHAIN)
          for (let c = 0; c < 2; c++) {
            const type = CHANNEL_ROTATION[(refs.length + c) % CHANNEL_ROTATION.length] ?? ChannelType.QR_CODE;
            const channel = await channels.create(actor, {
              programId: program.id,
              type,
              name: `${code} ${type}${type === ChannelType.EMPLOYEE_REFERRAL ? ' 员工推荐-周明' : ''}`,
              landingUrl: `https://demo.gongying.example.cn/apply/${code.toLowerCase()}`,
            });
            channelCount++;
            refChannels.push({ trackingCode: channel.trackingCode, type });
          }
        const ref: ProgramRef = {
          key: `${code}/${kind}`,
          id: program.id,
          kind,
          partnerKind: template.kind,
          partnerUscc,
          productCode,
          channels: refChannels,
        };
        refs.push(ref);
        planTargets.push({ partnerId: partner.id, programId: program.id, kind });
        if (template.kind === PartnerKind.CORE_ENTERPRISE && kind === ProgramKind.SUPPLY_CHAIN)
          cores.push({ code, uscc: partnerUscc, programKey: ref.key });
      }
    }
  }
  progress(
    `demo: ${partnerCount} partners of ${PARTNER_TEMPLATES.length} kinds, ${refs.length} programs, ${channelCount} channels`,
  );

  // ---- supply chains of several tiers ----
  const chain = app.get(SupplyChainService);
  let chainLinks = 0;
  for (const core of cores) {
    const partnerId = planTargets.find(
      (p) => refs.find((r) => r.id === p.programId)?.key === core.programKey,
    )?.partnerId;
    const programId = refs.find((r) => r.key === core.programKey)?.id;
    const registered = await chain.registerCore(actor, {
      company: { name: `${core.code} 核心企业`, uscc: core.uscc },
      ...(partnerId ? { partnerId } : {}),
      ...(programId ? { programId } : {}),
    });
    const members: { companyId: string; tier: number; direction: ChainDirection; parent: number | null }[] = [];
    for (let j = 0; j < spec.chainMembers; j++) {
      const m = chainMember(seed, core.code, j);
      // A member hangs under a member one tier up, in the same direction; tiers stop at 3.
      let parent = m.parent;
      while (parent !== null && (members[parent]?.tier ?? 1) >= 3) parent = members[parent]?.parent ?? null;
      const up = parent === null ? null : members[parent];
      const direction = up?.direction ?? (m.upstream ? ChainDirection.UPSTREAM : ChainDirection.DOWNSTREAM);
      const link = await chain.createLink(actor, {
        coreEnterpriseId: registered.id,
        ...(up ? { parentCompanyId: up.companyId } : {}),
        member: { name: m.name, uscc: m.uscc },
        direction,
        annualVolume: { amount: m.volume },
        since: '2025-01-01',
      });
      members.push({ companyId: link.memberCompanyId, tier: up ? up.tier + 1 : 1, direction, parent });
      chainLinks++;
    }
  }
  progress(`demo: ${cores.length} supply chains with ${chainLinks} links`);

  // ---- commission plans (bounty with clawback on early closure; share of fund sales; payroll per employee) ----
  const commissions = app.get(CommissionsService);
  let commissionPlans = 0;
  for (const target of planTargets) {
    const rule: object | null =
      target.kind === ProgramKind.CO_BRANDED_CARD
        ? {
            id: 'bounty',
            trigger: { kind: 'EVENT', eventType: 'CARD_ACTIVATED' },
            basis: { kind: 'FLAT_PER_EVENT', amount: '80.00' },
            holdingDays: 0,
            clawback: { onEventTypes: ['CARD_CLOSED'], withinDays: 90 },
            currency: 'CNY',
            feeCategory: 'ACQUISITION_BOUNTY',
          }
        : target.kind === ProgramKind.AGENCY_SALES
          ? {
              id: 'sales',
              trigger: { kind: 'EVENT', eventType: 'FUND_PURCHASE' },
              basis: { kind: 'PERCENT_OF_AMOUNT', rate: '0.005' },
              holdingDays: 0,
              currency: 'CNY',
              feeCategory: 'SERVICE_FEE',
            }
          : target.kind === ProgramKind.PAYROLL
            ? {
                id: 'payroll',
                trigger: { kind: 'EVENT', eventType: 'ACCOUNT_OPENED' },
                basis: { kind: 'FLAT_PER_CUSTOMER', amount: '30.00' },
                holdingDays: 0,
                currency: 'CNY',
                feeCategory: 'SERVICE_FEE',
              }
            : null;
    if (!rule) continue;
    // Co-branded partners also earn a share of interchange on every month's spend, so each settled month
    // has statements, not only the months with new cards.
    const interchange = {
      id: 'interchange',
      trigger: { kind: 'EVENT', eventType: 'CARD_SPEND' },
      basis: { kind: 'PERCENT_OF_AMOUNT', rate: '0.001' },
      holdingDays: 0,
      currency: 'CNY',
      feeCategory: 'INTERCHANGE_SHARE',
    };
    await commissions.createPlan(actor, {
      partnerId: target.partnerId,
      programId: target.programId,
      name: `${target.kind} 佣金方案`,
      effectiveFrom: '2025-01-01',
      rulesJson: JSON.stringify({
        rules: target.kind === ProgramKind.CO_BRANDED_CARD ? [rule, interchange] : [rule],
      }),
    });
    commissionPlans++;
  }
  progress(`demo: ${commissionPlans} commission plans`);
  return {
    context: { seed, spec, programs: refs, cores },
    partners: partnerCount,
    channels: channelCount,
    chainLinks,
    commissionPlans,
  };
}

/** Fraud-like referrals after the profiles': a burst from one QR channel within an hour, self-referral. */
function* fraudLikeReferrals(ctx: WorldContext): Generator<ReferralRow> {
  const channels = ctx.programs.flatMap((r) => r.channels);
  const qr = channels.find((c) => c.type === ChannelType.QR_CODE);
  const rng = Rng.derive(ctx.seed, 'burst');
  if (qr)
    for (let b = 0; b < ctx.spec.burst; b++)
      yield {
        trackingCode: qr.trackingCode,
        idempotencyKey: `BURST-${b}`,
        phone: `1${rng.pick(['3', '5', '8'])}${rng.digits(9)}`,
        name: '刷单',
        submittedAt: instantAt(Date.parse('2026-03-03T00:00:00Z'), 2, b % 60),
      };
  const staff = channels.find((c) => c.type === ChannelType.EMPLOYEE_REFERRAL);
  const self = employeeIdentity(ctx.seed);
  if (staff)
    for (let s = 0; s < 3; s++)
      yield {
        trackingCode: staff.trackingCode,
        idempotencyKey: `SELF-${s}`,
        idType: 'RESIDENT_ID',
        idNumber: self.idNumber,
        phone: self.phone,
        name: self.name,
        submittedAt: instantAt(Date.parse('2026-04-01T00:00:00Z') + s * 86_400_000 * 40, 10),
      };
}

/**
 * Writes the world's referrals, customers and events as NDJSON files in `dir`, in one pass over the profiles
 * (each profile is generated once), streamed: memory does not grow with the scale.
 */
export async function writeDemoFiles(
  ctx: WorldContext,
  dir: string,
  progress: (message: string) => void = () => undefined,
): Promise<DemoFiles> {
  const paths = {
    referrals: join(dir, 'referrals.ndjson'),
    customers: join(dir, 'customers.ndjson'),
    events: join(dir, 'events.ndjson'),
  };
  const files = {
    referrals: new NdjsonFile(paths.referrals),
    customers: new NdjsonFile(paths.customers),
    events: new NdjsonFile(paths.events),
  };
  const total = ctx.spec.profiles;
  const every = Math.max(1_000, Math.floor(total / 20));
  for (let i = 0; i < total; i++) {
    const p = profile(ctx, i);
    for (const r of p.referrals) await files.referrals.write(r);
    if (p.customer) {
      await files.customers.write(p.customer);
      for (const e of p.events) await files.events.write(e);
    }
    if ((i + 1) % every === 0 || i + 1 === total) progress(`demo: profiles written ${percent(i + 1, total)}`);
  }
  for (const r of fraudLikeReferrals(ctx)) await files.referrals.write(r);
  return {
    referrals: { path: paths.referrals, rows: await files.referrals.close() },
    customers: { path: paths.customers, rows: await files.customers.close() },
    events: { path: paths.events, rows: await files.events.close() },
  };
}
