import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions, Logger as TypeOrmLogger } from 'typeorm';
import { AppConfig } from '../config/config';
import { ALL_ENTITIES } from './entities';
import { MIGRATIONS } from '../../migrations';
import { SnakeNamingStrategy } from './naming.strategy';

export function isSqlite(dataSource: DataSource): boolean {
  return dataSource.options.type === 'better-sqlite3';
}

/** MariaDB and MySQL report schemas differently (column defaults, FK rules); TypeORM needs to know which it talks to. */
export async function detectMysqlFlavor(url: string): Promise<'mysql' | 'mariadb'> {
  const { createConnection } = await import('mysql2/promise');
  const connection = await createConnection({ uri: url });
  try {
    const [rows] = await connection.query('SELECT VERSION() AS version');
    const version = String((rows as { version: string }[])[0]?.version ?? '');
    return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  } finally {
    await connection.end();
  }
}

export function buildDataSourceOptions(
  config: AppConfig,
  extra: { logger?: TypeOrmLogger; mysqlFlavor?: 'mysql' | 'mariadb' } = {},
): DataSourceOptions {
  const common = {
    entities: ALL_ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    ...(extra.logger ? { logger: extra.logger, logging: ['query', 'error'] as ('query' | 'error')[] } : {}),
  };
  if (config.database.type === 'sqlite') {
    const path = config.database.path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: path,
      enableWAL: path !== ':memory:',
      prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
        db.pragma('foreign_keys = ON');
        db.pragma('busy_timeout = 5000');
      },
    };
  }
  return {
    ...common,
    type: extra.mysqlFlavor ?? 'mysql',
    url: config.database.url,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
    extra: { connectionLimit: 10 },
  };
}

export async function createDataSource(config: AppConfig, extra: { logger?: TypeOrmLogger } = {}): Promise<DataSource> {
  const mysqlFlavor = config.database.type === 'mysql' ? await detectMysqlFlavor(config.database.url) : undefined;
  return new DataSource(buildDataSourceOptions(config, { ...extra, ...(mysqlFlavor ? { mysqlFlavor } : {}) }));
}

/** SQLite migrates itself at start by default (embedded); MySQL through `npm run migration:run` unless MIGRATE_ON_START=true. */
export async function openDataSource(config: AppConfig, extra: { logger?: TypeOrmLogger } = {}): Promise<DataSource> {
  const dataSource = await createDataSource(config, extra);
  await dataSource.initialize();
  if (config.migrateOnStart) await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
