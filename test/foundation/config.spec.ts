import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig, ConfigError } from '../../src/config/config';

const SECRET = 'a-secret-that-is-long-enough-0123456789abcdef';
const PROD = { NODE_ENV: 'production', JWT_SECRET: SECRET, IDENTITY_HASH_KEY: SECRET };

function variableOf(env: Record<string, string>): string {
  try {
    buildConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain((error as ConfigError).variable);
    return (error as ConfigError).variable;
  }
  throw new Error(`buildConfig accepted ${JSON.stringify(env)}`);
}

describe('buildConfig', () => {
  // The default SQLite file is relative to the working directory, and development secrets are kept beside it.
  const cwd = process.cwd();
  let workDir: string;
  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'gy-config-'));
    process.chdir(workDir);
  });
  afterEach(() => {
    process.chdir(cwd);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('has working defaults', () => {
    const config = buildConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      database: { type: 'sqlite', path: './data/gongying.sqlite' },
      bankTimeZone: 'Asia/Shanghai',
      defaultCurrency: 'CNY',
      migrateOnStart: true,
      seedDemo: true,
      demoPasswordGenerated: true,
    });
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
    // A generated development secret is never a fixed, guessable default: another database gets another one.
    expect(buildConfig({ DATABASE_URL: 'sqlite:./other/gongying.sqlite' }).jwtSecret).not.toBe(config.jwtSecret);
    expect(buildConfig({ DATABASE_URL: 'sqlite::memory:' }).identityHashKey).not.toBe(config.identityHashKey);
  });

  it('keeps generated development secrets beside the SQLite file, so identity hashes match after a restart', () => {
    const first = buildConfig({});
    const again = buildConfig({});
    expect(again.identityHashKey).toBe(first.identityHashKey);
    expect(again.jwtSecret).toBe(first.jwtSecret);
    expect(first.identityHashKey).not.toBe(first.jwtSecret);
    const file = join(workDir, 'data', '.secrets.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      JWT_SECRET: first.jwtSecret,
      IDENTITY_HASH_KEY: first.identityHashKey,
    });
    expect(statSync(file).mode & 0o077).toBe(0);
    // A configured key wins over the stored one.
    expect(buildConfig({ IDENTITY_HASH_KEY: SECRET }).identityHashKey).toBe(SECRET);
  });

  it('reads a full production environment', () => {
    const config = buildConfig({
      ...PROD,
      PORT: '8080',
      DATABASE_URL: 'mysql://gy:pw@db.internal:3306/gongying',
      BANK_TIME_ZONE: 'Asia/Hong_Kong',
      DEFAULT_CURRENCY: 'HKD',
      DEMO_PASSWORD: 'demo-password',
    });
    expect(config).toMatchObject({
      isProduction: true,
      port: 8080,
      database: { type: 'mysql' },
      jwtSecret: SECRET,
      identityHashKey: SECRET,
      bankTimeZone: 'Asia/Hong_Kong',
      defaultCurrency: 'HKD',
      demoPassword: 'demo-password',
      migrateOnStart: false,
      seedDemo: false,
    });
    expect(buildConfig({ DATABASE_URL: 'mariadb://root@127.0.0.1:3306/gy' }).database.type).toBe('mysql');
    expect(buildConfig({ DATABASE_URL: 'sqlite::memory:' }).database).toEqual({ type: 'sqlite', path: ':memory:' });
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '-1' }],
    ['DATABASE_URL', { DATABASE_URL: 'postgres://localhost/gy' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost' }],
    ['DATABASE_URL', { DATABASE_URL: 'sqlite:' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['JWT_SECRET', { NODE_ENV: 'production', IDENTITY_HASH_KEY: SECRET }],
    ['IDENTITY_HASH_KEY', { NODE_ENV: 'production', JWT_SECRET: SECRET }],
    ['JWT_SECRET', { JWT_SECRET: 'short' }],
    ['IDENTITY_HASH_KEY', { ...PROD, IDENTITY_HASH_KEY: 'x'.repeat(31) }],
    ['BANK_TIME_ZONE', { BANK_TIME_ZONE: 'Mars/Olympus_Mons' }],
    ['DEFAULT_CURRENCY', { DEFAULT_CURRENCY: 'yuan' }],
    ['DEMO_PASSWORD', { DEMO_PASSWORD: 'short' }],
    ['SEED_DEMO', { SEED_DEMO: 'yes' }],
    ['MIGRATE_ON_START', { MIGRATE_ON_START: '1' }],
    ['REDIS_URL', { REDIS_URL: 'http://cache:6379' }],
    ['GRAPHQL_MAX_DEPTH', { GRAPHQL_MAX_DEPTH: '1' }],
    ['GRAPHQL_MAX_BATCH', { GRAPHQL_MAX_BATCH: '0' }],
    ['LOGIN_MAX_FAILURES', { LOGIN_MAX_FAILURES: 'many' }],
    ['WORKER_CONCURRENCY', { WORKER_CONCURRENCY: '0' }],
    ['JOB_QUEUE_PREFIX', { JOB_QUEUE_PREFIX: 'has space' }],
    ['JOB_LOCK_MS', { JOB_LOCK_MS: '10' }],
    ['COMMISSION_BATCH_PARTNERS', { COMMISSION_BATCH_PARTNERS: 'ten' }],
    ['COMMISSION_BATCH_FACTS', { COMMISSION_BATCH_FACTS: '0' }],
    ['CARD_DORMANT_DAYS', { CARD_DORMANT_DAYS: 'never' }],
  ] as [string, Record<string, string>][])('names %s when it is wrong (%j)', (variable, env) => {
    expect(variableOf(env)).toBe(variable);
  });

  it('accepts production secrets of exactly 32 characters', () => {
    expect(() => buildConfig({ ...PROD, JWT_SECRET: 'x'.repeat(32) })).not.toThrow();
  });
});
