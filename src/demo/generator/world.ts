import { ChannelType } from '../../channels/channel.enums';
import { CustomerEventType } from '../../programs/customer-event-type';
import { ProgramKind } from '../../programs/program.enums';
import { COMPANY_WORDS, GIVEN, INDUSTRIES, REGIONS, SURNAMES } from './catalog';
import { mobile, residentId, uniqueResidentId, uscc } from './identities';
import { Rng } from './prng';

/**
 * The pure half of the generator: from a seed, an index and the programs/channels created, the same
 * customer, referrals and events every time. Nothing here touches the database; nothing is kept in memory
 * between customers, so a million customers stream through in constant space.
 */

export type Scale = 'tiny' | 'small' | 'medium' | 'large';

export interface ScaleSpec {
  /** Prospects generated; about 60 % become customers. */
  profiles: number;
  partnersPerKind: number;
  /** Members of each core enterprise's supply chain (tiers 1–3). */
  chainMembers: number;
  /** Referrals in the one-channel burst (fraud-like). */
  burst: number;
  /** Most months of spend / payroll events per customer. */
  activeMonths: number;
  /** Most card spends in a month of an active card (at least one). */
  spendsPerMonth: number;
  /**
   * Most further touches an individual prospect gets from other partners' campaigns (drawn 0…n), on top of the
   * earlier touch a quarter of them get: the large scale's multi-source crowd.
   */
  extraTouches: number;
}

export const SCALES: Readonly<Record<Scale, ScaleSpec>> = {
  // Enough customers that the settled months have several statements (the finance phase needs them).
  tiny: {
    profiles: 400,
    partnersPerKind: 1,
    chainMembers: 4,
    burst: 5,
    activeMonths: 6,
    spendsPerMonth: 2,
    extraTouches: 0,
  },
  small: {
    profiles: 1_700,
    partnersPerKind: 1,
    chainMembers: 12,
    burst: 40,
    activeMonths: 6,
    spendsPerMonth: 2,
    extraTouches: 0,
  },
  medium: {
    profiles: 170_000,
    partnersPerKind: 2,
    chainMembers: 200,
    burst: 400,
    activeMonths: 8,
    spendsPerMonth: 2,
    extraTouches: 0,
  },
  // ≈ 1 M customers, 5 M referrals and 20 M events: a card in use is swiped about twelve times a month.
  large: {
    profiles: 1_700_000,
    partnersPerKind: 3,
    chainMembers: 1_000,
    burst: 2_000,
    activeMonths: 21,
    spendsPerMonth: 23,
    extraTouches: 6,
  },
};

/** The window the demo bank's history covers (fixed, so the same seed gives the same data on any day). */
export const HISTORY_FROM = '2025-01-01';
export const HISTORY_TO = '2026-09-30';
export const AS_OF = '2026-10-31';

/** Likelihood that a referral from this kind of channel becomes a customer. */
export const CONVERSION_BY_CHANNEL: Readonly<Record<ChannelType, number>> = {
  [ChannelType.BRANCH_COUNTER]: 0.7,
  [ChannelType.EMPLOYEE_REFERRAL]: 0.65,
  [ChannelType.PARTNER_API]: 0.5,
  [ChannelType.APP]: 0.45,
  [ChannelType.EVENT]: 0.4,
  [ChannelType.QR_CODE]: 0.35,
  [ChannelType.LINK]: 0.25,
};

export interface ChannelRef {
  trackingCode: string;
  type: ChannelType;
}

export interface ProgramRef {
  /** Natural key, e.g. "G-AIR-1/CO_BRANDED_CARD". */
  key: string;
  id: string;
  kind: ProgramKind;
  partnerKind: string;
  partnerUscc: string;
  productCode: string;
  channels: ChannelRef[];
}

export interface WorldContext {
  seed: number;
  spec: ScaleSpec;
  programs: ProgramRef[];
  /** Core enterprises: partner code, USCC, region division. */
  cores: { code: string; uscc: string; programKey: string }[];
}

