import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { BenchRow, Scenario, startBenchApp } from './harness';
import { partnersNested } from './scenarios/partners-nested';
import { programsNested } from './scenarios/programs-nested';
import { attribution } from './scenarios/attribution';
import { attributionEvents } from './scenarios/attribution-events';
import { commissionRun } from './scenarios/commissions';
import { demoSupplyChain, supplyChain } from './scenarios/supply-chain';
import { demoReferralFunnel, referralFunnel } from './scenarios/referral-funnel';
import { eventImport } from './scenarios/event-import';
import { analyticsFunnel, demoAnalyticsFunnel } from './scenarios/analytics-funnel';
import { partnerScorecards } from './scenarios/partner-scorecards';
import { referralImport } from './scenarios/referral-import';
import { demoSeed } from './scenarios/demo-seed';

/** Every scenario, in order. `npm run bench -- <name>` runs one. */
const SCENARIOS: Scenario[] = [
  partnersNested,
  programsNested,
  commissionRun,
  supplyChain,
  referralFunnel,
  attribution,
  attributionEvents,
  eventImport,
  analyticsFunnel,
  partnerScorecards,
  referralImport,
  demoAnalyticsFunnel,
  demoReferralFunnel,
  demoSupplyChain,
  demoSeed,
];

async function main(): Promise<void> {
  mkdirSync('.bench', { recursive: true });
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const rows: BenchRow[] = [];
  for (const scenario of SCENARIOS.filter((s) => only.length === 0 || only.includes(s.name))) {
    const existing = scenario.existingDatabaseEnv ? process.env[scenario.existingDatabaseEnv] : undefined;
    if (scenario.existingDatabaseEnv && !existing) {
      process.stderr.write(`bench: ${scenario.name} skipped (set ${scenario.existingDatabaseEnv})\n`);
      continue;
    }
    process.stderr.write(`bench: ${scenario.name}…\n`);
    const { ctx, stop } = await startBenchApp(existing);
    try {
      rows.push(...(await scenario.run(ctx)));
    } finally {
      await stop();
    }
  }
  const header = '| scenario | metric | Gongying | baseline (same run) | ratio |\n|---|---|---|---|---|';
  process.stdout.write(
    `${header}\n${rows.map((r) => `| ${r.scenario} | ${r.metric} | ${r.gongying} | ${r.baseline} | ${r.ratio} |`).join('\n')}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
