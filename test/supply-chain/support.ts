import { Role } from '../../src/auth/roles';
import { residentIdCheckChar } from '../../src/common/identifiers';
import { EventRowStatus } from '../../src/customers/customer.enums';
import { CustomerEventsService } from '../../src/customers/customer-events.service';
import { CustomersService } from '../../src/customers/customers.service';
import { EventFields } from '../../src/customers/rules/event-input';
import { demoUscc } from '../../src/demo/foundation-demo';
import { PartnerKind } from '../../src/partners/partner.enums';
import { ProgramKind } from '../../src/programs/program.enums';
import { ProgramsService } from '../../src/programs/programs.service';
import { createPartner } from '../support/fixtures';
import { ok, SYSTEM_ACTOR, TestApp } from '../support/harness';
import { createAgreement } from '../programs/support';

export const uscc = (n: number): string => demoUscc(700000 + n, '330000');

let customerSerial = 1;

export async function corporateCustomer(
  t: TestApp,
  orgUnitId: string,
  companyUscc: string,
  name = `企业${customerSerial}`,
): Promise<string> {
  const { customer } = await t.get(CustomersService).upsert(SYSTEM_ACTOR, {
    customerNumber: `SC-C-${customerSerial++}`,
    type: 'CORPORATE',
    name,
    uscc: companyUscc,
    orgUnitId,
    onboardedOn: '2025-01-01',
  });
  return customer.id;
}

export async function individualCustomer(
  t: TestApp,
  orgUnitId: string,
  name: string,
  onboardedOn: string,
): Promise<{ id: string; number: string }> {
  const serial = customerSerial++;
  const first17 = `11010119850101${String(100 + serial).padStart(3, '0')}`;
  const number = `SC-P-${serial}`;
  const { customer } = await t.get(CustomersService).upsert(SYSTEM_ACTOR, {
    customerNumber: number,
    type: 'INDIVIDUAL',
    name,
    idType: 'RESIDENT_ID',
    idNumber: first17 + residentIdCheckChar(first17),
    orgUnitId,
    onboardedOn,
  });
  return { id: customer.id, number };
}

export async function customerNumberOf(t: TestApp, id: string): Promise<string> {
  const [c] = await t.get(CustomersService).findByIds([id]);
  if (!c) throw new Error('no customer');
  return c.customerNumber;
}

let eventSerial = 1;

export async function recordEvents(t: TestApp, events: EventFields[]): Promise<void> {
  const results = await t.get(CustomerEventsService).record(
    SYSTEM_ACTOR,
    events.map((e) => ({ eventId: `SC-E-${eventSerial++}`, ...e })),
  );
  const bad = results.filter((r) => r.status !== EventRowStatus.ACCEPTED);
  if (bad.length) throw new Error(`events rejected: ${JSON.stringify(bad)}`);
}

/** A CORE_ENTERPRISE partner in `orgUnitId` with an ACTIVE agreement and a SUPPLY_CHAIN (or other) program. */
export async function corePartnerWithProgram(
  t: TestApp,
  code: string,
  orgUnitId: string,
  kind: ProgramKind = ProgramKind.SUPPLY_CHAIN,
): Promise<{ partnerId: string; programId: string }> {
  const partnerId = await createPartner(t, { code, orgUnitId, kind: PartnerKind.CORE_ENTERPRISE });
  const agreementId = await createAgreement(t, partnerId);
  const program = await t.get(ProgramsService).createProgram(SYSTEM_ACTOR, {
    agreementId,
    kind,
    nameZh: `${code} 项目`,
    targets: [],
  });
  return { partnerId, programId: program.id };
}

export const REGISTER = `mutation($i: RegisterCoreEnterpriseInput!) { registerCoreEnterprise(input: $i) {
  id partnerId programId orgUnitId company { id name uscc banked customerId } } }`;
export const CREATE_LINK = `mutation($i: CreateSupplyChainLinkInput!) { createSupplyChainLink(input: $i) {
  id parentCompanyId memberCompanyId direction tier source status version annualVolume { amount } } }`;
export const CHAIN = `query($c: ID!, $d: ChainDirectionFilter!, $m: Int!) { supplyChain(coreEnterpriseId: $c, direction: $d, maxTier: $m) {
  coreEnterprise { id company { id name } }
  nodes { company { id name uscc banked customerId } direction tier banked volume { amount } }
  edges { id parentCompanyId memberCompanyId direction tier } } }`;

export interface ChainResult {
  supplyChain: {
    coreEnterprise: { id: string; company: { id: string; name: string } };
    nodes: {
      company: { id: string; name: string; uscc: string | null; banked: boolean; customerId: string | null };
      direction: string;
      tier: number;
      banked: boolean;
      volume: { amount: string };
    }[];
    edges: { id: string; parentCompanyId: string; memberCompanyId: string; direction: string; tier: number }[];
  };
}

export async function registerCore(
  t: TestApp,
  as: string,
  input: Record<string, unknown>,
): Promise<{ id: string; companyId: string }> {
  const data = ok(
    await t.gql<{ registerCoreEnterprise: { id: string; company: { id: string } } }>(REGISTER, { i: input }, as),
  );
  return { id: data.registerCoreEnterprise.id, companyId: data.registerCoreEnterprise.company.id };
}

export async function link(
  t: TestApp,
  as: string,
  input: Record<string, unknown>,
): Promise<{ id: string; memberCompanyId: string; tier: number; version: number }> {
  const data = ok(
    await t.gql<{ createSupplyChainLink: { id: string; memberCompanyId: string; tier: number; version: number } }>(
      CREATE_LINK,
      { i: input },
      as,
    ),
  );
  return data.createSupplyChainLink;
}

export { Role };
