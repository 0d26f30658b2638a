import { ChannelStatus, ChannelType } from './channel.enums';
import { trackedUrl } from './channel.rules';
import { ChannelEntity } from './entities/channel.entity';
import { Channel } from './models/channel.model';

export function toChannel(e: ChannelEntity): Channel {
  return {
    id: e.id,
    programId: e.programId,
    partnerId: e.partnerId,
    type: e.type as ChannelType,
    name: e.name,
    ownerId: e.ownerId,
    status: e.status as ChannelStatus,
    trackingCode: e.trackingCode,
    landingUrl: e.landingUrl,
    trackedUrl: trackedUrl(e.landingUrl, e.trackingCode),
    qrPngPath: `/channels/${e.trackingCode}/qr.png`,
    qrSvgPath: `/channels/${e.trackingCode}/qr.svg`,
    version: e.version,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
