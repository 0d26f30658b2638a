import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { badInput } from '../common/domain-error';
import { formatOfContentType } from '../imports/records';
import { spoolToTempFile } from '../imports/spool';
import { REFERRALS_WRITE_SCOPE } from './referral.enums';
import { SUBMITTERS } from './referrals.resolver';
import { ReferralImportsService } from './referral-imports.service';

/** POST /imports/referrals (text/csv or application/x-ndjson raw body) → 202 {jobId}; report via importReport(jobId). */
@Controller('imports')
@Roles(...SUBMITTERS)
@ApiScopes(REFERRALS_WRITE_SCOPE)
export class ReferralImportsController {
  constructor(private readonly imports: ReferralImportsService) {}

  @Post('referrals')
  @HttpCode(202)
  async referrals(
    @CurrentActor() actor: Actor,
    @Req() req: Request,
    @Headers('content-type') contentType?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<{ jobId: string; created: boolean }> {
    const format = formatOfContentType(contentType);
    if (format === null) throw badInput('contentType', 'UNSUPPORTED_MEDIA_TYPE');
    if (idempotencyKey !== undefined && !/^[\w.:-]{1,128}$/.test(idempotencyKey))
      throw badInput('idempotencyKey', 'INVALID_FORMAT');
    const { path } = await spoolToTempFile(req);
    const { job, created } = await this.imports.startFromFile(path, format, actor, idempotencyKey ?? null);
    return { jobId: job.id, created };
  }
}
