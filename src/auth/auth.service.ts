import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DataSource, IsNull, MoreThanOrEqual } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, AppConfig } from '../config/config';
import { badInput, DomainError, notFound, unauthenticated } from '../common/domain-error';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { OrgUnitsService } from '../org-units/org-units.service';
import { Actor, isBankWide } from './actor';
import { ApiKeyEntity } from './entities/api-key.entity';
import { LoginAttemptEntity } from './entities/login-attempt.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { UserEntity } from './entities/user.entity';
import { Role } from './roles';
import { UsersService } from './users.service';

export interface TokenPair {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

interface AccessClaims {
  sub: string;
  typ: 'access';
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Scopes an API key may hold. */
export const API_KEY_SCOPES = [
  'partners:read',
  'programs:read',
  'referrals:write',
  'referrals:read',
  'events:write',
  'cards:read',
  'commissions:read',
  'settlement:read',
  'analytics:read',
] as const;

@Injectable()
export class AuthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly jwt: JwtService,
    private readonly users: UsersService,
    private readonly orgUnits: OrgUnitsService,
    private readonly audit: AuditService,
  ) {}

  async login(username: string, password: string, address: string): Promise<TokenPair> {
    await this.assertNotThrottled(username, address);
    const user = await this.users.findByUsername(username);
    // Verify against a dummy hash when the user is unknown so timing does not reveal which usernames exist.
    const ok = user
      ? user.active && (await this.users.verifyPassword(user.passwordHash, password))
      : await this.burnPasswordCheck(password);
    await this.dataSource.getRepository(LoginAttemptEntity).insert({
      id: newId(),
      username: username.slice(0, 64),
      address: address.slice(0, 64),
      succeeded: ok,
      attemptedAt: new Date(),
    });
    if (!ok || !user)
      throw new DomainError('UNAUTHENTICATED', 'Wrong username or password', { reason: 'BAD_CREDENTIALS' });
    return this.tx.run(async (manager) => {
      const pair = await this.issueTokens(manager.getRepository(RefreshTokenEntity), user, newId());
      await this.audit.record(manager, this.userActorStub(user), {
        action: 'auth.login',
        entityType: 'User',
        entityId: user.id,
      });
      return pair;
    });
  }

  /** Rotation: a refresh token works once. Presenting a used one revokes its whole family (it was stolen or replayed). */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const hash = sha256(refreshToken);
    // The family revocation must commit, so the reuse error is thrown after the transaction, not inside it.
    const result = await this.tx.run(async (manager): Promise<TokenPair | 'reused'> => {
      const repo = manager.getRepository(RefreshTokenEntity);
      const token = await repo.findOneBy({ tokenHash: hash });
      if (!token)
        throw new DomainError('UNAUTHENTICATED', 'Unknown refresh token', { reason: 'INVALID_REFRESH_TOKEN' });
      if (token.revokedAt || token.expiresAt.getTime() <= Date.now()) {
        throw new DomainError('UNAUTHENTICATED', 'Refresh token expired or revoked', {
          reason: 'INVALID_REFRESH_TOKEN',
        });
      }
      const claimed = await repo.update({ id: token.id, usedAt: IsNull() }, { usedAt: new Date() });
      if (claimed.affected !== 1) {
        await repo.update({ familyId: token.familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
        return 'reused';
      }
      const user = await manager.findOneBy(UserEntity, { id: token.userId });
      if (!user || !user.active) throw unauthenticated('User is disabled');
      const pair = await this.issueTokens(repo, user, token.familyId);
      await this.audit.record(manager, this.userActorStub(user), {
        action: 'auth.refresh',
        entityType: 'User',
        entityId: user.id,
      });
      return pair;
    });
    if (result === 'reused') {
      throw new DomainError('UNAUTHENTICATED', 'Refresh token reused; the session was revoked', {
        reason: 'REFRESH_TOKEN_REUSED',
      });
    }
    return result;
  }

  async logout(actor: Actor, refreshToken: string | undefined): Promise<boolean> {
    return this.tx.run(async (manager) => {
      const repo = manager.getRepository(RefreshTokenEntity);
      if (refreshToken) {
        const token = await repo.findOneBy({ tokenHash: sha256(refreshToken), userId: actor.id });
        if (token) await repo.update({ familyId: token.familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
      } else {
        await repo.update({ userId: actor.id, revokedAt: IsNull() }, { revokedAt: new Date() });
      }
      await this.audit.record(manager, actor, { action: 'auth.logout', entityType: 'User', entityId: actor.id });
      return true;
    });
  }

  /** Resolves the caller from a bearer token; null when there is none (anonymous). */
  async actorFromAccessToken(token: string): Promise<Actor> {
    let claims: AccessClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(token);
    } catch {
      throw new DomainError('UNAUTHENTICATED', 'Invalid or expired access token', { reason: 'INVALID_TOKEN' });
    }
    if (claims.typ !== 'access') throw unauthenticated('Not an access token');
    const user = await this.users.findById(claims.sub);
    if (!user || !user.active) throw unauthenticated('User is disabled');
    return this.actorOfUser(user);
  }

  async actorOfUser(user: UserEntity): Promise<Actor> {
    const role = user.role as Role;
    return {
      kind: 'user',
      id: user.id,
      name: user.username,
      role,
      partnerId: user.partnerId,
      orgUnitId: user.orgUnitId,
      orgScope: user.orgUnitId && !isBankWide(role) ? await this.orgUnits.subtreeIds(user.orgUnitId) : null,
      scopes: [],
    };
  }

  async actorFromApiKey(key: string): Promise<Actor> {
    const match = /^gy_([A-Za-z0-9]{12})_[A-Za-z0-9_-]{43}$/.exec(key);
    const invalid = new DomainError('UNAUTHENTICATED', 'Invalid API key', { reason: 'INVALID_API_KEY' });
    if (!match) throw invalid;
    const repo = this.dataSource.getRepository(ApiKeyEntity);
    const row = await repo.findOneBy({ prefix: match[1] as string });
    if (!row || row.revokedAt) throw invalid;
    const expected = Buffer.from(row.keyHash, 'hex');
    const actual = Buffer.from(sha256(key), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw invalid;
    await repo.update({ id: row.id }, { lastUsedAt: new Date() });
    return {
      kind: 'apiKey',
      id: row.id,
      name: `api-key:${row.name}`,
      role: row.role as Role,
      partnerId: row.partnerId,
      orgUnitId: null,
      orgScope: null,
      scopes: row.scopes,
    };
  }

  async createApiKey(
    actor: Actor,
    input: { name: string; scopes: string[]; partnerId?: string | null },
  ): Promise<{ key: string; entity: ApiKeyEntity }> {
    for (const scope of input.scopes) {
      if (!(API_KEY_SCOPES as readonly string[]).includes(scope)) throw badInput('scopes', `unknown scope ${scope}`);
    }
    if (input.scopes.length === 0) throw badInput('scopes', 'at least one scope is required');
    const prefix = randomBytes(9)
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, 'x')
      .slice(0, 12);
    const key = `gy_${prefix}_${randomBytes(32).toString('base64url')}`;
    const entity: ApiKeyEntity = {
      id: newId(),
      name: input.name,
      prefix,
      keyHash: sha256(key),
      role: input.partnerId ? Role.PARTNER_USER : Role.ANALYST,
      scopes: input.scopes,
      partnerId: input.partnerId ?? null,
      createdById: actor.id,
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.tx.run(async (manager) => {
      await manager.insert(ApiKeyEntity, entity);
      const { keyHash: _omit, ...visible } = entity;
      await this.audit.record(manager, actor, {
        action: 'apiKey.create',
        entityType: 'ApiKey',
        entityId: entity.id,
        after: visible,
      });
    });
    return { key, entity };
  }

  listApiKeys(): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ order: { id: 'ASC' } });
  }

