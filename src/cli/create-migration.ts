import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `npm run migration:create -- name-in-kebab-case`: writes a schema-builder migration skeleton. */
function main(): void {
  const name = process.argv[2];
  if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
    process.stderr.write('usage: npm run migration:create -- <kebab-case-name>\n');
    process.exit(2);
  }
  const timestamp = Date.now();
  const className = name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()) + String(timestamp);
  const file = join(process.cwd(), 'migrations', `${timestamp}-${name}.ts`);
  if (existsSync(file)) throw new Error(`${file} exists`);
  writeFileSync(
    file,
    `import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, index } from './helpers';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Schema-builder API only, so this runs on SQLite and MySQL alike.
    await queryRunner.createTable(new Table({ name: 'example', columns: [col.id()], indices: [index('ix_example_id', ['id'])] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('example');
  }
}
`,
  );
  process.stdout.write(`Created ${file}\nAppend ${className} to MIGRATIONS in migrations/index.ts.\n`);
}

main();
