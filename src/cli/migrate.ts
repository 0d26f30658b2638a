import 'reflect-metadata';
import { buildConfig } from '../config/config';
import { createDataSource } from '../database/data-source';

/** `npm run migration:run` / `migration:revert` / `migration:show` on the configured DATABASE_URL. */
async function main(): Promise<void> {
  const command = process.argv[2] ?? 'run';
  const config = buildConfig();
  const dataSource = await createDataSource(config);
  await dataSource.initialize();
  try {
    if (command === 'run') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      process.stdout.write(
        applied.length ? `Applied: ${applied.map((m) => m.name).join(', ')}\n` : 'No pending migrations.\n',
      );
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      process.stdout.write('Reverted the last migration.\n');
    } else if (command === 'show') {
      const pending = await dataSource.showMigrations();
      process.stdout.write(pending ? 'There are pending migrations.\n' : 'Up to date.\n');
      if (pending) process.exitCode = 1;
    } else {
      throw new Error(`unknown command ${command}; use run, revert or show`);
    }
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
