import { JobEntity } from '../../jobs/entities/job.entity';
import { JobStatus } from '../../jobs/job.enums';
import { Job } from '../../jobs/models/job.model';
import { PartnerTier } from '../../partners/partner.enums';
import { SUB_INDICATORS } from '../rules/scorecard';
import {
  PartnerComplaintEntity,
  PartnerExternalRatingEntity,
  PartnerScorecardEntity,
  ScorecardWeightSetEntity,
} from './entities/scorecard.entities';
import {
  PartnerComplaint,
  PartnerExternalRating,
  PartnerScorecard,
  ScorecardWeightSet,
} from './models/scorecard.models';
import { ComplaintCategory, ScorecardDimensionEnum, ScorecardWeightMode } from './scorecard.enums';
import { weightsOf } from './scorecards.service';

export function toScorecard(e: PartnerScorecardEntity): PartnerScorecard {
  return {
    id: e.id,
    periodId: e.periodId,
    partnerId: e.partnerId,
    rank: e.rank,
    tier: e.tier as PartnerTier,
    composite: e.composite,
    scores: {
      contribution: e.contributionScore,
      risk: e.riskScore,
      reputation: e.reputationScore,
      relatedness: e.relatednessScore,
    },
    // In the order of the definitions, not of the stored JSON.
    indicators: SUB_INDICATORS.filter((def) => e.indicators[def.key] !== undefined).map((def) => ({
      key: def.key,
      dimension: def.dimension.toUpperCase() as ScorecardDimensionEnum,
      higherIsBetter: def.higherIsBetter,
      raw: e.indicators[def.key]?.raw ?? '0',
      score: e.indicators[def.key]?.score ?? '0',
    })),
    populationSize: e.populationSize,
    weightSetId: e.weightSetId,
    computedAt: e.computedAt,
  };
}

export function toWeightSet(
  e: Omit<ScorecardWeightSetEntity, 'id' | 'createdAt'> & { id: string | null; createdAt?: Date },
): ScorecardWeightSet {
  return {
    id: e.id,
    effectiveFrom: e.effectiveFrom,
    mode: e.mode as ScorecardWeightMode,
    weights: weightsOf(e),
    ahpMatrix: e.ahpMatrix,
    consistencyRatio: e.consistencyRatio,
    lambdaMax: e.lambdaMax,
    thresholds: { strategic: e.thresholdStrategic, core: e.thresholdCore, general: e.thresholdGeneral },
    valuation: {
      interchangeRate: e.interchangeRate,
      agencyFeeRate: e.agencyFeeRate,
      balanceMarginRate: e.balanceMarginRate,
    },
    earlyClosureDays: e.earlyClosureDays,
    note: e.note,
    createdById: e.createdById,
    createdAt: e.createdAt ?? null,
  };
}

export function toComplaint(e: PartnerComplaintEntity): PartnerComplaint {
  return {
    id: e.id,
    partnerId: e.partnerId,
    receivedOn: e.receivedOn,
    category: e.category as ComplaintCategory,
    summary: e.summary,
    createdAt: e.createdAt,
  };
}

export function toExternalRating(e: PartnerExternalRatingEntity): PartnerExternalRating {
  return {
    id: e.id,
    partnerId: e.partnerId,
    rating: e.rating,
    agency: e.agency,
    ratedOn: e.ratedOn,
    createdAt: e.createdAt,
  };
}

export function toJobModel(e: JobEntity): Job {
  return {
    id: e.id,
    type: e.type,
    status: e.status as JobStatus,
    processed: e.processed,
    total: e.total,
    result: e.result,
    error: e.error,
    createdAt: e.createdAt,
    startedAt: e.startedAt,
    finishedAt: e.finishedAt,
  };
}