  revokeApiKey(actor: Actor, id: string): Promise<ApiKeyEntity> {
    return this.tx.run(async (manager) => {
      const row = await manager.findOneBy(ApiKeyEntity, { id });
      if (!row) throw notFound('ApiKey', id);
      if (!row.revokedAt) {
        row.revokedAt = new Date();
        await manager.update(ApiKeyEntity, { id }, { revokedAt: row.revokedAt });
        await this.audit.record(manager, actor, {
          action: 'apiKey.revoke',
          entityType: 'ApiKey',
          entityId: id,
          after: { revokedAt: row.revokedAt },
        });
      }
      return row;
    });
  }

  private async assertNotThrottled(username: string, address: string): Promise<void> {
    const { maxFailures, windowSeconds } = this.config.loginThrottle;
    const since = new Date(Date.now() - windowSeconds * 1000);
    const repo = this.dataSource.getRepository(LoginAttemptEntity);
    const [byUser, byAddress] = await Promise.all([
      repo.countBy({ username, succeeded: false, attemptedAt: MoreThanOrEqual(since) }),
      repo.countBy({ address, succeeded: false, attemptedAt: MoreThanOrEqual(since) }),
    ]);
    // An address gets more room than a user: many people may sit behind one branch's NAT.
    if (byUser >= maxFailures || byAddress >= maxFailures * 4) {
      throw new DomainError('UNAUTHENTICATED', 'Too many failed logins; try again later', {
        reason: 'THROTTLED',
        retryAfterSeconds: windowSeconds,
      });
    }
  }

  private dummyHash: Promise<string> | undefined;
  private async burnPasswordCheck(password: string): Promise<false> {
    this.dummyHash ??= this.users.hashPassword(randomBytes(16).toString('hex'));
    await this.users.verifyPassword(await this.dummyHash, password);
    return false;
  }

  private async issueTokens(
    repo: ReturnType<DataSource['getRepository']>,
    user: UserEntity,
    familyId: string,
  ): Promise<TokenPair> {
    const now = Date.now();
    const accessTokenExpiresAt = new Date(now + this.config.accessTokenTtlSeconds * 1000);
    const accessToken = await this.jwt.signAsync({ sub: user.id, typ: 'access' } satisfies AccessClaims, {
      expiresIn: this.config.accessTokenTtlSeconds,
      jwtid: newId(),
    });
    const refreshToken = randomBytes(32).toString('base64url');
    const refreshTokenExpiresAt = new Date(now + this.config.refreshTokenTtlSeconds * 1000);
    await repo.insert({
      id: newId(),
      userId: user.id,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: refreshTokenExpiresAt,
      usedAt: null,
      revokedAt: null,
      createdAt: new Date(now),
    });
    return { accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt };
  }

  private userActorStub(user: UserEntity): Actor {
    return {
      kind: 'user',
      id: user.id,
      name: user.username,
      role: user.role as Role,
      partnerId: user.partnerId,
      orgUnitId: user.orgUnitId,
      orgScope: null,
      scopes: [],
    };
  }
}
