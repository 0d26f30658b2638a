import { Money } from '../common/money';
import { MoneyModel } from '../graphql/scalars';
import { PartnerKind } from '../partners/partner.enums';
import { CustomerEventType } from './customer-event-type';
import { CoBrandedCardProductEntity } from './entities/co-branded-card-product.entity';
import { CompliancePolicyRuleEntity } from './entities/compliance-policy-rule.entity';
import { ProgramRuleVersionEntity } from './entities/program-rule-version.entity';
import { ProgramEntity } from './entities/program.entity';
import {
  AttributionRuleVersion,
  CoBrandedCardProduct,
  CompliancePolicyRule,
  Program,
  QualificationRuleVersion,
} from './models/program.model';
import { CardLevel, EconomicsCategory, ProgramKind, ProgramStatus, RewardsFunding } from './program.enums';
import { parseAttributionRule, parseQualificationRule } from './rules/program-rules';

function money(minor: string | bigint | null, currency: string): MoneyModel | null {
  return minor === null ? null : MoneyModel.of(Money.ofMinor(minor, currency));
}

export function toProgram(e: ProgramEntity): Program {
  return {
    id: e.id,
    partnerId: e.partnerId,
    agreementId: e.agreementId,
    kind: e.kind as ProgramKind,
    nameZh: e.nameZh,
    nameEn: e.nameEn,
    ownerId: e.ownerId,
    orgUnitId: e.orgUnitId,
    validFrom: e.validFrom,
    validTo: e.validTo,
    status: e.status as ProgramStatus,
    targets: e.targets.map((t) => ({
      period: t.period,
      newCustomers: t.newCustomers,
      activations: t.activations,
      spend: money(t.spendMinor, e.currency),
      aum: money(t.aumMinor, e.currency),
    })),
    budget: money(e.budgetMinor, e.currency),
    version: e.version,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

export function toAttributionVersion(e: ProgramRuleVersionEntity): AttributionRuleVersion {
  const rule = parseAttributionRule(e.body);
  return { version: e.version, effectiveFrom: e.effectiveFrom, createdAt: e.createdAt, ...rule };
}

export function toQualificationVersion(e: ProgramRuleVersionEntity): QualificationRuleVersion {
  const rule = parseQualificationRule(e.body);
  return {
    version: e.version,
    effectiveFrom: e.effectiveFrom,
    createdAt: e.createdAt,
    withinDays: rule.withinDays,
    all: rule.all.map((c) => ({
      eventType: c.eventType,
      measure: c.measure,
      operator: c.operator,
      count: c.threshold.kind === 'COUNT' ? c.threshold.count : null,
      amount: c.threshold.kind === 'AMOUNT' ? MoneyModel.of(c.threshold.amount) : null,
    })),
  };
}

export function toProduct(e: CoBrandedCardProductEntity, binPrefixes: readonly string[]): CoBrandedCardProduct {
  return {
    id: e.id,
    programId: e.programId,
    productName: e.productName,
    level: e.level as CardLevel,
    binPrefixes: [...binPrefixes].sort(),
    annualFee: MoneyModel.of(Money.ofMinor(e.annualFeeMinor, e.currency)),
    feeWaiver: e.feeWaiver
      ? {
          spendCountAtLeast: e.feeWaiver.spendCountAtLeast,
          spendAmountAtLeast: money(e.feeWaiver.spendAmountAtLeastMinor, e.currency),
          withinDays: e.feeWaiver.withinDays,
        }
      : null,
    earnRate: e.earnRate,
    funding: e.funding as RewardsFunding,
    partnerShare: e.partnerShare,
    economics: e.economics.map((l) => ({
      category: l.category as EconomicsCategory,
      description: l.description,
      amount: money(l.amountMinor, e.currency),
      rate: l.rate,
      trigger: l.trigger as CustomerEventType | null,
    })),
    version: e.version,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

export function toPolicyRule(e: CompliancePolicyRuleEntity): CompliancePolicyRule {
  return {
    id: e.id,
    code: e.code,
    category: e.category as EconomicsCategory,
    partnerKind: e.partnerKind as PartnerKind | null,
    reason: e.reason,
    createdAt: e.createdAt,
  };
}
