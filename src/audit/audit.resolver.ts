import { Args, Field, GraphQLISODateTime, ID, InputType, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { GraphQLJSON } from '../graphql/json.scalar';
import { IsOptional, MaxLength } from 'class-validator';
import { Roles } from '../auth/decorators';
import { Role } from '../auth/roles';
import { Connection, PageArgs } from '../graphql/connection';
import { AuditService } from './audit.service';

@ObjectType()
export class AuditRecord {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) actorId!: string | null;
  @Field() actorName!: string;
  @Field() action!: string;
  @Field() entityType!: string;
  @Field() entityId!: string;
  @Field(() => GraphQLJSON, { nullable: true }) before!: unknown;
  @Field(() => GraphQLJSON, { nullable: true }) after!: unknown;
  @Field(() => String, { nullable: true }) requestId!: string | null;
  @Field(() => GraphQLISODateTime) occurredAt!: Date;
}

const AuditRecordConnection = Connection(AuditRecord, 'AuditRecord');

@InputType()
export class AuditLogFilter {
  @Field({ nullable: true }) @IsOptional() @MaxLength(64) entityType?: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(64) entityId?: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(36) actorId?: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(64) action?: string;
  @Field(() => GraphQLISODateTime, { nullable: true }) @IsOptional() from?: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) @IsOptional() to?: Date;
}

@Resolver(() => AuditRecord)
@Roles(Role.AUDITOR, Role.ADMIN)
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Query(() => AuditRecordConnection, { description: 'The append-only audit trail (auditors and administrators).' })
  auditLog(@Args() page: PageArgs, @Args('filter', { nullable: true }) filter?: AuditLogFilter) {
    return this.audit.list(filter ?? {}, page);
  }
}
