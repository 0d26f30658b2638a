import Decimal from 'decimal.js';
import { badInput } from '../../common/domain-error';
import { Money } from '../../common/money';
import { parseRate } from '../../common/rate';
import { AD, SCORE_SCALE, assertCount, fixed, moneyPer, moneyTimes, ratio } from './numeric';

/**
 * Value and cost of brought-in customers, and the co-branded card program P&L.
 *
 * Revenue attributed (each line rounded half-up ONCE at the minor unit; the total is the sum of the lines):
 * - interchange = spend × interchangeRate
 * - agencyFees = agency sales (fund purchases, premiums, … sold through the bank) × agencyFeeRate
 * - balanceMargin = Σ(balance × days held) × annualMarginRate ÷ dayCountBasis (365 by default; 360 allowed),
 *   i.e. an annual margin prorated by the days each balance was held in the period.
 * Cost = commission accrued net of clawbacks in the period (the ledger's ACCRUAL minus CLAWBACK lines);
 * commission PAID is reported beside it (cash view) but ROI uses the accrual view.
 * - ROI = (revenue − cost) ÷ cost, 4 decimals; null when cost is 0.
 * - costPerAcquiredCustomer = cost ÷ customers acquired (half-up at the fen); null when none were acquired.
 * - costPerQualifiedReferral = cost ÷ qualified referrals; null when none qualified.
 */

export interface ValueRates {
  interchangeRate: string;
  agencyFeeRate: string;
  annualMarginRate: string;
  dayCountBasis?: 360 | 365;
}

export interface BalanceHeld {
  balanceMinor: bigint;
  days: number;
}

export interface ValueFacts {
  currency: string;
  spendMinor: bigint;
  agencySalesMinor: bigint;
  balances: readonly BalanceHeld[];
  commissionAccruedMinor: bigint;
  commissionClawedBackMinor: bigint;
  commissionPaidMinor: bigint;
  customersAcquired: number;
  qualifiedReferrals: number;
}

export interface AttributedRevenue {
  interchange: Money;
  agencyFees: Money;
  balanceMargin: Money;
  total: Money;
}

export interface PartnerValue {
  revenue: AttributedRevenue;
  commissionAccrued: Money;
  commissionClawedBack: Money;
  /** accrued − clawed back: the cost used by ROI and the per-unit costs. */
  cost: Money;
  commissionPaid: Money;
  net: Money;
  roi: string | null;
  costPerAcquiredCustomer: Money | null;
  costPerQualifiedReferral: Money | null;
}

function rateOf(raw: string, field: string): Decimal {
  return new AD(parseRate(raw, field, { min: '0', max: '1' }));
}

export function attributedRevenue(facts: ValueFacts, rates: ValueRates): AttributedRevenue {
  const c = facts.currency;
  const basis = rates.dayCountBasis ?? 365;
  if (basis !== 360 && basis !== 365) throw badInput('rates.dayCountBasis', 'OUT_OF_RANGE');
  const interchange = moneyTimes(
    Money.ofMinor(facts.spendMinor, c),
    rateOf(rates.interchangeRate, 'rates.interchangeRate'),
  );
  const agencyFees = moneyTimes(
    Money.ofMinor(facts.agencySalesMinor, c),
    rateOf(rates.agencyFeeRate, 'rates.agencyFeeRate'),
  );
  let balanceDays = 0n;
  facts.balances.forEach((b, i) => {
    assertCount(b.days, `balances[${i}].days`);
    balanceDays += b.balanceMinor * BigInt(b.days);
  });
  // One rounding: the exact Σ(balance × days) × rate ÷ basis.
  const margin = new AD(balanceDays.toString())
    .times(rateOf(rates.annualMarginRate, 'rates.annualMarginRate'))
    .div(basis)
    .toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  const balanceMargin = Money.ofMinor(BigInt(margin.toFixed(0)), c);
  return { interchange, agencyFees, balanceMargin, total: interchange.plus(agencyFees).plus(balanceMargin) };
}

