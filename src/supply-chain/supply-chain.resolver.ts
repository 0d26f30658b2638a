import { Args, ArgsType, Field, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IsEnum, IsInt, IsString, Length, Max, Min } from 'class-validator';
import { Actor } from '../auth/actor';
import { CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES, INTERNAL_ROLES, Role } from '../auth/roles';
import { badInput } from '../common/domain-error';
import { maskName } from '../common/pii';
import { Connection, ConnectionResult, PageArgs } from '../graphql/connection';
import {
  CreateSupplyChainLinkInput,
  DeriveSupplyChainLinksInput,
  EndSupplyChainLinkInput,
  ImportDeclaredLinksInput,
  ImportSupplyChainEdgeListInput,
  MoveProspectInput,
  RegisterCoreEnterpriseInput,
  UpdateSupplyChainLinkInput,
} from './dto/supply-chain.inputs';
import { ProspectEntity } from './entities/prospect.entity';
import {
  CoreEnterprise,
  DerivedLink,
  EmployerBanking,
  SupplyChainExposure,
  SupplyChainGraph,
  SupplyChainImportReport,
  SupplyChainLink,
  SupplyChainPenetration,
  SupplyChainPenetrationRow,
  SupplyChainProspect,
  SupplyChainTouchModel,
} from './models/supply-chain.model';
import { PenetrationRow, share } from './rules/chain-rules';
import { readEdgeFile, readNodeNames } from './rules/edge-file';
import { masksChainFor } from './supply-chain.access';
import { money, toCompany, toCore, toDerived, toLink } from './supply-chain.mapper';
import { PRODUCT_CLASSES, SupplyChainInsightsService } from './supply-chain-insights.service';
import { SupplyChainService } from './supply-chain.service';
import {
  CandidateStatus,
  ChainDirection,
  ChainDirectionFilter,
  EdgeFileFormat,
  ProspectStage,
} from './supply-chain.enums';

const WRITERS = [Role.ADMIN, Role.PARTNERSHIP_MANAGER];
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const ProspectConnection = Connection(SupplyChainProspect, 'SupplyChainProspect');

@ArgsType()
class SupplyChainArgs {
  @Field(() => ID) @IsString() @Length(1, 36) coreEnterpriseId!: string;
  @Field(() => ChainDirectionFilter, { defaultValue: ChainDirectionFilter.BOTH })
  @IsEnum(ChainDirectionFilter)
  direction: ChainDirectionFilter = ChainDirectionFilter.BOTH;
  @Field(() => Int, { defaultValue: 5, description: '1–5' }) @IsInt() @Min(1) @Max(5) maxTier: number = 5;
}

@ArgsType()
class ProspectArgs extends PageArgs {
  @Field(() => ID) @IsString() @Length(1, 36) coreEnterpriseId!: string;
}

function decoded(base64: string, field: string): Buffer {
  const buffer = Buffer.from(base64, 'base64');
  if (buffer.length === 0) throw badInput(field, 'EMPTY_FILE');
  if (buffer.length > MAX_FILE_BYTES) throw badInput(field, 'FILE_TOO_LARGE');
  return buffer;
}

@Resolver()
@Roles(...ALL_ROLES)
export class SupplyChainResolver {
  constructor(
    private readonly chains: SupplyChainService,
    private readonly insights: SupplyChainInsightsService,
  ) {}

  private penetrationRow(row: PenetrationRow): SupplyChainPenetrationRow {
    const c = this.chains.currency;
    return {
      tier: row.tier,
      members: row.members,
      banked: row.banked,
      shareByCount: row.shareByCount,
      volume: money(row.volumeMinor, c),
      bankedVolume: money(row.bankedVolumeMinor, c),
      shareByVolume: row.shareByVolume,
      uncoveredVolume: money(row.uncoveredVolumeMinor, c),
    };
  }

