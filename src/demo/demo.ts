import { INestApplication } from '@nestjs/common';
import { seedFoundationDemo } from './foundation-demo';
import { seedDemoWorld, SeedSummary } from './generator/seed';
import { Scale } from './generator/world';
import { DEMO_SYSTEM_ACTOR } from './system-actor';

export const DEFAULT_DEMO_SEED = 20_260_101;

/**
 * The whole demo bank: the foundation's org units, flagship partners and one user per role, then the
 * generated world (every partner kind, programs, channels, supply chains, plans, referrals, customers and
 * events) at the given scale. Used by the first run (small) and by `npm run seed:demo`.
 */
export async function seedDemo(
  app: INestApplication,
  options: { scale: Scale; seed?: number; password: string; progress: (message: string) => void; workDir?: string },
): Promise<SeedSummary> {
  await seedFoundationDemo(app, options.password, options.progress);
  return seedDemoWorld(app, {
    scale: options.scale,
    seed: options.seed ?? DEFAULT_DEMO_SEED,
    actor: DEMO_SYSTEM_ACTOR,
    progress: options.progress,
    password: options.password,
    ...(options.workDir ? { workDir: options.workDir } : {}),
  });
}
