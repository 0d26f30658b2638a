import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createApp } from '../app.factory';
import { UsersService } from '../auth/users.service';
import { DomainError } from '../common/domain-error';
import { buildConfig, DEMO_PAYOUT_DEBTOR } from '../config/config';
import { DEFAULT_DEMO_SEED, seedDemo } from '../demo/demo';
import { DEMO_USERS } from '../demo/foundation-demo';
import { CLAIMS_PARTNER_USER } from '../demo/generator/finance';
import { seedDemoWorld } from '../demo/generator/seed';
import { Scale, SCALES } from '../demo/generator/world';
import { DEMO_SYSTEM_ACTOR } from '../demo/system-actor';

/**
 * `npm run seed:demo -- --scale small|medium|large [--seed N] [--work-dir DIR]`: seeds the demo bank into the
 * configured database. On an empty database it also creates the foundation demo and the demo users;
 * otherwise it adds the generated world only. Prints progress, a summary and the peak RSS.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: 'small' },
      seed: { type: 'string' },
      'work-dir': { type: 'string' },
    },
  });
  const scale = values.scale as Scale;
  if (!Object.keys(SCALES).includes(scale)) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`);
  const seed = values.seed === undefined ? DEFAULT_DEMO_SEED : Number.parseInt(values.seed, 10);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error('--seed must be a non-negative integer');
  const built = buildConfig({ ...process.env, SEED_DEMO: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  // Without PAYOUT_DEBTOR_* the demo pays its partners from the demo bank's account (as on a first start).
  const config = { ...built, payouts: { ...built.payouts, debtor: built.payouts.debtor ?? DEMO_PAYOUT_DEBTOR } };
  const app = await createApp({ config });
  await app.init();
  const log = (m: string): void => {
    process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);
  };
  try {
    const fresh = (await app.get(UsersService).count()) === 0;
    const summary = fresh
      ? await seedDemo(app, {
          scale,
          seed,
          password: config.demoPassword,
          progress: log,
          ...(values['work-dir'] ? { workDir: values['work-dir'] } : {}),
        })
      : await seedDemoWorld(app, {
          scale,
          seed,
          actor: DEMO_SYSTEM_ACTOR,
          progress: log,
          password: config.demoPassword,
          ...(values['work-dir'] ? { workDir: values['work-dir'] } : {}),
        });
    log(`done: ${JSON.stringify(summary)}`);
    log(`peak RSS ${summary.peakRssMiB} MiB`);
    if (fresh) {
      const claims = await app.get(UsersService).findByUsername(CLAIMS_PARTNER_USER);
      const listed = [...DEMO_USERS, ...(claims ? [{ username: claims.username, role: claims.role }] : [])];
      log(`demo users (password ${config.demoPassword}): ${listed.map((u) => `${u.username}=${u.role}`).join(', ')}`);
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  // A refusal the user can act on (e.g. DEMO_ALREADY_SEEDED) is printed without a stack trace.
  const text =
    error instanceof DomainError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`${text}\n`);
  process.exit(1);
});