  @Query(() => CoreEnterprise)
  async coreEnterprise(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<CoreEnterprise> {
    const { core, company } = await this.chains.readableCore(actor, id);
    return toCore(core, company, masksChainFor(actor));
  }

  @Query(() => SupplyChainGraph, { description: 'Nodes and edges tier by tier: one SQL statement per tier' })
  async supplyChain(@CurrentActor() actor: Actor, @Args() args: SupplyChainArgs): Promise<SupplyChainGraph> {
    const directions =
      args.direction === ChainDirectionFilter.BOTH
        ? [ChainDirection.UPSTREAM, ChainDirection.DOWNSTREAM]
        : [args.direction as unknown as ChainDirection];
    const chain = await this.chains.loadChain(actor, args.coreEnterpriseId, directions, args.maxTier);
    const masked = masksChainFor(actor);
    return {
      coreEnterprise: toCore(chain.core, chain.coreCompany, masked),
      nodes: chain.nodes.map((n) => ({
        company: toCompany(n.company, masked),
        direction: n.direction,
        tier: n.tier,
        banked: n.company.customerId !== null,
        volume: money(n.volumeMinor, this.chains.currency),
      })),
      edges: chain.links.map(toLink),
    };
  }

  @Query(() => SupplyChainPenetration)
  async supplyChainPenetration(
    @CurrentActor() actor: Actor,
    @Args('coreEnterpriseId', { type: () => ID }) coreEnterpriseId: string,
  ): Promise<SupplyChainPenetration> {
    const result = await this.insights.penetration(actor, coreEnterpriseId);
    return {
      coreEnterpriseId,
      tiers: result.tiers.map((r) => this.penetrationRow(r)),
      total: this.penetrationRow(result.total),
    };
  }

  @Query(() => ProspectConnection, { description: 'Members that do not bank with us, largest volume first' })
  async supplyChainProspects(
    @CurrentActor() actor: Actor,
    @Args() args: ProspectArgs,
  ): Promise<ConnectionResult<SupplyChainProspect>> {
    const { page, hasNextPage, total } = await this.insights.prospects(
      actor,
      args.coreEnterpriseId,
      args.first,
      args.after,
    );
    const masked = masksChainFor(actor);
    const edges = page.map(({ node, record }) => ({
      cursor: this.insights.cursorOf(node.company.id),
      node: this.toProspect(args.coreEnterpriseId, node.company, node.volumeMinor, node.tier, record, masked),
    }));
    return {
      edges,
      pageInfo: {
        hasNextPage,
        hasPreviousPage: args.after !== undefined,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
      totalCount: () => Promise.resolve(total),
    };
  }

  private toProspect(
    coreEnterpriseId: string,
    company: Parameters<typeof toCompany>[0],
    volumeMinor: bigint,
    tier: number,
    record: ProspectEntity | null,
    masked: boolean,
  ): SupplyChainProspect {
    return {
      id: company.id,
      coreEnterpriseId,
      company: toCompany(company, masked),
      volume: money(volumeMinor, this.chains.currency),
      tier,
      stage: (record?.stage ?? ProspectStage.IDENTIFIED) as ProspectStage,
      managerId: record?.managerId ?? null,
      nextActionOn: record?.nextActionOn ?? null,
      notes: masked
        ? []
        : (record?.notes ?? []).map((n) => ({ at: n.at, by: n.by, stage: n.stage as ProspectStage, text: n.text })),
      customerId: masked ? null : (record?.customerId ?? null),
      version: record?.version ?? 0,
    };
  }

  @Query(() => SupplyChainExposure, { description: 'Banked members’ balances and loans, for concentration risk' })
  @Roles(...INTERNAL_ROLES)
  async supplyChainExposure(
    @CurrentActor() actor: Actor,
    @Args('coreEnterpriseId', { type: () => ID }) coreEnterpriseId: string,
  ): Promise<SupplyChainExposure> {
    const view = await this.insights.exposure(actor, coreEnterpriseId);
    const c = this.chains.currency;
    const totalMinor = view.depositMinor + view.loansMinor;
    return {
      coreEnterpriseId,
      bankedMembers: view.bankedMembers,
      depositBalance: money(view.depositMinor, c),
      loans: money(view.loansMinor, c),
      total: money(totalMinor, c),
      largest: view.largest.map((r) => ({
        company: toCompany(r.company, false),
        depositBalance: money(r.depositMinor, c),
        loans: money(r.loansMinor, c),
        total: money(r.depositMinor + r.loansMinor, c),
        share: share(r.depositMinor + r.loansMinor, totalMinor),
      })),
    };
  }

  @Query(() => [DerivedLink])
  @Roles(...INTERNAL_ROLES)
  async supplyChainDerivedLinks(
    @CurrentActor() actor: Actor,
    @Args('coreEnterpriseId', { type: () => ID }) coreEnterpriseId: string,
    @Args('status', { type: () => CandidateStatus, nullable: true }) status?: CandidateStatus,
  ): Promise<DerivedLink[]> {
    return (await this.insights.derivedLinks(actor, coreEnterpriseId, status)).map(toDerived);
  }

  @Query(() => EmployerBanking, { description: 'Employees paid through payroll (代发工资) and what they hold' })
  @Roles(...INTERNAL_ROLES)
  async employerBanking(
    @CurrentActor() actor: Actor,
    @Args('employerId', { type: () => ID }) employerId: string,
  ): Promise<EmployerBanking> {
    const view = await this.insights.employerBanking(actor, employerId);
    const ref = (c: (typeof view.employees)[number]) => ({
      customerId: c.id,
      nameMasked: maskName(c.name),
      phoneMasked: c.phoneMasked,
    });
    const count = view.employees.length;
    return {
      employerId: view.employerId,
      employees: count,
      holdings: PRODUCT_CLASSES.map((p) => ({
        product: p,
        holders: view.holders[p].size,
        share: share(BigInt(view.holders[p].size), BigInt(count)),
      })),
      crossSell: PRODUCT_CLASSES.map((p) => ({
        product: p,
        employees: view.employees.filter((e) => !view.holders[p].has(e.id)).map(ref),
      })),
      newToBank: view.newToBank.map((n) => ({
        employee: ref(n.customer),
        onboardedOn: n.customer.onboardedOn,
        programId: n.programId,
      })),
    };
  }

  @Query(() => [SupplyChainTouchModel], { description: 'Attribution touches recorded by onboarded chain prospects' })
  @Roles(Role.ADMIN, Role.AUDITOR, Role.PARTNERSHIP_MANAGER)
  async supplyChainTouches(
    @CurrentActor() actor: Actor,
    @Args('coreEnterpriseId', { type: () => ID }) coreEnterpriseId: string,
  ): Promise<SupplyChainTouchModel[]> {
    return this.chains.touchesOfCore(actor, coreEnterpriseId);
  }

  // ---------- mutations ----------

  @Mutation(() => CoreEnterprise)
  @Roles(...WRITERS)
  async registerCoreEnterprise(
    @CurrentActor() actor: Actor,
    @Args('input') input: RegisterCoreEnterpriseInput,
  ): Promise<CoreEnterprise> {
    const core = await this.chains.registerCore(actor, input);
    if (!core.company) throw new Error('core without company');
    return toCore(core, core.company, false);
  }

  @Mutation(() => SupplyChainLink)
  @Roles(...WRITERS)
  async createSupplyChainLink(
    @CurrentActor() actor: Actor,
    @Args('input') input: CreateSupplyChainLinkInput,
  ): Promise<SupplyChainLink> {
    return toLink(await this.chains.createLink(actor, input));
  }

  @Mutation(() => SupplyChainLink)
  @Roles(...WRITERS)
  async updateSupplyChainLink(
    @CurrentActor() actor: Actor,
    @Args('input') input: UpdateSupplyChainLinkInput,
  ): Promise<SupplyChainLink> {
    return toLink(await this.chains.updateLink(actor, input));
  }

  @Mutation(() => SupplyChainLink)
  @Roles(...WRITERS)
  async endSupplyChainLink(
    @CurrentActor() actor: Actor,
    @Args('input') input: EndSupplyChainLinkInput,
  ): Promise<SupplyChainLink> {
    return toLink(await this.chains.endLink(actor, input));
  }

  @Mutation(() => SupplyChainImportReport, { description: 'A core enterprise’s declared list (CSV or XLSX)' })
  @Roles(...WRITERS)
  async importDeclaredLinks(
    @CurrentActor() actor: Actor,
    @Args('input') input: ImportDeclaredLinksInput,
  ): Promise<SupplyChainImportReport> {
    const edges = await readEdgeFile(
      decoded(input.contentBase64, 'contentBase64'),
      input.format === EdgeFileFormat.XLSX ? 'XLSX' : 'CSV',
    );
    return this.chains.importEdges(actor, edges, { coreId: input.coreEnterpriseId });
  }

  @Mutation(() => SupplyChainImportReport, {
    description: 'A generic edge list with several sources: each source becomes a core enterprise',
  })
  @Roles(...WRITERS)
  async importSupplyChainEdgeList(
    @CurrentActor() actor: Actor,
    @Args('input') input: ImportSupplyChainEdgeListInput,
  ): Promise<SupplyChainImportReport> {
    const edges = await readEdgeFile(decoded(input.edgesBase64, 'edgesBase64'), 'CSV');
    const knownNames =
      input.nodesBase64 !== undefined ? await readNodeNames(decoded(input.nodesBase64, 'nodesBase64')) : undefined;
    return this.chains.importEdges(actor, edges, { orgUnitId: input.orgUnitId, knownNames });
  }

  @Mutation(() => [DerivedLink], { description: 'Proposes links from payments; returns every open proposal' })
  @Roles(...WRITERS)
  async deriveSupplyChainLinks(
    @CurrentActor() actor: Actor,
    @Args('input') input: DeriveSupplyChainLinksInput,
  ): Promise<DerivedLink[]> {
    return (await this.insights.derive(actor, input)).map(toDerived);
  }

  @Mutation(() => DerivedLink)
  @Roles(...WRITERS)
  async confirmDerivedLink(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<DerivedLink> {
    return toDerived(await this.insights.decideDerived(actor, id, true));
  }

  @Mutation(() => DerivedLink)
  @Roles(...WRITERS)
  async dismissDerivedLink(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<DerivedLink> {
    return toDerived(await this.insights.decideDerived(actor, id, false));
  }

  @Mutation(() => SupplyChainProspect)
  @Roles(...WRITERS)
  async moveSupplyChainProspect(
    @CurrentActor() actor: Actor,
    @Args('input') input: MoveProspectInput,
  ): Promise<SupplyChainProspect> {
    const record = await this.insights.moveProspect(actor, input);
    const company = await this.chains.companyById(record.companyId);
    const chain = await this.chains.memberFacts(record.coreId, record.companyId);
    return this.toProspect(record.coreId, company, chain.volumeMinor, chain.tier, record, false);
  }
}