export interface ReferralRow {
  trackingCode: string;
  idempotencyKey: string;
  idType?: string;
  idNumber?: string;
  phone?: string;
  name: string;
  product?: string;
  submittedAt: string;
}

export type Row = Record<string, string>;

export interface Profile {
  index: number;
  customer: Row | null;
  referrals: ReferralRow[];
  events: Row[];
}

const DAY = 86_400_000;
const FROM_MS = Date.parse(`${HISTORY_FROM}T00:00:00Z`);
const TO_MS = Date.parse(`${HISTORY_TO}T00:00:00Z`);
const AS_OF_MS = Date.parse(`${AS_OF}T00:00:00Z`);

export const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** An instant at a given Shanghai local hour on a date. */
export const instantAt = (ms: number, hour: number, minute = 0): string =>
  `${dateOf(ms)}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00+08:00`;

/**
 * Seasonality: a day of the window, weighted toward the weeks before Spring Festival (mid-January to
 * mid-February) and toward Double 11 (late October to 11 November), on a growing trend.
 */
export function seasonalDay(rng: Rng): number {
  for (;;) {
    const ms = FROM_MS + Math.floor(rng.next() * ((TO_MS - FROM_MS) / DAY + 1)) * DAY;
    const d = new Date(ms);
    const m = d.getUTCMonth() + 1;
    const day = d.getUTCDate();
    const festive = (m === 1 && day >= 10) || (m === 2 && day <= 15);
    const double11 = (m === 10 && day >= 20) || (m === 11 && day <= 11);
    // The partnerships grow: the last months bring about three times as many customers as the first.
    const growth = 0.35 + (0.65 * (ms - FROM_MS)) / (TO_MS - FROM_MS);
    const weight = (festive ? 1 : double11 ? 0.95 : 0.55) * growth;
    if (rng.next() < weight) return ms;
  }
}

function personName(rng: Rng): string {
  return rng.pick(SURNAMES) + rng.pick(GIVEN);
}

function yuan(rng: Rng, min: number, max: number): string {
  return `${rng.int(min, max)}.${String(rng.int(0, 99)).padStart(2, '0')}`;
}

/** The members of a core enterprise's chain: member j is in tier 1, 2 or 3 with a parent one tier up. */
export function chainMember(
  seed: number,
  coreCode: string,
  j: number,
): { uscc: string; name: string; tier: number; parent: number | null; upstream: boolean; volume: string } {
  const rng = Rng.derive(seed, 'chain', coreCode, j);
  const region = rng.pick(REGIONS);
  const tier =
    j < 4
      ? 1
      : rng.weighted([
          [1, 3],
          [2, 4],
          [3, 2],
        ] as const);
  const parent = tier === 1 ? null : Math.max(0, j - rng.int(1, Math.min(j, 4)));
  const industry = rng.pick(INDUSTRIES);
  return {
    uscc: uscc(rng, region.division),
    name: `${region.name}${rng.pick(COMPANY_WORDS)}${industry[0]}有限公司${j}`,
    tier,
    parent,
    upstream: rng.chance(0.6),
    volume: `${rng.int(50, 5000) * 10_000}.00`,
  };
}

/** Self-referral: the employee who owns an EMPLOYEE_REFERRAL channel refers themselves. */
export function employeeIdentity(seed: number): { idNumber: string; name: string; phone: string } {
  const rng = Rng.derive(seed, 'employee');
  return { idNumber: residentId(rng, '310115', '1988-06-18', true), name: '周明', phone: mobile(rng) };
}

/** The co-branded card program a campaign of `program` sells: its own partner's, else one picked by `rng`. */
function coBrandedCardOf(ctx: WorldContext, program: ProgramRef, rng: Rng): ProgramRef | null {
  const cards = ctx.programs.filter((p) => p.kind === ProgramKind.CO_BRANDED_CARD);
  return cards.find((p) => p.partnerUscc === program.partnerUscc) ?? (cards.length > 0 ? rng.pick(cards) : null);
}

