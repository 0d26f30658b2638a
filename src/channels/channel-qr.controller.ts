import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import QRCode from 'qrcode';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES } from '../auth/roles';
import { trackedUrl } from './channel.rules';
import { ChannelsService } from './channels.service';

/** QR codes of a channel's tracked URL, for signed-in users allowed to read the channel. */
@Controller('channels')
@Roles(...ALL_ROLES)
@ApiScopes('programs:read')
export class ChannelQrController {
  constructor(private readonly channels: ChannelsService) {}

  @Get(':trackingCode/qr.png')
  async png(
    @CurrentActor() actor: Actor,
    @Param('trackingCode') trackingCode: string,
    @Res() res: Response,
  ): Promise<void> {
    const text = await this.textFor(actor, trackingCode);
    const image = await QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 512 });
    res.setHeader('Cache-Control', 'private, no-store');
    res.type('image/png').send(image);
  }

  @Get(':trackingCode/qr.svg')
  async svg(
    @CurrentActor() actor: Actor,
    @Param('trackingCode') trackingCode: string,
    @Res() res: Response,
  ): Promise<void> {
    const text = await this.textFor(actor, trackingCode);
    const image = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    res.setHeader('Cache-Control', 'private, no-store');
    res.type('image/svg+xml').send(image);
  }

  private async textFor(actor: Actor, trackingCode: string): Promise<string> {
    const channel = await this.channels.getByTrackingCode(actor, trackingCode.slice(0, 40), 'trackingCode');
    return trackedUrl(channel.landingUrl, channel.trackingCode);
  }
}
