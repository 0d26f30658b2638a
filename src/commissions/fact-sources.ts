import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Money } from '../common/money';
import { CustomerEventEntity } from '../customers/entities/customer-event.entity';
import { chunk } from '../graphql/loaders';
import { ProgramsService } from '../programs/programs.service';
import { CLAWBACK_EVENT_TYPES, ClawbackFact, Period, QualifyingFact } from './rules';

/**
 * Where qualifying facts come from. The calculation asks every registered source for the facts of
 * some partners in one period and merges them (source ids must be unique across sources).
 */
export interface CommissionFactSource {
  readonly name: string;
  factsFor(partnerIds: readonly string[], period: Period): Promise<QualifyingFact[]>;
  /**
   * How many facts factsFor would return per partner (partners without facts may be left out). A run sizes
   * its batches by it; a source without it is taken to hold few facts per partner.
   */
  countsFor?(partnerIds: readonly string[], period: Period): Promise<Map<string, number>>;
}

/**
 * The registration point: the attribution module adds its referral-QUALIFIED source with
 * `factSources.register(source)` (e.g. in its onModuleInit); CommissionsModule exports this class.
 */
@Injectable()
export class CommissionFactSources {
  private readonly sources: CommissionFactSource[] = [];

  register(source: CommissionFactSource): () => void {
    if (this.sources.some((s) => s.name === source.name))
      throw new Error(`fact source ${source.name} registered twice`);
    this.sources.push(source);
    return () => {
      const at = this.sources.indexOf(source);
      if (at >= 0) this.sources.splice(at, 1);
    };
  }

  all(): readonly CommissionFactSource[] {
    return this.sources;
  }

  async factsFor(partnerIds: readonly string[], period: Period): Promise<QualifyingFact[]> {
    const out: QualifyingFact[] = [];
    for (const source of this.sources) out.push(...(await source.factsFor(partnerIds, period)));
    return out;
  }

  /** Facts per partner in one period, summed over the sources that can count them. */
  async countsFor(partnerIds: readonly string[], period: Period): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const source of this.sources) {
      if (!source.countsFor) continue;
      for (const [partnerId, n] of await source.countsFor(partnerIds, period))
        out.set(partnerId, (out.get(partnerId) ?? 0) + n);
    }
    return out;
  }
}

interface RawEvent {
  id: string;
  customerId: string;
  type: string;
  occurredAt: Date | string;
  businessDate: string;
  productCode: string | null;
  programId: string;
  merchantCategory: string | null;
  amount: string | number | null;
  currency: string | null;
}

function instant(v: Date | string): Date {
  if (v instanceof Date) return v;
  // SQLite returns 'YYYY-MM-DD HH:MM:SS.mmm' in UTC.
  return new Date(/Z$|[+-]\d\d:\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`);
}

/**
 * Facts from customer events that carry a programId: the event's program decides the partner.
 * Reads customer_events directly (read-only, selected columns) so a run over a million events does not
 * hydrate entities. Card level is not on the event (it belongs to the card product): rules with a
 * card-level condition match only facts of other sources.
 */
@Injectable()
export class CustomerEventFactSource implements CommissionFactSource, OnModuleInit {
  readonly name = 'customer-events';

  constructor(
    private readonly dataSource: DataSource,
    private readonly programs: ProgramsService,
    private readonly registry: CommissionFactSources,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async factsFor(partnerIds: readonly string[], period: Period): Promise<QualifyingFact[]> {
    const programs = await this.programs.programsOfPartners(partnerIds);
    const partnerOf = new Map(programs.map((p) => [p.id, p.partnerId]));
    const out: QualifyingFact[] = [];
    for (const part of chunk([...partnerOf.keys()])) {
      const rows = await this.dataSource
        .getRepository(CustomerEventEntity)
        .createQueryBuilder('e')
        .select([
          'e.id AS "id"',
          'e.customer_id AS "customerId"',
          'e.type AS "type"',
          'e.occurred_at AS "occurredAt"',
          'e.business_date AS "businessDate"',
          'e.product_code AS "productCode"',
          'e.program_id AS "programId"',
          'e.merchant_category AS "merchantCategory"',
          'e.amount AS "amount"',
          'e.currency AS "currency"',
        ])
        .where('e.program_id IN (:...ids)', { ids: part })
        .andWhere('e.business_date >= :from AND e.business_date <= :to', { from: period.from, to: period.to })
        .getRawMany<RawEvent>();
      for (const r of rows) {
        const partnerId = partnerOf.get(r.programId);
        if (!partnerId) continue;
        out.push({
          sourceId: r.id,
          kind: 'EVENT',
          eventType: r.type,
          customerId: r.customerId,
          partnerId,
          programId: r.programId,
          occurredAt: instant(r.occurredAt),
          businessDate: r.businessDate,
          ...(r.amount !== null && r.currency ? { amount: Money.ofMinor(BigInt(r.amount), r.currency) } : {}),
          ...(r.productCode ? { productCode: r.productCode } : {}),
          ...(r.merchantCategory ? { merchantCategory: r.merchantCategory } : {}),
        });
      }
    }
    return out;
  }

  /** What factsFor would return per partner, counted by the database (no rows read out). */
  async countsFor(partnerIds: readonly string[], period: Period): Promise<Map<string, number>> {
    const programs = await this.programs.programsOfPartners(partnerIds);
    const partnerOf = new Map(programs.map((p) => [p.id, p.partnerId]));
    const out = new Map<string, number>();
    for (const part of chunk([...partnerOf.keys()])) {
      const rows = await this.dataSource
        .getRepository(CustomerEventEntity)
        .createQueryBuilder('e')
        .select('e.program_id', 'programId')
        .addSelect('COUNT(*)', 'n')
        .where('e.program_id IN (:...ids)', { ids: part })
        .andWhere('e.business_date >= :from AND e.business_date <= :to', { from: period.from, to: period.to })
        .groupBy('e.program_id')
        .getRawMany<{ programId: string; n: string | number }>();
      for (const r of rows) {
        const partnerId = partnerOf.get(r.programId);
        if (partnerId) out.set(partnerId, (out.get(partnerId) ?? 0) + Number(r.n));
      }
    }
    return out;
  }

  /** CARD_CLOSED / ACCOUNT_CLOSED / DELINQUENT events of these customers on or after `from`, up to `to`. */
  async clawbackFactsFor(customerIds: readonly string[], from: string, to: string): Promise<ClawbackFact[]> {
    const out: ClawbackFact[] = [];
    for (const part of chunk([...new Set(customerIds)])) {
      const rows = await this.dataSource
        .getRepository(CustomerEventEntity)
        .createQueryBuilder('e')
        .select(['e.customer_id AS "customerId"', 'e.type AS "eventType"', 'e.business_date AS "businessDate"'])
        .where('e.customer_id IN (:...ids)', { ids: part })
        .andWhere('e.type IN (:...types)', { types: [...CLAWBACK_EVENT_TYPES] })
        .andWhere('e.business_date >= :from AND e.business_date <= :to', { from, to })
        .getRawMany<ClawbackFact>();
      out.push(...rows);
    }
    return out;
  }
}
