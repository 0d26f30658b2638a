import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { CustomerEventsService } from '../customers/customer-events.service';
import { CustomersModule } from '../customers/customers.module';
import { JobsModule } from '../jobs/jobs.module';
import { JobHandlerRegistry } from '../jobs/queue/job-handlers';
import { JobQueueModule } from '../jobs/queue/job-queue.module';
import { PartnersModule } from '../partners/partners.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { ReferralsService } from '../referrals/referrals.service';
import { AnalyticsMaintenanceService } from './analytics-maintenance.service';
import { AnalyticsReportsService } from './analytics-reports.service';
import { AnalyticsResolver } from './analytics.resolver';

export const ANALYTICS_CATCH_UP_JOB = 'ANALYTICS_CATCH_UP';

/**
 * Roll-ups and reports (issue 8, without scorecards). The sources never depend on analytics: customer events and
 * referrals are queued in the outbox inside their writing transactions (CustomerEventsService.onRecording,
 * ReferralsService.onWriting); events trigger a drain after commit (onRecorded). Referrals and the commission
 * ledger are caught up periodically (ANALYTICS_CATCH_UP_INTERVAL_MS), by the ANALYTICS_CATCH_UP job (BullMQ
 * workers too), and before every report reads — so a report always sees what was committed before it.
 */
@Module({
  imports: [PartnersModule, CustomersModule, ReferralsModule, JobsModule, JobQueueModule],
  providers: [AnalyticsMaintenanceService, AnalyticsReportsService, AnalyticsResolver],
  exports: [AnalyticsMaintenanceService, AnalyticsReportsService],
})
export class AnalyticsModule implements OnModuleInit {
  private readonly logger = new Logger('Analytics');

  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly maintenance: AnalyticsMaintenanceService,
    private readonly events: CustomerEventsService,
    private readonly referrals: ReferralsService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(ANALYTICS_CATCH_UP_JOB, () => async () => {
      const caught = await this.maintenance.catchUpAll();
      await this.maintenance.pruneLedger();
      return caught;
    });
    this.events.onRecording((manager, accepted) =>
      this.maintenance.enqueue(
        manager,
        'EVENT',
        accepted.map((e) => e.id),
      ),
    );
    this.referrals.onWriting((manager, referralIds) => this.maintenance.enqueue(manager, 'REFERRAL', referralIds));
    // Not awaited: the recording returns while its events are rolled up (reports catch up before reading, and a
    // burst of recordings shares one queued drain).
    const drain = (): void => {
      this.maintenance
        .catchUp('EVENT')
        .catch((error: unknown) => this.logger.error({ err: error }, 'event roll-up failed'));
    };
    // A bulk import's batches wait for its end: draining alongside would only compete with the import.
    this.events.onRecorded((recorded) => {
      if (!recorded.bulk) drain();
    });
    this.events.onBulkFinished(drain);
  }
}
