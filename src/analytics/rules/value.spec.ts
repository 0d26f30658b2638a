import fc from 'fast-check';
import { DomainError } from '../../common/domain-error';
import { type CardProgramEconomics, type ValueFacts, cardProgramPnl, partnerValue, pnlMargin } from './value';

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

const rates = { interchangeRate: '0.0045', agencyFeeRate: '0.012', annualMarginRate: '0.015' };

const facts: ValueFacts = {
  currency: 'CNY',
  spendMinor: 1234567n, // ¥12,345.67
  agencySalesMinor: 10000000n, // ¥100,000.00
  balances: [
    { balanceMinor: 50000000n, days: 30 }, // ¥500,000.00 held 30 days
    { balanceMinor: 20000000n, days: 1 }, // ¥200,000.00 held 1 day
  ],
  commissionAccruedMinor: 90000n, // ¥900.00
  commissionClawedBackMinor: 10000n, // ¥100.00
  commissionPaidMinor: 50000n,
  customersAcquired: 3,
  qualifiedReferrals: 0,
};

describe('partnerValue — worked example', () => {
  it('revenue lines, cost, ROI and unit costs by hand', () => {
    const v = partnerValue(facts, rates);
    // interchange: 1,234,567 × 0.0045 = 5,555.5515 fen → 5,556 (half-up) = ¥55.56
    expect(v.revenue.interchange.toDecimalString()).toBe('55.56');
    // agency fees: 10,000,000 × 0.012 = 120,000 fen = ¥1,200.00
    expect(v.revenue.agencyFees.toDecimalString()).toBe('1200.00');
    // margin: (50,000,000 × 30 + 20,000,000 × 1) × 0.015 / 365 = 22,800,000 / 365 = 62,465.75 fen → ¥624.66
    expect(v.revenue.balanceMargin.toDecimalString()).toBe('624.66');
    expect(v.revenue.total.toDecimalString()).toBe('1880.22');
    expect(v.cost.toDecimalString()).toBe('800.00');
    expect(v.commissionPaid.toDecimalString()).toBe('500.00');
    expect(v.net.toDecimalString()).toBe('1080.22');
    // ROI = 108,022 / 80,000 = 1.350275 → 1.3503
    expect(v.roi).toBe('1.3503');
    // 80,000 / 3 = 26,666.67 fen → ¥266.67
    expect(v.costPerAcquiredCustomer?.toDecimalString()).toBe('266.67');
    expect(v.costPerQualifiedReferral).toBeNull();
  });

  it('360-day basis, zero cost → ROI null, half-up at the fen on exact ties', () => {
    const v = partnerValue(
      { ...facts, commissionAccruedMinor: 0n, commissionClawedBackMinor: 0n },
      { ...rates, dayCountBasis: 360 },
    );
    expect(v.revenue.balanceMargin.minor).toBe(63333n); // 22,800,000 / 360 = 63,333.33
    expect(v.roi).toBeNull();
    expect(v.costPerAcquiredCustomer?.toDecimalString()).toBe('0.00');
    const tie = partnerValue(
      {
        ...facts,
        commissionAccruedMinor: 5n,
        commissionClawedBackMinor: 0n,
        customersAcquired: 2,
        qualifiedReferrals: 2,
      },
      rates,
    );
    expect(tie.costPerAcquiredCustomer?.minor).toBe(3n); // 2.5 fen → 3
  });

  it('rejects bad rates and counts', () => {
    expect(errorOf(() => partnerValue(facts, { ...rates, interchangeRate: '1.5' })).details).toMatchObject({
      field: 'rates.interchangeRate',
      reason: 'OUT_OF_RANGE',
    });
    expect(errorOf(() => partnerValue({ ...facts, customersAcquired: -1 }, rates)).details).toMatchObject({
      field: 'customersAcquired',
    });
    expect(
      errorOf(() => partnerValue({ ...facts, balances: [{ balanceMinor: 1n, days: 1.5 }] }, rates)).details,
    ).toMatchObject({
      field: 'balances[0].days',
    });
  });

  it('property: total = Σ lines, each line within ½ fen of the exact product, unit cost × n within n/2 fen of cost', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 11n }),
        fc.bigInt({ min: 0n, max: 10n ** 11n }),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 10000 }),
        (spend, agency, accrued, n, bp) => {
          const r = { interchangeRate: (bp / 1_000_000).toFixed(6), agencyFeeRate: '0.01', annualMarginRate: '0.02' };
          const v = partnerValue(
            {
              ...facts,
              spendMinor: spend,
              agencySalesMinor: agency,
              commissionAccruedMinor: accrued,
              commissionClawedBackMinor: 0n,
              customersAcquired: n,
            },
            r,
          );
          expect(v.revenue.total.minor).toBe(
            v.revenue.interchange.minor + v.revenue.agencyFees.minor + v.revenue.balanceMargin.minor,
          );
          // 2 × |line × 10^6 − spend × bp| ≤ 10^6 (exact integer check of the half-fen bound)
          const diff = v.revenue.interchange.minor * 1_000_000n - spend * BigInt(bp);
          expect((diff < 0n ? -diff : diff) * 2n <= 1_000_000n).toBe(true);
          const per = v.costPerAcquiredCustomer!.minor * BigInt(n) - accrued;
          expect((per < 0n ? -per : per) * 2n <= BigInt(n)).toBe(true);
        },
      ),
    );
  });
});

