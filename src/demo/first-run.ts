import { INestApplication, LoggerService } from '@nestjs/common';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsersService } from '../auth/users.service';
import { Role } from '../auth/roles';
import { AppConfig } from '../config/config';
import { seedDemo } from './demo';
import { DEMO_USERS } from './foundation-demo';
import { CLAIMS_PARTNER_USER } from './generator/finance';

/**
 * First start on an empty database: seed the demo bank (default outside production) or create the first
 * administrator. Seeding happens once; later starts only print who can log in.
 */
export async function firstRun(app: INestApplication, config: AppConfig, logger: LoggerService): Promise<void> {
  const users = app.get<UsersService>(UsersService);
  const credentialsFile =
    config.database.type === 'sqlite' && config.database.path !== ':memory:'
      ? join(dirname(config.database.path), '.demo-password')
      : null;
  if ((await users.count()) === 0) {
    if (config.seedDemo) {
      logger.log('First run: seeding the demo bank at the small scale (once)…');
      const summary = await seedDemo(app, {
        scale: 'small',
        password: config.demoPassword,
        progress: (message) => {
          logger.log(message);
        },
      });
      logger.log(
        `Demo bank ready in ${summary.seconds} s: ${summary.partners} generated partners, ${summary.programs} programs, ` +
          `${summary.channels} channels, customers ${JSON.stringify(summary.customers)}, events ${JSON.stringify(summary.events)}`,
      );
      if (credentialsFile && config.demoPasswordGenerated) {
        writeFileSync(credentialsFile, `${config.demoPassword}\n`);
        chmodSync(credentialsFile, 0o600);
      }
    } else {
      const password = process.env.BOOTSTRAP_ADMIN_PASSWORD || config.demoPassword;
      await users.create(null, { username: 'admin', password, role: Role.ADMIN, displayName: 'Administrator' });
      logger.log(
        `First run: created user "admin" with password ${process.env.BOOTSTRAP_ADMIN_PASSWORD ? '(from BOOTSTRAP_ADMIN_PASSWORD)' : config.demoPassword} — change it.`,
      );
      return;
    }
  }
  if (!config.seedDemo) return;
  let password = config.demoPassword;
  if (config.demoPasswordGenerated && credentialsFile && existsSync(credentialsFile))
    password = readFileSync(credentialsFile, 'utf8').trim();
  const shown = config.demoPasswordGenerated && !credentialsFile ? `${password} (generated)` : password;
  // The generated world adds the partner user who disputes a statement (when it was seeded with the demo password).
  const claims = await users.findByUsername(CLAIMS_PARTNER_USER);
  const listed = [...DEMO_USERS, ...(claims ? [{ username: claims.username, role: claims.role }] : [])];
  logger.log(`Demo users (password: ${shown}): ${listed.map((u) => `${u.username}=${u.role}`).join(', ')}`);
}
