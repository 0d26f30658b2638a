import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { UserEntity } from '../auth/entities/user.entity';
import { isValidBusinessDate } from '../common/business-time';
import { Clock } from '../common/clock';
import { badInput, conflict, DomainError, notFound } from '../common/domain-error';
import { Money } from '../common/money';
import { maskName } from '../common/pii';
import { APP_CONFIG, AppConfig } from '../config/config';
import { CustomerType } from '../customers/customer.enums';
import { CustomerEventsService } from '../customers/customer-events.service';
import { CustomersService } from '../customers/customers.service';
import { CustomerEntity } from '../customers/entities/customer.entity';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { decodeCursor, encodeCursor } from '../graphql/connection';
import { CustomerEventType } from '../programs/customer-event-type';
import { ProgramKind } from '../programs/program.enums';
import { ProgramsService } from '../programs/programs.service';
import { DeriveSupplyChainLinksInput, MoveProspectInput } from './dto/supply-chain.inputs';
import { DerivedLinkEntity } from './entities/derived-link.entity';
import { ProspectEntity } from './entities/prospect.entity';
import { SupplyChainCompanyEntity } from './entities/supply-chain-company.entity';
import { SupplyChainLinkEntity } from './entities/supply-chain-link.entity';
import { SupplyChainTouchEntity } from './entities/supply-chain-touch.entity';
import { aboveThresholds, cyclePath, penetration, PenetrationRow, share } from './rules/chain-rules';
import { ChainNode, SupplyChainService } from './supply-chain.service';
import {
  CandidateStatus,
  ChainDirection,
  LinkSource,
  MAX_TIER,
  PROSPECT_TRANSITIONS,
  ProspectStage,
  TOUCH_SOURCE,
} from './supply-chain.enums';

const BOTH = [ChainDirection.UPSTREAM, ChainDirection.DOWNSTREAM];
const DEFAULT_MIN_VOLUME = '100000.00';
const MAX_NOTES = 20;

export interface ProspectView {
  node: ChainNode;
  record: ProspectEntity | null;
}

export interface ExposureView {
  bankedMembers: number;
  depositMinor: bigint;
  loansMinor: bigint;
  largest: { company: SupplyChainCompanyEntity; depositMinor: bigint; loansMinor: bigint }[];
}

export type ProductClass = 'CARD' | 'DEPOSIT' | 'WEALTH' | 'LOAN';
export const PRODUCT_CLASSES: readonly ProductClass[] = ['CARD', 'DEPOSIT', 'WEALTH', 'LOAN'];

export interface EmployerBankingView {
  employerId: string;
  employees: CustomerEntity[];
  holders: Record<ProductClass, Set<string>>;
  newToBank: { customer: CustomerEntity; programId: string | null }[];
}

/** Latest balance snapshot per customer, and the sum of loans, from events. */
function balancesAndLoans(
  events: readonly { customerId: string; type: string; amount: bigint | null; occurredAt: Date }[],
): { deposit: Map<string, bigint>; loans: Map<string, bigint> } {
  const deposit = new Map<string, { at: number; amount: bigint }>();
  const loans = new Map<string, bigint>();
  for (const e of events) {
    if (e.type === (CustomerEventType.DEPOSIT_BALANCE_SNAPSHOT as string)) {
      const prev = deposit.get(e.customerId);
      if (!prev || prev.at <= e.occurredAt.getTime())
        deposit.set(e.customerId, { at: e.occurredAt.getTime(), amount: e.amount ?? 0n });
    } else if (e.type === (CustomerEventType.LOAN_DISBURSED as string)) {
      loans.set(e.customerId, (loans.get(e.customerId) ?? 0n) + (e.amount ?? 0n));
    }
  }
  return { deposit: new Map([...deposit].map(([k, v]) => [k, v.amount])), loans };
}

