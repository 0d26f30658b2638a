import { residentIdCheckChar } from '../../src/common/identifiers';
import { CustomerEventsService } from '../../src/customers/customer-events.service';
import { CustomersService } from '../../src/customers/customers.service';
import { ChannelsService } from '../../src/channels/channels.service';
import { ChannelType } from '../../src/channels/channel.enums';
import {
  AttributionModel,
  AttributionScope,
  ProgramKind,
  ProgramStatus,
  QualificationMeasure,
} from '../../src/programs/program.enums';
import { ProgramsService } from '../../src/programs/programs.service';
import { ReferralEntity } from '../../src/referrals/entities/referral.entity';
import { ReferralsService } from '../../src/referrals/referrals.service';
import { createAgreement, productInput } from '../programs/support';
import { SYSTEM_ACTOR, TestApp } from '../support/harness';

export interface RuleSpec {
  windowDays?: number;
  model?: AttributionModel;
  scope?: AttributionScope;
  precedenceRank?: number;
  splitShare?: string;
}

let programSerial = 1;
let binSerial = 1;

/** A program of the partner with an attribution rule in force from 2026-01-01. */
export async function programWithRule(
  t: TestApp,
  partnerId: string,
  kind: ProgramKind,
  rule: RuleSpec,
): Promise<string> {
  const agreementId = await createAgreement(t, partnerId, { validFrom: '2025-01-01', validTo: '2027-12-31' });
  const programs = t.get(ProgramsService);
  const program = await programs.createProgram(SYSTEM_ACTOR, {
    agreementId,
    kind,
    nameZh: `项目${programSerial++}`,
    targets: [],
  });
  await programs.setAttributionRule(SYSTEM_ACTOR, {
    programId: program.id,
    effectiveFrom: '2026-01-01',
    windowDays: rule.windowDays ?? 30,
    model: rule.model ?? AttributionModel.FIRST_TOUCH,
    scope: rule.scope ?? AttributionScope.NEW_TO_BANK,
    precedenceRank: rule.precedenceRank ?? 1,
    ...(rule.splitShare ? { splitShare: rule.splitShare } : {}),
  });
  if (kind === ProgramKind.CO_BRANDED_CARD)
    await programs.upsertProduct(
      SYSTEM_ACTOR,
      productInput(program.id, [`6288${String(binSerial++).padStart(4, '0')}`]) as never,
    );
  await programs.transitionProgram(SYSTEM_ACTOR, { id: program.id, to: ProgramStatus.ACTIVE });
  return program.id;
}

/** Card activated and ≥ ¥100 of spend within 30 days of conversion. */
export async function cardQualification(t: TestApp, programId: string): Promise<void> {
  await t.get(ProgramsService).setQualificationRule(SYSTEM_ACTOR, {
    programId,
    effectiveFrom: '2026-01-01',
    withinDays: 30,
    all: [
      { eventType: 'CARD_ACTIVATED', measure: QualificationMeasure.COUNT, count: 1 },
      { eventType: 'CARD_SPEND', measure: QualificationMeasure.SUM_AMOUNT, amount: { amount: '100.00' } },
    ] as never,
  });
}

let customerSerial = 1;

export interface TestCustomer {
  id: string;
  number: string;
  identityHash: string;
  /** The clear number exists only in the test, to submit referrals for the same person. */
  idNumber: string;
}

export async function newCustomer(t: TestApp, orgUnitId: string, onboardedOn: string): Promise<TestCustomer> {
  const serial = customerSerial++;
  const first17 = `110101${1960 + Math.floor(serial / 999)}0202${String((serial % 999) + 1).padStart(3, '0')}`;
  const number = `AT${String(serial).padStart(8, '0')}`;
  const idNumber = first17 + residentIdCheckChar(first17);
  const { customer } = await t.get(CustomersService).upsert(SYSTEM_ACTOR, {
    customerNumber: number,
    idType: 'RESIDENT_ID',
    idNumber,
    type: 'INDIVIDUAL',
    name: '王小明',
    orgUnitId,
    onboardedOn,
  });
  return { id: customer.id, number, identityHash: customer.identityHash as string, idNumber };
}

