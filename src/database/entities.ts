import {
  PartnerComplaintEntity,
  PartnerExternalRatingEntity,
  PartnerScorecardEntity,
  ScorecardWeightSetEntity,
} from '../analytics/scorecards/entities/scorecard.entities';
import { ANALYTICS_ENTITIES } from '../analytics/entities';
import { CommissionAccrualEntity } from '../commissions/entities/commission-accrual.entity';
import { CommissionPeriodEntity, CommissionRunEntity } from '../commissions/entities/commission-period.entity';
import { CommissionPlanEntity, CommissionPlanVersionEntity } from '../commissions/entities/commission-plan.entity';
import { ReferralEntity } from '../referrals/entities/referral.entity';
import { ReferralStatusChangeEntity } from '../referrals/entities/referral-status-change.entity';
import { CardEntity } from '../cards/entities/card.entity';
import {
  SettlementPartnerTermsEntity,
  SettlementStatementEntity,
  SettlementStatementLineEntity,
} from '../settlement/entities/settlement.entities';
import {
  InvoiceEntity,
  PartnerBankAccountEntity,
  PayoutBatchEntity,
  PayoutEntity,
  PayoutFileImportEntity,
  PayoutSignoffEntity,
} from '../settlement/payouts/entities/payout.entities';
import { AttributionEntity, AttributionTouchEntity } from '../attribution/entities/attribution.entity';
import { AuditRecordEntity } from '../audit/entities/audit-record.entity';
import { ApiKeyEntity } from '../auth/entities/api-key.entity';
import { LoginAttemptEntity } from '../auth/entities/login-attempt.entity';
import { RefreshTokenEntity } from '../auth/entities/refresh-token.entity';
import { UserEntity } from '../auth/entities/user.entity';
import { JobEntity } from '../jobs/entities/job.entity';
import { JobReportRowEntity } from '../jobs/entities/job-report-row.entity';
import { CustomerEntity } from '../customers/entities/customer.entity';
import { CustomerEventEntity } from '../customers/entities/customer-event.entity';
import { OrgUnitEntity } from '../org-units/entities/org-unit.entity';
import { AgreementEntity } from '../partners/entities/agreement.entity';
import { PartnerContactEntity } from '../partners/entities/partner-contact.entity';
import { PartnerQualificationEntity } from '../partners/entities/partner-qualification.entity';
import { PartnerEntity } from '../partners/entities/partner.entity';
import { ChannelEntity } from '../channels/entities/channel.entity';
import { CardBinRangeEntity, CoBrandedCardProductEntity } from '../programs/entities/co-branded-card-product.entity';
import { CompliancePolicyRuleEntity } from '../programs/entities/compliance-policy-rule.entity';
import { ProgramRuleVersionEntity } from '../programs/entities/program-rule-version.entity';
import { ProgramEntity } from '../programs/entities/program.entity';

import { CoreEnterpriseEntity } from '../supply-chain/entities/core-enterprise.entity';
import { DerivedLinkEntity } from '../supply-chain/entities/derived-link.entity';
import { ProspectEntity } from '../supply-chain/entities/prospect.entity';
import { SupplyChainCompanyEntity } from '../supply-chain/entities/supply-chain-company.entity';
import { SupplyChainLinkEntity } from '../supply-chain/entities/supply-chain-link.entity';
import { SupplyChainTouchEntity } from '../supply-chain/entities/supply-chain-touch.entity';
import { RECONCILIATION_ENTITIES } from '../settlement/reconciliation/entities/reconciliation.entities';

/** Every entity, listed explicitly (no globs), so the schema check sees exactly what the app maps. */
export const ALL_ENTITIES = [
  OrgUnitEntity,
  UserEntity,
  RefreshTokenEntity,
  ApiKeyEntity,
  LoginAttemptEntity,
  AuditRecordEntity,
  JobEntity,
  PartnerEntity,
  PartnerContactEntity,
  PartnerQualificationEntity,
  AgreementEntity,
  JobReportRowEntity,
  CustomerEntity,
  CustomerEventEntity,
  ProgramEntity,
  ProgramRuleVersionEntity,
  CoBrandedCardProductEntity,
  CardBinRangeEntity,
  CompliancePolicyRuleEntity,
  ChannelEntity,
  SupplyChainCompanyEntity,
  CoreEnterpriseEntity,
  SupplyChainLinkEntity,
  DerivedLinkEntity,
  ProspectEntity,
  SupplyChainTouchEntity,
  CommissionPlanEntity,
  CommissionPlanVersionEntity,
  CommissionPeriodEntity,
  CommissionRunEntity,
  CommissionAccrualEntity,
  ReferralEntity,
  ReferralStatusChangeEntity,
  CardEntity,
  AttributionEntity,
  AttributionTouchEntity,
  SettlementPartnerTermsEntity,
  SettlementStatementEntity,
  SettlementStatementLineEntity,
  ...RECONCILIATION_ENTITIES,
  PartnerBankAccountEntity,
  InvoiceEntity,
  PayoutBatchEntity,
  PayoutEntity,
  PayoutSignoffEntity,
  PayoutFileImportEntity,
  ...ANALYTICS_ENTITIES,
  ScorecardWeightSetEntity,
  PartnerScorecardEntity,
  PartnerComplaintEntity,
  PartnerExternalRatingEntity,
];
