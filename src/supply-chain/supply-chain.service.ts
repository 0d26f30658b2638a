import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { Role } from '../auth/roles';
import { businessDateOf, isValidBusinessDate } from '../common/business-time';
import { Clock } from '../common/clock';
import { badInput, conflict, DomainError, forbidden, notFound } from '../common/domain-error';
import { isValidUscc, normalizeUscc } from '../common/identifiers';
import { Money, parseHumanAmount } from '../common/money';
import { APP_CONFIG, AppConfig } from '../config/config';
import { CustomerType } from '../customers/customer.enums';
import { CustomersService } from '../customers/customers.service';
import { CustomerEntity } from '../customers/entities/customer.entity';
import { newId } from '../database/columns';
import { LOOKUP_CHUNK, placeholders, selectEntities } from '../database/plain-sql';
import { TransactionService } from '../database/transaction.service';
import { chunk } from '../graphql/loaders';
import { MoneyInput } from '../graphql/scalars';
import { OrgUnitEntity } from '../org-units/entities/org-unit.entity';
import { PartnerKind } from '../partners/partner.enums';
import { PartnersService } from '../partners/partners.service';
import { ProgramKind } from '../programs/program.enums';
import { ProgramsService } from '../programs/programs.service';
import {
  CompanyRefInput,
  CreateSupplyChainLinkInput,
  EndSupplyChainLinkInput,
  RegisterCoreEnterpriseInput,
  UpdateSupplyChainLinkInput,
} from './dto/supply-chain.inputs';
import { CoreEnterpriseEntity } from './entities/core-enterprise.entity';
import { SupplyChainCompanyEntity } from './entities/supply-chain-company.entity';
import { SupplyChainLinkEntity } from './entities/supply-chain-link.entity';
import { SupplyChainTouchEntity } from './entities/supply-chain-touch.entity';
import { cyclePathIn } from './rules/chain-rules';
import { EdgeRecord } from './rules/edge-file';
import { canManageChain, canReadChain } from './supply-chain.access';
import { ChainDirection, ImportRowStatus, LinkSource, LinkStatus, MAX_TIER } from './supply-chain.enums';

export interface CompanyRef {
  name: string;
  uscc: string | null;
  externalId: string | null;
}

export interface ChainNode {
  company: SupplyChainCompanyEntity;
  direction: ChainDirection;
  tier: number;
  volumeMinor: bigint;
}

export interface LoadedChain {
  core: CoreEnterpriseEntity;
  coreCompany: SupplyChainCompanyEntity;
  links: SupplyChainLinkEntity[];
  nodes: ChainNode[];
}

export interface ImportRowReport {
  line: number;
  status: ImportRowStatus;
  field: string | null;
  reason: string | null;
  ref: string | null;
}

export interface ImportReport {
  processed: number;
  created: number;
  skipped: number;
  rejected: number;
  coresCreated: number;
  rows: ImportRowReport[];
}

/** What the attribution engine consumes: the chain brought this customer in. */
export interface SupplyChainTouch {
  customerId: string;
  programId: string | null;
  coreEnterpriseId: string;
  coreCompanyId: string;
  memberCompanyId: string;
  touchedAt: Date;
  source: string;
}

const INSERT_CHUNK = 100;
const AUDIT_IDS_PER_RECORD = 1000;

/** Relationship words in edge lists, read as "target is the source's <type>". */
const TYPE_DIRECTIONS: Readonly<Record<string, ChainDirection | 'SKIP'>> = {
  customer: ChainDirection.DOWNSTREAM,
  distributor: ChainDirection.DOWNSTREAM,
  dealer: ChainDirection.DOWNSTREAM,
  downstream: ChainDirection.DOWNSTREAM,
  supplier: ChainDirection.UPSTREAM,
  subcontractor: ChainDirection.UPSTREAM,
  partner: ChainDirection.UPSTREAM,
  upstream: ChainDirection.UPSTREAM,
  // Investors own shares; they neither supply nor buy: not a trade relationship.
  investor: 'SKIP',
};

/**
 * Normalises a company reference: a valid USCC identifies it; anything else is an external id
 * (a foreign company, or a name-keyed list like the Data Work Landscape graph).
 */
export function companyRefOf(raw: string, name?: string): CompanyRef {
  const trimmed = raw.trim();
  const normalized = normalizeUscc(trimmed);
  if (/^[0-9A-Z]{18}$/.test(normalized) && isValidUscc(normalized))
    return { name: name?.trim() || normalized, uscc: normalized, externalId: null };
  return { name: (name?.trim() || trimmed).slice(0, 200), uscc: null, externalId: trimmed.slice(0, 128) };
}

