import { Module, OnModuleInit } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { JobsModule } from '../jobs/jobs.module';
import { JobHandlerRegistry } from '../jobs/queue/job-handlers';
import { JobQueueModule } from '../jobs/queue/job-queue.module';
import { PartnersModule } from '../partners/partners.module';
import { ProgramsModule } from '../programs/programs.module';
import { COMMISSION_RUN_JOB } from './commission.enums';
import { AccrualsResolver, CommissionPeriodsResolver, CommissionPlansResolver } from './commissions.resolver';
import { CommissionsService } from './commissions.service';
import { CommissionFactSources, CustomerEventFactSource } from './fact-sources';

/**
 * Commission plans, periods, runs and the accrual ledger. Exports CommissionFactSources: the
 * attribution module registers its referral-QUALIFIED fact source there.
 *
 * Decisions:
 * - Plans attach to a program, or (programId null) to a partner: a program's own plan takes that
 *   program's facts; the partner-wide plan takes the facts of the partner's other programs.
 * - Versions store the plan codec's canonical JSON text; a back-dated version starts recalculation runs
 *   of the CALCULATED periods it reaches (for the plan's partner) right after it commits.
 * - The ledger is INSERT-only. `ledgerKey` = idempotencyKey#revision (+ '~R' for a reversal) is unique.
 *   HELD / PAYABLE / REVERSED is derived when read (reversal, clawback, reversed-since, payableOn vs
 *   today in the bank's time zone); no row is ever updated to change status.
 * - A run calculates each plan once per fact period with only its own facts, diffs against the stored
 *   rows of that (plan, fact period), and appends the difference per bounded batch of partners (one
 *   transaction each, with the job's progress). Corrections of a locked (non-postable) period's facts are
 *   posted in the run's period (factPeriodKey keeps the original month).
 * - The content hash of a run: SHA-256 over the sorted `planId|periodKey|ledgerContentHash(lines)` of every
 *   (plan, fact period) with lines; CommissionsService.storedHash / cleanHash compute it from the stored
 *   ledger / a fresh in-memory calculation.
 */
@Module({
  imports: [PartnersModule, ProgramsModule, CustomersModule, JobsModule, JobQueueModule],
  providers: [
    CommissionFactSources,
    CustomerEventFactSource,
    CommissionsService,
    CommissionPlansResolver,
    CommissionPeriodsResolver,
    AccrualsResolver,
  ],
  exports: [CommissionsService, CommissionFactSources],
})
export class CommissionsModule implements OnModuleInit {
  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly service: CommissionsService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(COMMISSION_RUN_JOB, (job) => (ctx) => this.service.executeRun(job.id, ctx));
  }
}
