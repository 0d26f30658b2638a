import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { PartnersModule } from '../partners/partners.module';
import { ProgramsModule } from '../programs/programs.module';
import { ReferralImportsController } from './referral-imports.controller';
import { ReferralImportsService } from './referral-imports.service';
import { ReferralsResolver } from './referrals.resolver';
import { ReferralsService } from './referrals.service';

@Module({
  imports: [PartnersModule, ProgramsModule, JobsModule],
  controllers: [ReferralImportsController],
  providers: [ReferralsService, ReferralImportsService, ReferralsResolver],
  exports: [ReferralsService, ReferralImportsService],
})
export class ReferralsModule {}
