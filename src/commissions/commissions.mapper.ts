import { Money } from '../common/money';
import { JobEntity } from '../jobs/entities/job.entity';
import { JobStatus } from '../jobs/job.enums';
import { MoneyModel } from '../graphql/scalars';
import { AccrualKind, AccrualStatus, PlanStatus } from './commission.enums';
import { CommissionAccrualEntity } from './entities/commission-accrual.entity';
import { CommissionPeriodEntity, CommissionRunEntity } from './entities/commission-period.entity';
import { CommissionPlanEntity, CommissionPlanVersionEntity } from './entities/commission-plan.entity';
import {
  Accrual,
  AccrualSource,
  CommissionPeriod,
  CommissionPlan,
  CommissionPlanVersion,
  CommissionRun,
  CommissionSimulation,
} from './models/commission.models';
import { decodePlanBody } from './plan-codec';
import { CalculationResult } from './rules';

export function toPlan(e: CommissionPlanEntity): CommissionPlan {
  return {
    id: e.id,
    partnerId: e.partnerId,
    programId: e.programId,
    name: e.name,
    status: e.status as PlanStatus,
    version: e.version,
    createdAt: e.createdAt,
  };
}

export function toPlanVersionModel(e: CommissionPlanVersionEntity): CommissionPlanVersion {
  const body = decodePlanBody(e.body);
  return {
    id: e.id,
    version: e.versionNumber,
    effectiveFrom: e.effectiveFrom,
    rulesJson: e.body,
    ruleIds: body.rules.map((r) => r.id),
    minimumPayablePerStatement: body.minimumPayablePerStatement ? MoneyModel.of(body.minimumPayablePerStatement) : null,
    createdAt: e.createdAt,
  };
}

export function toPeriod(e: CommissionPeriodEntity): CommissionPeriod {
  return {
    id: e.id,
    key: e.periodKey,
    from: e.fromDate,
    to: e.toDate,
    status: e.status,
    calculatedAt: e.calculatedAt,
  };
}

export function toRun(run: CommissionRunEntity, job: JobEntity): CommissionRun {
  return {
    id: run.id,
    jobId: run.jobId,
    periodId: run.periodId,
    partnerIds: run.partnerIds,
    asOf: run.asOf,
    status: job.status as JobStatus,
    processed: job.processed,
    total: job.total,
    linesAdded: run.linesAdded,
    contentHash: run.contentHash,
    error: job.error,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
  };
}

export function sourcesOf(e: CommissionAccrualEntity): AccrualSource[] {
  return e.sourceIds.map((id, i) => ({ kind: i === 0 ? e.sourceKind : 'REFERRAL', id }));
}

/** `status` is resolved separately (it depends on related rows and today). */
export function toAccrual(e: CommissionAccrualEntity): Omit<Accrual, 'status'> & { status?: AccrualStatus } {
  return {
    id: e.id,
    ledgerKey: e.ledgerKey,
    idempotencyKey: e.idempotencyKey,
    accrualKey: e.accrualKey,
    revision: e.revision,
    reversal: e.reversal,
    kind: e.kind as AccrualKind,
    partnerId: e.partnerId,
    programId: e.programId,
    planId: e.planId,
    planVersion: e.planVersion,
    ruleId: e.ruleId,
    customerId: e.customerId,
    periodId: e.periodId,
    factPeriodKey: e.factPeriodKey,
    businessDate: e.businessDate,
    sources: sourcesOf(e),
    basisAmount:
      e.basisAmount !== null && e.basisCurrency ? MoneyModel.of(Money.ofMinor(e.basisAmount, e.basisCurrency)) : null,
    rateOrTier: e.rateOrTier,
    amount: MoneyModel.of(Money.ofMinor(e.amount, e.currency)),
    payableOn: e.payableOn,
    feeCategory: e.feeCategory,
    explanation: e.explanation,
    createdAt: e.createdAt,
  };
}

export function toSimulation(results: readonly CalculationResult[]): CommissionSimulation {
  const lines = results.flatMap((r) =>
    r.lines.map((l) => ({
      periodKey: l.periodKey,
      ruleId: l.ruleId,
      kind: l.kind as AccrualKind,
      sourceIds: [...l.sourceIds],
      customerId: l.customerId,
      businessDate: l.businessDate,
      basisAmount: l.basisAmount ? MoneyModel.of(l.basisAmount) : null,
      rateOrTier: l.rateOrTier,
      amount: MoneyModel.of(l.amount),
      status: l.status as AccrualStatus,
      payableOn: l.payableOn,
      explanation: l.explanation,
    })),
  );
  const sums = new Map<string, bigint>();
  for (const r of results) for (const t of r.totals) sums.set(t.currency, (sums.get(t.currency) ?? 0n) + t.minor);
  return {
    lines,
    totals: [...sums.keys()].sort().map((c) => MoneyModel.of(Money.ofMinor(sums.get(c) ?? 0n, c))),
  };
}
