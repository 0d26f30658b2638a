import { Controller, Get, Inject, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES } from '../auth/roles';
import { APP_CONFIG, AppConfig } from '../config/config';
import { statementToCsv, statementToPdf, statementToXlsx } from './exports';
import { SettlementService } from './settlement.service';

/** Statement downloads for signed-in users allowed to read the statement (partner users: their own). */
@Controller('statements')
@Roles(...ALL_ROLES)
@ApiScopes('settlement:read')
export class StatementExportController {
  constructor(
    private readonly service: SettlementService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':id/export.csv')
  async csv(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Res() res: Response,
  ): Promise<void> {
    const doc = await this.service.document(actor, id);
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Content-Disposition', `attachment; filename="${doc.number}.csv"`);
    res.type('text/csv; charset=utf-8').send(statementToCsv(doc));
  }

  @Get(':id/export.xlsx')
  async xlsx(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Res() res: Response,
  ): Promise<void> {
    const doc = await this.service.document(actor, id);
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Content-Disposition', `attachment; filename="${doc.number}.xlsx"`);
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await statementToXlsx(doc));
  }

  @Get(':id/export.pdf')
  async pdf(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Res() res: Response,
  ): Promise<void> {
    const doc = await this.service.document(actor, id);
    const font = this.config.statementPdfFont;
    const pdf = await statementToPdf(doc, {
      fontPath: font.path,
      ...(font.family !== undefined ? { fontFamily: font.family } : {}),
    });
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Content-Disposition', `attachment; filename="${doc.number}.pdf"`);
    res.type('application/pdf').send(pdf);
  }
}
