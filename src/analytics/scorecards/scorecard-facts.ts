import { EntityManager } from 'typeorm';
import { daysBetween } from '../../common/business-time';
import { attributedRevenue } from '../rules/value';
import type { PartnerScorecardFacts, RiskRatingValue, ScorecardTier } from '../rules/scorecard';
import { SCORED_PARTNER_STATUSES } from './scorecard.enums';

/** What the fact queries need to know about the period and the weight set in force. */
export interface FactWindow {
  periodId: string;
  from: string;
  to: string;
  currency: string;
  interchangeRate: string;
  agencyFeeRate: string;
  balanceMarginRate: string;
  earlyClosureDays: number;
}

type Raw = Record<string, unknown>;

type Scalar = string | number | bigint | null | undefined;

/** Drivers return BIGINT/SUM as string (mysql2) or number (better-sqlite3); NULL sums are 0. */
function big(v: unknown): bigint {
  const s = v as Scalar;
  if (s === null || s === undefined) return 0n;
  return BigInt(s);
}

function int(v: unknown): number {
  const s = v as Scalar;
  if (s === null || s === undefined) return 0;
  return Number.parseInt(String(s), 10);
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return v.toString();
  throw new TypeError(`expected a text column, got ${typeof v}`);
}

/**
 * (partner, customer, since): every customer a partner brought in (a WON attribution touch) converted on or
 * before the period end, with the first conversion date. The population of the customer-based indicators.
 */
const BROUGHT_IN = `SELECT t.partner_id AS partner_id, t.customer_id AS customer_id, MIN(t.converted_on) AS since
  FROM attribution_touches t WHERE t.outcome = 'WON' AND t.converted_on <= ? GROUP BY t.partner_id, t.customer_id`;

const REVENUE_EVENT_TYPES = ['CARD_SPEND', 'FUND_PURCHASE', 'INSURANCE_PREMIUM'];
const ADVERSE_EVENT_TYPES = ['DELINQUENT', 'CARD_CLOSED', 'ACCOUNT_CLOSED'];

/**
 * Gathers PartnerScorecardFacts for every partner scored (status ACTIVE or SUSPENDED) with one set-based
 * GROUP BY per source — the statement count does not grow with the number of partners. The definitions are
 * the README's "Partner scorecard" section; `onStep` reports progress after each query.
 */
