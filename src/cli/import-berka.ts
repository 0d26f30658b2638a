import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../app.factory';
import { importBerka } from '../berka/berka-import';
import { buildConfig } from '../config/config';
import { DEMO_SYSTEM_ACTOR } from '../demo/system-actor';

/**
 * `npm run import:berka -- [--dir path] [--trans file] [--skip-transactions]`: loads the PKDD'99 financial
 * data set into the configured database through the bank's own import paths, and prints counts and row errors.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      trans: { type: 'string' },
      'skip-transactions': { type: 'boolean', default: false },
    },
  });
  const dir = resolve(values.dir ?? join(process.cwd(), '..', 'shared', 'data', 'berka-pkdd99-financial'));
  if (!existsSync(join(dir, 'client.asc'))) throw new Error(`no client.asc in ${dir} (use --dir)`);
  const transFile = values.trans ?? (existsSync(join(dir, 'trans.asc')) ? 'trans.asc' : 'trans_truncated.asc');
  const config = buildConfig({ ...process.env, SEED_DEMO: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const app = await createApp({ config });
  await app.init();
  const started = Date.now();
  try {
    const result = await importBerka(app, {
      dir,
      transFile,
      skipTransactions: values['skip-transactions'],
      actor: DEMO_SYSTEM_ACTOR,
      progress: (m) => process.stdout.write(`${m}\n`),
    });
    const line = (name: string, s: { accepted: number; duplicates: number; rejected: number } | null): string =>
      s
        ? `${name.padEnd(16)} accepted ${s.accepted}, already there ${s.duplicates}, rejected ${s.rejected}`
        : `${name}: skipped`;
    process.stdout.write(
      [
        `Berka import from ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        `org units        ${result.orgUnits.regions} regions, ${result.orgUnits.districts} districts (${result.orgUnits.districtsCreated} new)`,
        line('customers', result.customers),
        line('ACCOUNT_OPENED', result.accountsOpened),
        line('CARD_APPROVED', result.cards),
        line('LOAN_DISBURSED', result.loans),
        line('transactions', result.transactions),
        `row errors       ${result.rowErrors.length}`,
        ...result.rowErrors.slice(0, 20).map((e) => `  ${e.file}:${e.line} ${e.field} ${e.reason}`),
        `warnings         ${result.warnings.length}`,
        ...result.warnings.slice(0, 20).map((e) => `  ${e.file}:${e.line} ${e.field} ${e.reason}`),
        `peak RSS         ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
      ].join('\n') + '\n',
    );
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