/** External ids match without case (MariaDB's collation does; SQLite is made to agree). */
function refKey(ref: { uscc: string | null; externalId: string | null }): string {
  return ref.uscc !== null ? `U:${ref.uscc}` : `X:${(ref.externalId ?? '').trim().toLowerCase()}`;
}

/** The active links of one chain, indexed for tiers, duplicates and cycles; kept current while importing. */
export class ChainIndex {
  readonly parentsOf = new Map<string, string[]>();
  private readonly tiers = new Map<string, number>();
  private readonly edges = new Map<string, SupplyChainLinkEntity>();

  constructor(links: readonly SupplyChainLinkEntity[]) {
    for (const l of links) this.add(l);
  }

  add(link: SupplyChainLinkEntity): void {
    const parents = this.parentsOf.get(link.memberCompanyId);
    if (parents) parents.push(link.parentCompanyId);
    else this.parentsOf.set(link.memberCompanyId, [link.parentCompanyId]);
    const key = `${link.direction}:${link.memberCompanyId}`;
    this.tiers.set(key, Math.min(this.tiers.get(key) ?? Number.MAX_SAFE_INTEGER, link.tier));
    this.edges.set(`${link.direction}:${link.parentCompanyId}:${link.memberCompanyId}`, link);
  }

  tierOf(direction: string, companyId: string): number | undefined {
    return this.tiers.get(`${direction}:${companyId}`);
  }

  edge(direction: string, parentCompanyId: string, memberCompanyId: string): SupplyChainLinkEntity | undefined {
    return this.edges.get(`${direction}:${parentCompanyId}:${memberCompanyId}`);
  }

  /** Every company id in the chain (parents and members). */
  companyIds(): string[] {
    return [...new Set([...this.parentsOf.keys(), ...[...this.parentsOf.values()].flat()])];
  }
}

