import { Column, Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import { CommissionPeriodEntity } from '../../../commissions/entities/commission-period.entity';
import {
  BusinessDateColumn,
  IdColumn,
  InstantColumn,
  JsonColumn,
  RateColumn,
  RefColumn,
  VarcharColumn,
} from '../../../database/columns';
import { PartnerEntity } from '../../../partners/entities/partner.entity';
import type { SubIndicatorValue } from '../../rules/scorecard';

/**
 * 评价权重: one row per setScorecardWeights call, never edited. The set in force for a period is the one with
 * the latest effectiveFrom ≤ the period key (the latest written wins among equals). Besides the weights and
 * tier thresholds it holds the two parameters the indicators need (valuation rates of the contribution
 * dimension, the early-closure window of the risk dimension), so a stored scorecard can be explained from
 * the set it names.
 */
@Entity({ name: 'scorecard_weight_sets' })
@Index('ix_scorecard_weight_sets_effective', ['effectiveFrom'])
export class ScorecardWeightSetEntity {
  @IdColumn() id!: string;
  /** Period key 'YYYY-MM'. */
  @VarcharColumn(7) effectiveFrom!: string;
  /** DIRECT or AHP. */
  @VarcharColumn(8) mode!: string;
  @RateColumn() weightContribution!: string;
  @RateColumn() weightRisk!: string;
  @RateColumn() weightReputation!: string;
  @RateColumn() weightRelatedness!: string;
  /** AHP only: the 4×4 pairwise matrix as entered (strings), ordered contribution, risk, reputation, relatedness. */
  @JsonColumn({ nullable: true }) ahpMatrix!: string[][] | null;
  @RateColumn({ nullable: true }) consistencyRatio!: string | null;
  @RateColumn({ nullable: true }) lambdaMax!: string | null;
  @RateColumn() thresholdStrategic!: string;
  @RateColumn() thresholdCore!: string;
  @RateColumn() thresholdGeneral!: string;
  @RateColumn() interchangeRate!: string;
  @RateColumn() agencyFeeRate!: string;
  @RateColumn() balanceMarginRate!: string;
  @Column({ type: 'integer' }) earlyClosureDays!: number;
  @VarcharColumn(500, { nullable: true }) note!: string | null;
  @RefColumn({ nullable: true }) createdById!: string | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
}

/** 合作机构评价结果: one row per (period, partner), replaced as a whole when the period is recomputed. */
@Entity({ name: 'partner_scorecards' })
@Index('uq_partner_scorecards_period_partner', ['periodId', 'partnerId'], { unique: true })
@Index('uq_partner_scorecards_period_rank', ['periodId', 'rank'], { unique: true })
@Index('ix_partner_scorecards_partner', ['partnerId'])
@Index('ix_partner_scorecards_weight_set', ['weightSetId'])
export class PartnerScorecardEntity {
  @IdColumn() id!: string;
  @RefColumn() periodId!: string;
  @ManyToOne(() => CommissionPeriodEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'period_id', foreignKeyConstraintName: 'fk_partner_scorecards_period' })
  period?: CommissionPeriodEntity;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_partner_scorecards_partner' })
  partner?: PartnerEntity;
  @RefColumn() weightSetId!: string;
  @ManyToOne(() => ScorecardWeightSetEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'weight_set_id', foreignKeyConstraintName: 'fk_partner_scorecards_weight_set' })
  weightSet?: ScorecardWeightSetEntity;
  @Column({ type: 'integer' }) rank!: number;
  @VarcharColumn(12) tier!: string;
  @RateColumn() composite!: string;
  @RateColumn() contributionScore!: string;
  @RateColumn() riskScore!: string;
  @RateColumn() reputationScore!: string;
  @RateColumn() relatednessScore!: string;
  /** { [subIndicatorKey]: { raw, score } } as scorePartners returned it. */
  @JsonColumn() indicators!: Record<string, SubIndicatorValue>;
  /** How many partners were scored together (the min-max population). */
  @Column({ type: 'integer' }) populationSize!: number;
  @InstantColumn() computedAt!: Date;
}

/** 投诉: a complaint recorded against a partner (reputation dimension, P3). */
@Entity({ name: 'partner_complaints' })
@Index('ix_partner_complaints_partner_date', ['partnerId', 'receivedOn'])
export class PartnerComplaintEntity {
  @IdColumn() id!: string;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_partner_complaints_partner' })
  partner?: PartnerEntity;
  @BusinessDateColumn() receivedOn!: string;
  @VarcharColumn(24) category!: string;
  @VarcharColumn(1000) summary!: string;
  @RefColumn({ nullable: true }) recordedById!: string | null;
  @InstantColumn() createdAt!: Date;
}

/** 外部评级: a partner's external (credit/brand) rating as of a date; the latest ≤ the period end is used (P2). */
@Entity({ name: 'partner_external_ratings' })
@Index('uq_partner_external_ratings_date', ['partnerId', 'ratedOn'], { unique: true })
export class PartnerExternalRatingEntity {
  @IdColumn() id!: string;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_partner_external_ratings_partner' })
  partner?: PartnerEntity;
  @VarcharColumn(8) rating!: string;
  @VarcharColumn(100) agency!: string;
  @BusinessDateColumn() ratedOn!: string;
  @RefColumn({ nullable: true }) recordedById!: string | null;
  @InstantColumn() createdAt!: Date;
}
