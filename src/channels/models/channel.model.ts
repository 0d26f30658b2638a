import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { ChannelStatus, ChannelType } from '../channel.enums';

@ObjectType('Channel', { description: '推荐渠道: a trackable source of referrals inside a program.' })
export class Channel {
  @Field(() => ID) id!: string;
  @Field(() => ID) programId!: string;
  @Field(() => ID) partnerId!: string;
  @Field(() => ChannelType) type!: ChannelType;
  @Field() name!: string;
  @Field(() => ID, { nullable: true }) ownerId!: string | null;
  @Field(() => ChannelStatus) status!: ChannelStatus;
  @Field({ description: '9 characters without look-alikes; the last is a check character' }) trackingCode!: string;
  @Field() landingUrl!: string;
  @Field({ description: 'The landing URL with ?gy=<trackingCode>: what the QR code encodes' }) trackedUrl!: string;
  @Field({ description: 'GET this path (authenticated) for the QR code as PNG' }) qrPngPath!: string;
  @Field({ description: 'GET this path (authenticated) for the QR code as SVG' }) qrSvgPath!: string;
  @Field(() => Int) version!: number;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}