@Injectable()
export class SupplyChainService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly partners: PartnersService,
    private readonly programs: ProgramsService,
    private readonly customers: CustomersService,
  ) {}

  today(): string {
    return businessDateOf(this.clock.now(), this.config.bankTimeZone);
  }

  get currency(): string {
    return this.config.defaultCurrency;
  }

  // ---------- access ----------

  /** The core and its company if the actor may read the chain; NOT_FOUND otherwise. One statement. */
  async readableCore(
    actor: Actor,
    coreId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ core: CoreEnterpriseEntity; company: SupplyChainCompanyEntity }> {
    const core = await manager
      .createQueryBuilder(CoreEnterpriseEntity, 'c')
      .innerJoinAndMapOne('c.company', SupplyChainCompanyEntity, 'co', 'co.id = c.companyId')
      .where('c.id = :id', { id: coreId })
      .getOne();
    if (!core?.company || !canReadChain(actor, core)) throw notFound('CoreEnterprise', coreId);
    return { core, company: core.company };
  }

  async manageableCore(
    manager: EntityManager,
    actor: Actor,
    coreId: string,
  ): Promise<{ core: CoreEnterpriseEntity; company: SupplyChainCompanyEntity }> {
    const found = await this.readableCore(actor, coreId, manager);
    if (!canManageChain(actor, found.core)) throw forbidden('Only managers of this chain’s org unit may change it');
    return found;
  }

  // ---------- companies ----------

  checkedRef(input: CompanyRefInput, field: string): CompanyRef {
    const name = input.name.trim();
    if (name === '') throw badInput(`${field}.name`, 'REQUIRED');
    if (input.uscc !== undefined && input.uscc.trim() !== '') {
      const uscc = normalizeUscc(input.uscc);
      if (!isValidUscc(uscc)) throw badInput(`${field}.uscc`, 'INVALID_CHECK_CHARACTER');
      return { name, uscc, externalId: null };
    }
    const externalId = input.externalId?.trim();
    if (!externalId) throw badInput(`${field}.uscc`, 'USCC_OR_EXTERNAL_ID_REQUIRED');
    return { name, uscc: null, externalId };
  }

  /**
   * Finds or creates the companies for these references (one IN query per identifier kind and 500), linking
   * each new one to the CORPORATE customer holding its USCC, if any.
   */
  async resolveCompanies(
    manager: EntityManager,
    refs: readonly CompanyRef[],
  ): Promise<Map<string, SupplyChainCompanyEntity>> {
    const out = new Map<string, SupplyChainCompanyEntity>();
    const usccs = [...new Set(refs.map((r) => r.uscc).filter((u): u is string => u !== null))];
    const externals = [...new Set(refs.map((r) => r.externalId).filter((x): x is string => x !== null))];
    for (const part of chunk(usccs))
      for (const c of await manager.findBy(SupplyChainCompanyEntity, { uscc: In(part) })) out.set(refKey(c), c);
    for (const part of chunk(externals))
      for (const c of await manager.findBy(SupplyChainCompanyEntity, { externalId: In(part) })) out.set(refKey(c), c);
    const missing = new Map<string, CompanyRef>();
    for (const ref of refs) if (!out.has(refKey(ref)) && !missing.has(refKey(ref))) missing.set(refKey(ref), ref);
    if (missing.size === 0) return out;
    const newUsccs = [...missing.values()].map((r) => r.uscc).filter((u): u is string => u !== null);
    const customerByUscc = new Map(
      (newUsccs.length ? await this.customers.findByUsccs(newUsccs) : [])
        .filter((c) => c.type === (CustomerType.CORPORATE as string) && c.uscc !== null)
        .map((c) => [c.uscc as string, c.id]),
    );
    const now = this.clock.now();
    const created: SupplyChainCompanyEntity[] = [...missing.values()].map((ref) => ({
      id: newId(),
      uscc: ref.uscc,
      externalId: ref.externalId,
      name: ref.name,
      customerId: ref.uscc !== null ? (customerByUscc.get(ref.uscc) ?? null) : null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    }));
    for (let i = 0; i < created.length; i += INSERT_CHUNK)
      await manager.insert(SupplyChainCompanyEntity, created.slice(i, i + INSERT_CHUNK));
    for (const c of created) out.set(refKey(c), c);
    return out;
  }

  // ---------- cores ----------

  registerCore(actor: Actor, input: RegisterCoreEnterpriseInput): Promise<CoreEnterpriseEntity> {
    return this.tx.run(async (manager) => {
      const ref = this.checkedRef(input.company, 'company');
      let orgUnitId: string;
      let partnerId: string | null = null;
      if (input.partnerId !== undefined) {
        const partner = await this.partners.requireManageable(manager, actor, input.partnerId);
        if (partner.kind !== (PartnerKind.CORE_ENTERPRISE as string))
          throw badInput('partnerId', 'NOT_A_CORE_ENTERPRISE_PARTNER');
        partnerId = partner.id;
        orgUnitId = partner.orgUnitId;
      } else {
        if (input.orgUnitId === undefined) throw badInput('orgUnitId', 'REQUIRED');
        orgUnitId = await this.checkedOrgUnit(manager, actor, input.orgUnitId);
      }
      let programId: string | null = null;
      if (input.programId !== undefined) {
        const [program] = await this.programs.findProgramsByIds([input.programId], actor);
        if (!program) throw new DomainError('NOT_FOUND', 'Program not found', { field: 'programId' });
        if (program.kind !== (ProgramKind.SUPPLY_CHAIN as string))
          throw badInput('programId', 'NOT_A_SUPPLY_CHAIN_PROGRAM');
        if (program.partnerId !== partnerId) throw badInput('programId', 'PROGRAM_OF_ANOTHER_PARTNER');
        programId = program.id;
      }
      const company = (await this.resolveCompanies(manager, [ref])).get(refKey(ref));
      if (!company) throw new Error('company not resolved');
      const existing = await manager.findOneBy(CoreEnterpriseEntity, { companyId: company.id });
      if (existing)
        throw conflict('CORE_ENTERPRISE_EXISTS', 'This company is already a core enterprise', { field: 'company' });
      const core: CoreEnterpriseEntity = {
        id: newId(),
        companyId: company.id,
        partnerId,
        programId,
        orgUnitId,
        version: 1,
        createdAt: this.clock.now(),
      };
      await manager.insert(CoreEnterpriseEntity, core);
      await this.audit.record(manager, actor, {
        action: 'supplyChain.registerCore',
        entityType: 'CoreEnterprise',
        entityId: core.id,
        after: { ...core, company },
      });
      core.company = company;
      return core;
    });
  }

  private async checkedOrgUnit(manager: EntityManager, actor: Actor, orgUnitId: string): Promise<string> {
    const unit = await manager.findOneBy(OrgUnitEntity, { id: orgUnitId });
    if (!unit) throw new DomainError('NOT_FOUND', 'Org unit not found', { field: 'orgUnitId' });
    if (actor.partnerId !== null || (actor.orgScope !== null && !actor.orgScope.includes(unit.id)))
      throw forbidden('That org unit is outside your scope');
    return unit.id;
  }

  // ---------- links ----------

  private checkedVolume(input: MoneyInput | undefined, field: string): bigint | null {
    if (input === undefined) return null;
    const currency = input.currency ?? this.currency;
    if (currency !== this.currency) throw badInput(`${field}.currency`, 'CURRENCY_MISMATCH');
    const value = Money.parse(input.amount, currency, `${field}.amount`);
    if (value.isNegative()) throw badInput(`${field}.amount`, 'NEGATIVE');
    return value.minor;
  }

  private checkedDate(value: string | undefined, field: string): string | null {
    if (value === undefined) return null;
    if (!isValidBusinessDate(value)) throw badInput(field, 'INVALID_DATE');
    return value;
  }

  async activeLinksOf(manager: EntityManager, coreId: string): Promise<SupplyChainLinkEntity[]> {
    return manager.findBy(SupplyChainLinkEntity, { coreId, status: LinkStatus.ACTIVE });
  }

  /**
   * Validates and builds (does not insert) parent → member in the core's chain: the parent is the core
   * or an active member in the same direction; the tier follows the parent's; cycles are refused.
   */
  planLink(
    core: CoreEnterpriseEntity,
    chain: ChainIndex,
    parentCompanyId: string,
    member: SupplyChainCompanyEntity,
    direction: ChainDirection,
    names: (id: string) => string,
  ): { tier: number } | { existing: SupplyChainLinkEntity } {
    let tier: number;
    if (parentCompanyId === core.companyId) tier = 1;
    else {
      const parentTier = chain.tierOf(direction, parentCompanyId);
      if (parentTier === undefined) throw badInput('parentCompanyId', 'NOT_IN_CHAIN');
      tier = parentTier + 1;
    }
    const path = cyclePathIn(core.companyId, chain.parentsOf, parentCompanyId, member.id);
    if (path !== null)
      throw conflict('SUPPLY_CHAIN_CYCLE', 'This link would close a cycle in the chain', {
        field: 'member',
        path,
        pathNames: path.map(names),
      });
    const existing = chain.edge(direction, parentCompanyId, member.id);
    if (existing) return { existing };
    if (tier > MAX_TIER) throw badInput('parentCompanyId', 'TIER_TOO_DEEP');
    return { tier };
  }

  createLink(actor: Actor, input: CreateSupplyChainLinkInput): Promise<SupplyChainLinkEntity> {
    return this.tx.run((manager) => this.createLinkWithin(manager, actor, input, LinkSource.MANUAL));
  }

  /** Also used to confirm a derived candidate, inside the caller's transaction. */
  async createLinkWithin(
    manager: EntityManager,
    actor: Actor,
    input: CreateSupplyChainLinkInput,
    source: LinkSource,
    volumeMinor?: bigint,
  ): Promise<SupplyChainLinkEntity> {
    const { core } = await this.manageableCore(manager, actor, input.coreEnterpriseId);
    const ref = this.checkedRef(input.member, 'member');
    const annualVolume = volumeMinor ?? this.checkedVolume(input.annualVolume, 'annualVolume');
    const since = this.checkedDate(input.since, 'since');
    const active = await this.activeLinksOf(manager, core.id);
    const member = (await this.resolveCompanies(manager, [ref])).get(refKey(ref));
    if (!member) throw new Error('member not resolved');
    const parentCompanyId = input.parentCompanyId ?? core.companyId;
    const names = await this.companyNames(manager, [
      core.companyId,
      member.id,
      parentCompanyId,
      ...active.flatMap((l) => [l.parentCompanyId, l.memberCompanyId]),
    ]);
    const plan = this.planLink(
      core,
      new ChainIndex(active),
      parentCompanyId,
      member,
      input.direction,
      (id) => names.get(id) ?? id,
    );
    if ('existing' in plan)
      throw conflict('SUPPLY_CHAIN_LINK_EXISTS', 'This member is already linked to that parent', { field: 'member' });
    const now = this.clock.now();
    const link: SupplyChainLinkEntity = {
      id: newId(),
      coreId: core.id,
      parentCompanyId,
      memberCompanyId: member.id,
      direction: input.direction,
      tier: plan.tier,
      annualVolume,
      currency: this.currency,
      since,
      source,
      status: LinkStatus.ACTIVE,
      endedOn: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await manager.insert(SupplyChainLinkEntity, link);
    await this.audit.record(manager, actor, {
      action: 'supplyChain.createLink',
      entityType: 'SupplyChainLink',
      entityId: link.id,
      after: link,
    });
    return link;
  }

  private async companyNames(manager: EntityManager, ids: readonly string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const part of chunk([...new Set(ids)]))
      for (const c of await manager.findBy(SupplyChainCompanyEntity, { id: In(part) })) names.set(c.id, c.name);
    return names;
  }

  private async manageableLink(
    manager: EntityManager,
    actor: Actor,
    id: string,
    version: number,
  ): Promise<SupplyChainLinkEntity> {
    const link = await manager.findOneBy(SupplyChainLinkEntity, { id });
    if (!link) throw notFound('SupplyChainLink', id);
    try {
      await this.manageableCore(manager, actor, link.coreId);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') throw notFound('SupplyChainLink', id);
      throw error;
    }
    if (link.version !== version)
      throw conflict('STALE_VERSION', 'The link was changed by someone else', {
        field: 'version',
        currentVersion: link.version,
      });
    if (link.status !== (LinkStatus.ACTIVE as string)) throw conflict('LINK_ENDED', 'The link has ended');
    return link;
  }

  private async saveLink(
    manager: EntityManager,
    before: SupplyChainLinkEntity,
    after: SupplyChainLinkEntity,
  ): Promise<SupplyChainLinkEntity> {
    const { id, version: _v, createdAt: _c, core: _core, parentCompany: _p, memberCompany: _m, ...changes } = after;
    const outcome = await manager
      .createQueryBuilder()
      .update(SupplyChainLinkEntity)
      .set({ ...changes, version: before.version + 1 })
      .where('id = :id AND version = :version', { id, version: before.version })
      .execute();
    if (outcome.affected !== 1)
      throw conflict('STALE_VERSION', 'The link was changed concurrently', { field: 'version' });
    return { ...after, version: before.version + 1 };
  }

  updateLink(actor: Actor, input: UpdateSupplyChainLinkInput): Promise<SupplyChainLinkEntity> {
    return this.tx.run(async (manager) => {
      const before = await this.manageableLink(manager, actor, input.id, input.version);
      const after: SupplyChainLinkEntity = {
        ...before,
        annualVolume:
          input.annualVolume !== undefined
            ? this.checkedVolume(input.annualVolume, 'annualVolume')
            : before.annualVolume,
        since: input.since !== undefined ? this.checkedDate(input.since, 'since') : before.since,
        updatedAt: this.clock.now(),
      };
      const saved = await this.saveLink(manager, before, after);
      await this.audit.record(manager, actor, {
        action: 'supplyChain.updateLink',
        entityType: 'SupplyChainLink',
        entityId: saved.id,
        before,
        after: saved,
      });
      return saved;
    });
  }

  /** Ends a link; members below it stay as they are (their own links end separately). */
  endLink(actor: Actor, input: EndSupplyChainLinkInput): Promise<SupplyChainLinkEntity> {
    return this.tx.run(async (manager) => {
      const before = await this.manageableLink(manager, actor, input.id, input.version);
      const endedOn = this.checkedDate(input.endedOn, 'endedOn') ?? this.today();
      const after: SupplyChainLinkEntity = {
        ...before,
        status: LinkStatus.ENDED,
        endedOn,
        updatedAt: this.clock.now(),
      };
      const saved = await this.saveLink(manager, before, after);
      await this.audit.record(manager, actor, {
        action: 'supplyChain.endLink',
        entityType: 'SupplyChainLink',
        entityId: saved.id,
        before,
        after: saved,
      });
      return saved;
    });
  }

  // ---------- the chain, tier by tier ----------

  /**
   * Loads a chain with one statement for the core and one per tier (members joined in the same
   * statement): the statement count is bounded by maxTier, never by the member count.
   */
  async loadChain(
    actor: Actor,
    coreId: string,
    directions: readonly ChainDirection[],
    maxTier: number,
  ): Promise<LoadedChain> {
    if (!Number.isInteger(maxTier) || maxTier < 1 || maxTier > MAX_TIER) throw badInput('maxTier', 'OUT_OF_RANGE');
    const { core, company } = await this.readableCore(actor, coreId);
    const links: SupplyChainLinkEntity[] = [];
    const nodes = new Map<string, ChainNode>();
    for (let tier = 1; tier <= maxTier; tier++) {
      const rows = await this.dataSource
        .getRepository(SupplyChainLinkEntity)
        .createQueryBuilder('l')
        .innerJoinAndMapOne('l.memberCompany', SupplyChainCompanyEntity, 'm', 'm.id = l.memberCompanyId')
        // A CORPORATE customer holding the member's USCC makes it banked even before anyone links them.
        .leftJoinAndMapOne('m.customer', CustomerEntity, 'cu', 'cu.uscc = m.uscc AND cu.type = :corporate', {
          corporate: CustomerType.CORPORATE,
        })
        .where('l.coreId = :coreId AND l.status = :status AND l.tier = :tier', {
          coreId: core.id,
          status: LinkStatus.ACTIVE,
          tier,
        })
        .andWhere('l.direction IN (:...directions)', { directions: [...directions] })
        .orderBy('l.id', 'ASC')
        .getMany();
      if (rows.length === 0) break;
      for (const link of rows) {
        links.push(link);
        const member = link.memberCompany as SupplyChainCompanyEntity;
        if (member.customerId === null && member.customer) member.customerId = member.customer.id;
        const key = `${link.direction}:${member.id}`;
        const node = nodes.get(key);
        if (node) node.volumeMinor += link.annualVolume ?? 0n;
        else
          nodes.set(key, {
            company: member,
            direction: link.direction as ChainDirection,
            tier,
            volumeMinor: link.annualVolume ?? 0n,
          });
      }
    }
    return { core, coreCompany: company, links, nodes: [...nodes.values()] };
  }

  // ---------- generic edge-list import ----------

  /**
   * Imports an edge list in one transaction. With `core`, rows are that core's declared list: an empty
   * source (or the core itself) means tier 1, another source must already sit in the chain (tier n+1).
   * Without it, every distinct source is a core enterprise of its own chain (registered in `orgUnitId`).
   * With `knownNames`, edges naming a company missing from that list are row errors.
   */
  importEdges(
    actor: Actor,
    edges: readonly EdgeRecord[],
    options: { coreId?: string; orgUnitId?: string; knownNames?: ReadonlyMap<string, string> },
  ): Promise<ImportReport> {
    return this.tx.run(async (manager) => {
      let fixedCore: CoreEnterpriseEntity | null = null;
      if (options.coreId !== undefined) fixedCore = (await this.manageableCore(manager, actor, options.coreId)).core;
      else if (options.orgUnitId !== undefined) await this.checkedOrgUnit(manager, actor, options.orgUnitId);
      else throw badInput('orgUnitId', 'REQUIRED');
      if (fixedCore === null && actor.role !== Role.ADMIN && actor.role !== Role.PARTNERSHIP_MANAGER)
        throw forbidden('Only managers may import chains');

      const report: ImportRowReport[] = [];
      const reject = (e: EdgeRecord, field: string, reason: string, ref: string | null = null): void => {
        report.push({ line: e.line, status: ImportRowStatus.REJECTED, field, reason, ref });
      };
      const seen = new Set<string>();
      interface Planned {
        edge: EdgeRecord;
        source: CompanyRef | null;
        target: CompanyRef;
        direction: ChainDirection;
        volume: bigint | null;
        since: string | null;
      }
      const planned: Planned[] = [];
      for (const e of edges) {
        if (e.source === undefined && e.target === undefined && e.type === undefined) {
          reject(e, 'line', 'BLANK_ROW');
          continue;
        }
        if (e.target === undefined) {
          reject(e, 'target', 'REQUIRED');
          continue;
        }
        if (fixedCore === null && e.source === undefined) {
          reject(e, 'source', 'REQUIRED');
          continue;
        }
        const key = `${e.source ?? ''}\u0000${e.target}\u0000${(e.type ?? '').toLowerCase()}`;
        if (seen.has(key)) {
          reject(e, 'line', 'DUPLICATE_EDGE', e.target);
          continue;
        }
        seen.add(key);
        if (options.knownNames) {
          if (e.source !== undefined && !options.knownNames.has(e.source)) {
            reject(e, 'source', 'UNKNOWN_COMPANY', e.source);
            continue;
          }
          if (!options.knownNames.has(e.target)) {
            reject(e, 'target', 'UNKNOWN_COMPANY', e.target);
            continue;
          }
        }
        if (e.type === undefined) {
          reject(e, 'relationshipType', 'REQUIRED');
          continue;
        }
        const direction = TYPE_DIRECTIONS[e.type.trim().toLowerCase()];
        if (direction === undefined) {
          reject(e, 'relationshipType', 'UNKNOWN_RELATIONSHIP_TYPE', e.type);
          continue;
        }
        if (direction === 'SKIP') {
          report.push({
            line: e.line,
            status: ImportRowStatus.SKIPPED,
            field: 'relationshipType',
            reason: 'NOT_A_TRADE_RELATIONSHIP',
            ref: e.type,
          });
          continue;
        }
        let volume: bigint | null = null;
        if (e.annualVolume !== undefined) {
          const currency = e.currency ?? this.currency;
          if (currency !== this.currency) {
            reject(e, 'currency', 'CURRENCY_MISMATCH');
            continue;
          }
          try {
            volume = parseHumanAmount(e.annualVolume, currency, 'annualVolume').minor;
          } catch (error) {
            if (error instanceof DomainError) {
              reject(e, 'annualVolume', String(error.details.reason ?? 'INVALID_AMOUNT'));
              continue;
            }
            throw error;
          }
          if (volume < 0n) {
            reject(e, 'annualVolume', 'NEGATIVE');
            continue;
          }
        }
        if (e.since !== undefined && !isValidBusinessDate(e.since)) {
          reject(e, 'since', 'INVALID_DATE');
          continue;
        }
        planned.push({
          edge: e,
          source: e.source !== undefined ? companyRefOf(e.source, options.knownNames?.get(e.source)) : null,
          target: companyRefOf(e.target, e.targetName ?? options.knownNames?.get(e.target)),
          direction,
          volume,
          since: e.since ?? null,
        });
      }

      // Companies: two IN queries per 500 references, then multi-row inserts of the new ones.
      const companies = await this.resolveCompanies(manager, [
        ...planned.flatMap((p) => (p.source ? [p.source, p.target] : [p.target])),
      ]);
      const companyOf = (ref: CompanyRef): SupplyChainCompanyEntity => {
        const c = companies.get(refKey(ref));
        if (!c) throw new Error('company not resolved');
        return c;
      };

      // Cores: the fixed one, or one per distinct source (existing ones reused).
      const cores = new Map<string, CoreEnterpriseEntity>();
      let coresCreated = 0;
      const freshCoreIds: string[] = [];
      if (fixedCore) cores.set(fixedCore.companyId, fixedCore);
      else {
        const sourceIds = [...new Set(planned.map((p) => companyOf(p.source as CompanyRef).id))];
        for (const part of chunk(sourceIds))
          for (const c of await manager.findBy(CoreEnterpriseEntity, { companyId: In(part) }))
            cores.set(c.companyId, c);
        const fresh: CoreEnterpriseEntity[] = sourceIds
          .filter((id) => !cores.has(id))
          .map((companyId) => ({
            id: newId(),
            companyId,
            partnerId: null,
            programId: null,
            orgUnitId: options.orgUnitId as string,
            version: 1,
            createdAt: this.clock.now(),
          }));
        for (const c of [...cores.values()])
          if (!canManageChain(actor, c)) throw forbidden('A source is a core enterprise outside your scope');
        for (let i = 0; i < fresh.length; i += INSERT_CHUNK)
          await manager.insert(CoreEnterpriseEntity, fresh.slice(i, i + INSERT_CHUNK));
        for (const c of fresh) cores.set(c.companyId, c);
        coresCreated = fresh.length;
        freshCoreIds.push(...fresh.map((c) => c.id));
      }

      // Active links of every affected chain, in memory for tiers, duplicates and cycles.
      const activeByCore = new Map<string, SupplyChainLinkEntity[]>();
      const coreIds = [...new Set([...cores.values()].map((c) => c.id))];
      for (const id of coreIds) activeByCore.set(id, []);
      for (const part of chunk(coreIds))
        for (const l of await manager.findBy(SupplyChainLinkEntity, { coreId: In(part), status: LinkStatus.ACTIVE }))
          activeByCore.get(l.coreId)?.push(l);
      const indexes = new Map([...activeByCore].map(([id, links]) => [id, new ChainIndex(links)]));
      const nameOf = new Map<string, string>();
      for (const c of companies.values()) nameOf.set(c.id, c.name);

      const now = this.clock.now();
      const created: SupplyChainLinkEntity[] = [];
      for (const p of planned) {
        const target = companyOf(p.target);
        let core: CoreEnterpriseEntity;
        let parentId: string;
        if (fixedCore) {
          core = fixedCore;
          parentId = p.source ? companyOf(p.source).id : fixedCore.companyId;
        } else {
          const sourceCompany = companyOf(p.source as CompanyRef);
          core = cores.get(sourceCompany.id) as CoreEnterpriseEntity;
          parentId = sourceCompany.id;
        }
        const chainIndex = indexes.get(core.id) ?? new ChainIndex([]);
        try {
          const plan = this.planLink(core, chainIndex, parentId, target, p.direction, (id) => nameOf.get(id) ?? id);
          if ('existing' in plan) {
            report.push({
              line: p.edge.line,
              status: ImportRowStatus.SKIPPED,
              field: 'target',
              reason: 'ALREADY_LINKED',
              ref: p.edge.target ?? null,
            });
            continue;
          }
          const link: SupplyChainLinkEntity = {
            id: newId(),
            coreId: core.id,
            parentCompanyId: parentId,
            memberCompanyId: target.id,
            direction: p.direction,
            tier: plan.tier,
            annualVolume: p.volume,
            currency: this.currency,
            since: p.since,
            source: LinkSource.DECLARED,
            status: LinkStatus.ACTIVE,
            endedOn: null,
            version: 1,
            createdAt: now,
            updatedAt: now,
          };
          chainIndex.add(link);
          created.push(link);
        } catch (error) {
          if (error instanceof DomainError && (error.code === 'BAD_USER_INPUT' || error.code === 'CONFLICT')) {
            const field = error.code === 'CONFLICT' ? 'target' : 'source';
            reject(p.edge, field, error.details.rule ?? error.details.reason ?? 'INVALID', p.edge.target ?? null);
            continue;
          }
          throw error;
        }
      }
      for (let i = 0; i < created.length; i += INSERT_CHUNK)
        await manager.insert(SupplyChainLinkEntity, created.slice(i, i + INSERT_CHUNK));
      report.sort((a, b) => a.line - b.line);
      const result: ImportReport = {
        processed: edges.length,
        created: created.length,
        skipped: report.filter((r) => r.status === ImportRowStatus.SKIPPED).length,
        rejected: report.filter((r) => r.status === ImportRowStatus.REJECTED).length,
        coresCreated,
        rows: report,
      };
      // One audit record per 1,000 links created (an audit text column holds ~64 KB on MySQL).
      const entityId = fixedCore ? fixedCore.id : newId();
      const { rows: _rows, ...counts } = result;
      const parts = chunk(
        created.map((l) => l.id),
        AUDIT_IDS_PER_RECORD,
      );
      for (let part = 0; part < Math.max(1, parts.length); part++) {
        await this.audit.record(manager, actor, {
          action: fixedCore ? 'supplyChain.importDeclaredLinks' : 'supplyChain.importEdgeList',
          entityType: fixedCore ? 'CoreEnterprise' : 'SupplyChainImport',
          entityId,
          after: {
            ...counts,
            part: part + 1,
            parts: Math.max(1, parts.length),
            linkIds: parts[part] ?? [],
            ...(part === 0 ? { coreIds: freshCoreIds } : {}),
          },
        });
      }
      return result;
    });
  }

  // ---------- attribution touches (read by the attribution engine) ----------

  /** Touches recorded when chain prospects were onboarded, oldest first, for these customers. */
  async touchesForCustomers(customerIds: readonly string[]): Promise<SupplyChainTouch[]> {
    const rows: SupplyChainTouchEntity[] = [];
    // Plain SQL: this runs after every recorded batch of events, with up to 1,000 customers per list.
    for (const part of chunk([...new Set(customerIds)], LOOKUP_CHUNK))
      rows.push(
        ...(await selectEntities(
          this.dataSource.manager,
          SupplyChainTouchEntity,
          `customer_id IN (${placeholders(part.length)})`,
          part,
        )),
      );
    return rows
      .sort((a, b) => a.touchedAt.getTime() - b.touchedAt.getTime() || a.id.localeCompare(b.id))
      .map((t) => ({
        customerId: t.customerId,
        programId: t.programId,
        coreEnterpriseId: t.coreId,
        coreCompanyId: t.coreCompanyId,
        memberCompanyId: t.memberCompanyId,
        touchedAt: t.touchedAt,
        source: t.source,
      }));
  }

  async touchesOfCore(actor: Actor, coreId: string): Promise<SupplyChainTouch[]> {
    const { core } = await this.readableCore(actor, coreId);
    const rows = await this.dataSource
      .getRepository(SupplyChainTouchEntity)
      .find({ where: { coreId: core.id }, order: { touchedAt: 'ASC', id: 'ASC' } });
    return this.touchesForCustomers(rows.map((r) => r.customerId)).then((all) =>
      all.filter((t) => t.coreEnterpriseId === core.id),
    );
  }

  // ---------- small reads for the resolver (after an authorised write) ----------

  async companyById(id: string): Promise<SupplyChainCompanyEntity> {
    const company = await this.dataSource.getRepository(SupplyChainCompanyEntity).findOneBy({ id });
    if (!company) throw notFound('SupplyChainCompany', id);
    return company;
  }

  /** A member's smallest tier and summed volume of its active links in one chain. */
  async memberFacts(coreId: string, companyId: string): Promise<{ tier: number; volumeMinor: bigint }> {
    const links = await this.dataSource
      .getRepository(SupplyChainLinkEntity)
      .findBy({ coreId, memberCompanyId: companyId, status: LinkStatus.ACTIVE });
    return {
      tier: links.length ? Math.min(...links.map((l) => l.tier)) : 0,
      volumeMinor: links.reduce((s, l) => s + (l.annualVolume ?? 0n), 0n),
    };
  }
}