/**
 * Customer (or prospect) `index`: who they are, which channels referred them, and — if they converted —
 * the events the bank's systems report about them.
 */
export function profile(ctx: WorldContext, index: number): Profile {
  const rng = Rng.indexed(ctx.seed, 'profile', index);
  const region = rng.pick(REGIONS);
  const orgUnitCode = rng.chance(0.5) ? region.subs[0][0] : region.code;
  const customerNumber = `D${String(index).padStart(8, '0')}`;
  // Every third of the first profiles is offered a seat in a core enterprise's chain (tiers 1–3): about half
  // of those become corporate customers, the rest stay prospects on the chain.
  const slot = index % 3 === 0 ? index / 3 : -1;
  const chainSeat =
    slot >= 0 && slot < ctx.cores.length * ctx.spec.chainMembers && rng.chance(0.5)
      ? { core: ctx.cores[slot % ctx.cores.length], j: Math.floor(slot / ctx.cores.length) }
      : null;
  const corporate = chainSeat !== null || rng.chance(0.15);
  const referrals: ReferralRow[] = [];
  const events: Row[] = [];
  let seq = 0;
  const event = (type: CustomerEventType, ms: number, extra: Row = {}): void => {
    if (ms > AS_OF_MS) return;
    events.push({
      eventId: `${customerNumber}-${String(seq++).padStart(3, '0')}`,
      customerNumber,
      type,
      occurredAt: instantAt(ms, rng.int(8, 21), rng.int(0, 59)),
      ...extra,
    });
  };
  const touchDay = seasonalDay(rng);

  if (corporate) {
    const industry = rng.pick(INDUSTRIES);
    // A supply-chain member of a core enterprise, or a firm a government body or chamber sent, or organic.
    // Chain members trade with their core; other firms sometimes do too (unlinked counterparties).
    const core = chainSeat?.core ?? (ctx.cores.length > 0 && rng.chance(0.3) ? rng.pick(ctx.cores) : null);
    const member = chainSeat?.core ? chainMember(ctx.seed, chainSeat.core.code, chainSeat.j) : null;
    const usccValue = member?.uscc ?? uscc(rng, region.division);
    const onboarded = touchDay + rng.int(0, 20) * DAY;
    const customer: Row = {
      customerNumber,
      type: 'CORPORATE',
      name: member?.name ?? `${region.name}${rng.pick(COMPANY_WORDS)}${industry[0]}有限公司`,
      uscc: usccValue,
      industry: industry[1],
      size: rng.pick(['MICRO', 'SMALL', 'SMALL', 'MEDIUM', 'LARGE']),
      orgUnitCode,
      onboardedOn: dateOf(onboarded),
    };
    const referrer = ctx.programs.filter(
      (p) =>
        p.kind === ProgramKind.REFERRAL &&
        /GOVERNMENT|PARK|INVESTMENT|CHAMBER|ASSOCIATION|EXCHANGE/.test(p.partnerKind),
    );
    if (!core && referrer.length > 0 && rng.chance(0.5)) {
      const program = rng.pick(referrer);
      const channel = rng.pick(program.channels);
      referrals.push({
        trackingCode: channel.trackingCode,
        idempotencyKey: `${customerNumber}-R0`,
        phone: mobile(rng),
        name: `${personName(rng)}（法定代表人）`,
        product: 'CORPORATE_ACCOUNT',
        submittedAt: instantAt(touchDay, rng.int(9, 17)),
      });
      if (!rng.chance(CONVERSION_BY_CHANNEL[channel.type])) return { index, customer: null, referrals, events };
    }
    event(CustomerEventType.ACCOUNT_OPENED, onboarded, { productCode: 'CORP-CURRENT' });
    for (let k = 0; k < rng.int(1, 2 + ctx.spec.activeMonths); k++) {
      const at = onboarded + rng.int(1, 300) * DAY;
      const sent = rng.chance(0.5);
      event(sent ? CustomerEventType.PAYMENT_SENT : CustomerEventType.PAYMENT_RECEIVED, at, {
        amount: yuan(rng, 5_000, 900_000),
        ...(core ? { counterpartyUscc: core.uscc } : { counterpartyName: `${rng.pick(COMPANY_WORDS)}贸易有限公司` }),
      });
    }
    if (rng.chance(0.3))
      event(CustomerEventType.LOAN_DISBURSED, onboarded + rng.int(30, 200) * DAY, {
        productCode: core ? 'SCF-RECEIVABLE' : 'SME-LOAN',
        amount: yuan(rng, 200_000, 5_000_000),
      });
    return { index, customer, referrals, events };
  }

  // ---- individuals ----
  const male = rng.chance(0.5);
  const idNumber = uniqueResidentId(region.division, index, male);
  const phone = mobile(rng);
  const name = personName(rng);
  const organic = ctx.programs.length === 0 || rng.chance(0.2);
  let program: ProgramRef | null = null;
  let converted = organic;
  let conversionDay = touchDay + rng.int(0, 10) * DAY;
  if (!organic) {
    // Programs a prospect can be referred through (supply-chain programs have no channels).
    const touchable = ctx.programs.filter((p) => p.channels.length > 0);
    program = rng.weighted(
      touchable
        .filter((p) => p.kind !== ProgramKind.SUPPLY_CHAIN)
        .map(
          (p) => [p, p.kind === ProgramKind.CO_BRANDED_CARD ? 3 : p.kind === ProgramKind.PAYROLL ? 1.5 : 1] as const,
        ),
    );
    // Multi-source touches: a quarter were touched earlier by another partner's channel.
    if (rng.chance(0.25)) {
      const other = rng.pick(touchable);
      const ch = rng.pick(other.channels);
      referrals.push({
        trackingCode: ch.trackingCode,
        idempotencyKey: `${customerNumber}-R1`,
        idType: 'RESIDENT_ID',
        idNumber,
        phone,
        name,
        product: other.productCode,
        submittedAt: instantAt(touchDay - rng.int(3, 25) * DAY, rng.int(9, 21)),
      });
    }
    const crowd = ctx.spec.extraTouches > 0 ? rng.int(0, ctx.spec.extraTouches) : 0;
    for (let t = 0; t < crowd; t++) {
      const other = rng.pick(touchable);
      referrals.push({
        trackingCode: rng.pick(other.channels).trackingCode,
        idempotencyKey: `${customerNumber}-R${2 + t}`,
        idType: 'RESIDENT_ID',
        idNumber,
        ...(rng.chance(0.6) ? { phone } : {}),
        name,
        product: other.productCode,
        submittedAt: instantAt(touchDay - rng.int(1, 60) * DAY, rng.int(8, 22), rng.int(0, 59)),
      });
    }
    const channel = rng.pick(program.channels);
    referrals.push({
      trackingCode: channel.trackingCode,
      idempotencyKey: `${customerNumber}-R0`,
      idType: 'RESIDENT_ID',
      idNumber,
      ...(rng.chance(0.8) ? { phone } : {}),
      name,
      product: program.productCode,
      submittedAt: instantAt(touchDay, rng.int(9, 21), rng.int(0, 59)),
    });
    converted = rng.chance(CONVERSION_BY_CHANNEL[channel.type]);
    conversionDay = touchDay + rng.int(1, 20) * DAY;
  }
  if (!converted) return { index, customer: null, referrals, events };

  const customer: Row = {
    customerNumber,
    type: 'INDIVIDUAL',
    name,
    idType: 'RESIDENT_ID',
    idNumber,
    phone,
    orgUnitCode,
    onboardedOn: dateOf(Math.min(conversionDay, AS_OF_MS)),
  };
  event(CustomerEventType.ACCOUNT_OPENED, conversionDay, { productCode: 'DEBIT-I' });
  const months = ctx.spec.activeMonths;
  const kind = program?.kind ?? null;
  // Card events name a co-branded card program: a joint-marketing campaign sells its partner's co-branded
  // card (or another partner's when it has none). Employee banking brings payroll credits, not a card.
  const cardProgram =
    kind === ProgramKind.CO_BRANDED_CARD
      ? program
      : kind === ProgramKind.JOINT_MARKETING && program && rng.chance(0.5)
        ? coBrandedCardOf(ctx, program, rng)
        : null;
  if (cardProgram) {
    // Card lifecycle: applied → approved/declined → activated → spend; some dormant, some closed early.
    const cardRef = `${customerNumber}-CARD`;
    const card = { programId: cardProgram.id, productCode: cardProgram.productCode, cardRef };
    const applied = conversionDay;
    event(CustomerEventType.CARD_APPLIED, applied, card);
    if (rng.chance(0.12)) event(CustomerEventType.CARD_DECLINED, applied + rng.int(1, 4) * DAY, card);
    else {
      const approved = applied + rng.int(1, 4) * DAY;
      event(CustomerEventType.CARD_APPROVED, approved, card);
      if (rng.chance(0.78)) {
        const activated = approved + rng.int(1, 25) * DAY;
        event(CustomerEventType.CARD_ACTIVATED, activated, card);
        const fate = rng.weighted([
          ['ACTIVE', 70],
          ['DORMANT', 20],
          ['EARLY_CLOSE', 7],
          ['DELINQUENT', 3],
        ] as const);
        if (fate === 'EARLY_CLOSE') {
          event(CustomerEventType.CARD_SPEND, activated + DAY, {
            ...card,
            amount: yuan(rng, 100, 800),
            merchantCategory: '5411',
          });
          event(CustomerEventType.CARD_CLOSED, activated + rng.int(10, 50) * DAY, card);
        } else if (fate !== 'DORMANT') {
          for (let m = 0; m < months; m++)
            for (let k = 0, swipes = rng.int(1, ctx.spec.spendsPerMonth); k < swipes; k++)
              event(CustomerEventType.CARD_SPEND, activated + (m * 30 + rng.int(0, 29)) * DAY, {
                ...card,
                amount: yuan(rng, 20, 3_000),
                merchantCategory: rng.pick(['5411', '5812', '4511', '5541', '5311', '4722', '5999']),
              });
          if (fate === 'DELINQUENT') event(CustomerEventType.DELINQUENT, activated + 120 * DAY, card);
        }
      }
    }
  }
  if (kind === ProgramKind.AGENCY_SALES && program) {
    const type = /INSURANCE/.test(program.partnerKind)
      ? CustomerEventType.INSURANCE_PREMIUM
      : CustomerEventType.FUND_PURCHASE;
    for (let k = 0; k < rng.int(1, 3); k++)
      event(type, conversionDay + rng.int(0, 200) * DAY, {
        productCode: program.productCode,
        amount: yuan(rng, 1_000, 200_000),
      });
  }
  if (kind === ProgramKind.REFERRAL && program && /REAL_ESTATE|HOUSING/.test(program.partnerKind) && rng.chance(0.6))
    event(CustomerEventType.LOAN_DISBURSED, conversionDay + rng.int(10, 60) * DAY, {
      productCode: 'MORTGAGE',
      amount: yuan(rng, 500_000, 3_000_000),
    });
  if ((kind === ProgramKind.PAYROLL || kind === ProgramKind.EMPLOYEE_BANKING) && program) {
    const salary = yuan(rng, 6_000, 40_000);
    for (let m = 0; m < months; m++)
      event(CustomerEventType.PAYROLL_CREDIT, conversionDay + (m * 30 + 5) * DAY, {
        employerUscc: program.partnerUscc,
        amount: salary,
      });
  }
  if (rng.chance(0.5))
    event(CustomerEventType.DEPOSIT_BALANCE_SNAPSHOT, conversionDay + rng.int(20, 120) * DAY, {
      amount: yuan(rng, 100, 500_000),
    });
  if (rng.chance(0.03)) event(CustomerEventType.ACCOUNT_CLOSED, conversionDay + rng.int(60, 300) * DAY);
  return { index, customer, referrals, events };
}
