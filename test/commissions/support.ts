import { residentIdCheckChar } from '../../src/common/identifiers';
import { CustomerEventsService } from '../../src/customers/customer-events.service';
import { CustomersService } from '../../src/customers/customers.service';
import { EventRowStatus } from '../../src/customers/customer.enums';
import { JobsService } from '../../src/jobs/jobs.service';
import { ProgramKind } from '../../src/programs/program.enums';
import { ProgramsService } from '../../src/programs/programs.service';
import { CommissionsService } from '../../src/commissions/commissions.service';
import { BankFixture, seedBank } from '../support/fixtures';
import { ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import { createAgreement } from '../programs/support';

export interface CommissionFixture {
  bank: BankFixture;
  progBj: string;
  progBj2: string;
  progSh: string;
}

export async function createProgram(t: TestApp, partnerId: string, name: string): Promise<string> {
  const agreementId = await createAgreement(t, partnerId, { validFrom: '2025-01-01', validTo: '2027-12-31' });
  const program = await t.get(ProgramsService).createProgram(SYSTEM_ACTOR, {
    agreementId,
    kind: ProgramKind.CO_BRANDED_CARD,
    nameZh: name,
    targets: [],
  });
  return program.id;
}

export async function setupCommissions(t: TestApp): Promise<CommissionFixture> {
  const bank = await seedBank(t);
  const progBj = await createProgram(t, bank.partnerBj, '国航联名卡');
  const progBj2 = await createProgram(t, bank.partnerBj, '国航白金卡');
  const progSh = await createProgram(t, bank.partnerSh, '平安联名卡');
  return { bank, progBj, progBj2, progSh };
}

let customerSerial = 1;
/** Customers by short name (c1, c2…), created once per app. */
export async function customers(t: TestApp, bank: BankFixture, names: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of names) {
    const serial = customerSerial++;
    const first17 = `110101${1950 + Math.floor(serial / 999)}0101${String((serial % 999) + 1).padStart(3, '0')}`;
    const { customer } = await t.get(CustomersService).upsert(SYSTEM_ACTOR, {
      customerNumber: `CN${String(serial).padStart(8, '0')}`,
      idType: 'RESIDENT_ID',
      idNumber: first17 + residentIdCheckChar(first17),
      type: 'INDIVIDUAL',
      name: '张三',
      orgUnitId: bank.beijing,
      onboardedOn: '2025-12-01',
    });
    out.set(name, customer.id);
  }
  return out;
}

let eventSerial = 1;
export interface Ev {
  customer: string;
  type?: string;
  at: string;
  program?: string | null;
  amount?: string;
  id?: string;
}

/** Records events (customer given by customer id → number). Returns the stored event ids in order. */
export async function record(t: TestApp, evs: Ev[], defaultProgram: string): Promise<string[]> {
  const numbers = new Map<string, string>();
  for (const id of new Set(evs.map((e) => e.customer))) {
    const c = await t.get(CustomersService).get(SYSTEM_ACTOR, id);
    numbers.set(id, c.customerNumber);
  }
  const ids: string[] = [];
  for (let i = 0; i < evs.length; i += 500) {
    const rows = await t.get(CustomerEventsService).record(
      SYSTEM_ACTOR,
      evs.slice(i, i + 500).map((e) => ({
        eventId: e.id ?? `EV-${String(eventSerial++).padStart(9, '0')}`,
        customerNumber: numbers.get(e.customer),
        type: e.type ?? 'CARD_ACTIVATED',
        occurredAt: e.at,
        ...(e.program === null ? {} : { programId: e.program ?? defaultProgram }),
        ...(e.amount !== undefined ? { amount: e.amount, currency: 'CNY' } : {}),
      })),
    );
    for (const r of rows) {
      if (r.status !== EventRowStatus.ACCEPTED) throw new Error(`event rejected: ${JSON.stringify(r)}`);
      ids.push(r.eventId as string);
    }
  }
  return ids;
}

export const PLAN_FIELDS = 'id partnerId programId name status versions { version effectiveFrom ruleIds }';
export const CREATE_PLAN = `mutation($i: CreateCommissionPlanInput!) { createCommissionPlan(input: $i) { ${PLAN_FIELDS} } }`;
export const ADD_VERSION = `mutation($i: AddCommissionPlanVersionInput!) { addCommissionPlanVersion(input: $i) {
  version { id version effectiveFrom } recalculationRuns { id jobId periodId partnerIds } } }`;
export const OPEN_PERIOD = 'mutation($k: String!) { openPeriod(input: { key: $k }) { id key from to status } }';
export const RUN = `mutation($i: RunCommissionCalculationInput!) { runCommissionCalculation(input: $i) {
  id jobId status periodId partnerIds } }`;
