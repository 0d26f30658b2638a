import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsEnum, IsInt, IsOptional, IsString, Length, MaxLength, Min } from 'class-validator';
import { ChannelStatus, ChannelType } from '../channel.enums';

@InputType()
export class CreateChannelInput {
  @Field(() => ID) @IsString() @Length(1, 36) programId!: string;
  @Field(() => ChannelType) @IsEnum(ChannelType) type!: ChannelType;
  @Field() @IsString() @Length(1, 200) name!: string;
  @Field(() => ID, { nullable: true, description: 'User who owns the channel; defaults to the caller' })
  @IsOptional()
  @IsString()
  @Length(1, 36)
  ownerId?: string;
  @Field({ description: 'https URL the QR code and link lead to (?gy=<trackingCode> is added)' })
  @IsString()
  @Length(1, 900)
  landingUrl!: string;
}

@InputType({ description: 'Fields left out stay as they are. The tracking code never changes.' })
export class UpdateChannelInput {
  @Field(() => ID) @IsString() @Length(1, 36) id!: string;
  @Field(() => Int) @IsInt() @Min(1) version!: number;
  @Field(() => ChannelType, { nullable: true }) @IsOptional() @IsEnum(ChannelType) type?: ChannelType;
  @Field({ nullable: true }) @IsOptional() @IsString() @Length(1, 200) name?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() @Length(1, 36) ownerId?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @Length(1, 900) landingUrl?: string;
}

@InputType()
export class TransitionChannelInput {
  @Field(() => ID) @IsString() @Length(1, 36) id!: string;
  @Field(() => ChannelStatus) @IsEnum(ChannelStatus) to!: ChannelStatus;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

@InputType()
export class ChannelsFilter {
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  programIds?: string[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  partnerIds?: string[];
  @Field(() => [ChannelType], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsEnum(ChannelType, { each: true })
  types?: ChannelType[];
  @Field(() => [ChannelStatus], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5)
  @IsEnum(ChannelStatus, { each: true })
  statuses?: ChannelStatus[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  ownerIds?: string[];
}
