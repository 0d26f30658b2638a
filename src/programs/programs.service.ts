import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../auth/actor';
import { applyPartnerScope } from '../auth/access';
import { UsersService } from '../auth/users.service';
import { AuditService } from '../audit/audit.service';
import { businessDateOf, isValidBusinessDate } from '../common/business-time';
import { Clock } from '../common/clock';
import { badInput, conflict, DomainError, forbidden, notFound } from '../common/domain-error';
import { Money } from '../common/money';
import { parseRate } from '../common/rate';
import { APP_CONFIG, AppConfig } from '../config/config';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { updateIfVersion } from '../database/versioned';
import { ConnectionResult, PageArgs, paginate } from '../graphql/connection';
import { chunk } from '../graphql/loaders';
import { MoneyInput } from '../graphql/scalars';
import { OrgUnitsService } from '../org-units/org-units.service';
import { AgreementEntity } from '../partners/entities/agreement.entity';
import { PartnerEntity } from '../partners/entities/partner.entity';
import { AgreementStatus } from '../partners/partner.enums';
import { PartnersService } from '../partners/partners.service';
import { ChannelsService } from '../channels/channels.service';
import { ChannelEntity } from '../channels/entities/channel.entity';
import {
  AddCompliancePolicyRuleInput,
  CreateProgramInput,
  ProgramsFilter,
  ProgramTargetInput,
  SetProgramAttributionRuleInput,
  SetProgramQualificationRuleInput,
  TransitionProgramInput,
  UpdateProgramInput,
  UpsertCoBrandedCardProductInput,
} from './dto/program.inputs';
import {
  CardBinRangeEntity,
  CoBrandedCardProductEntity,
  EconomicsLineRecord,
  FeeWaiverRecord,
} from './entities/co-branded-card-product.entity';
import { CompliancePolicyRuleEntity } from './entities/compliance-policy-rule.entity';
import { ProgramRuleVersionEntity } from './entities/program-rule-version.entity';
import { ProgramEntity, ProgramTargetRecord } from './entities/program.entity';
import { ProgramKind, ProgramStatus, programTransitionAllowed, RewardsFunding, RuleKind } from './program.enums';
import { checkBinPrefixes, coveringPrefixes, normalizeBinPrefix } from './rules/bin-ranges';
import {
  AttributionRule,
  attributionRuleToJson,
  effectiveRule,
  JsonObject,
  parseAttributionRule,
  parseQualificationRule,
  QualificationRule,
  qualificationRuleToJson,
  RuleVersion,
} from './rules/program-rules';

export interface ProductWithBins {
  product: CoBrandedCardProductEntity;
  binPrefixes: string[];
}

function notFoundAt(entity: string, id: string, field: string): DomainError {
  return new DomainError('NOT_FOUND', `${entity} ${id} not found`, { entity, id, field });
}

