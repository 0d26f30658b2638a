import { Type } from '@nestjs/common';
import { AnalyticsModule } from './analytics/analytics.module';
import { CardsModule } from './cards/cards.module';
import { SettlementModule } from './settlement/settlement.module';
import { ReferralsModule } from './referrals/referrals.module';
import { AttributionModule } from './attribution/attribution.module';
import { CommissionsModule } from './commissions/commissions.module';
import { CustomersModule } from './customers/customers.module';
import { JobsModule } from './jobs/jobs.module';
import { ChannelsModule } from './channels/channels.module';
import { ProgramsModule } from './programs/programs.module';
import { SupplyChainModule } from './supply-chain/supply-chain.module';
import { ScorecardsModule } from './analytics/scorecards/scorecards.module';

/**
 * Domain modules beyond the foundation, registered in one list so each issue adds one line.
 * (partners, org units, auth and audit are wired in app.module.ts.)
 */
export const FEATURE_MODULES: Type<unknown>[] = [
  ProgramsModule,
  ChannelsModule,
  JobsModule,
  CustomersModule,
  SupplyChainModule,
  CommissionsModule,
  AttributionModule,
  ReferralsModule,
  CardsModule,
  SettlementModule,
  AnalyticsModule,
  ScorecardsModule,
];
