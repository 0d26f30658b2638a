import { Module, OnModuleInit } from '@nestjs/common';
import { JobsModule } from '../../jobs/jobs.module';
import { JobHandlerRegistry } from '../../jobs/queue/job-handlers';
import { JobQueueModule } from '../../jobs/queue/job-queue.module';
import { PartnersModule } from '../../partners/partners.module';
import { PARTNER_SCORECARDS_JOB } from './scorecard.enums';
import { PartnerScorecardFieldResolver, PartnerScorecardsResolver } from './scorecards.resolver';
import { ScorecardsService } from './scorecards.service';

/**
 * Partner scorecards (合作机构评价, issue 8 item 4): weight sets (direct or AHP) with tier thresholds, complaints
 * and external ratings, the per-period calculation job over the raw source tables, and scoped reads
 * (`partnerScorecards`, `Partner.scorecard`). The pure scoring lives in `../rules/scorecard.ts`.
 */
@Module({
  imports: [PartnersModule, JobsModule, JobQueueModule],
  providers: [ScorecardsService, PartnerScorecardsResolver, PartnerScorecardFieldResolver],
  exports: [ScorecardsService],
})
export class ScorecardsModule implements OnModuleInit {
  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly service: ScorecardsService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(PARTNER_SCORECARDS_JOB, () => (ctx) => this.service.executeCalculation(ctx));
  }
}
