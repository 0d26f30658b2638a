import { Module } from '@nestjs/common';
import { CommissionsModule } from '../commissions/commissions.module';
import { CustomersModule } from '../customers/customers.module';
import { PartnersModule } from '../partners/partners.module';
import { ProgramsModule } from '../programs/programs.module';
import { SupplyChainModule } from '../supply-chain/supply-chain.module';
import {
  AttributionMutationsResolver,
  CustomerAttributionResolver,
  PartnerBroughtInResolver,
  ProgramBroughtInResolver,
} from './attribution.resolver';
import { AttributionService } from './attribution.service';
import { ReferralsModule } from '../referrals/referrals.module';
import { ReferralsService } from '../referrals/referrals.service';
import { ReferralQualifiedFactSource } from './referral-fact-source';
import { REFERRAL_PORT } from './referral-port';

/** The attribution engine and qualification; referral touches and outcomes go through ReferralsService. */
@Module({
  imports: [CustomersModule, PartnersModule, ProgramsModule, SupplyChainModule, ReferralsModule, CommissionsModule],
  providers: [
    { provide: REFERRAL_PORT, useExisting: ReferralsService },
    AttributionService,
    ReferralQualifiedFactSource,
    CustomerAttributionResolver,
    PartnerBroughtInResolver,
    ProgramBroughtInResolver,
    AttributionMutationsResolver,
  ],
  exports: [AttributionService],
})
export class AttributionModule {}