export function partnerValue(facts: ValueFacts, rates: ValueRates): PartnerValue {
  const c = facts.currency;
  assertCount(facts.customersAcquired, 'customersAcquired');
  assertCount(facts.qualifiedReferrals, 'qualifiedReferrals');
  const revenue = attributedRevenue(facts, rates);
  const accrued = Money.ofMinor(facts.commissionAccruedMinor, c);
  const clawedBack = Money.ofMinor(facts.commissionClawedBackMinor, c);
  const cost = accrued.minus(clawedBack);
  const net = revenue.total.minus(cost);
  return {
    revenue,
    commissionAccrued: accrued,
    commissionClawedBack: clawedBack,
    cost,
    commissionPaid: Money.ofMinor(facts.commissionPaidMinor, c),
    net,
    roi: ratio(net.minor, cost.minor),
    costPerAcquiredCustomer: moneyPer(cost, facts.customersAcquired),
    costPerQualifiedReferral: moneyPer(cost, facts.qualifiedReferrals),
  };
}

// ---------------------------------------------------------------------------
// Co-branded card program P&L
// ---------------------------------------------------------------------------

/**
 * One period of a co-branded card program (联名卡项目), from the bank's side:
 * - counts: cards applied, approved, activated, with first spend (first CARD_SPEND in the period), active
 *   (≥ 1 spend in the period); rates approval = approved ÷ applied, activation = activated ÷ approved,
 *   firstSpend = withFirstSpend ÷ activated (4 decimals, null on a zero denominator);
 * - spend; interchange = spend × interchangeRate; partnerShare = interchange × the product's partnerShare rate
 *   (the partner's cut of interchange, 分成); bounties = per-activation bounties accrued to the partner;
 *   rewardsCost = the bank-funded cost of rewards (given, or spend × rewardsCostRate × bankFundedShare);
 *   marketingFund = the bank's contribution to the joint marketing fund;
 * - net = interchange − partnerShare − bounties − rewardsCost − marketingFund.
 */
export interface CardProgramPeriodFacts {
  period: string;
  currency: string;
  cardsApplied: number;
  cardsApproved: number;
  cardsActivated: number;
  cardsWithFirstSpend: number;
  cardsActive: number;
  spendMinor: bigint;
  bountiesMinor: bigint;
  rewardsCostMinor?: bigint | null;
  marketingFundMinor: bigint;
}

export interface CardProgramEconomics {
  interchangeRate: string;
  partnerShareRate: string;
  /** Cost to the bank of the rewards earned per unit of spend (e.g. earn rate × point value). */
  rewardsCostRate?: string;
  /** Share of the rewards cost the bank funds (1 = BANK, 0 = PARTNER, between = SHARED). */
  bankFundedShare?: string;
}

export interface CardProgramPnlLine {
  period: string;
  cardsApplied: number;
  cardsApproved: number;
  cardsActivated: number;
  cardsWithFirstSpend: number;
  cardsActive: number;
  approvalRate: string | null;
  activationRate: string | null;
  firstSpendRate: string | null;
  spend: Money;
  interchange: Money;
  partnerShare: Money;
  bounties: Money;
  rewardsCost: Money;
  marketingFund: Money;
  net: Money;
}

const COUNT_FIELDS = ['cardsApplied', 'cardsApproved', 'cardsActivated', 'cardsWithFirstSpend', 'cardsActive'] as const;

