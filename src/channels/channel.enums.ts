import { registerEnumType } from '@nestjs/graphql';

export enum ChannelType {
  QR_CODE = 'QR_CODE',
  LINK = 'LINK',
  BRANCH_COUNTER = 'BRANCH_COUNTER',
  PARTNER_API = 'PARTNER_API',
  EVENT = 'EVENT',
  EMPLOYEE_REFERRAL = 'EMPLOYEE_REFERRAL',
  APP = 'APP',
}
registerEnumType(ChannelType, { name: 'ChannelType' });

export enum ChannelStatus {
  ACTIVE = 'ACTIVE',
  PAUSED = 'PAUSED',
  /** Final: a retired code is never reused, so old QR codes cannot credit someone else. */
  RETIRED = 'RETIRED',
}
registerEnumType(ChannelStatus, { name: 'ChannelStatus' });

export const CHANNEL_TRANSITIONS: Readonly<Record<ChannelStatus, readonly ChannelStatus[]>> = {
  [ChannelStatus.ACTIVE]: [ChannelStatus.PAUSED, ChannelStatus.RETIRED],
  [ChannelStatus.PAUSED]: [ChannelStatus.ACTIVE, ChannelStatus.RETIRED],
  [ChannelStatus.RETIRED]: [],
};
