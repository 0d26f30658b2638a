import {
  Args,
  Context,
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
} from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { Actor } from './actor';
import { AuthService } from './auth.service';
import { CurrentActor, Public, RequestWithActor, Roles } from './decorators';
import { ALL_ROLES, Role } from './roles';

@ObjectType()
export class AuthPayload {
  @Field() accessToken!: string;
  @Field(() => GraphQLISODateTime) accessTokenExpiresAt!: Date;
  @Field() refreshToken!: string;
  @Field(() => GraphQLISODateTime) refreshTokenExpiresAt!: Date;
}

@ObjectType()
export class Me {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => Role) role!: Role;
  @Field(() => ID, { nullable: true }) partnerId!: string | null;
  @Field(() => ID, { nullable: true }) orgUnitId!: string | null;
  @Field(() => [String]) scopes!: readonly string[];
}

@ObjectType()
export class ApiKey {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'Public part of the key, for recognising it in lists' }) prefix!: string;
  @Field(() => [String]) scopes!: string[];
  @Field(() => ID, { nullable: true }) partnerId!: string | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType()
export class CreatedApiKey {
  @Field(() => ApiKey) apiKey!: ApiKey;
  @Field({ description: 'The secret key. Shown once; only its hash is stored.' }) key!: string;
}

@InputType()
export class LoginInput {
  @Field() @IsString() @Length(1, 64) username!: string;
  @Field() @IsString() @Length(1, 200) password!: string;
}

@InputType()
export class CreateApiKeyInput {
  @Field() @IsString() @Length(1, 100) name!: string;
  @Field(() => [String]) @IsArray() @ArrayMaxSize(10) @IsString({ each: true }) scopes!: string[];
  @Field(() => ID, { nullable: true, description: 'Bind the key to a partner: it then acts as that partner only' })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  partnerId?: string;
}

function toApiKey(row: {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  partnerId: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    partnerId: row.partnerId,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Mutation(() => AuthPayload, {
    description: 'Exchange username and password for a short-lived access token and a refresh token.',
  })
  login(@Args('input') input: LoginInput, @Context('req') req: RequestWithActor & { ip?: string }) {
    return this.auth.login(input.username, input.password, req.ip ?? 'unknown');
  }

  @Public()
  @Mutation(() => AuthPayload, { description: 'Rotate a refresh token: the old one stops working.' })
  refreshToken(@Args('refreshToken') refreshToken: string) {
    return this.auth.refresh(refreshToken);
  }

  @Roles(...ALL_ROLES)
  @Mutation(() => Boolean, { description: 'Revoke the given refresh token’s session, or all of the user’s sessions.' })
  logout(@CurrentActor() actor: Actor, @Args('refreshToken', { nullable: true }) refreshToken?: string) {
    return this.auth.logout(actor, refreshToken);
  }

  @Roles(...ALL_ROLES)
  @Query(() => Me)
  me(@CurrentActor() actor: Actor): Me {
    return {
      id: actor.id,
      name: actor.name,
      role: actor.role,
      partnerId: actor.partnerId,
      orgUnitId: actor.orgUnitId,
      scopes: actor.scopes,
    };
  }

  @Roles(Role.ADMIN)
  @Mutation(() => CreatedApiKey)
  async createApiKey(@CurrentActor() actor: Actor, @Args('input') input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const { key, entity } = await this.auth.createApiKey(actor, input);
    return { key, apiKey: toApiKey(entity) };
  }

  @Roles(Role.ADMIN, Role.AUDITOR)
  @Query(() => [ApiKey])
  async apiKeys(): Promise<ApiKey[]> {
    return (await this.auth.listApiKeys()).map(toApiKey);
  }

  @Roles(Role.ADMIN)
  @Mutation(() => ApiKey)
  async revokeApiKey(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<ApiKey> {
    return toApiKey(await this.auth.revokeApiKey(actor, id));
  }
}
