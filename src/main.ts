import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.factory';
import { buildConfig, ConfigError } from './config/config';
import { firstRun } from './demo/first-run';

async function main(): Promise<void> {
  let config;
  try {
    config = buildConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const app = await createApp({ config });
  await app.init();
  const logger = app.get(Logger);
  // Seed before listening, so nobody sees a half-seeded demo bank.
  await firstRun(app, config, logger);
  await app.listen(config.port);
  logger.log(`Gongying is serving http://localhost:${config.port}/graphql (database: ${config.database.type})`);
}

void main();