describe('cardProgramPnl — worked example', () => {
  const economics: CardProgramEconomics = {
    interchangeRate: '0.006',
    partnerShareRate: '0.3',
    rewardsCostRate: '0.002',
    bankFundedShare: '0.5',
  };
  const march = {
    period: '2026-03',
    currency: 'CNY',
    cardsApplied: 200,
    cardsApproved: 150,
    cardsActivated: 120,
    cardsWithFirstSpend: 90,
    cardsActive: 100,
    spendMinor: 50000000n, // ¥500,000.00
    bountiesMinor: 60000n, // 120 activations × ¥5.00
    marketingFundMinor: 20000n,
  };
  const april = {
    period: '2026-04',
    currency: 'CNY',
    cardsApplied: 100,
    cardsApproved: 60,
    cardsActivated: 50,
    cardsWithFirstSpend: 40,
    cardsActive: 130,
    spendMinor: 12345678n,
    bountiesMinor: 25000n,
    rewardsCostMinor: 12000n, // given: overrides the computed rewards cost
    marketingFundMinor: 0n,
  };

  it('per-period lines and a total that adds up', () => {
    const { lines, total } = cardProgramPnl([april, march], economics, 'CNY');
    const m = lines[0]!;
    // March: interchange 50,000,000 × 0.006 = 300,000; partner share 30 % = 90,000; rewards 50,000,000 × 0.002
    // × 0.5 = 50,000; net = 300,000 − 90,000 − 60,000 − 50,000 − 20,000 = 80,000 (¥800.00).
    expect(m.period).toBe('2026-03');
    expect(
      [m.interchange, m.partnerShare, m.bounties, m.rewardsCost, m.marketingFund, m.net].map((x) =>
        x.toDecimalString(),
      ),
    ).toEqual(['3000.00', '900.00', '600.00', '500.00', '200.00', '800.00']);
    expect([m.approvalRate, m.activationRate, m.firstSpendRate]).toEqual(['0.7500', '0.8000', '0.7500']);
    expect(pnlMargin(m)).toBe('0.2667');
    // April: 12,345,678 × 0.006 = 74,074.068 → 74,074; × 0.3 = 22,222.2 → 22,222;
    // net = 74,074 − 22,222 − 25,000 − 12,000 − 0 = 14,852.
    const a = lines[1]!;
    expect([a.interchange.minor, a.partnerShare.minor, a.rewardsCost.minor, a.net.minor]).toEqual([
      74074n,
      22222n,
      12000n,
      14852n,
    ]);
    // Total: money = Σ lines; counts summed except cardsActive (last period's).
    expect(total.period).toBe('2026-03..2026-04');
    expect(total.net.minor).toBe(94852n);
    expect(
      total.interchange.minor -
        total.partnerShare.minor -
        total.bounties.minor -
        total.rewardsCost.minor -
        total.marketingFund.minor,
    ).toBe(94852n);
    expect([
      total.cardsApplied,
      total.cardsApproved,
      total.cardsActivated,
      total.cardsWithFirstSpend,
      total.cardsActive,
    ]).toEqual([300, 210, 170, 130, 130]);
    expect([total.approvalRate, total.activationRate, total.firstSpendRate]).toEqual(['0.7000', '0.8095', '0.7647']);
  });

  it('zero denominators give null rates; bad periods and duplicates are rejected', () => {
    const { total } = cardProgramPnl([], economics, 'CNY');
    expect(total.approvalRate).toBeNull();
    expect(total.net.minor).toBe(0n);
    expect(errorOf(() => cardProgramPnl([{ ...march, period: '2026-13' }], economics, 'CNY')).details).toMatchObject({
      field: 'period',
      reason: 'INVALID_PERIOD',
    });
    expect(errorOf(() => cardProgramPnl([march, march], economics, 'CNY')).details).toMatchObject({
      reason: 'DUPLICATE',
    });
    expect(errorOf(() => cardProgramPnl([march], economics, 'USD')).details).toMatchObject({
      reason: 'CURRENCY_MISMATCH',
    });
  });
});
