import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { AnalyticsConfig, analyticsConfigFrom } from '../analytics/analytics-config';
import * as nodePath from 'node:path';

export type DatabaseConfig = { type: 'sqlite'; path: string } | { type: 'mysql'; url: string };

export interface AppConfig {
  readonly nodeEnv: 'development' | 'test' | 'production';
  readonly isProduction: boolean;
  readonly port: number;
  readonly database: DatabaseConfig;
  readonly jwtSecret: string;
  readonly identityHashKey: string;
  readonly bankTimeZone: string;
  readonly defaultCurrency: string;
  /** Password of the demo users; generated (and printed once) when unset. */
  readonly demoPassword: string;
  readonly demoPasswordGenerated: boolean;
  readonly seedDemo: boolean;
  /** Run pending migrations at start: default on for SQLite, off for MySQL (run `npm run migration:run`). */
  readonly migrateOnStart: boolean;
  readonly redisUrl: string | undefined;
  readonly logLevel: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly graphql: {
    readonly maxDepth: number;
    readonly maxAliases: number;
    readonly maxDirectives: number;
    readonly maxCost: number;
    readonly maxBatch: number;
  };
  readonly loginThrottle: { readonly maxFailures: number; readonly windowSeconds: number };
  /** Long work: BullMQ queue (with REDIS_URL), worker concurrency and commission batch size. */
  readonly jobs: {
    readonly queuePrefix: string;
    readonly lockMs: number;
    readonly stalledIntervalMs: number;
    readonly workerConcurrency: number;
    readonly commissionBatchPartners: number;
    /** Most qualifying facts a commission batch holds (a partner with more is a batch of its own). */
    readonly commissionBatchFacts: number;
    /** Test hook: pause after each committed commission batch so a test can kill a worker mid-job. */
    readonly commissionPauseAfterBatchMs: number;
    /** How often a process refreshes the heartbeat of the jobs it runs (0: never, e.g. tests drive it). */
    readonly heartbeatMs: number;
    /** A RUNNING job whose heartbeat is older than this was interrupted: it is marked FAILED. */
    readonly staleAfterMs: number;
  };
  /** An ACTIVATED co-branded card with no activation or spend for this many days turns DORMANT. */
  readonly cardDormantDays: number;
  /** Roll-up maintenance and the rates of the value reports (src/analytics/analytics-config.ts). */
  readonly analytics: AnalyticsConfig;
  /** Payouts: the bank's own account they are paid from (null: not configured, batches cannot be approved). */
  readonly payouts: {
    readonly debtor: PayoutDebtorConfig | null;
    /** Folder holding pain.001.001.03.xsd and camt.053.001.0{2,4,8}.xsd. */
    readonly iso20022XsdDir: string;
    /** camt.053 fallback matching: largest distance in days between execution and booking date. */
    readonly matchDateToleranceDays: number;
  };
  /** CJK font of statement PDFs (a .ttc needs the face name). */
  readonly statementPdfFont: { readonly path: string; readonly family: string | undefined };
}

/** The debtor of every pain.001: an IBAN or a domestic account number, with BIC and/or CNAPS code. */
export interface PayoutDebtorConfig {
  readonly name: string;
  readonly iban: string | undefined;
  readonly accountNumber: string | undefined;
  readonly bic: string | undefined;
  readonly cnaps: string | undefined;
}

/** Thrown at boot; the message names the variable so an operator can fix it. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Invalid configuration: ${variable} ${reason}`);
  }
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const value = Number.parseInt(raw, 10);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Heartbeats of running jobs: off in tests (they drive it), and a lapse must span several missed beats. */
function jobHeartbeat(env: Env, test: boolean): { heartbeatMs: number; staleAfterMs: number } {
  const heartbeatMs = intVar(env, 'JOB_HEARTBEAT_MS', test ? 0 : 60_000, 0, 3_600_000);
  const staleAfterMs = intVar(env, 'JOB_STALE_AFTER_MS', 300_000, 60_000, 86_400_000);
  if (heartbeatMs > 0 && staleAfterMs < 3 * heartbeatMs)
    throw new ConfigError(
      'JOB_STALE_AFTER_MS',
      'must be at least three JOB_HEARTBEAT_MS, or live jobs would be failed',
    );
  return { heartbeatMs, staleAfterMs };
}

function queuePrefix(env: Env): string {
  const prefix = env.JOB_QUEUE_PREFIX ?? 'gongying';
  if (!/^[\w.-]{1,64}$/.test(prefix)) throw new ConfigError('JOB_QUEUE_PREFIX', 'must be 1–64 letters, digits, _ . -');
  return prefix;
}

function parseDatabaseUrl(raw: string): DatabaseConfig {
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path (or :memory:)');
    return { type: 'sqlite', path };
  }
  if (raw.startsWith('mysql://') || raw.startsWith('mariadb://')) {
    try {
      const url = new URL(raw.replace(/^mariadb:/, 'mysql:'));
      if (url.pathname.length <= 1) throw new ConfigError('DATABASE_URL', 'mysql:// URL must name a database');
      return { type: 'mysql', url: url.toString() };
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError('DATABASE_URL', 'is not a valid URL');
    }
  }
  throw new ConfigError('DATABASE_URL', 'must start with sqlite: or mysql://');
}

