import { Module } from '@nestjs/common';
import { CommissionsModule } from '../commissions/commissions.module';
import { PartnersModule } from '../partners/partners.module';
import { PayoutFileController } from './payouts/payout-file.controller';
import { PayoutBatchesResolver, PayoutSetupResolver } from './payouts/payouts.resolver';
import { PayoutsService } from './payouts/payouts.service';
import { ReconciliationResolver } from './reconciliation/reconciliation.resolver';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { StatementsResolver } from './settlement.resolver';
import { SettlementService } from './settlement.service';
import { StatementExportController } from './statement-export.controller';

/**
 * Settlement (first slice): partner tax terms, statements per partner per period with four-eyes
 * approval, the period moves UNDER_REVIEW → APPROVED → CLOSED, and CSV/XLSX statement downloads.
 */
@Module({
  imports: [PartnersModule, CommissionsModule],
  controllers: [StatementExportController, PayoutFileController],
  providers: [
    SettlementService,
    StatementsResolver,
    PayoutsService,
    PayoutBatchesResolver,
    PayoutSetupResolver,
    ReconciliationService,
    ReconciliationResolver,
  ],
  exports: [SettlementService],
})
export class SettlementModule {}