@Injectable()
export class SupplyChainInsightsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly chains: SupplyChainService,
    private readonly customers: CustomersService,
    private readonly events: CustomerEventsService,
    private readonly programs: ProgramsService,
  ) {}

  // ---------- penetration ----------

  async penetration(actor: Actor, coreId: string): Promise<{ tiers: PenetrationRow[]; total: PenetrationRow }> {
    const chain = await this.chains.loadChain(actor, coreId, BOTH, MAX_TIER);
    return penetration(
      chain.nodes.map((n) => ({ tier: n.tier, banked: n.company.customerId !== null, volumeMinor: n.volumeMinor })),
    );
  }

  // ---------- prospects ----------

  /** Members that do not bank with us, largest volume first (ties by company id), keyset-paged on the company id. */
  async prospects(
    actor: Actor,
    coreId: string,
    first: number,
    after: string | undefined,
  ): Promise<{ page: ProspectView[]; hasNextPage: boolean; total: number }> {
    const chain = await this.chains.loadChain(actor, coreId, BOTH, MAX_TIER);
    const byCompany = new Map<string, ChainNode>();
    for (const n of chain.nodes) {
      if (n.company.customerId !== null) continue;
      const seen = byCompany.get(n.company.id);
      if (!seen) byCompany.set(n.company.id, { ...n });
      else {
        seen.volumeMinor += n.volumeMinor;
        seen.tier = Math.min(seen.tier, n.tier);
      }
    }
    const ranked = [...byCompany.values()].sort((a, b) =>
      a.volumeMinor === b.volumeMinor
        ? a.company.id.localeCompare(b.company.id)
        : a.volumeMinor > b.volumeMinor
          ? -1
          : 1,
    );
    let start = 0;
    if (after !== undefined) {
      const { id } = decodeCursor(after);
      const at = ranked.findIndex((n) => n.company.id === id);
      if (at < 0) throw badInput('after', 'MALFORMED_CURSOR');
      start = at + 1;
    }
    const slice = ranked.slice(start, start + first);
    const records = new Map(
      (await this.dataSource.getRepository(ProspectEntity).findBy({ coreId: chain.core.id })).map((p) => [
        p.companyId,
        p,
      ]),
    );
    return {
      page: slice.map((node) => ({ node, record: records.get(node.company.id) ?? null })),
      hasNextPage: start + first < ranked.length,
      total: ranked.length,
    };
  }

  cursorOf(companyId: string): string {
    return encodeCursor(companyId);
  }

  moveProspect(actor: Actor, input: MoveProspectInput): Promise<ProspectEntity> {
    return this.tx.run(async (manager) => {
      const { core, company: coreCompany } = await this.chains.manageableCore(manager, actor, input.coreEnterpriseId);
      const member = await manager.findOneBy(SupplyChainCompanyEntity, { id: input.companyId });
      const inChain = member
        ? await manager.countBy(SupplyChainLinkEntity, {
            coreId: core.id,
            memberCompanyId: member.id,
            status: 'ACTIVE',
          })
        : 0;
      if (!member || inChain === 0) throw notFound('SupplyChainProspect', input.companyId);
      const before = await manager.findOneBy(ProspectEntity, { coreId: core.id, companyId: member.id });
      if ((before?.version ?? 0) !== input.version)
        throw conflict('STALE_VERSION', 'The prospect was changed by someone else', {
          field: 'version',
          currentVersion: before?.version ?? 0,
        });
      if (!before && member.customerId !== null) throw conflict('ALREADY_BANKED', 'This member already banks with us');
      const from = (before?.stage ?? ProspectStage.IDENTIFIED) as ProspectStage;
      const sameOpenStage = from === input.to && PROSPECT_TRANSITIONS[from].length > 0;
      if (!sameOpenStage && !PROSPECT_TRANSITIONS[from].includes(input.to))
        throw conflict('PROSPECT_TRANSITION', `A prospect cannot move from ${from} to ${input.to}`, {
          field: 'to',
          from,
        });
      if (input.managerId !== undefined) {
        const user = await manager.findOneBy(UserEntity, { id: input.managerId });
        if (!user || user.partnerId !== null) throw badInput('managerId', 'UNKNOWN_MANAGER');
      }
      if (input.nextActionOn !== undefined && !isValidBusinessDate(input.nextActionOn))
        throw badInput('nextActionOn', 'INVALID_DATE');
      const now = this.clock.now();
      const notes = [...(before?.notes ?? [])];
      if (input.note !== undefined && input.note.trim() !== '')
        notes.push({ at: now.toISOString(), by: actor.name, stage: input.to, text: input.note.trim() });
      // Bounded so the row (and its audit record) stays well inside a MySQL TEXT column.
      notes.splice(0, Math.max(0, notes.length - MAX_NOTES));
      let customerId = before?.customerId ?? null;
      if (input.to === ProspectStage.ONBOARDED)
        customerId = await this.onboardedCustomer(actor, member, input.customerId);
      const after: ProspectEntity = {
        id: before?.id ?? newId(),
        coreId: core.id,
        companyId: member.id,
        stage: input.to,
        managerId: input.managerId ?? before?.managerId ?? null,
        nextActionOn:
          input.to === ProspectStage.ONBOARDED || input.to === ProspectStage.LOST
            ? null
            : (input.nextActionOn ?? before?.nextActionOn ?? null),
        notes,
        customerId,
        version: (before?.version ?? 0) + 1,
        createdAt: before?.createdAt ?? now,
        updatedAt: now,
      };
      if (before) {
        const { id, createdAt: _c, core: _core, company: _company, ...changes } = after;
        const outcome = await manager
          .createQueryBuilder()
          .update(ProspectEntity)
          .set(changes)
          .where('id = :id AND version = :version', { id, version: before.version })
          .execute();
        if (outcome.affected !== 1) throw conflict('STALE_VERSION', 'The prospect was changed concurrently');
      } else await manager.insert(ProspectEntity, after);
      if (input.to === ProspectStage.ONBOARDED && customerId !== null) {
        // Link the member to its new customer, and record the attribution touch for the core's program.
        const updated = await manager
          .createQueryBuilder()
          .update(SupplyChainCompanyEntity)
          .set({ customerId, version: member.version + 1, updatedAt: now })
          .where('id = :id AND version = :version', { id: member.id, version: member.version })
          .execute();
        if (updated.affected !== 1) throw conflict('STALE_VERSION', 'The company was changed concurrently');
        const touch: SupplyChainTouchEntity = {
          id: newId(),
          customerId,
          programId: core.programId,
          coreId: core.id,
          coreCompanyId: coreCompany.id,
          memberCompanyId: member.id,
          touchedAt: now,
          source: TOUCH_SOURCE,
        };
        await manager.insert(SupplyChainTouchEntity, touch);
        await this.audit.record(manager, actor, {
          action: 'supplyChain.onboardMember',
          entityType: 'SupplyChainCompany',
          entityId: member.id,
          before: member,
          after: { ...member, customerId, touch },
        });
      }
      await this.audit.record(manager, actor, {
        action: 'supplyChain.moveProspect',
        entityType: 'SupplyChainProspect',
        entityId: after.id,
        before: before ? { ...before, notes: before.notes.length } : null,
        after: { ...after, notes: after.notes.length, noteAdded: input.note?.trim() || null },
      });
      return after;
    });
  }

  private async onboardedCustomer(
    actor: Actor,
    member: SupplyChainCompanyEntity,
    customerId: string | undefined,
  ): Promise<string> {
    let customer: CustomerEntity | null = null;
    if (customerId !== undefined) {
      try {
        customer = await this.customers.get(actor, customerId);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'NOT_FOUND')
          throw new DomainError('NOT_FOUND', 'Customer not found', { field: 'customerId' });
        throw error;
      }
    } else if (member.uscc !== null) {
      customer =
        (await this.customers.findByUsccs([member.uscc])).find((c) => this.customers.canRead(actor, c)) ?? null;
    }
    if (!customer) throw badInput('customerId', 'REQUIRED');
    if (customer.type !== (CustomerType.CORPORATE as string)) throw badInput('customerId', 'NOT_A_CORPORATE_CUSTOMER');
    if (member.uscc !== null && customer.uscc !== member.uscc) throw badInput('customerId', 'USCC_MISMATCH');
    return customer.id;
  }

  // ---------- exposure ----------

  async exposure(actor: Actor, coreId: string): Promise<ExposureView> {
    const chain = await this.chains.loadChain(actor, coreId, BOTH, MAX_TIER);
    const banked = new Map<string, SupplyChainCompanyEntity>();
    for (const n of chain.nodes) if (n.company.customerId !== null) banked.set(n.company.customerId, n.company);
    const events = await this.events.eventsOfCustomers(
      [...banked.keys()],
      [CustomerEventType.DEPOSIT_BALANCE_SNAPSHOT, CustomerEventType.LOAN_DISBURSED],
    );
    const currency = this.config.defaultCurrency;
    const { deposit, loans } = balancesAndLoans(events.filter((e) => (e.currency ?? currency) === currency));
    const rows = [...banked].map(([customerId, company]) => ({
      company,
      depositMinor: deposit.get(customerId) ?? 0n,
      loansMinor: loans.get(customerId) ?? 0n,
    }));
    const total = (r: { depositMinor: bigint; loansMinor: bigint }): bigint => r.depositMinor + r.loansMinor;
    rows.sort((a, b) =>
      total(a) === total(b) ? a.company.id.localeCompare(b.company.id) : total(a) > total(b) ? -1 : 1,
    );
    return {
      bankedMembers: rows.length,
      depositMinor: rows.reduce((s, r) => s + r.depositMinor, 0n),
      loansMinor: rows.reduce((s, r) => s + r.loansMinor, 0n),
      largest: rows.slice(0, 10),
    };
  }

  // ---------- derived links ----------

  /**
   * Proposes links from payments in the look-back window: PAYMENT_SENT of the core (and of its
   * upstream members) names suppliers, PAYMENT_RECEIVED of the core (and of its downstream members)
   * names buyers. Counterparties already linked, or decided before (confirmed or dismissed), are left out.
   */
  derive(actor: Actor, input: DeriveSupplyChainLinksInput): Promise<DerivedLinkEntity[]> {
    return this.tx.run(async (manager) => {
      const { core, company: coreCompany } = await this.chains.manageableCore(manager, actor, input.coreEnterpriseId);
      const currency = this.config.defaultCurrency;
      const minVolume = input.minVolume ?? { amount: DEFAULT_MIN_VOLUME };
      if ((minVolume.currency ?? currency) !== currency) throw badInput('minVolume.currency', 'CURRENCY_MISMATCH');
      const minVolumeMinor = Money.parse(minVolume.amount, currency, 'minVolume.amount').minor;
      const active = await this.chains.activeLinksOf(manager, core.id);
      const companies = new Map<string, SupplyChainCompanyEntity>();
      for (const c of await manager
        .createQueryBuilder(SupplyChainCompanyEntity, 'c')
        .where('c.id IN (SELECT l.member_company_id FROM sc_links l WHERE l.core_id = :coreId AND l.status = :s)', {
          coreId: core.id,
          s: 'ACTIVE',
        })
        .getMany())
        companies.set(c.id, c);
      companies.set(coreCompany.id, coreCompany);
      // Parents that bank with us, per direction.
      const parents: { companyId: string; customerId: string; direction: ChainDirection }[] = [];
      for (const direction of BOTH) {
        const ids = new Set([
          coreCompany.id,
          ...active.filter((l) => l.direction === (direction as string)).map((l) => l.memberCompanyId),
        ]);
        for (const id of ids) {
          const customerId = companies.get(id)?.customerId;
          if (customerId) parents.push({ companyId: id, customerId, direction });
        }
      }
      const from = new Date(this.clock.now().getTime() - input.lookbackDays * 86_400_000);
      const events = await this.events.eventsOfCustomers(
        [...new Set(parents.map((p) => p.customerId))],
        [CustomerEventType.PAYMENT_SENT, CustomerEventType.PAYMENT_RECEIVED],
        from,
      );
      const usccOfCompany = new Map([...companies.values()].map((c) => [c.id, c.uscc]));
      const existing = new Map(
        (await manager.findBy(DerivedLinkEntity, { coreId: core.id })).map((d) => [
          `${d.direction}:${d.parentCompanyId}:${d.counterpartyUscc}`,
          d,
        ]),
      );
      const now = this.clock.now();
      const inserted: DerivedLinkEntity[] = [];
      for (const parent of parents) {
        const type =
          parent.direction === ChainDirection.UPSTREAM
            ? CustomerEventType.PAYMENT_SENT
            : CustomerEventType.PAYMENT_RECEIVED;
        const payments = events
          .filter(
            (e) =>
              e.customerId === parent.customerId &&
              e.type === (type as string) &&
              e.counterpartyUscc !== null &&
              e.amount !== null &&
              (e.currency ?? currency) === currency,
          )
          .map((e) => ({
            payerCustomerId: e.customerId,
            counterpartyUscc: e.counterpartyUscc as string,
            counterpartyName: e.counterpartyName,
            amountMinor: e.amount as bigint,
          }));
        for (const agg of aboveThresholds(payments, input.minPayments, minVolumeMinor)) {
          // Already a child of this parent in this direction, or would close a cycle: nothing to propose.
          const linked = active.some(
            (l) =>
              l.parentCompanyId === parent.companyId &&
              l.direction === (parent.direction as string) &&
              usccOfCompany.get(l.memberCompanyId) === agg.counterpartyUscc,
          );
          const counterpartyCompany = [...companies.values()].find((c) => c.uscc === agg.counterpartyUscc);
          const cycles =
            counterpartyCompany !== undefined &&
            cyclePath(coreCompany.id, active, parent.companyId, counterpartyCompany.id) !== null;
          if (linked || cycles) continue;
          const key = `${parent.direction}:${parent.companyId}:${agg.counterpartyUscc}`;
          const seen = existing.get(key);
          if (seen) {
            if (seen.status === (CandidateStatus.PROPOSED as string)) {
              await manager.update(
                DerivedLinkEntity,
                { id: seen.id },
                { paymentCount: agg.count, volume: agg.volumeMinor, proposedAt: now },
              );
              Object.assign(seen, { paymentCount: agg.count, volume: agg.volumeMinor, proposedAt: now });
            }
            continue; // dismissed and confirmed candidates are never proposed again
          }
          const candidate: DerivedLinkEntity = {
            id: newId(),
            coreId: core.id,
            parentCompanyId: parent.companyId,
            direction: parent.direction,
            counterpartyUscc: agg.counterpartyUscc,
            counterpartyName: agg.counterpartyName,
            paymentCount: agg.count,
            volume: agg.volumeMinor,
            currency,
            status: CandidateStatus.PROPOSED,
            linkId: null,
            proposedAt: now,
            decidedAt: null,
            decidedBy: null,
          };
          existing.set(key, candidate);
          inserted.push(candidate);
        }
      }
      if (inserted.length > 0) await manager.insert(DerivedLinkEntity, inserted);
      await this.audit.record(manager, actor, {
        action: 'supplyChain.deriveLinks',
        entityType: 'CoreEnterprise',
        entityId: core.id,
        after: {
          minPayments: input.minPayments,
          minVolume: minVolumeMinor,
          lookbackDays: input.lookbackDays,
          proposed: inserted.map((d) => d.id),
        },
      });
      return [...existing.values()]
        .filter((d) => d.status === (CandidateStatus.PROPOSED as string))
        .sort((a, b) => a.id.localeCompare(b.id));
    });
  }

  async derivedLinks(actor: Actor, coreId: string, status?: CandidateStatus): Promise<DerivedLinkEntity[]> {
    const { core } = await this.chains.readableCore(actor, coreId);
    return this.dataSource
      .getRepository(DerivedLinkEntity)
      .find({ where: { coreId: core.id, ...(status ? { status } : {}) }, order: { id: 'ASC' } });
  }

  decideDerived(actor: Actor, id: string, confirm: boolean): Promise<DerivedLinkEntity> {
    return this.tx.run(async (manager) => {
      const before = await manager.findOneBy(DerivedLinkEntity, { id });
      if (!before) throw notFound('DerivedLink', id);
      try {
        await this.chains.manageableCore(manager, actor, before.coreId);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'NOT_FOUND') throw notFound('DerivedLink', id);
        throw error;
      }
      if (before.status !== (CandidateStatus.PROPOSED as string))
        throw conflict('DERIVED_LINK_DECIDED', 'This candidate was already confirmed or dismissed', { field: 'id' });
      let linkId: string | null = null;
      if (confirm) {
        const link = await this.chains.createLinkWithin(
          manager,
          actor,
          {
            coreEnterpriseId: before.coreId,
            parentCompanyId: before.parentCompanyId,
            member: { name: before.counterpartyName ?? before.counterpartyUscc, uscc: before.counterpartyUscc },
            direction: before.direction as ChainDirection,
          },
          LinkSource.DERIVED,
          before.volume,
        );
        linkId = link.id;
      }
      const after: DerivedLinkEntity = {
        ...before,
        status: confirm ? CandidateStatus.CONFIRMED : CandidateStatus.DISMISSED,
        linkId,
        decidedAt: this.clock.now(),
        decidedBy: actor.id,
      };
      const outcome = await manager
        .createQueryBuilder()
        .update(DerivedLinkEntity)
        .set({ status: after.status, linkId, decidedAt: after.decidedAt, decidedBy: actor.id })
        .where('id = :id AND status = :status', { id, status: CandidateStatus.PROPOSED })
        .execute();
      if (outcome.affected !== 1) throw conflict('DERIVED_LINK_DECIDED', 'Decided concurrently', { field: 'id' });
      await this.audit.record(manager, actor, {
        action: confirm ? 'supplyChain.confirmDerivedLink' : 'supplyChain.dismissDerivedLink',
        entityType: 'DerivedLink',
        entityId: id,
        before,
        after,
      });
      return after;
    });
  }

  // ---------- employee banking (代发工资) ----------

  /**
   * Employees are the customers receiving the employer's PAYROLL_CREDIT events (matched on the
   * employer's USCC). Holdings come from events: CARD = card approved or activated, DEPOSIT = latest
   * balance snapshot above zero, WEALTH = fund purchase or insurance premium, LOAN = loan disbursed.
   * New to bank: onboarded on or after the start of the PAYROLL program that credited them.
   */
  async employerBanking(actor: Actor, employerId: string): Promise<EmployerBankingView> {
    const employer = await this.customers.get(actor, employerId);
    if (employer.type !== (CustomerType.CORPORATE as string) || employer.uscc === null)
      throw badInput('employerId', 'NOT_A_CORPORATE_CUSTOMER');
    const credits = await this.events.payrollCreditsOfEmployer(employer.uscc);
    const firstCredit = new Map<string, { programId: string | null }>();
    for (const e of credits)
      if (!firstCredit.has(e.customerId)) firstCredit.set(e.customerId, { programId: e.programId });
    const employees = (await this.customers.findByIds([...firstCredit.keys()])).sort((a, b) =>
      a.id.localeCompare(b.id),
    );
    const ids = employees.map((e) => e.id);
    const events = await this.events.eventsOfCustomers(ids, [
      CustomerEventType.CARD_APPROVED,
      CustomerEventType.CARD_ACTIVATED,
      CustomerEventType.DEPOSIT_BALANCE_SNAPSHOT,
      CustomerEventType.FUND_PURCHASE,
      CustomerEventType.INSURANCE_PREMIUM,
      CustomerEventType.LOAN_DISBURSED,
    ]);
    const holders: Record<ProductClass, Set<string>> = {
      CARD: new Set(),
      DEPOSIT: new Set(),
      WEALTH: new Set(),
      LOAN: new Set(),
    };
    for (const e of events) {
      if (
        e.type === (CustomerEventType.CARD_APPROVED as string) ||
        e.type === (CustomerEventType.CARD_ACTIVATED as string)
      )
        holders.CARD.add(e.customerId);
      else if (
        e.type === (CustomerEventType.FUND_PURCHASE as string) ||
        e.type === (CustomerEventType.INSURANCE_PREMIUM as string)
      )
        holders.WEALTH.add(e.customerId);
      else if (e.type === (CustomerEventType.LOAN_DISBURSED as string)) holders.LOAN.add(e.customerId);
    }
    for (const [customerId, balance] of balancesAndLoans(events).deposit)
      if (balance > 0n) holders.DEPOSIT.add(customerId);
    const programIds = [
      ...new Set([...firstCredit.values()].map((c) => c.programId).filter((p): p is string => p !== null)),
    ];
    const programs = new Map(
      (await this.programs.findProgramsByIds(programIds))
        .filter((p) => p !== null && p.kind === (ProgramKind.PAYROLL as string))
        .map((p) => [p?.id as string, p]),
    );
    const newToBank = employees
      .map((customer) => ({ customer, programId: firstCredit.get(customer.id)?.programId ?? null }))
      .filter(({ customer, programId }) => {
        const program = programId !== null ? programs.get(programId) : undefined;
        return program !== undefined && program !== null && customer.onboardedOn >= program.validFrom;
      });
    return { employerId: employer.id, employees, holders, newToBank };
  }

  shareOf(part: number, total: number): string {
    return share(BigInt(part), BigInt(total));
  }

  maskedName(name: string): string {
    return maskName(name);
  }
}
