import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { createApp } from '../src/app.factory';
import { Role } from '../src/auth/roles';
import { UsersService } from '../src/auth/users.service';
import { AuthService } from '../src/auth/auth.service';
import { RequestWithActor } from '../src/auth/decorators';
import { GqlContext } from '../src/graphql/context';
import { LoaderRegistry } from '../src/graphql/loaders';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloDriver } from '@nestjs/apollo';
import { AppConfig, buildConfig } from '../src/config/config';
import { QueryCounter } from '../src/database/query-counter';

export interface BenchRow {
  scenario: string;
  metric: string;
  gongying: string;
  baseline: string;
  ratio: string;
}

export interface BenchContext {
  app: INestApplication;
  config: AppConfig;
  queries: QueryCounter;
  url: string;
  token: string;
  dbLabel: string;
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /**
   * The same operation without HTTP: Apollo's request pipeline (document cache, validation, cost limit,
   * resolvers) as the bench user, and the response body serialized as the HTTP handler would. What it leaves
   * out — the socket, Express, the token check — is what `query { __typename }` over HTTP costs.
   */
  gqlInProcess<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export interface Scenario {
  name: string;
  /**
   * The environment variable naming an already seeded database (the demo generator's) that the scenario reads
   * instead of a fresh one; the scenario is skipped when it is unset.
   */
  existingDatabaseEnv?: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

const PASSWORD = 'bench-password-1';

/**
 * Starts the app on a fresh database (SQLite file, or a new MySQL database when BENCH_MYSQL_URL is set), or on
 * `existingDatabaseUrl`, which is kept (only a bench user is added to it).
 */
export async function startBenchApp(
  existingDatabaseUrl?: string,
): Promise<{ ctx: BenchContext; stop: () => Promise<void> }> {
  let databaseUrl = existingDatabaseUrl ?? `sqlite:./.bench/bench-${randomBytes(4).toString('hex')}.sqlite`;
  let drop = (): Promise<void> => Promise.resolve();
  const mysqlBase = process.env.BENCH_MYSQL_URL;
  if (mysqlBase && !existingDatabaseUrl) {
    const { createConnection } = await import('mysql2/promise');
    const name = `gy_bench_${randomBytes(4).toString('hex')}`;
    const admin = await createConnection({ uri: mysqlBase });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
    const url = new URL(mysqlBase);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    drop = async () => {
      const c = await createConnection({ uri: mysqlBase });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    };
  }
  // The app's configuration stays development's (no production secrets needed); `npm run bench` sets the process's
  // NODE_ENV=production so libraries (graphql-js, Express) take the paths a bank's deployment takes.
  const config = buildConfig({
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    MIGRATE_ON_START: 'true',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
    GRAPHQL_MAX_COST: '10000000',
  });
  const queries = new QueryCounter();
  const app = await createApp({ config, typeOrmLogger: queries });
  await app.listen(0, '127.0.0.1');
  // Scenarios pause between HTTP calls while baselines run; keep the client's pooled connection alive meanwhile.
  (app.getHttpServer() as { keepAliveTimeout: number }).keepAliveTimeout = 10 * 60_000;
  const port = (app.getHttpServer() as { address(): AddressInfo }).address().port;
  const url = `http://127.0.0.1:${port}/graphql`;
  // A seeded database may already hold a bench user from an earlier run.
  const username = existingDatabaseUrl ? `bench-${randomBytes(4).toString('hex')}` : 'bench';
  await app.get(UsersService).create(null, { username, password: PASSWORD, role: Role.ADMIN });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const login = await post<{ login: { accessToken: string } }>(
    agent,
    url,
    'mutation($i: LoginInput!) { login(input: $i) { accessToken } }',
    { i: { username, password: PASSWORD } },
  );
  const token = login.login.accessToken;
  const actor = await app.get(AuthService).actorFromAccessToken(token);
  const apollo = app.get<GraphQLModule<ApolloDriver>>(GraphQLModule).graphQlAdapter.instance;
  const ctx: BenchContext = {
    app,
    config,
    queries,
    url,
    token,
    dbLabel: config.database.type === 'sqlite' ? 'SQLite' : 'MariaDB',
    gql: <T>(query: string, variables: Record<string, unknown> = {}) => post<T>(agent, url, query, variables, token),
    gqlInProcess: async <T>(query: string, variables: Record<string, unknown> = {}) => {
      const contextValue: GqlContext = {
        req: { actor, requestId: 'bench' } as RequestWithActor,
        loaders: new LoaderRegistry(),
      };
      const response = await apollo.executeOperation<Record<string, unknown>>({ query, variables }, { contextValue });
      if (response.body.kind !== 'single') throw new Error('incremental GraphQL response');
      const { data, errors } = response.body.singleResult;
      // The body an HTTP response would carry (the client's parse is not the server's work).
      if (JSON.stringify(response.body.singleResult).length === 0 || errors?.length || !data)
        throw new Error(`GraphQL error: ${JSON.stringify(errors)}`);
      return data as T;
    },
  };
  return {
    ctx,
    stop: async () => {
      agent.destroy();
      await app.close();
      await drop();
    },
  };
}

/**
 * A POST over the agent's kept-alive socket, as a client that polls a report holds one. node:http rather than
 * fetch: the client runs in the server's process here, and fetch's web streams cost about as much CPU per request
 * as Express does, all of it counted against the server; a remote client's would not be.
 */
function post<T>(
  agent: Agent,
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<T> {
  const payload = Buffer.from(JSON.stringify({ query, variables }));
  return new Promise<T>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: T; errors?: unknown[] };
            if (body.errors?.length || !body.data) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
            resolve(body.data);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Median wall time of `runs` repetitions after one warm-up, in milliseconds. */
export async function medianMs(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** The middle value (the mean of the two middle ones for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function fmtMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

export function ratio(a: number, b: number): string {
  if (b === 0) return 'n/a';
  const r = a / b;
  return `${r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`;
}

/** A scenario's size from the environment: a positive integer, or the scenario's default when unset. */
export function benchInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) throw new Error(`${name} must be a positive integer`);
  return Number.parseInt(raw, 10);
}

/** Bytes as whole megabytes, for memory figures. */
export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** RSS before `work` and its peak while it runs (sampled every 50 ms), in bytes. */
export async function withPeakRss<T>(work: () => Promise<T>): Promise<{ value: T; start: number; peak: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, start, peak };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Empties a table between a baseline and the measured run. On MariaDB a TRUNCATE (the table is recreated)
 * rather than a DELETE, whose background purge (and delete-marked unique-index entries for the same keys)
 * would otherwise slow the second run against a baseline that had neither.
 */
export async function emptyTable(ds: DataSource, target: EntityTarget<ObjectLiteral>): Promise<void> {
  const table = ds.driver.escape(ds.getMetadata(target).tableName);
  if (ds.options.type === 'better-sqlite3') {
    await ds.query(`DELETE FROM ${table}`);
    return;
  }
  const runner = ds.createQueryRunner();
  try {
    // TRUNCATE refuses a table other tables reference, even when they are empty (as they are here).
    await runner.query('SET FOREIGN_KEY_CHECKS = 0');
    await runner.query(`TRUNCATE TABLE ${table}`);
  } finally {
    await runner.query('SET FOREIGN_KEY_CHECKS = 1');
    await runner.release();
  }
}