let eventSerial = 1;

export interface Ev {
  type: string;
  at: string;
  program?: string;
  amount?: string;
  employerUscc?: string;
  id?: string;
}

export function eventId(): string {
  return `ATEV-${String(eventSerial++).padStart(8, '0')}`;
}

/** Records events of one customer (attribution runs after the commit, through the onRecorded hook). */
export async function record(t: TestApp, customer: TestCustomer, evs: Ev[]): Promise<void> {
  const rows = await t.get(CustomerEventsService).record(
    SYSTEM_ACTOR,
    evs.map((e) => ({
      eventId: e.id ?? eventId(),
      customerNumber: customer.number,
      type: e.type,
      occurredAt: e.at,
      ...(e.program ? { programId: e.program } : {}),
      ...(e.amount ? { amount: e.amount, currency: 'CNY' } : {}),
      ...(e.employerUscc ? { employerUscc: e.employerUscc } : {}),
    })),
  );
  for (const r of rows)
    if ((r.status as string) !== 'ACCEPTED') throw new Error(`event not accepted: ${JSON.stringify(r)}`);
}

let referralSerial = 1;
const channels = new Map<string, string>();

/** Submits a referral of the customer's identity through a channel of the program (real ReferralsService). */
export async function addReferral(
  t: TestApp,
  customer: TestCustomer,
  _partnerId: string,
  programId: string,
  submittedAt: string,
): Promise<string> {
  let channelId = channels.get(programId);
  if (!channelId) {
    const c = await t.get(ChannelsService).create(SYSTEM_ACTOR, {
      programId,
      type: ChannelType.PARTNER_API,
      name: '合作方接口',
      landingUrl: 'https://card.example.cn/apply',
    });
    channelId = c.id;
    channels.set(programId, channelId);
  }
  const { referral } = await t.get(ReferralsService).submit(SYSTEM_ACTOR, {
    channelId,
    idempotencyKey: `attr-test-${referralSerial++}`,
    prospect: { idType: 'RESIDENT_ID', idNumber: customer.idNumber, name: '王小明' },
    submittedAt,
  });
  return referral.id;
}

export async function referralStatus(t: TestApp, referralId: string): Promise<string> {
  const r = await t.dataSource.getRepository(ReferralEntity).findOneByOrFail({ id: referralId });
  return r.status;
}

export const ATTRIBUTION_FIELDS = `id customerId productKey convertedOn reason overridden overrideReason rule version
  winners { source programId partnerId share qualification { status qualifiedOn eventIds } }
  touches { source sourceRef programId partnerId outcome rank share }`;

export const CUSTOMER_ATTRIBUTION = `query($id: ID!) { customer(id: $id) { id name attribution { ${ATTRIBUTION_FIELDS} } } }`;

export interface AttributionView {
  id: string;
  productKey: string;
  convertedOn: string;
  reason: string | null;
  overridden: boolean;
  rule: unknown;
  version: number;
  winners: {
    source: string;
    programId: string;
    partnerId: string;
    share: string | null;
    qualification: { status: string; qualifiedOn: string | null; eventIds: string[] } | null;
  }[];
  touches: {
    source: string;
    sourceRef: string;
    programId: string;
    partnerId: string;
    outcome: string;
    rank: number | null;
  }[];
}

export async function attributionOf(t: TestApp, customerId: string, as = 'admin'): Promise<AttributionView[]> {
  const res = await t.gql<{ customer: { attribution: AttributionView[] } }>(
    CUSTOMER_ATTRIBUTION,
    { id: customerId },
    as,
  );
  if (res.errors?.length || !res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.customer.attribution;
}

export function keyOf(views: AttributionView[], productKey: string): AttributionView {
  const found = views.find((v) => v.productKey === productKey);
  if (!found) throw new Error(`no decision for ${productKey}: ${JSON.stringify(views.map((v) => v.productKey))}`);
  return found;
}