export async function gatherScorecardFacts(
  manager: EntityManager,
  w: FactWindow,
  onStep: (done: number) => Promise<void> = () => Promise.resolve(),
): Promise<PartnerScorecardFacts[]> {
  const q = (sql: string, params: unknown[]): Promise<Raw[]> => manager.query(sql, params);
  const statusList = SCORED_PARTNER_STATUSES.map(() => '?').join(', ');
  const partners = await q(
    `SELECT p.id AS id, p.code AS code, p.tier AS tier, p.risk_rating AS risk_rating
       FROM partners p WHERE p.status IN (${statusList}) ORDER BY p.code`,
    [...SCORED_PARTNER_STATUSES],
  );
  const facts = new Map<string, PartnerScorecardFacts>();
  for (const p of partners) {
    const id = str(p.id);
    facts.set(id, {
      partnerId: id,
      partnerCode: str(p.code),
      valueBroughtInMinor: 0n,
      customersBroughtIn: 0,
      adverseCustomers: 0,
      commissionAccruedMinor: 0n,
      commissionClawedBackMinor: 0n,
      riskRating: (p.risk_rating ?? null) as RiskRatingValue | null,
      tier: (p.tier ?? null) as ScorecardTier | null,
      externalRating: null,
      complaints: 0,
      sharedCustomers: 0,
      supplyChainSize: 0,
      crossProgramLinks: 0,
    });
  }
  if (facts.size === 0) return [];
  const each = (rows: Raw[], apply: (f: PartnerScorecardFacts, row: Raw) => void): void => {
    for (const row of rows) {
      const f = facts.get(str(row.partner_id));
      if (f) apply(f, row);
    }
  };
  let step = 0;
  const done = (): Promise<void> => onStep(++step);

  // Customers brought in (as of the period end).
  each(
    await q(`SELECT b.partner_id AS partner_id, COUNT(*) AS n FROM (${BROUGHT_IN}) b GROUP BY b.partner_id`, [w.to]),
    (f, r) => (f.customersBroughtIn = int(r.n)),
  );
  await done();

  // C1: the period's spend and agency sales of brought-in customers, after they were brought in …
  const typeList = REVENUE_EVENT_TYPES.map(() => '?').join(', ');
  const flows = new Map<string, { spend: bigint; agency: bigint; balance: bigint }>();
  const flowOf = (id: string): { spend: bigint; agency: bigint; balance: bigint } => {
    let v = flows.get(id);
    if (!v) flows.set(id, (v = { spend: 0n, agency: 0n, balance: 0n }));
    return v;
  };
  for (const r of await q(
    `SELECT b.partner_id AS partner_id, e.type AS type, SUM(e.amount) AS total
       FROM (${BROUGHT_IN}) b JOIN customer_events e ON e.customer_id = b.customer_id
      WHERE e.type IN (${typeList}) AND e.currency = ? AND e.business_date >= ? AND e.business_date <= ?
        AND e.business_date >= b.since
      GROUP BY b.partner_id, e.type`,
    [w.to, ...REVENUE_EVENT_TYPES, w.currency, w.from, w.to],
  )) {
    const v = flowOf(str(r.partner_id));
    if (r.type === 'CARD_SPEND') v.spend += big(r.total);
    else v.agency += big(r.total);
  }
  // … and each brought-in customer's latest balance snapshot in the period, held for the whole period. RANK()
  // keeps every snapshot of the last day (one per account) in one pass over the period's snapshots, summed per
  // customer BEFORE the join (joining the ranked rows directly made SQLite scan them once per customer).
  for (const r of await q(
    `SELECT b.partner_id AS partner_id, SUM(x.balance) AS total
       FROM (SELECT y.customer_id AS customer_id, SUM(y.amount) AS balance
               FROM (SELECT s.customer_id AS customer_id, s.amount AS amount,
                            RANK() OVER (PARTITION BY s.customer_id ORDER BY s.business_date DESC) AS latest
                       FROM customer_events s
                      WHERE s.type = 'DEPOSIT_BALANCE_SNAPSHOT' AND s.currency = ?
                        AND s.business_date >= ? AND s.business_date <= ?) y
              WHERE y.latest = 1 GROUP BY y.customer_id) x
       JOIN (${BROUGHT_IN}) b ON b.customer_id = x.customer_id
      GROUP BY b.partner_id`,
    [w.currency, w.from, w.to, w.to],
  ))
    flowOf(str(r.partner_id)).balance += big(r.total);
  const periodDays = daysBetween(w.from, w.to) + 1;
  for (const [partnerId, v] of flows) {
    const f = facts.get(partnerId);
    if (!f) continue;
    f.valueBroughtInMinor = attributedRevenue(
      {
        currency: w.currency,
        spendMinor: v.spend,
        agencySalesMinor: v.agency,
        balances: v.balance === 0n ? [] : [{ balanceMinor: v.balance, days: periodDays }],
        commissionAccruedMinor: 0n,
        commissionClawedBackMinor: 0n,
        commissionPaidMinor: 0n,
        customersAcquired: 0,
        qualifiedReferrals: 0,
      },
      {
        interchangeRate: w.interchangeRate,
        agencyFeeRate: w.agencyFeeRate,
        annualMarginRate: w.balanceMarginRate,
      },
    ).total.minor;
  }
  await done();

  // R1: brought-in customers delinquent, or closing an account/card within the early-closure window, by the
  // period end. One row per adverse event (few); the window is applied here so the SQL stays portable.
  const adverseList = ADVERSE_EVENT_TYPES.map(() => '?').join(', ');
  const adverse = new Map<string, Set<string>>();
  for (const r of await q(
    `SELECT DISTINCT b.partner_id AS partner_id, b.customer_id AS customer_id, b.since AS since,
            e.type AS type, e.business_date AS business_date
       FROM (${BROUGHT_IN}) b JOIN customer_events e ON e.customer_id = b.customer_id
      WHERE e.type IN (${adverseList}) AND e.business_date >= b.since AND e.business_date <= ?`,
    [w.to, ...ADVERSE_EVENT_TYPES, w.to],
  )) {
    const early = daysBetween(str(r.since), str(r.business_date)) <= w.earlyClosureDays;
    if (r.type !== 'DELINQUENT' && !early) continue;
    const id = str(r.partner_id);
    const set = adverse.get(id) ?? new Set<string>();
    set.add(str(r.customer_id));
    adverse.set(id, set);
  }
  for (const [id, set] of adverse) {
    const f = facts.get(id);
    if (f) f.adverseCustomers = set.size;
  }
  await done();

  // R2: commission posted in the period: accruals (net of their reversals) and clawbacks (negative lines).
  each(
    await q(
      `SELECT a.partner_id AS partner_id, a.kind AS kind, SUM(a.amount) AS total FROM commission_accruals a
        WHERE a.period_id = ? AND a.currency = ? GROUP BY a.partner_id, a.kind`,
      [w.periodId, w.currency],
    ),
    (f, r) => {
      const total = big(r.total);
      if (r.kind === 'ACCRUAL') f.commissionAccruedMinor = total > 0n ? total : 0n;
      else if (r.kind === 'CLAWBACK') f.commissionClawedBackMinor = total < 0n ? -total : 0n;
    },
  );
  await done();

  // P2: the latest external rating on or before the period end.
  each(
    await q(
      `SELECT r.partner_id AS partner_id, r.rating AS rating FROM partner_external_ratings r
        WHERE r.rated_on = (SELECT MAX(x.rated_on) FROM partner_external_ratings x
                             WHERE x.partner_id = r.partner_id AND x.rated_on <= ?)`,
      [w.to],
    ),
    (f, r) => (f.externalRating = str(r.rating)),
  );
  // P3: complaints received in the period.
  each(
    await q(
      `SELECT c.partner_id AS partner_id, COUNT(*) AS n FROM partner_complaints c
        WHERE c.received_on >= ? AND c.received_on <= ? GROUP BY c.partner_id`,
      [w.from, w.to],
    ),
    (f, r) => (f.complaints = int(r.n)),
  );
  await done();

  // L1: brought-in customers another partner also brought in (for any product).
  each(
    await q(
      `SELECT a.partner_id AS partner_id, COUNT(DISTINCT a.customer_id) AS n FROM attribution_touches a
        WHERE a.outcome = 'WON' AND a.converted_on <= ?
          AND EXISTS (SELECT 1 FROM attribution_touches o WHERE o.customer_id = a.customer_id
                         AND o.outcome = 'WON' AND o.partner_id <> a.partner_id AND o.converted_on <= ?)
        GROUP BY a.partner_id`,
      [w.to, w.to],
    ),
    (f, r) => (f.sharedCustomers = int(r.n)),
  );
  // L3: other partners' programs that won at least one of the partner's brought-in customers.
  each(
    await q(
      `SELECT a.partner_id AS partner_id, COUNT(DISTINCT o.program_id) AS n FROM attribution_touches a
         JOIN attribution_touches o ON o.customer_id = a.customer_id AND o.outcome = 'WON'
                                   AND o.partner_id <> a.partner_id AND o.converted_on <= ?
        WHERE a.outcome = 'WON' AND a.converted_on <= ? GROUP BY a.partner_id`,
      [w.to, w.to],
    ),
    (f, r) => (f.crossProgramLinks = int(r.n)),
  );
  // L2: distinct ACTIVE chain members under the core enterprises that are this partner.
  each(
    await q(
      `SELECT c.partner_id AS partner_id, COUNT(DISTINCT l.member_company_id) AS n
         FROM sc_links l JOIN sc_cores c ON c.id = l.core_id
        WHERE c.partner_id IS NOT NULL AND l.status = 'ACTIVE' AND (l.since IS NULL OR l.since <= ?)
        GROUP BY c.partner_id`,
      [w.to],
    ),
    (f, r) => (f.supplyChainSize = int(r.n)),
  );
  await done();
  return [...facts.values()];
}

/** Steps gatherScorecardFacts reports (for the job's total). */
export const FACT_STEPS = 6;
