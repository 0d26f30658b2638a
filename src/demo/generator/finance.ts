import { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import * as iconv from 'iconv-lite';
import { DataSource, In } from 'typeorm';
import { Actor } from '../../auth/actor';
import { AuthService } from '../../auth/auth.service';
import { Role } from '../../auth/roles';
import { UsersService } from '../../auth/users.service';
import { addDays } from '../../common/business-time';
import { Money } from '../../common/money';
import { PeriodStatus } from '../../commissions/commission.enums';
import { CommissionsService } from '../../commissions/commissions.service';
import { CommissionPeriodEntity } from '../../commissions/entities/commission-period.entity';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { chunk } from '../../graphql/loaders';
import { JobsService } from '../../jobs/jobs.service';
import { FINISHED_JOB_STATUSES, JobStatus } from '../../jobs/job.enums';
import { PartnerEntity } from '../../partners/entities/partner.entity';
import { SettlementStatementEntity } from '../../settlement/entities/settlement.entities';
import { PayoutBatchStatus } from '../../settlement/payouts/payout.enums';
import { PayoutsService } from '../../settlement/payouts/payouts.service';
import { SettlementReconciliationRowEntity } from '../../settlement/reconciliation/entities/reconciliation.entities';
import { ClaimFormat } from '../../settlement/reconciliation/reconciliation.enums';
import { ReconciliationService } from '../../settlement/reconciliation/reconciliation.service';
import { SettlementService } from '../../settlement/settlement.service';
import { AnsweredPayout, buildBankStatement, buildPaymentStatusReport } from './bank-answers';
import { Rng } from './prng';
import { AS_OF } from './world';

/** The months the demo settles: the last one stays CALCULATED, the two before it go through settlement. */
export const LATEST_MONTH = AS_OF.slice(0, 7);
export const CLOSED_MONTH = monthBefore(LATEST_MONTH);
export const PAID_MONTH = monthBefore(CLOSED_MONTH);

/**
 * Four eyes needs two different people. The foundation demo's `finance` (maker) and `approver` are used
 * when present; a world seeded without them (tests, `seed:demo` on a database with other users) gets two
 * finance users of its own, so every sign-off names a real, distinct user.
 */
export const SEED_MAKER = { username: 'demo-finance-maker', displayName: '财务经办（演示数据） Demo finance maker' };
export const SEED_APPROVER = {
  username: 'demo-finance-approver',
  displayName: '财务复核（演示数据） Demo finance approver',
};
/** The partner user who imports the claim file and raises the disputes (bound to the disputed statement's partner). */
export const CLAIMS_PARTNER_USER = 'partner-claims';

const BANKS = [
  { cnaps: '102100099996', name: '中国工商银行北京分行' },
  { cnaps: '105100000017', name: '中国建设银行北京分行' },
  { cnaps: '103100000026', name: '中国农业银行北京分行' },
  { cnaps: '104100000004', name: '中国银行北京分行' },
  { cnaps: '308584000013', name: '招商银行深圳分行' },
] as const;

export interface FinanceSummary {
  periods: Record<string, string>;
  statements: number;
  paidPayouts: number;
  /** The statement whose invoice does not match: its payout waits, so its period stays CLOSED. */
  heldStatement: string | null;
  disputedStatement: string | null;
}

function monthBefore(key: string): string {
  const [y, m] = key.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

function b64(content: string | Buffer): string {
  return Buffer.from(content).toString('base64');
}

async function financeUser(
  app: INestApplicationContext,
  usual: { username: string; role: Role },
  fallback: { username: string; displayName: string },
  password: string,
  actor: Actor,
): Promise<Actor> {
  const users = app.get(UsersService);
  for (const username of [usual.username, fallback.username]) {
    const found = await users.findByUsername(username);
    if (found && found.role === (usual.role as string) && found.active) return app.get(AuthService).actorOfUser(found);
  }
  const created = await users.create(actor, { ...fallback, password, role: usual.role });
  return app.get(AuthService).actorOfUser(created);
}

/**
 * The finance side of the demo bank, through the services' own paths: commission periods for the last
 * three months calculated; the two before the latest reviewed (statements prepared by a finance maker and
 * approved by a different approver), approved and closed; partner bank accounts and VAT invoices recorded
 * (one invoice deliberately off, so its payout waits); payout batches prepared and approved by four eyes,
 * their pain.001 released; the bank's pain.002 and camt.053 imported → payouts PAID → the earlier month
 * PAID. A partner's claim file is reconciled against one statement, the partner disputes the mismatches,
 * finance answers, and an adjustment (four eyes) settles one dispute in the latest month.
 */
export async function seedFinance(
  app: INestApplicationContext,
  options: { seed: number; actor: Actor; password?: string; progress: (message: string) => void },
): Promise<FinanceSummary> {
  const { progress, seed } = options;
  const password = options.password ?? randomBytes(18).toString('base64url');
  const ds = app.get(DataSource);
  const config = app.get<AppConfig>(APP_CONFIG);
  const commissions = app.get(CommissionsService);
  const settlement = app.get(SettlementService);
  const payouts = app.get(PayoutsService);
  const maker = await financeUser(
    app,
    { username: 'finance', role: Role.FINANCE_MAKER },
    SEED_MAKER,
    password,
    options.actor,
  );
  const approver = await financeUser(
    app,
    { username: 'approver', role: Role.FINANCE_APPROVER },
    SEED_APPROVER,
    password,
    options.actor,
  );

  // ---- periods, calculated while all are open (so no run recalculates another month) ----
  const periods = new Map<string, CommissionPeriodEntity>();
  for (const key of [PAID_MONTH, CLOSED_MONTH, LATEST_MONTH]) {
    const period = await commissions.ensurePeriod(maker, key);
    const run = await commissions.startRun(maker, { periodId: period.id });
    const jobs = app.get(JobsService);
    let job = await jobs.waitFor(run.jobId);
    // With a queue (REDIS_URL) a worker runs the job: wait for it to finish.
    while (!FINISHED_JOB_STATUSES.includes(job.status as JobStatus)) {
      await new Promise((r) => setTimeout(r, 250));
      job = await jobs.waitFor(run.jobId);
    }
    if ((job.status as JobStatus) !== JobStatus.SUCCEEDED)
      throw new Error(`The commission run of ${key} failed: ${job.error ?? job.status}`);
    periods.set(key, await commissions.getPeriod(period.id));
  }
  progress(`demo: commission periods ${PAID_MONTH}, ${CLOSED_MONTH}, ${LATEST_MONTH} calculated`);

  const partnerOf = async (ids: string[]): Promise<Map<string, PartnerEntity>> =>
    new Map((ids.length ? await ds.getRepository(PartnerEntity).findBy({ id: In(ids) }) : []).map((p) => [p.id, p]));
  let balance = Money.parse('5000000.00', config.defaultCurrency);
  let statementCount = 0;
  let paidPayouts = 0;
  let heldStatement: SettlementStatementEntity | null = null;
  const closedStatements: SettlementStatementEntity[] = [];

  for (const key of [PAID_MONTH, CLOSED_MONTH]) {
    const period = periods.get(key) as CommissionPeriodEntity;
    // ---- review: statements, maker prepares, a different approver approves; the period closes ----
    const statements = await settlement.generate(maker, period.id);
    for (const s of statements) {
      await settlement.prepare(maker, s.id);
      await settlement.approve(approver, s.id);
    }
    await settlement.transitionPeriod(approver, period.id, PeriodStatus.APPROVED);
    await settlement.transitionPeriod(approver, period.id, PeriodStatus.CLOSED);
    statementCount += statements.length;
    if (key === CLOSED_MONTH) closedStatements.push(...statements);
    progress(`demo: ${key}: ${statements.length} statements prepared, approved by four eyes; period CLOSED`);

    // ---- bank accounts and VAT invoices (in the closed month one invoice shows 13 % VAT instead of 6 %) ----
    const payable = statements.filter((s) => s.gross > 0n);
    const partners = await partnerOf(payable.map((s) => s.partnerId));
    const held = key === CLOSED_MONTH && payable.length >= 2 ? (payable[payable.length - 1] ?? null) : null;
    for (const [i, s] of payable.entries()) {
      const partner = partners.get(s.partnerId) as PartnerEntity;
      if (!(await payouts.bankAccount(maker, partner.id))) {
        const rng = Rng.derive(seed, 'bank-account', partner.code);
        const bank = rng.pick(BANKS);
        await payouts.setBankAccount(maker, {
          partnerId: partner.id,
          accountName: partner.nameZh,
          accountNumber: `6222${rng.digits(15)}`,
          bankName: bank.name,
          cnaps: bank.cnaps,
        });
      }
      const net = Money.ofMinor(s.net, s.currency);
      const tax = s === held ? net.times('0.13', 'HALF_UP') : Money.ofMinor(s.tax, s.currency);
      await payouts.recordInvoice(maker, {
        statementId: s.id,
        number: `44${key.replace('-', '')}${String(i + 1).padStart(4, '0')}`,
        date: addDays(`${monthAfter(key)}-01`, 4),
        amount: net.toDecimalString(),
        tax: tax.toDecimalString(),
      });
    }
    if (held) heldStatement = held;

    // ---- payout batches: maker prepares, approver releases the pain.001; the bank answers ----
    const toPay = payable.filter((s) => s !== held);
    for (const [b, part] of chunk(toPay, 50).entries()) {
      const prepared = await payouts.preparePayoutBatch(
        maker,
        part.map((s) => s.id),
      );
      const batch = await payouts.approvePayoutBatch(approver, prepared.id);
      if ((batch.status as PayoutBatchStatus) !== PayoutBatchStatus.APPROVED)
        throw new Error(`Payout batch of ${key} is ${batch.status}: ${(batch.validationErrors ?? []).join('; ')}`);
      const answered: AnsweredPayout[] = (await payouts.payoutsOf(maker, [batch.id])).map((p) => ({
        payoutId: p.id,
        amount: Money.ofMinor(p.amount, p.currency),
        creditorName: p.creditorName,
        creditorIban: p.creditorIban,
        creditorAccountNumber: p.creditorAccountNumber,
        statementNumber: p.statementNumber,
      }));
      const day = batch.requestedExecutionDate ?? key;
      const stamp = `${day.replace(/-/g, '')}${key.replace('-', '')}${b + 1}`;
      const now = new Date();
      const report = await payouts.importPaymentStatusReport(
        maker,
        b64(
          buildPaymentStatusReport({
            batchId: batch.id,
            messageId: `GYBK-STS-${stamp}`,
            createdAt: now,
            payouts: answered,
          }),
        ),
      );
      if (report.outcomes.some((o) => !o.changed)) throw new Error(`The pain.002 of ${key} was not applied`);
      const debtor = config.payouts.debtor;
      const booked = await payouts.importBankStatement(
        maker,
        b64(
          buildBankStatement({
            messageId: `GYBK-CAMT-${stamp}`,
            createdAt: now,
            bookingDate: day,
            account: {
              name: debtor?.name ?? '',
              ...(debtor?.iban ? { iban: debtor.iban } : { accountNumber: debtor?.accountNumber ?? '' }),
              ...(debtor?.bic ? { bic: debtor.bic } : {}),
            },
            openingBalance: balance,
            batchId: batch.id,
            payouts: answered,
          }),
        ),
      );
      if (booked.matched.length !== answered.length || booked.exceptions.length > 0)
        throw new Error(`The camt.053 of ${key} did not book every payout: ${JSON.stringify(booked.exceptions)}`);
      balance = answered.reduce((sum, p) => sum.minus(p.amount), balance);
      paidPayouts += booked.matched.length;
    }
    if (!held) await settlement.transitionPeriod(approver, period.id, PeriodStatus.PAID);
    progress(
      `demo: ${key}: ${toPay.length} payouts released (pain.001), accepted (pain.002), booked (camt.053) → PAID` +
        (held ? `; ${held.number} waits for a corrected invoice, so ${key} stays CLOSED` : `; period PAID`),
    );
  }

  // ---- a partner's claim file, reconciled; disputes from the partner, answers from finance; an adjustment ----
  const disputed = await disputeOneStatement(app, closedStatements, {
    maker,
    approver,
    password,
    actor: options.actor,
  });
  if (disputed)
    progress(`demo: claim file of ${disputed.number} reconciled; disputes raised and answered; adjustment posted`);

  const finalPeriods: Record<string, string> = {};
  for (const p of await ds.getRepository(CommissionPeriodEntity).find({ order: { periodKey: 'ASC' } }))
    finalPeriods[p.periodKey] = p.status;
  return {
    periods: finalPeriods,
    statements: statementCount,
    paidPayouts,
    heldStatement: heldStatement?.number ?? null,
    disputedStatement: disputed?.number ?? null,
  };
}

function monthAfter(key: string): string {
  const [y, m] = key.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * The partner of the statement with the most ledger lines sends its own claim file (GBK CSV, as partners'
 * spreadsheets do): every line as the bank has it, except that it claims 20.00 more on the largest line and
 * claims an event the bank has no record of. The partner disputes both; finance asks for evidence on the
 * second and settles the first with an adjustment (prepared by the maker, approved by the approver) that
 * is posted in the latest, still open month.
 */
async function disputeOneStatement(
  app: INestApplicationContext,
  statements: readonly SettlementStatementEntity[],
  users: { maker: Actor; approver: Actor; password: string; actor: Actor },
): Promise<SettlementStatementEntity | null> {
  const ds = app.get(DataSource);
  const reconciliation = app.get(ReconciliationService);
  const candidates = statements
    .filter((s) => s.accrualCount > 0)
    .sort((a, b) => b.accrualCount - a.accrualCount || a.number.localeCompare(b.number));
  const statement = candidates[0];
  if (!statement) return null;

  // The statement's lines by the reference a partner quotes, exactly as reconciliation matches them.
  const lines = new Map(
    (await reconciliation.statementLines(statement)).map((line) => [line.ref, line.amount.minor] as const),
  );
  const sorted = [...lines.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const largest = [...sorted].sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0))[0]?.[0];
  const yuan = (minor: bigint): string => Money.ofMinor(minor, statement.currency).toDecimalString();
  const rows = sorted.map(([ref, amount]) =>
    ref === largest ? `${ref},${yuan(amount + 2000n)},按我方台账` : `${ref},${yuan(amount)},`,
  );
  const partner = await ds.getRepository(PartnerEntity).findOneByOrFail({ id: statement.partnerId });
  rows.push(`${partner.code}-CLAIM-0001,80.00,我方系统记录的激活卡`);
  const csv = iconv.encode(`事件编号,佣金金额,备注\r\n${rows.join('\r\n')}\r\n`, 'gbk');

  const directory = app.get(UsersService);
  const partnerUser =
    (await directory.findByUsername(CLAIMS_PARTNER_USER)) ??
    (await directory.create(users.actor, {
      username: CLAIMS_PARTNER_USER,
      password: users.password,
      role: Role.PARTNER_USER,
      partnerId: partner.id,
      displayName: `${partner.nameZh} 结算对账员 Partner settlement clerk`,
    }));
  const partnerActor = await app.get(AuthService).actorOfUser(partnerUser);
  const imported = await reconciliation.importClaim(partnerActor, {
    statementId: statement.id,
    format: ClaimFormat.CSV,
    contentBase64: b64(csv),
    fileName: `${partner.code}-${statement.number}-对账单.csv`,
    mapping: { reference: '事件编号', amount: '佣金金额', description: '备注' },
    saveMapping: true,
  });
  const recRows = await ds
    .getRepository(SettlementReconciliationRowEntity)
    .find({ where: { claimId: imported.claim.id }, order: { position: 'ASC' } });
  const mismatch = recRows.find((r) => r.outcome === 'AMOUNT_MISMATCH');
  const unknown = recRows.find((r) => r.outcome === 'MISSING_IN_BANK');

  if (mismatch) {
    const dispute = await reconciliation.raiseDispute(partnerActor, {
      statementId: statement.id,
      reconciliationRowId: mismatch.id,
      reason: `事件 ${mismatch.reference} 的佣金少算了 ${yuan(mismatch.difference)} 元`,
    });
    await reconciliation.comment(users.maker, {
      disputeId: dispute.id,
      body: '已核对：该笔适用促销期费率，差额由调整单在下一期支付。',
    });
    await reconciliation.comment(partnerActor, { disputeId: dispute.id, body: '收到，谢谢。请在下月结算单中体现。' });
    const adjustment = await reconciliation.prepareAdjustment(users.maker, {
      partnerId: partner.id,
      amount: { amount: yuan(mismatch.difference), currency: statement.currency },
      reason: `促销期费率差额（争议 ${mismatch.reference}）`,
      disputeId: dispute.id,
    });
    await reconciliation.approveAdjustment(users.approver, adjustment.id);
  }
  if (unknown) {
    const dispute = await reconciliation.raiseDispute(partnerActor, {
      statementId: statement.id,
      reconciliationRowId: unknown.id,
      reason: `我方记录的激活卡 ${unknown.reference} 不在结算单中`,
    });
    await reconciliation.comment(users.maker, {
      disputeId: dispute.id,
      body: '银行系统无此事件记录，请提供卡号后四位和激活日期以便核查。',
    });
  }
  return statement;
}
