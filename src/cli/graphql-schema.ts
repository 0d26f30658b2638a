import 'reflect-metadata';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../app.factory';
import { buildConfig } from '../config/config';

/** `graphql:schema` writes the sorted schema.gql; `graphql:schema:check` fails when the committed one is stale. */
async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const config = buildConfig({
    NODE_ENV: 'development',
    DATABASE_URL: 'sqlite::memory:',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
  });
  const app = await createApp({ config });
  await app.init();
  const schema = printSchema(lexicographicSortSchema(app.get(GraphQLSchemaHost).schema)) + '\n';
  await app.close();
  const file = join(process.cwd(), 'schema.gql');
  if (check) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (committed !== schema) {
      process.stderr.write('schema.gql is stale: run `npm run graphql:schema` and commit it.\n');
      process.exit(1);
    }
    process.stdout.write('schema.gql is up to date.\n');
    return;
  }
  writeFileSync(file, schema);
  process.stdout.write(`Wrote ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
