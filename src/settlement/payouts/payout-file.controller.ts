import { Controller, Get, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Actor } from '../../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../../auth/decorators';
import { Role } from '../../auth/roles';
import { PayoutsService } from './payouts.service';

/** The released pain.001 of a batch, as sent to the bank: bank-side finance, admins and auditors only. */
@Controller('payout-batches')
@Roles(Role.ADMIN, Role.FINANCE_MAKER, Role.FINANCE_APPROVER, Role.AUDITOR)
@ApiScopes('settlement:read')
export class PayoutFileController {
  constructor(private readonly service: PayoutsService) {}

  @Get(':id/pain.001.xml')
  async pain001(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Res() res: Response,
  ): Promise<void> {
    const { file, batch } = await this.service.painFile(actor, id);
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Content-Disposition', `attachment; filename="pain001-${batch.id}.xml"`);
    if (batch.painSha256 !== null) res.setHeader('X-Content-SHA256', batch.painSha256);
    res.type('application/xml; charset=utf-8').send(file);
  }
}