export function cardProgramPnlLine(f: CardProgramPeriodFacts, e: CardProgramEconomics): CardProgramPnlLine {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(f.period)) throw badInput('period', 'INVALID_PERIOD');
  for (const k of COUNT_FIELDS) assertCount(f[k], k);
  const c = f.currency;
  const spend = Money.ofMinor(f.spendMinor, c);
  const interchange = moneyTimes(spend, rateOf(e.interchangeRate, 'interchangeRate'));
  const partnerShare = moneyTimes(interchange, rateOf(e.partnerShareRate, 'partnerShareRate'));
  let rewardsCost: Money;
  if (f.rewardsCostMinor !== undefined && f.rewardsCostMinor !== null) {
    rewardsCost = Money.ofMinor(f.rewardsCostMinor, c);
  } else {
    const rate = rateOf(e.rewardsCostRate ?? '0', 'rewardsCostRate').times(
      rateOf(e.bankFundedShare ?? '1', 'bankFundedShare'),
    );
    rewardsCost = moneyTimes(spend, rate);
  }
  const bounties = Money.ofMinor(f.bountiesMinor, c);
  const marketingFund = Money.ofMinor(f.marketingFundMinor, c);
  return {
    period: f.period,
    cardsApplied: f.cardsApplied,
    cardsApproved: f.cardsApproved,
    cardsActivated: f.cardsActivated,
    cardsWithFirstSpend: f.cardsWithFirstSpend,
    cardsActive: f.cardsActive,
    approvalRate: ratio(f.cardsApproved, f.cardsApplied),
    activationRate: ratio(f.cardsActivated, f.cardsApproved),
    firstSpendRate: ratio(f.cardsWithFirstSpend, f.cardsActivated),
    spend,
    interchange,
    partnerShare,
    bounties,
    rewardsCost,
    marketingFund,
    net: interchange.minus(partnerShare).minus(bounties).minus(rewardsCost).minus(marketingFund),
  };
}

/**
 * P&L over several periods: one line per period (sorted), plus a TOTAL line whose money is the sum of the
 * period lines (never recomputed from total spend, so it always adds up) and whose counts are sums — except
 * cardsActive, which is not additive across periods and is reported as the LAST period's value.
 */
export function cardProgramPnl(
  periods: readonly CardProgramPeriodFacts[],
  e: CardProgramEconomics,
  currency: string,
): { lines: CardProgramPnlLine[]; total: CardProgramPnlLine } {
  const seen = new Set<string>();
  const lines = periods
    .map((p) => {
      if (seen.has(p.period)) throw badInput('period', 'DUPLICATE');
      seen.add(p.period);
      if (p.currency !== currency) throw badInput('currency', 'CURRENCY_MISMATCH');
      return cardProgramPnlLine(p, e);
    })
    .sort((a, b) => (a.period < b.period ? -1 : 1));
  const zero = Money.zero(currency);
  const sumM = (
    k: 'spend' | 'interchange' | 'partnerShare' | 'bounties' | 'rewardsCost' | 'marketingFund' | 'net',
  ): Money => lines.reduce((s, l) => s.plus(l[k]), zero);
  const sumC = (k: (typeof COUNT_FIELDS)[number]): number => lines.reduce((s, l) => s + l[k], 0);
  const applied = sumC('cardsApplied');
  const approved = sumC('cardsApproved');
  const activated = sumC('cardsActivated');
  const firstSpend = sumC('cardsWithFirstSpend');
  const last = lines[lines.length - 1];
  return {
    lines,
    total: {
      period: lines.length === 0 ? 'TOTAL' : `${lines[0]?.period ?? ''}..${last?.period ?? ''}`,
      cardsApplied: applied,
      cardsApproved: approved,
      cardsActivated: activated,
      cardsWithFirstSpend: firstSpend,
      cardsActive: last?.cardsActive ?? 0,
      approvalRate: ratio(approved, applied),
      activationRate: ratio(activated, approved),
      firstSpendRate: ratio(firstSpend, activated),
      spend: sumM('spend'),
      interchange: sumM('interchange'),
      partnerShare: sumM('partnerShare'),
      bounties: sumM('bounties'),
      rewardsCost: sumM('rewardsCost'),
      marketingFund: sumM('marketingFund'),
      net: sumM('net'),
    },
  };
}

/** Margin of a P&L as net ÷ interchange (4 decimals), null without interchange. */
export function pnlMargin(line: CardProgramPnlLine): string | null {
  return line.interchange.isZero()
    ? null
    : fixed(new AD(line.net.minor.toString()).div(line.interchange.minor.toString()), SCORE_SCALE);
}
