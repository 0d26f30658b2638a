import { Field, ID, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsOptional, IsString } from 'class-validator';
import { DateScalar } from '../../graphql/scalars';

@InputType()
export class CohortFilterInput {
  @Field({ description: "Cohorts as of the end of this month ('YYYY-MM')" }) @IsString() asOfMonth!: string;
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  partnerIds?: string[];
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  programIds?: string[];
  @Field(() => DateScalar, { nullable: true }) @IsOptional() @IsString() acquiredFrom?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() @IsString() acquiredTo?: string;
}

@InputType()
export class PartnerValueFilterInput {
  @Field(() => DateScalar) @IsString() from!: string;
  @Field(() => DateScalar) @IsString() to!: string;
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  partnerIds?: string[];
}
