import { Args, Field, ID, InputType, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { Actor } from '../auth/actor';
import { CurrentActor, Roles } from '../auth/decorators';
import { INTERNAL_ROLES, Role } from '../auth/roles';
import { OrgUnitsService } from './org-units.service';

@ObjectType('OrgUnit', { description: 'Head office, branch or sub-branch.' })
export class OrgUnit {
  @Field(() => ID) id!: string;
  @Field() code!: string;
  @Field() name!: string;
  @Field(() => ID, { nullable: true }) parentId!: string | null;
  @Field(() => Int, { description: '0 = head office' }) level!: number;
}

@InputType()
export class CreateOrgUnitInput {
  @Field() @IsString() @Length(1, 32) @Matches(/^[A-Z0-9_-]+$/) code!: string;
  @Field() @IsString() @Length(1, 200) name!: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() parentId?: string;
}

@Resolver(() => OrgUnit)
export class OrgUnitsResolver {
  constructor(private readonly orgUnitsService: OrgUnitsService) {}

  @Query(() => [OrgUnit])
  @Roles(...INTERNAL_ROLES)
  orgUnits() {
    return this.orgUnitsService.list();
  }

  @Mutation(() => OrgUnit)
  @Roles(Role.ADMIN)
  createOrgUnit(@CurrentActor() actor: Actor, @Args('input') input: CreateOrgUnitInput) {
    return this.orgUnitsService.create(actor, input);
  }
}