const DEFAULT_PDF_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

/** The debtor when PAYOUT_DEBTOR_* are unset and the demo is seeded (SEED_DEMO): the demo bank's own account. */
export const DEMO_PAYOUT_DEBTOR: PayoutDebtorConfig = {
  name: '共赢银行股份有限公司 合作机构结算户（演示）',
  iban: undefined,
  accountNumber: '11006000018010000001',
  cnaps: '313100000013',
  bic: 'GYBKCNBJ',
};

function payoutDebtor(env: Env): PayoutDebtorConfig | null {
  const v = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const name = v('PAYOUT_DEBTOR_NAME');
  const iban = v('PAYOUT_DEBTOR_IBAN')?.replace(/\s/g, '').toUpperCase();
  const accountNumber = v('PAYOUT_DEBTOR_ACCOUNT')?.replace(/\s/g, '');
  const bic = v('PAYOUT_DEBTOR_BIC')?.toUpperCase();
  const cnaps = v('PAYOUT_DEBTOR_CNAPS');
  if ([name, iban, accountNumber, bic, cnaps].every((x) => x === undefined)) return null;
  if (name === undefined || Array.from(name).length > 140)
    throw new ConfigError('PAYOUT_DEBTOR_NAME', 'is required (at most 140 characters) with the other PAYOUT_DEBTOR_*');
  if ((iban === undefined) === (accountNumber === undefined))
    throw new ConfigError('PAYOUT_DEBTOR_IBAN', 'or PAYOUT_DEBTOR_ACCOUNT (exactly one of them) is required');
  if (iban !== undefined && !/^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}$/.test(iban))
    throw new ConfigError('PAYOUT_DEBTOR_IBAN', 'is not an IBAN');
  if (accountNumber !== undefined && !/^[A-Za-z0-9-]{1,34}$/.test(accountNumber))
    throw new ConfigError('PAYOUT_DEBTOR_ACCOUNT', 'must be 1–34 letters or digits');
  if (bic !== undefined && !/^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/.test(bic))
    throw new ConfigError('PAYOUT_DEBTOR_BIC', 'is not a BIC');
  if (cnaps !== undefined && !/^\d{12}$/.test(cnaps))
    throw new ConfigError('PAYOUT_DEBTOR_CNAPS', 'must be a 12-digit CNAPS bank code');
  if (bic === undefined && cnaps === undefined)
    throw new ConfigError('PAYOUT_DEBTOR_BIC', 'or PAYOUT_DEBTOR_CNAPS is required');
  return { name, iban, accountNumber, bic, cnaps };
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Development secrets of an SQLite database, kept in `.secrets.json` beside it (mode 0600) and created on first use.
 */
