import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { Role } from '../auth/roles';
import { badInput } from '../common/domain-error';
import { formatOfContentType, ImportFormat } from '../imports/records';
import { spoolToTempFile } from '../imports/spool';
import { EVENTS_WRITE_SCOPE } from './customers.service';
import { CustomerImportsService } from './customer-imports.service';

/**
 * File imports as plain authenticated HTTP (raw body, not multipart: Apollo's CSRF protection refuses
 * multipart GraphQL without a preflight header). Content-Type text/csv or application/x-ndjson; the
 * answer is 202 {jobId}; follow it with GraphQL job(id) and importReport(jobId).
 */
@Controller('imports')
@Roles(Role.ADMIN, Role.PARTNERSHIP_MANAGER, Role.ANALYST)
@ApiScopes(EVENTS_WRITE_SCOPE)
export class CustomerImportsController {
  constructor(private readonly imports: CustomerImportsService) {}

  @Post('customers')
  @HttpCode(202)
  customers(
    @CurrentActor() actor: Actor,
    @Req() req: Request,
    @Headers('content-type') contentType?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<{ jobId: string; created: boolean }> {
    return this.accept('customers', actor, req, contentType, idempotencyKey);
  }

  @Post('customer-events')
  @HttpCode(202)
  customerEvents(
    @CurrentActor() actor: Actor,
    @Req() req: Request,
    @Headers('content-type') contentType?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<{ jobId: string; created: boolean }> {
    return this.accept('events', actor, req, contentType, idempotencyKey);
  }

  private async accept(
    kind: 'customers' | 'events',
    actor: Actor,
    req: Request,
    contentType: string | undefined,
    idempotencyKey: string | undefined,
  ): Promise<{ jobId: string; created: boolean }> {
    const format: ImportFormat | null = formatOfContentType(contentType);
    if (format === null) throw badInput('contentType', 'UNSUPPORTED_MEDIA_TYPE');
    if (idempotencyKey !== undefined && !/^[\w.:-]{1,128}$/.test(idempotencyKey))
      throw badInput('idempotencyKey', 'INVALID_FORMAT');
    const { path } = await spoolToTempFile(req);
    const { job, created } = await this.imports.startFromFile(kind, path, format, actor, idempotencyKey ?? null);
    return { jobId: job.id, created };
  }
}