@Injectable()
export class ProgramsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly partners: PartnersService,
    private readonly orgUnits: OrgUnitsService,
    private readonly users: UsersService,
    private readonly channels: ChannelsService,
    private readonly clock: Clock,
  ) {}

  today(): string {
    return businessDateOf(this.clock.now(), this.config.bankTimeZone);
  }

  // ---------- reads (scoped) ----------

  async getProgram(actor: Actor, id: string): Promise<ProgramEntity> {
    const program = await this.dataSource.getRepository(ProgramEntity).findOneBy({ id });
    if (!program) throw notFound('Program', id);
    const [partner] = await this.partners.findVisibleByIds(actor, [program.partnerId]);
    if (!partner) throw notFound('Program', id);
    return program;
  }

  list(actor: Actor, filter: ProgramsFilter, page: PageArgs): Promise<ConnectionResult<ProgramEntity>> {
    const query = this.dataSource.getRepository(ProgramEntity).createQueryBuilder('p');
    applyPartnerScope(query, actor, 'p.partnerId');
    if (filter.partnerIds?.length) query.andWhere('p.partnerId IN (:...partnerIds)', { partnerIds: filter.partnerIds });
    if (filter.kinds?.length) query.andWhere('p.kind IN (:...kinds)', { kinds: filter.kinds });
    if (filter.statuses?.length) query.andWhere('p.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.orgUnitIds?.length) query.andWhere('p.orgUnitId IN (:...orgUnitIds)', { orgUnitIds: filter.orgUnitIds });
    if (filter.activeOn) {
      if (!isValidBusinessDate(filter.activeOn)) throw badInput('filter.activeOn', 'INVALID_DATE');
      query.andWhere('p.validFrom <= :activeOn AND p.validTo >= :activeOn', { activeOn: filter.activeOn });
    }
    return paginate(query, page, (row) => row);
  }

  /** Batch load in key order; with an actor, programs it may not read come back as null. */
  async findProgramsByIds(ids: readonly string[], actor?: Actor): Promise<(ProgramEntity | null)[]> {
    const rows: ProgramEntity[] = [];
    for (const part of chunk([...new Set(ids)]))
      rows.push(...(await this.dataSource.getRepository(ProgramEntity).findBy({ id: In(part) })));
    const byId = new Map(rows.map((r) => [r.id, r]));
    let visible: Set<string> | null = null;
    if (actor) {
      const partnerIds = [...new Set(rows.map((r) => r.partnerId))];
      const partners = await this.partners.findVisibleByIds(actor, partnerIds);
      visible = new Set(partners.filter((p): p is PartnerEntity => p !== null).map((p) => p.id));
    }
    return ids.map((id) => {
      const row = byId.get(id);
      if (!row) return null;
      return visible === null || visible.has(row.partnerId) ? row : null;
    });
  }

  /** Programs of partners the caller has already been allowed to read (DataLoader batch). */
  async programsOfPartners(partnerIds: readonly string[]): Promise<ProgramEntity[]> {
    const rows: ProgramEntity[] = [];
    for (const part of chunk([...new Set(partnerIds)]))
      rows.push(
        ...(await this.dataSource
          .getRepository(ProgramEntity)
          .find({ where: { partnerId: In(part) }, order: { id: 'ASC' } })),
      );
    return rows;
  }

  /** Card products (with their BIN prefixes) of programs already readable by the caller: two statements per batch. */
  async productsOfPrograms(programIds: readonly string[]): Promise<ProductWithBins[]> {
    const products: CoBrandedCardProductEntity[] = [];
    for (const part of chunk([...new Set(programIds)]))
      products.push(
        ...(await this.dataSource.getRepository(CoBrandedCardProductEntity).findBy({ programId: In(part) })),
      );
    if (products.length === 0) return [];
    const bins: CardBinRangeEntity[] = [];
    for (const part of chunk(products.map((p) => p.id)))
      bins.push(...(await this.dataSource.getRepository(CardBinRangeEntity).findBy({ productId: In(part) })));
    return products.map((product) => ({
      product,
      binPrefixes: bins.filter((b) => b.productId === product.id).map((b) => b.prefix),
    }));
  }

  async ruleVersionsOf(programIds: readonly string[]): Promise<ProgramRuleVersionEntity[]> {
    const rows: ProgramRuleVersionEntity[] = [];
    for (const part of chunk([...new Set(programIds)]))
      rows.push(
        ...(await this.dataSource
          .getRepository(ProgramRuleVersionEntity)
          .find({ where: { programId: In(part) }, order: { version: 'ASC' } })),
      );
    return rows;
  }

  async coBrandedCardProgram(actor: Actor, programId: string): Promise<ProductWithBins> {
    await this.getProgram(actor, programId);
    const [found] = await this.productsOfPrograms([programId]);
    if (!found) throw notFound('CoBrandedCardProduct', programId);
    return found;
  }

  // ---------- for later issues (no actor: system use) ----------

  async attributionRuleOn(programId: string, date: string): Promise<RuleVersion<AttributionRule> | null> {
    const found = effectiveRule(await this.versionsOfKind(programId, RuleKind.ATTRIBUTION), date);
    return found
      ? { version: found.version, effectiveFrom: found.effectiveFrom, rule: parseAttributionRule(found.body) }
      : null;
  }

  async qualificationRuleOn(programId: string, date: string): Promise<RuleVersion<QualificationRule> | null> {
    const found = effectiveRule(await this.versionsOfKind(programId, RuleKind.QUALIFICATION), date);
    return found
      ? { version: found.version, effectiveFrom: found.effectiveFrom, rule: parseQualificationRule(found.body) }
      : null;
  }

  /** Validated lookup of a typed tracking code: BAD_USER_INPUT on a check-character mismatch, null when unknown. */
  resolveChannelByTrackingCode(code: string): Promise<ChannelEntity | null> {
    return this.channels.resolveByTrackingCode(code);
  }

  channelsOf(programIds: readonly string[]): Promise<ChannelEntity[]> {
    return this.channels.channelsOf(programIds);
  }

  /** The program whose BIN range covers a BIN or card-number prefix (≥ 6 digits), or null. */
  async binRangeOwner(bin: string): Promise<string | null> {
    const digits = bin.replace(/\s/g, '');
    if (!/^\d{6,19}$/.test(digits)) throw badInput('bin', 'NOT_DIGITS');
    const candidates = coveringPrefixes(digits.slice(0, 8));
    const row = await this.dataSource.getRepository(CardBinRangeEntity).findOneBy({ prefix: In(candidates) });
    return row?.programId ?? null;
  }

  // ---------- program writes ----------

  createProgram(actor: Actor, input: CreateProgramInput): Promise<ProgramEntity> {
    return this.tx.run(async (manager) => {
      const agreement = await manager.findOneBy(AgreementEntity, { id: input.agreementId });
      if (!agreement) throw notFoundAt('Agreement', input.agreementId, 'agreementId');
      const partner = await this.requireManageable(
        manager,
        actor,
        agreement.partnerId,
        'Agreement',
        agreement.id,
        'agreementId',
      );
      const agreementStatus = agreement.status as AgreementStatus;
      if (agreementStatus === AgreementStatus.EXPIRED || agreementStatus === AgreementStatus.TERMINATED)
        throw conflict('AGREEMENT_NOT_OPEN', `Agreement is ${agreement.status}`, { field: 'agreementId' });
      const validFrom = input.validFrom ?? agreement.validFrom;
      const validTo = input.validTo ?? agreement.validTo;
      this.checkValidity(validFrom, validTo, agreement);
      const orgUnitId = input.orgUnitId ?? partner.orgUnitId;
      if (input.orgUnitId !== undefined) await this.checkOrgUnit(actor, input.orgUnitId);
      const ownerId =
        input.ownerId !== undefined ? await this.checkOwner(input.ownerId) : await this.defaultOwner(actor);
      const budget = input.budget ? this.nonNegative(input.budget, 'budget') : null;
      const currency = budget?.currency ?? this.config.defaultCurrency;
      const now = this.clock.now();
      const program: ProgramEntity = {
        id: newId(),
        partnerId: agreement.partnerId,
        agreementId: agreement.id,
        kind: input.kind,
        nameZh: input.nameZh.trim(),
        nameEn: input.nameEn?.trim() || null,
        ownerId,
        orgUnitId,
        validFrom,
        validTo,
        status: ProgramStatus.DRAFT,
        targets: this.checkTargets(input.targets, currency),
        budgetMinor: budget?.minor ?? null,
        currency,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await manager.insert(ProgramEntity, program);
      await this.audit.record(manager, actor, {
        action: 'program.create',
        entityType: 'Program',
        entityId: program.id,
        after: program,
      });
      return program;
    });
  }

  updateProgram(actor: Actor, input: UpdateProgramInput): Promise<ProgramEntity> {
    return this.tx.run(async (manager) => {
      const before = await this.requireProgram(manager, actor, input.id);
      if (before.version !== input.version)
        throw conflict('STALE_VERSION', `Program was changed by someone else (version ${before.version})`, {
          field: 'version',
          currentVersion: before.version,
        });
      if ((before.status as ProgramStatus) === ProgramStatus.ENDED)
        throw conflict('PROGRAM_ENDED', 'An ended program cannot be changed', { field: 'id' });
      const agreement = await manager.findOneByOrFail(AgreementEntity, { id: before.agreementId });
      const validFrom = input.validFrom ?? before.validFrom;
      const validTo = input.validTo ?? before.validTo;
      this.checkValidity(validFrom, validTo, agreement);
      if (input.orgUnitId !== undefined && input.orgUnitId !== before.orgUnitId)
        await this.checkOrgUnit(actor, input.orgUnitId);
      const budget = input.budget ? this.nonNegative(input.budget, 'budget') : undefined;
      const currency = budget?.currency ?? before.currency;
      const after: ProgramEntity = {
        ...before,
        nameZh: input.nameZh?.trim() ?? before.nameZh,
        nameEn: input.nameEn !== undefined ? input.nameEn.trim() || null : before.nameEn,
        ownerId: input.ownerId !== undefined ? await this.checkOwner(input.ownerId) : before.ownerId,
        orgUnitId: input.orgUnitId ?? before.orgUnitId,
        validFrom,
        validTo,
        targets: input.targets !== undefined ? this.checkTargets(input.targets, currency) : before.targets,
        budgetMinor: budget !== undefined ? budget.minor : before.budgetMinor,
        currency,
        version: before.version + 1,
        updatedAt: this.clock.now(),
      };
      if (input.targets === undefined && currency !== before.currency && before.targets.length > 0)
        throw badInput('budget.currency', 'CURRENCY_MISMATCH');
      await this.saveVersioned(manager, before, after);
      await this.audit.record(manager, actor, {
        action: 'program.update',
        entityType: 'Program',
        entityId: before.id,
        before,
        after,
      });
      return after;
    });
  }

  transitionProgram(actor: Actor, input: TransitionProgramInput): Promise<ProgramEntity> {
    return this.tx.run(async (manager) => {
      const before = await this.requireProgram(manager, actor, input.id);
      const from = before.status as ProgramStatus;
      const kind = before.kind as ProgramKind;
      if (!programTransitionAllowed(kind, from, input.to))
        throw conflict('PROGRAM_STATUS_TRANSITION', `A ${kind} program cannot move from ${from} to ${input.to}`, {
          from,
          to: input.to,
        });
      if (input.to === ProgramStatus.ACTIVE) {
        const agreement = await manager.findOneByOrFail(AgreementEntity, { id: before.agreementId });
        if ((agreement.status as AgreementStatus) !== AgreementStatus.ACTIVE)
          throw conflict('AGREEMENT_NOT_ACTIVE', 'A program can only run under an ACTIVE agreement', {
            from,
            to: input.to,
          });
        if (
          kind === ProgramKind.CO_BRANDED_CARD &&
          !(await manager.existsBy(CoBrandedCardProductEntity, { programId: before.id }))
        )
          throw conflict('CARD_PRODUCT_REQUIRED', 'A co-branded card program needs its card product first', {
            from,
            to: input.to,
          });
      }
      const after: ProgramEntity = {
        ...before,
        status: input.to,
        version: before.version + 1,
        updatedAt: this.clock.now(),
      };
      await this.saveVersioned(manager, before, after);
      await this.audit.record(manager, actor, {
        action: 'program.transition',
        entityType: 'Program',
        entityId: before.id,
        before: { status: from },
        after: { status: input.to, reason: input.reason ?? null },
      });
      return after;
    });
  }

  setAttributionRule(actor: Actor, input: SetProgramAttributionRuleInput): Promise<ProgramEntity> {
    const { programId, effectiveFrom, ...raw } = input;
    return this.addRuleVersion(actor, programId, effectiveFrom, RuleKind.ATTRIBUTION, () =>
      attributionRuleToJson(parseAttributionRule(raw)),
    );
  }

  setQualificationRule(actor: Actor, input: SetProgramQualificationRuleInput): Promise<ProgramEntity> {
    const { programId, effectiveFrom, ...raw } = input;
    return this.addRuleVersion(actor, programId, effectiveFrom, RuleKind.QUALIFICATION, () =>
      qualificationRuleToJson(
        parseQualificationRule({
          withinDays: raw.withinDays,
          all: raw.all.map((c) => ({
            ...c,
            amount: c.amount
              ? { amount: c.amount.amount, currency: c.amount.currency ?? this.config.defaultCurrency }
              : undefined,
          })),
        }),
      ),
    );
  }

  // ---------- co-branded card product ----------

  upsertProduct(actor: Actor, input: UpsertCoBrandedCardProductInput): Promise<ProductWithBins> {
    return this.tx.run(async (manager) => {
      const program = await this.requireProgram(manager, actor, input.programId, 'programId');
      if (program.kind !== (ProgramKind.CO_BRANDED_CARD as string))
        throw badInput('programId', 'NOT_A_CO_BRANDED_CARD_PROGRAM');
      if ((program.status as ProgramStatus) === ProgramStatus.ENDED)
        throw conflict('PROGRAM_ENDED', 'An ended program cannot be changed', { field: 'programId' });
      const partner = await manager.findOneByOrFail(PartnerEntity, { id: program.partnerId });

      const annualFee = this.nonNegative(input.annualFee, 'annualFee');
      const currency = annualFee.currency;
      const earnRate = parseRate(input.earnRate, 'earnRate', { min: '0', max: '1' });
      const partnerShare = this.checkFunding(input.funding, input.partnerShare);
      let feeWaiver: FeeWaiverRecord | null = null;
      if (input.feeWaiver) {
        const w = input.feeWaiver;
        const amount = w.spendAmountAtLeast
          ? this.nonNegative(w.spendAmountAtLeast, 'feeWaiver.spendAmountAtLeast', currency)
          : null;
        if (w.spendCountAtLeast === undefined && amount === null) throw badInput('feeWaiver', 'AT_LEAST_ONE_CONDITION');
        feeWaiver = {
          spendCountAtLeast: w.spendCountAtLeast ?? null,
          spendAmountAtLeastMinor: amount ? amount.minor.toString() : null,
          withinDays: w.withinDays ?? null,
        };
      }
      const policy = await manager.find(CompliancePolicyRuleEntity, { order: { code: 'ASC' } });
      const economics: EconomicsLineRecord[] = input.economics.map((line, i) => {
        const field = `economics.${i}`;
        const blocked = policy.find(
          (r) => r.category === (line.category as string) && (r.partnerKind === null || r.partnerKind === partner.kind),
        );
        if (blocked)
          throw new DomainError(
            'BAD_USER_INPUT',
            `${line.category} may not be agreed with a ${partner.kind} partner: ${blocked.reason}`,
            {
              field: `${field}.category`,
              reason: 'BLOCKED_BY_COMPLIANCE_POLICY',
              rule: blocked.code,
            },
          );
        if (line.amount === undefined && line.rate === undefined) throw badInput(field, 'AMOUNT_OR_RATE_REQUIRED');
        const amount = line.amount ? this.nonNegative(line.amount, `${field}.amount`, currency) : null;
        return {
          category: line.category,
          description: line.description.trim(),
          amountMinor: amount ? amount.minor.toString() : null,
          rate: line.rate !== undefined ? parseRate(line.rate, `${field}.rate`, { min: '0', max: '1' }) : null,
          trigger: line.trigger ?? null,
        };
      });
      const prefixes = checkBinPrefixes(input.binPrefixes);
      await this.checkBinOverlap(manager, program.id, prefixes);

      const existing = await manager.findOneBy(CoBrandedCardProductEntity, { programId: program.id });
      if (existing && input.version !== undefined && existing.version !== input.version)
        throw conflict('STALE_VERSION', `Card product was changed by someone else (version ${existing.version})`, {
          field: 'version',
          currentVersion: existing.version,
        });
      const beforeBins = existing
        ? (await manager.findBy(CardBinRangeEntity, { productId: existing.id })).map((b) => b.prefix)
        : [];
      const now = this.clock.now();
      const product: CoBrandedCardProductEntity = {
        id: existing?.id ?? newId(),
        programId: program.id,
        productName: input.productName.trim(),
        level: input.level,
        annualFeeMinor: annualFee.minor,
        currency,
        feeWaiver,
        earnRate,
        funding: input.funding,
        partnerShare,
        economics,
        version: existing ? existing.version + 1 : 1,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      if (existing) {
        const { id: _id, createdAt: _c, programId: _p, ...changes } = product;
        const result = await manager
          .createQueryBuilder()
          .update(CoBrandedCardProductEntity)
          .set(changes)
          .where('id = :id AND version = :version', { id: existing.id, version: existing.version })
          .execute();
        if (result.affected !== 1)
          throw conflict('STALE_VERSION', 'Card product was changed by someone else', { field: 'version' });
        await manager.delete(CardBinRangeEntity, { productId: existing.id });
      } else {
        await manager.insert(CoBrandedCardProductEntity, product);
      }
      await manager.insert(
        CardBinRangeEntity,
        prefixes.map((prefix) => ({ id: newId(), productId: product.id, programId: program.id, prefix })),
      );
      await this.audit.record(manager, actor, {
        action: existing ? 'coBrandedCardProduct.update' : 'coBrandedCardProduct.create',
        entityType: 'CoBrandedCardProduct',
        entityId: product.id,
        before: existing ? { ...existing, binPrefixes: beforeBins } : null,
        after: { ...product, binPrefixes: prefixes },
      });
      return { product, binPrefixes: prefixes };
    });
  }

  // ---------- compliance policy ----------

  listPolicyRules(): Promise<CompliancePolicyRuleEntity[]> {
    return this.dataSource.getRepository(CompliancePolicyRuleEntity).find({ order: { code: 'ASC' } });
  }

  addPolicyRule(actor: Actor, input: AddCompliancePolicyRuleInput): Promise<CompliancePolicyRuleEntity> {
    return this.tx.run(async (manager) => {
      if (await manager.existsBy(CompliancePolicyRuleEntity, { code: input.code }))
        throw conflict('DUPLICATE_POLICY_RULE_CODE', `Policy rule ${input.code} exists`, { field: 'code' });
      const rule: CompliancePolicyRuleEntity = {
        id: newId(),
        code: input.code,
        category: input.category,
        partnerKind: input.partnerKind ?? null,
        reason: input.reason.trim(),
        createdAt: this.clock.now(),
      };
      await manager.insert(CompliancePolicyRuleEntity, rule);
      await this.audit.record(manager, actor, {
        action: 'compliancePolicyRule.add',
        entityType: 'CompliancePolicyRule',
        entityId: rule.id,
        after: rule,
      });
      return rule;
    });
  }

  removePolicyRule(actor: Actor, id: string): Promise<CompliancePolicyRuleEntity> {
    return this.tx.run(async (manager) => {
      const rule = await manager.findOneBy(CompliancePolicyRuleEntity, { id });
      if (!rule) throw notFoundAt('CompliancePolicyRule', id, 'id');
      await manager.delete(CompliancePolicyRuleEntity, { id });
      await this.audit.record(manager, actor, {
        action: 'compliancePolicyRule.remove',
        entityType: 'CompliancePolicyRule',
        entityId: rule.id,
        before: rule,
      });
      return rule;
    });
  }

  // ---------- helpers ----------

  private async versionsOfKind(programId: string, kind: RuleKind): Promise<ProgramRuleVersionEntity[]> {
    return this.dataSource.getRepository(ProgramRuleVersionEntity).findBy({ programId, kind });
  }

  private addRuleVersion(
    actor: Actor,
    programId: string,
    effectiveFrom: string,
    kind: RuleKind,
    build: () => JsonObject,
  ): Promise<ProgramEntity> {
    return this.tx.run(async (manager) => {
      const program = await this.requireProgram(manager, actor, programId, 'programId');
      if ((program.status as ProgramStatus) === ProgramStatus.ENDED)
        throw conflict('PROGRAM_ENDED', 'An ended program cannot be changed', { field: 'programId' });
      if (!isValidBusinessDate(effectiveFrom)) throw badInput('effectiveFrom', 'INVALID_DATE');
      if (effectiveFrom > program.validTo) throw badInput('effectiveFrom', 'AFTER_PROGRAM_END');
      const body = build();
      const latest = await manager.findOne(ProgramRuleVersionEntity, {
        where: { programId, kind },
        order: { version: 'DESC' },
      });
      const version: ProgramRuleVersionEntity = {
        id: newId(),
        programId,
        kind,
        version: (latest?.version ?? 0) + 1,
        effectiveFrom,
        body,
        createdById: actor.kind === 'user' ? actor.id : null,
        createdAt: this.clock.now(),
      };
      await manager.insert(ProgramRuleVersionEntity, version);
      await this.audit.record(manager, actor, {
        action: kind === RuleKind.ATTRIBUTION ? 'program.setAttributionRule' : 'program.setQualificationRule',
        entityType: 'Program',
        entityId: programId,
        after: { version: version.version, effectiveFrom, body },
      });
      return program;
    });
  }

  /** NOT_FOUND naming the program (not the partner) when out of scope; FORBIDDEN when read-only. */
  private async requireManageable(
    manager: EntityManager,
    actor: Actor,
    partnerId: string,
    entity: string,
    id: string,
    field: string,
  ): Promise<PartnerEntity> {
    try {
      return await this.partners.requireManageable(manager, actor, partnerId, field);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') throw notFoundAt(entity, id, field);
      throw error;
    }
  }

  private async requireProgram(manager: EntityManager, actor: Actor, id: string, field = 'id'): Promise<ProgramEntity> {
    const program = await manager.findOneBy(ProgramEntity, { id });
    if (!program) throw notFoundAt('Program', id, field);
    await this.requireManageable(manager, actor, program.partnerId, 'Program', id, field);
    return program;
  }

  private checkValidity(validFrom: string, validTo: string, agreement: AgreementEntity): void {
    if (!isValidBusinessDate(validFrom)) throw badInput('validFrom', 'INVALID_DATE');
    if (!isValidBusinessDate(validTo)) throw badInput('validTo', 'INVALID_DATE');
    if (validFrom < agreement.validFrom || validFrom > agreement.validTo)
      throw badInput('validFrom', 'OUTSIDE_AGREEMENT_VALIDITY');
    if (validTo < agreement.validFrom || validTo > agreement.validTo)
      throw badInput('validTo', 'OUTSIDE_AGREEMENT_VALIDITY');
    if (validTo < validFrom) throw badInput('validTo', 'VALID_TO_BEFORE_VALID_FROM');
  }

  private async checkOrgUnit(actor: Actor, orgUnitId: string): Promise<void> {
    const [unit] = await this.orgUnits.findByIds([orgUnitId]);
    if (!unit) throw badInput('orgUnitId', 'UNKNOWN_ORG_UNIT');
    if (actor.orgScope !== null && !actor.orgScope.includes(orgUnitId))
      throw forbidden('That org unit is outside your scope');
  }

  /** The caller owns what it creates, when it is a user of this bank. */
  private async defaultOwner(actor: Actor): Promise<string | null> {
    if (actor.kind !== 'user') return null;
    return (await this.users.findById(actor.id))?.id ?? null;
  }

  private async checkOwner(ownerId: string | undefined): Promise<string | null> {
    if (ownerId === undefined) return null;
    const user = await this.users.findById(ownerId);
    if (!user || !user.active) throw badInput('ownerId', 'UNKNOWN_USER');
    return user.id;
  }

  private nonNegative(input: MoneyInput, field: string, currency?: string): Money {
    const value = Money.parse(
      input.amount,
      input.currency ?? currency ?? this.config.defaultCurrency,
      `${field}.amount`,
    );
    if (currency !== undefined && value.currency !== currency) throw badInput(`${field}.currency`, 'CURRENCY_MISMATCH');
    if (value.isNegative()) throw badInput(`${field}.amount`, 'NEGATIVE_AMOUNT');
    return value;
  }

  private checkTargets(targets: readonly ProgramTargetInput[], currency: string): ProgramTargetRecord[] {
    const seen = new Set<string>();
    return targets.map((t, i) => {
      const field = `targets.${i}`;
      if (seen.has(t.period)) throw badInput(`${field}.period`, 'DUPLICATE_PERIOD');
      seen.add(t.period);
      return {
        period: t.period,
        newCustomers: t.newCustomers ?? null,
        activations: t.activations ?? null,
        spendMinor: t.spend ? this.nonNegative(t.spend, `${field}.spend`, currency).minor.toString() : null,
        aumMinor: t.aum ? this.nonNegative(t.aum, `${field}.aum`, currency).minor.toString() : null,
      };
    });
  }

  private checkFunding(funding: RewardsFunding, rawShare: string | undefined): string {
    if (funding === RewardsFunding.SHARED) {
      if (rawShare === undefined) throw badInput('partnerShare', 'REQUIRED_FOR_SHARED');
      const share = parseRate(rawShare, 'partnerShare', { min: '0', max: '1' });
      if (share === '0' || share === '1') throw badInput('partnerShare', 'SHARED_NEEDS_SPLIT');
      return share;
    }
    const implied = funding === RewardsFunding.PARTNER ? '1' : '0';
    if (rawShare !== undefined && parseRate(rawShare, 'partnerShare', { min: '0', max: '1' }) !== implied)
      throw badInput('partnerShare', 'CONTRADICTS_FUNDING');
    return implied;
  }

  /** A prefix overlaps another program's when either is a prefix of the other. */
  private async checkBinOverlap(manager: EntityManager, programId: string, prefixes: readonly string[]): Promise<void> {
    for (const [i, prefix] of prefixes.entries()) {
      const p = normalizeBinPrefix(prefix, `binPrefixes.${i}`);
      const clash = await manager
        .createQueryBuilder(CardBinRangeEntity, 'b')
        .where('b.programId <> :programId', { programId })
        .andWhere('(b.prefix IN (:...covering) OR b.prefix LIKE :below)', {
          covering: coveringPrefixes(p),
          below: `${p}%`,
        })
        .orderBy('b.prefix', 'ASC')
        .getOne();
      if (clash)
        throw conflict('BIN_RANGE_OVERLAP', `BIN ${p} overlaps ${clash.prefix} of program ${clash.programId}`, {
          field: `binPrefixes.${i}`,
          otherProgramId: clash.programId,
          otherPrefix: clash.prefix,
        });
    }
  }

  private async saveVersioned(manager: EntityManager, before: ProgramEntity, after: ProgramEntity): Promise<void> {
    const { id: _id, createdAt: _created, partnerId: _p, agreementId: _a, kind: _k, ...changes } = after;
    await updateIfVersion(manager, ProgramEntity, 'Program', before, changes);
  }
}