function devSecret(databasePath: string, name: string): string {
  const file = nodePath.join(nodePath.dirname(nodePath.resolve(databasePath)), '.secrets.json');
  let stored: Record<string, string> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const known = stored[name];
  if (typeof known === 'string' && known.length >= 32) return known;
  const created = randomBytes(32).toString('hex');
  mkdirSync(nodePath.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...stored, [name]: created }, null, 2)}\n`, { mode: 0o600 });
  return created;
}

/**
 * The one place environment variables are read and validated. The app, the migration CLI, the scripts
 * and the tests all call this, so a wrong value fails the same way everywhere.
 */
export function buildConfig(env: Env = process.env): AppConfig {
  const nodeEnvRaw = env.NODE_ENV ?? 'development';
  if (!['development', 'test', 'production'].includes(nodeEnvRaw)) {
    throw new ConfigError('NODE_ENV', `must be development, test or production, got "${nodeEnvRaw}"`);
  }
  const nodeEnv = nodeEnvRaw as AppConfig['nodeEnv'];
  const isProduction = nodeEnv === 'production';

  const secret = (name: string): string => {
    const value = env[name];
    if (value !== undefined && value !== '') {
      if (value.length < 32) throw new ConfigError(name, 'must be at least 32 characters');
      return value;
    }
    if (isProduction) throw new ConfigError(name, 'is required in production');
    // Outside production a random secret keeps development safe from a well-known default. With an SQLite file it
    // is kept next to the database: identity hashes written by one process must match those of the next one.
    if (database.type === 'sqlite' && database.path !== ':memory:') return devSecret(database.path, name);
    return randomBytes(32).toString('hex');
  };

  const bankTimeZone = env.BANK_TIME_ZONE ?? 'Asia/Shanghai';
  if (!isValidTimeZone(bankTimeZone))
    throw new ConfigError('BANK_TIME_ZONE', `is not an IANA time zone: "${bankTimeZone}"`);

  const defaultCurrency = env.DEFAULT_CURRENCY ?? 'CNY';
  if (!/^[A-Z]{3}$/.test(defaultCurrency))
    throw new ConfigError('DEFAULT_CURRENCY', 'must be an ISO 4217 code like CNY');

  const demoPasswordRaw = env.DEMO_PASSWORD;
  if (demoPasswordRaw !== undefined && demoPasswordRaw !== '' && demoPasswordRaw.length < 8) {
    throw new ConfigError('DEMO_PASSWORD', 'must be at least 8 characters');
  }
  const demoPasswordGenerated = demoPasswordRaw === undefined || demoPasswordRaw === '';

  const seedRaw = env.SEED_DEMO ?? (isProduction ? 'false' : 'true');
  if (!['true', 'false'].includes(seedRaw)) throw new ConfigError('SEED_DEMO', 'must be true or false');

  const database = parseDatabaseUrl(env.DATABASE_URL ?? 'sqlite:./data/gongying.sqlite');
  const migrateRaw = env.MIGRATE_ON_START ?? (database.type === 'sqlite' ? 'true' : 'false');
  if (!['true', 'false'].includes(migrateRaw)) throw new ConfigError('MIGRATE_ON_START', 'must be true or false');

  const redisUrl = env.REDIS_URL === '' ? undefined : env.REDIS_URL;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError('REDIS_URL', 'must start with redis://');

  return {
    nodeEnv,
    isProduction,
    port: intVar(env, 'PORT', 3000, 0, 65535),
    database,
    migrateOnStart: migrateRaw === 'true',
    jwtSecret: secret('JWT_SECRET'),
    identityHashKey: secret('IDENTITY_HASH_KEY'),
    bankTimeZone,
    defaultCurrency,
    demoPassword: demoPasswordGenerated ? randomBytes(9).toString('base64url') : demoPasswordRaw,
    demoPasswordGenerated,
    seedDemo: seedRaw === 'true',
    redisUrl,
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    accessTokenTtlSeconds: intVar(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86400),
    refreshTokenTtlSeconds: intVar(env, 'REFRESH_TOKEN_TTL_SECONDS', 7 * 86400, 60, 90 * 86400),
    graphql: {
      maxDepth: intVar(env, 'GRAPHQL_MAX_DEPTH', 10, 2, 50),
      maxAliases: intVar(env, 'GRAPHQL_MAX_ALIASES', 15, 1, 200),
      maxDirectives: intVar(env, 'GRAPHQL_MAX_DIRECTIVES', 20, 1, 200),
      maxCost: intVar(env, 'GRAPHQL_MAX_COST', 20000, 100, 10_000_000),
      maxBatch: intVar(env, 'GRAPHQL_MAX_BATCH', 10, 1, 100),
    },
    jobs: {
      queuePrefix: queuePrefix(env),
      lockMs: intVar(env, 'JOB_LOCK_MS', 30_000, 100, 9_999_999),
      stalledIntervalMs: intVar(env, 'JOB_STALLED_INTERVAL_MS', 30_000, 100, 9_999_999),
      workerConcurrency: intVar(env, 'WORKER_CONCURRENCY', 1, 1, 999),
      commissionBatchPartners: intVar(env, 'COMMISSION_BATCH_PARTNERS', 10, 1, 9999),
      commissionBatchFacts: intVar(env, 'COMMISSION_BATCH_FACTS', 10_000, 1, 9_999_999),
      commissionPauseAfterBatchMs: intVar(env, 'COMMISSION_RUN_PAUSE_MS', 0, 0, 999_999),
      ...jobHeartbeat(env, nodeEnv === 'test'),
    },
    loginThrottle: {
      maxFailures: intVar(env, 'LOGIN_MAX_FAILURES', 5, 1, 1000),
      windowSeconds: intVar(env, 'LOGIN_THROTTLE_WINDOW_SECONDS', 900, 10, 86400),
    },
    cardDormantDays: intVar(env, 'CARD_DORMANT_DAYS', 180, 1, 3650),
    analytics: analyticsConfigFrom(env, nodeEnv === 'test', (variable, reason) => new ConfigError(variable, reason)),
    payouts: {
      // The demo bank pays its demo partners from a demo account, so a first start shows paid payouts.
      debtor: payoutDebtor(env) ?? (seedRaw === 'true' ? DEMO_PAYOUT_DEBTOR : null),
      iso20022XsdDir: nodePath.resolve(env.ISO20022_XSD_DIR || '../shared/data/iso20022-pain001-camt053/xsd'),
      matchDateToleranceDays: intVar(env, 'PAYOUT_MATCH_DATE_TOLERANCE_DAYS', 3, 0, 30),
    },
    statementPdfFont: {
      path: env.STATEMENT_PDF_FONT || DEFAULT_PDF_FONT,
      family: env.STATEMENT_PDF_FONT_FAMILY || (env.STATEMENT_PDF_FONT ? undefined : 'WenQuanYiMicroHei'),
    },
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
