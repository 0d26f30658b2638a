import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createApp } from '../app.factory';
import { Role } from '../auth/roles';
import { UsersService } from '../auth/users.service';
import { buildConfig } from '../config/config';
import { OrgUnitsService } from '../org-units/org-units.service';
import { PartnersService } from '../partners/partners.service';
import { PartnerEntity } from '../partners/entities/partner.entity';
import { DataSource } from 'typeorm';

/**
 * `npm run user:create -- --username U --role R [--partner CODE|ID] [--org-unit CODE|ID] [--password P]`
 * The password comes from --password, USER_PASSWORD, or is generated and printed once.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      username: { type: 'string' },
      role: { type: 'string' },
      partner: { type: 'string' },
      'org-unit': { type: 'string' },
      password: { type: 'string' },
    },
  });
  if (!values.username || !values.role) throw new Error('--username and --role are required');
  if (!(Object.values(Role) as string[]).includes(values.role))
    throw new Error(`--role must be one of ${Object.values(Role).join(', ')}`);
  const config = buildConfig({ ...process.env, SEED_DEMO: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const app = await createApp({ config });
  await app.init();
  try {
    const dataSource = app.get(DataSource);
    let partnerId: string | undefined;
    if (values.partner) {
      const partner = await dataSource
        .getRepository(PartnerEntity)
        .findOne({ where: [{ id: values.partner }, { code: values.partner }] });
      if (!partner) throw new Error(`no partner ${values.partner}`);
      partnerId = partner.id;
    }
    let orgUnitId: string | undefined;
    if (values['org-unit']) {
      const orgUnits = app.get(OrgUnitsService);
      const unit =
        (await orgUnits.findByCode(values['org-unit'])) ?? (await orgUnits.findByIds([values['org-unit']]))[0];
      if (!unit) throw new Error(`no org unit ${values['org-unit']}`);
      orgUnitId = unit.id;
    }
    void app.get(PartnersService);
    const generated = !values.password && !process.env.USER_PASSWORD;
    const password =
      values.password ??
      process.env.USER_PASSWORD ??
      (await import('node:crypto')).randomBytes(12).toString('base64url');
    const user = await app.get(UsersService).create(null, {
      username: values.username,
      password,
      role: values.role as Role,
      ...(partnerId ? { partnerId } : {}),
      ...(orgUnitId ? { orgUnitId } : {}),
    });
    process.stdout.write(`Created ${user.username} (${user.role})${generated ? ` with password ${password}` : ''}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
