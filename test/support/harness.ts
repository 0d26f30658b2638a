import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { Actor } from '../../src/auth/actor';
import { Role } from '../../src/auth/roles';
import { UsersService } from '../../src/auth/users.service';
import { Clock } from '../../src/common/clock';
import { AppConfig, buildConfig } from '../../src/config/config';
import { QueryCounter } from '../../src/database/query-counter';

export type DbKind = 'sqlite' | 'mysql';

/** SQLite always; MySQL/MariaDB too when TEST_MYSQL_URL is set (CI sets it and fails if it is unreachable). */
export function databases(): DbKind[] {
  return process.env.TEST_MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];
}

export const TEST_PASSWORD = 'test-password-1';
export const SYSTEM_ACTOR: Actor = {
  kind: 'user',
  id: '00000000-0000-7000-8000-000000000001',
  name: 'test-setup',
  role: Role.ADMIN,
  partnerId: null,
  orgUnitId: null,
  orgScope: null,
  scopes: [],
};

/** A clock tests can move. */
export class TestClock extends Clock {
  constructor(private current: Date = new Date()) {
    super();
  }
  override now(): Date {
    return new Date(this.current.getTime());
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
}

async function mysqlAdmin<T>(work: (conn: import('mysql2/promise').Connection) => Promise<T>): Promise<T> {
  const { createConnection } = await import('mysql2/promise');
  const conn = await createConnection({ uri: process.env.TEST_MYSQL_URL });
  try {
    return await work(conn);
  } finally {
    await conn.end();
  }
}

/** A fresh, empty MySQL database for one test file; dropped by `dispose`. */
export async function createMysqlDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `gy_test_${randomBytes(6).toString('hex')}`;
  await mysqlAdmin((c) => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
  const base = new URL(process.env.TEST_MYSQL_URL as string);
  base.pathname = `/${name}`;
  return {
    url: base.toString(),
    drop: () => mysqlAdmin((c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``)).then(() => undefined),
  };
}

export function testConfig(databaseUrl: string, overrides: Record<string, string> = {}): AppConfig {
  return buildConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    MIGRATE_ON_START: 'true',
    SEED_DEMO: 'false',
    JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
    IDENTITY_HASH_KEY: 'test-identity-hash-key-long-enough-0123456789',
    DEMO_PASSWORD: TEST_PASSWORD,
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

export interface GqlResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: {
    message: string;
    path?: string[];
    extensions?: { code?: string; field?: string; reason?: string; rule?: string; constraint?: string } & Record<
      string,
      unknown
    >;
  }[];
}

export class TestApp {
  readonly tokens = new Map<string, string>();

  private constructor(
    readonly db: DbKind,
    readonly app: INestApplication,
    readonly config: AppConfig,
    readonly queries: QueryCounter,
    readonly clock: TestClock,
    private readonly dispose: () => Promise<void>,
  ) {}

  static async start(db: DbKind, overrides: Record<string, string> = {}): Promise<TestApp> {
    let url = 'sqlite::memory:';
    let drop = (): Promise<void> => Promise.resolve();
    if (db === 'mysql') {
      ({ url, drop } = await createMysqlDatabase());
      // CI checks this marker to fail when the MySQL half of the suite silently did not run.
      if (process.env.GY_MYSQL_MARKER) appendFileSync(process.env.GY_MYSQL_MARKER, `${url}\n`);
    }
    const config = testConfig(url, overrides);
    const queries = new QueryCounter();
    const clock = new TestClock();
    const app = await createApp({ config, typeOrmLogger: queries, clock });
    await app.init();
    return new TestApp(db, app, config, queries, clock, drop);
  }

  get dataSource(): DataSource {
    return this.app.get(DataSource);
  }

  get<T>(token: new (...args: never[]) => T): T {
    return this.app.get<T>(token);
  }

  http(): ReturnType<typeof request> {
    return request(this.app.getHttpServer() as App);
  }

  /** POST /graphql as the given user (logged in once and cached), an API key, or anonymously. */
  async gql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    as?: string | { apiKey: string },
  ): Promise<GqlResponse<T>> {
    const req = this.http().post('/graphql').set('content-type', 'application/json');
    if (typeof as === 'string') req.set('authorization', `Bearer ${await this.tokenFor(as)}`);
    else if (as) req.set('x-api-key', as.apiKey);
    const res = await req.send({ query, variables });
    return res.body as GqlResponse<T>;
  }

  async tokenFor(username: string, password = TEST_PASSWORD): Promise<string> {
    const cached = this.tokens.get(username);
    if (cached) return cached;
    const res = await this.http()
      .post('/graphql')
      .send({
        query: 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }',
        variables: { i: { username, password } },
      });
    const body = res.body as GqlResponse<{ login: { accessToken: string } }>;
    const token = body.data?.login.accessToken;
    if (!token) throw new Error(`login failed for ${username}: ${JSON.stringify(body.errors)}`);
    this.tokens.set(username, token);
    return token;
  }

  async createUser(
    username: string,
    role: Role,
    extra: { partnerId?: string; orgUnitId?: string } = {},
  ): Promise<void> {
    await this.get(UsersService).create(SYSTEM_ACTOR, { username, password: TEST_PASSWORD, role, ...extra });
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.dispose();
  }
}

/** Asserts a GraphQL call succeeded and returns its data. */
export function ok<T>(res: GqlResponse<T>): T {
  if (res.errors?.length || !res.data) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** The first error's extensions (code, field, rule…). */
export function errorOf(
  res: GqlResponse<unknown>,
): { code?: string; field?: string; reason?: string; rule?: string } & Record<string, unknown> {
  const error = res.errors?.[0];
  if (!error) throw new Error(`expected an error, got data ${JSON.stringify(res.data)}`);
  return error.extensions ?? {};
}
