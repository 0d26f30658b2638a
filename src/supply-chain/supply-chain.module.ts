import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { PartnersModule } from '../partners/partners.module';
import { ProgramsModule } from '../programs/programs.module';
import { SupplyChainInsightsService } from './supply-chain-insights.service';
import { SupplyChainResolver } from './supply-chain.resolver';
import { SupplyChainService } from './supply-chain.service';

@Module({
  imports: [PartnersModule, ProgramsModule, CustomersModule],
  providers: [SupplyChainService, SupplyChainInsightsService, SupplyChainResolver],
  exports: [SupplyChainService, SupplyChainInsightsService],
})
export class SupplyChainModule {}
