import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CommissionFactSource, CommissionFactSources } from '../commissions/fact-sources';
import { Period, QualifyingFact } from '../commissions/rules';
import { chunk } from '../graphql/loaders';
import { AttributionTouchEntity } from './entities/attribution.entity';

/**
 * Commission facts of kind REFERRAL_QUALIFIED: a referral that won an attribution and whose program's
 * qualification rule was met in the period (one fact per referral, at its earliest qualification).
 */
@Injectable()
export class ReferralQualifiedFactSource implements CommissionFactSource, OnModuleInit {
  readonly name = 'referral-qualified';

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: CommissionFactSources,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async factsFor(partnerIds: readonly string[], period: Period): Promise<QualifyingFact[]> {
    const best = new Map<string, AttributionTouchEntity>();
    for (const part of chunk([...new Set(partnerIds)])) {
      const rows = await this.dataSource
        .getRepository(AttributionTouchEntity)
        .createQueryBuilder('t')
        .where('t.partnerId IN (:...part)', { part })
        .andWhere('t.source = :source AND t.outcome = :won AND t.qualificationStatus = :q', {
          source: 'REFERRAL',
          won: 'WON',
          q: 'QUALIFIED',
        })
        .andWhere('t.qualifiedOn >= :from AND t.qualifiedOn <= :to', { from: period.from, to: period.to })
        .getMany();
      for (const row of rows) {
        if (!row.referralId || !row.qualifiedAt || !row.qualifiedOn) continue;
        const seen = best.get(row.referralId);
        if (!seen || (seen.qualifiedAt as Date).getTime() > row.qualifiedAt.getTime()) best.set(row.referralId, row);
      }
    }
    return [...best.values()]
      .sort((a, b) => (a.referralId as string).localeCompare(b.referralId as string))
      .map((t) => ({
        sourceId: t.referralId as string,
        kind: 'REFERRAL_QUALIFIED' as const,
        referralId: t.referralId as string,
        customerId: t.customerId,
        partnerId: t.partnerId,
        programId: t.programId,
        occurredAt: t.qualifiedAt as Date,
        businessDate: t.qualifiedOn as string,
      }));
  }
}