export const RUN_STATUS = `query($id: ID!) { commissionRun(id: $id) { id status processed total linesAdded contentHash error } }`;
export const ACCRUAL_FIELDS = `id ledgerKey idempotencyKey revision reversal kind status partnerId programId ruleId planVersion
  periodId factPeriodKey businessDate sources { kind id } basisAmount { amount } rateOrTier amount { amount currency formatted }
  payableOn feeCategory explanation`;
export const ACCRUALS = `query($f: AccrualsFilter, $first: Int, $after: String) { accruals(first: $first, after: $after, filter: $f) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { ${ACCRUAL_FIELDS} } } } }`;

export interface AccrualNode {
  id: string;
  ledgerKey: string;
  idempotencyKey: string;
  revision: number;
  reversal: boolean;
  kind: string;
  status: string;
  partnerId: string;
  programId: string;
  ruleId: string;
  planVersion: number;
  periodId: string;
  factPeriodKey: string;
  businessDate: string;
  sources: { kind: string; id: string }[];
  basisAmount: { amount: string } | null;
  rateOrTier: string;
  amount: { amount: string; currency: string; formatted: string };
  payableOn: string;
  feeCategory: string;
  explanation: string;
}

export function rule(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'r1',
    trigger: { kind: 'EVENT', eventType: 'CARD_ACTIVATED' },
    basis: { kind: 'FLAT_PER_EVENT', amount: '50.00' },
    holdingDays: 0,
    currency: 'CNY',
    feeCategory: 'ACQUISITION_BOUNTY',
    ...overrides,
  };
}

export function body(rules: Record<string, unknown>[]): string {
  return JSON.stringify({ rules });
}

export async function createPlan(
  t: TestApp,
  input: { partnerId: string; programId?: string; effectiveFrom?: string; rules: Record<string, unknown>[] },
  as = 'manager',
): Promise<string> {
  const data = ok(
    await t.gql<{ createCommissionPlan: { id: string } }>(
      CREATE_PLAN,
      {
        i: {
          partnerId: input.partnerId,
          ...(input.programId ? { programId: input.programId } : {}),
          name: 'plan',
          effectiveFrom: input.effectiveFrom ?? '2026-01-01',
          rulesJson: body(input.rules),
        },
      },
      as,
    ),
  );
  return data.createCommissionPlan.id;
}

export async function openPeriod(t: TestApp, key: string): Promise<string> {
  return ok(await t.gql<{ openPeriod: { id: string } }>(OPEN_PERIOD, { k: key }, 'finance')).openPeriod.id;
}

/** Runs through GraphQL and waits for the in-process job; returns the finished run. */
export async function runAndWait(
  t: TestApp,
  periodId: string,
  partnerIds: string[],
): Promise<{ id: string; status: string; linesAdded: number; contentHash: string | null; error: string | null }> {
  const run = ok(
    await t.gql<{ runCommissionCalculation: { id: string; jobId: string } }>(
      RUN,
      { i: { periodId, partnerIds } },
      'finance',
    ),
  ).runCommissionCalculation;
  await t.get(JobsService).waitFor(run.jobId);
  const data = ok(
    await t.gql<{
      commissionRun: {
        id: string;
        status: string;
        linesAdded: number;
        contentHash: string | null;
        error: string | null;
      };
    }>(RUN_STATUS, { id: run.id }, 'finance'),
  );
  return data.commissionRun;
}

export async function accruals(t: TestApp, filter: Record<string, unknown>, as = 'finance'): Promise<AccrualNode[]> {
  const out: AccrualNode[] = [];
  let after: string | undefined;
  for (;;) {
    const data = ok(
      await t.gql<{
        accruals: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: AccrualNode }[] };
      }>(ACCRUALS, { f: filter, first: 100, ...(after ? { after } : {}) }, as),
    );
    out.push(...data.accruals.edges.map((e) => e.node));
    if (!data.accruals.pageInfo.hasNextPage) return out;
    after = data.accruals.pageInfo.endCursor;
  }
}

/** "50.00" → 5000n, "-0.50" → -50n (exact, no floats). */
export function fenOf(amount: string): bigint {
  const [int = '0', frac = ''] = amount.split('.');
  return BigInt(int + frac.padEnd(2, '0'));
}

export function fen(lines: AccrualNode[]): bigint[] {
  return lines.map((l) => fenOf(l.amount.amount));
}

export function sum(lines: AccrualNode[]): bigint {
  return fen(lines).reduce((a, b) => a + b, 0n);
}

export function service(t: TestApp): CommissionsService {
  return t.get(CommissionsService);
}
