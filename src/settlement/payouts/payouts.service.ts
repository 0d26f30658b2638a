import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../../auth/actor';
import { applyPartnerScope, assertCanReadPartner } from '../../auth/access';
import { AuditService } from '../../audit/audit.service';
import { addDays, businessDateOf } from '../../common/business-time';
import { Clock } from '../../common/clock';
import { badInput, conflict, DomainError, notFound } from '../../common/domain-error';
import { Money } from '../../common/money';
import { PeriodStatus } from '../../commissions/commission.enums';
import { CommissionPeriodEntity } from '../../commissions/entities/commission-period.entity';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { newId } from '../../database/columns';
import { TransactionService } from '../../database/transaction.service';
import { ConnectionResult, PageArgs, paginate } from '../../graphql/connection';
import { PartnerEntity } from '../../partners/entities/partner.entity';
import { SettlementPartnerTermsEntity, SettlementStatementEntity } from '../entities/settlement.entities';
import {
  buildPain001,
  camtXsdName,
  checkPain001Totals,
  fromIsoReference,
  matchCamtToPayouts,
  normaliseAccount,
  parseCamt053,
  parsePain002,
  type Pain001Party,
  type PayoutToMatch,
  validateXml,
} from '../iso20022';
import { StatementStatus } from '../settlement.enums';
import {
  MAX_PAYOUTS_PER_BATCH,
  PayoutBatchesFilter,
  RecordInvoiceInput,
  SetPartnerBankAccountInput,
} from './dto/payout.inputs';
import {
  InvoiceEntity,
  PartnerBankAccountEntity,
  PayoutBatchEntity,
  PayoutEntity,
  PayoutFileImportEntity,
  PayoutSignoffEntity,
} from './entities/payout.entities';
import {
  ACCEPTED_STATUS_CODES,
  OPEN_PAYOUT_STATUSES,
  PayoutBatchStatus,
  PayoutStatus,
  SignoffStep,
} from './payout.enums';
import { decideOnce } from '../four-eyes';
import { maskAccount } from './payout-gate';

const PAIN001_XSD = 'pain.001.001.03.xsd';
const CAMT_VERSIONS = ['camt.053.001.02', 'camt.053.001.04', 'camt.053.001.08'];
const MAX_FILE_BYTES = 5 * 1024 * 1024;

export interface InvoiceCheck {
  amountDifference: bigint;
  taxDifference: bigint;
  tolerance: bigint;
  matches: boolean;
}

export interface PaymentStatusReportResult {
  importId: string;
  batchId: string;
  groupStatus: string | null;
  outcomes: {
    payoutId: string;
    reportedStatus: string | null;
    reasonCode: string | null;
    payoutStatus: PayoutStatus;
    changed: boolean;
  }[];
}

export interface BankStatementImportResult {
  importId: string;
  messageId: string;
  version: string;
  entryCount: number;
  matched: { payoutId: string; entryRef: string; endToEndId: string | null; matchedBy: string }[];
  exceptions: {
    entryRef: string;
    endToEndId: string | null;
    amount: Money | null;
    bookingDate: string | null;
    reason: string;
    payoutIds: string[];
  }[];
  ignored: { entryRef: string; reason: string }[];
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** Invoice 金额 against statement net and 税额 against statement tax, each within the partner's tolerance. */
export function checkInvoice(
  statement: SettlementStatementEntity,
  invoice: InvoiceEntity,
  tolerance: bigint,
): InvoiceCheck {
  const amountDifference = invoice.amount - statement.net;
  const taxDifference = invoice.tax - statement.tax;
  return {
    amountDifference,
    taxDifference,
    tolerance,
    matches: abs(amountDifference) <= tolerance && abs(taxDifference) <= tolerance,
  };
}

/** ISO 13616: the shape, then the mod-97 check digits (a typo in an IBAN is caught here, not by the bank). */
export function isValidIban(iban: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$/.test(iban)) return false;
  const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return rest === 1;
}

/** The invoice tolerance of each partner's settlement terms; a partner without terms has none (0). */
async function invoiceTolerances(manager: EntityManager, partnerIds: readonly string[]): Promise<Map<string, bigint>> {
  if (partnerIds.length === 0) return new Map();
  const terms = await manager.findBy(SettlementPartnerTermsEntity, { partnerId: In([...partnerIds]) });
  return new Map(terms.map((t) => [t.partnerId, t.invoiceTolerance]));
}

function decodeFile(contentBase64: string): Buffer {
  const buf = Buffer.from(contentBase64.replace(/\s/g, ''), 'base64');
  if (buf.length === 0) throw badInput('contentBase64', 'EMPTY_FILE');
  if (buf.length > MAX_FILE_BYTES) throw badInput('contentBase64', 'FILE_TOO_LARGE');
  return buf;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Partner bank accounts, invoices, payout batches with four eyes, their pain.001 (validated against the
 * XSD before release), and the bank's answers: pain.002 status reports and camt.053 statements.
 */
@Injectable()
export class PayoutsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // ---------- bank accounts and invoices ----------

  private async readablePartner(manager: EntityManager, actor: Actor, partnerId: string): Promise<PartnerEntity> {
    const partner = await manager.findOneBy(PartnerEntity, { id: partnerId });
    if (!partner) throw notFound('Partner', partnerId);
    assertCanReadPartner(actor, partner);
    return partner;
  }

  async bankAccount(actor: Actor, partnerId: string): Promise<PartnerBankAccountEntity | null> {
    await this.readablePartner(this.dataSource.manager, actor, partnerId);
    return this.dataSource.getRepository(PartnerBankAccountEntity).findOneBy({ partnerId });
  }

  setBankAccount(actor: Actor, input: SetPartnerBankAccountInput): Promise<PartnerBankAccountEntity> {
    const iban = input.iban?.replace(/\s/g, '').toUpperCase() || null;
    const accountNumber = input.accountNumber?.replace(/[\s-]/g, '') || null;
    if ((iban === null) === (accountNumber === null)) throw badInput('iban', 'IBAN_OR_ACCOUNT_NUMBER_REQUIRED');
    if (iban !== null && !isValidIban(iban)) throw badInput('iban', 'INVALID_IBAN');
    if (accountNumber !== null && !/^[A-Za-z0-9]{1,34}$/.test(accountNumber))
      throw badInput('accountNumber', 'INVALID_ACCOUNT_NUMBER');
    const bic = input.bic?.trim().toUpperCase() || null;
    if (bic !== null && !/^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/.test(bic)) throw badInput('bic', 'INVALID_BIC');
    const cnaps = input.cnaps ?? null;
    // A domestic account number alone does not say which bank: the pain.001 needs a BIC or CNAPS code.
    if (accountNumber !== null && bic === null && cnaps === null) throw badInput('cnaps', 'BANK_CODE_REQUIRED');
    const accountName = input.accountName.trim();
    if (accountName === '') throw badInput('accountName', 'REQUIRED');
    return this.tx.run(async (manager) => {
      const partner = await this.readablePartner(manager, actor, input.partnerId);
      const now = this.clock.now();
      const existing = await manager.findOneBy(PartnerBankAccountEntity, { partnerId: partner.id });
      const after = {
        accountName,
        iban,
        accountNumber,
        bankName: input.bankName?.trim() || null,
        bic,
        cnaps,
      };
      if (existing) {
        await manager.update(
          PartnerBankAccountEntity,
          { id: existing.id },
          { ...after, version: existing.version + 1, updatedAt: now },
        );
      } else {
        await manager.insert(PartnerBankAccountEntity, {
          id: newId(),
          partnerId: partner.id,
          ...after,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
      }
      // The audit trail keeps only masked numbers, like every read.
      const masked = (a: { iban: string | null; accountNumber: string | null }): string =>
        maskAccount(a.iban ?? a.accountNumber ?? '');
      await this.audit.record(manager, actor, {
        action: 'partnerBankAccount.set',
        entityType: 'Partner',
        entityId: partner.id,
        before: existing ? { ...pickAccount(existing), account: masked(existing) } : null,
        after: { ...pickAccount(after), account: masked(after) },
      });
      return manager.findOneByOrFail(PartnerBankAccountEntity, { partnerId: partner.id });
    });
  }

  private async statementFor(manager: EntityManager, actor: Actor, id: string): Promise<SettlementStatementEntity> {
    const statement = await manager.findOneBy(SettlementStatementEntity, { id });
    if (!statement) throw notFound('Statement', id);
    const partner = await manager.findOneByOrFail(PartnerEntity, { id: statement.partnerId });
    assertCanReadPartner(actor, partner, 'Statement', id);
    // As SettlementService.get: a DRAFT is finance's working copy, not shown to partner users.
    if (actor.partnerId !== null && (statement.status as StatementStatus) === StatementStatus.DRAFT)
      throw notFound('Statement', id);
    return statement;
  }

  recordInvoice(actor: Actor, input: RecordInvoiceInput): Promise<InvoiceEntity> {
    const number = input.number.trim();
    if (!/^[0-9A-Za-z-]{1,32}$/.test(number)) throw badInput('number', 'INVALID_INVOICE_NUMBER');
    return this.tx.run(async (manager) => {
      const statement = await this.statementFor(manager, actor, input.statementId);
      const amount = Money.parse(input.amount, statement.currency, 'amount');
      const tax = Money.parse(input.tax, statement.currency, 'tax');
      if (amount.isNegative()) throw badInput('amount', 'NEGATIVE');
      if (tax.isNegative()) throw badInput('tax', 'NEGATIVE');
      const paid = await manager.countBy(PayoutEntity, { statementId: statement.id, status: PayoutStatus.PAID });
      if (paid > 0) throw conflict('STATEMENT_PAID', `Statement ${statement.number} is paid: its invoice is final`);
      const now = this.clock.now();
      const existing = await manager.findOneBy(InvoiceEntity, { statementId: statement.id });
      const after = {
        number,
        issuedOn: input.date,
        amount: amount.minor,
        tax: tax.minor,
        currency: statement.currency,
        recordedById: actor.id,
      };
      if (existing) {
        await manager.update(
          InvoiceEntity,
          { id: existing.id },
          { ...after, version: existing.version + 1, updatedAt: now },
        );
      } else {
        await manager.insert(InvoiceEntity, {
          id: newId(),
          statementId: statement.id,
          partnerId: statement.partnerId,
          ...after,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
      }
      const saved = await manager.findOneByOrFail(InvoiceEntity, { statementId: statement.id });
      await this.audit.record(manager, actor, {
        action: 'invoice.record',
        entityType: 'Statement',
        entityId: statement.id,
        before: existing ?? null,
        after: saved,
      });
      return saved;
    });
  }

  async invoice(actor: Actor, statementId: string): Promise<InvoiceEntity | null> {
    await this.statementFor(this.dataSource.manager, actor, statementId);
    return this.dataSource.getRepository(InvoiceEntity).findOneBy({ statementId });
  }

  /** The comparison shown with an invoice (the caller has read the invoice already). */
  async invoiceCheck(invoice: InvoiceEntity): Promise<InvoiceCheck> {
    const statement = await this.dataSource
      .getRepository(SettlementStatementEntity)
      .findOneByOrFail({ id: invoice.statementId });
    const tolerance = (await invoiceTolerances(this.dataSource.manager, [invoice.partnerId])).get(invoice.partnerId);
    return checkInvoice(statement, invoice, tolerance ?? 0n);
  }

  /** Throws unless every statement has an invoice matching it within its partner's tolerance. */
  private async assertInvoicesMatch(
    manager: EntityManager,
    statements: readonly SettlementStatementEntity[],
  ): Promise<void> {
    const ids = statements.map((s) => s.id);
    const invoices = new Map(
      (await manager.findBy(InvoiceEntity, { statementId: In(ids) })).map((i) => [i.statementId, i]),
    );
    const partnerIds = [...new Set(statements.map((s) => s.partnerId))];
    const tolerance = await invoiceTolerances(manager, partnerIds);
    for (const s of statements) {
      const invoice = invoices.get(s.id);
      if (!invoice) throw conflict('INVOICE_MISSING', `Statement ${s.number} has no invoice`, { statementId: s.id });
      const check = checkInvoice(s, invoice, tolerance.get(s.partnerId) ?? 0n);
      if (!check.matches)
        throw conflict('INVOICE_MISMATCH', `The invoice of statement ${s.number} does not match it`, {
          statementId: s.id,
          amountDifference: Money.ofMinor(check.amountDifference, s.currency).toDecimalString(),
          taxDifference: Money.ofMinor(check.taxDifference, s.currency).toDecimalString(),
          tolerance: Money.ofMinor(check.tolerance, s.currency).toDecimalString(),
        });
    }
  }

  // ---------- batches: four eyes ----------

  preparePayoutBatch(actor: Actor, statementIds: readonly string[]): Promise<PayoutBatchEntity> {
    const ids = [...new Set(statementIds)];
    if (ids.length === 0) throw badInput('statementIds', 'REQUIRED');
    if (ids.length > MAX_PAYOUTS_PER_BATCH) throw badInput('statementIds', 'TOO_MANY');
    return this.tx.run(async (manager) => {
      const statements: SettlementStatementEntity[] = [];
      for (const id of ids) statements.push(await this.statementFor(manager, actor, id));
      const currencies = new Set(statements.map((s) => s.currency));
      if (currencies.size > 1) throw conflict('MIXED_CURRENCY', 'A batch pays in one currency');
      const periodIds = [...new Set(statements.map((s) => s.periodId))];
      const periods = new Map(
        (await manager.findBy(CommissionPeriodEntity, { id: In(periodIds) })).map((p) => [p.id, p]),
      );
      for (const s of statements) {
        const period = periods.get(s.periodId);
        if ((s.status as StatementStatus) !== StatementStatus.APPROVED)
          throw conflict('STATEMENT_NOT_APPROVED', `Statement ${s.number} is ${s.status}`, { statementId: s.id });
        if (period?.status !== PeriodStatus.CLOSED)
          throw conflict('PERIOD_NOT_CLOSED', `Period ${period?.periodKey ?? s.periodId} is not CLOSED`, {
            statementId: s.id,
          });
        if (s.gross <= 0n)
          throw conflict('NOTHING_TO_PAY', `Statement ${s.number} has nothing to pay`, { statementId: s.id });
      }
      const accounts = new Map(
        (
          await manager.findBy(PartnerBankAccountEntity, {
            partnerId: In([...new Set(statements.map((s) => s.partnerId))]),
          })
        ).map((a) => [a.partnerId, a]),
      );
      for (const s of statements)
        if (!accounts.has(s.partnerId))
          throw conflict('BANK_ACCOUNT_MISSING', `No bank account on file for the partner of ${s.number}`, {
            statementId: s.id,
            partnerId: s.partnerId,
          });
      await this.assertInvoicesMatch(manager, statements);
      const live = await manager.findBy(PayoutEntity, { liveStatementId: In(ids) });
      const first = live[0];
      if (first)
        throw conflict('STATEMENT_IN_LIVE_BATCH', `Statement ${first.statementNumber} is already in a live batch`, {
          statementId: first.statementId,
          batchId: first.batchId,
        });

      const now = this.clock.now();
      const currency = statements[0]?.currency ?? this.config.defaultCurrency;
      const batch: PayoutBatchEntity = {
        id: newId(),
        status: PayoutBatchStatus.PREPARED,
        currency,
        total: statements.reduce((sum, s) => sum + s.gross, 0n),
        payoutCount: statements.length,
        preparedById: actor.id,
        preparedAt: now,
        decidedById: null,
        decidedAt: null,
        rejectReason: null,
        requestedExecutionDate: null,
        painFile: null,
        painSha256: null,
        validationErrors: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await manager.insert(PayoutBatchEntity, batch);
      await manager.insert(PayoutSignoffEntity, {
        id: newId(),
        batchId: batch.id,
        userId: actor.id,
        step: SignoffStep.PREPARE,
        decision: PayoutBatchStatus.PREPARED,
        signedAt: now,
      });
      const payouts = statements.map((s): PayoutEntity => {
        const a = accounts.get(s.partnerId) as PartnerBankAccountEntity;
        return {
          id: newId(),
          batchId: batch.id,
          statementId: s.id,
          liveStatementId: s.id,
          partnerId: s.partnerId,
          statementNumber: s.number,
          amount: s.gross,
          currency: s.currency,
          creditorName: a.accountName,
          creditorIban: a.iban,
          creditorAccountNumber: a.accountNumber,
          creditorBankName: a.bankName,
          creditorBic: a.bic,
          creditorCnaps: a.cnaps,
          status: PayoutStatus.PREPARED,
          statusReasonCode: null,
          statusReason: null,
          paidAt: null,
          paidEntryRef: null,
          paidBookingDate: null,
          matchedBy: null,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
      });
      // The unique key on live_statement_id refuses a statement a concurrent batch took meanwhile.
      await manager.insert(PayoutEntity, payouts);
      await this.audit.record(manager, actor, {
        action: 'payoutBatch.prepare',
        entityType: 'PayoutBatch',
        entityId: batch.id,
        after: { ...batch, payouts: payouts.map((p) => ({ id: p.id, statementId: p.statementId, amount: p.amount })) },
      });
      return batch;
    });
  }

  /**
   * The decision on a PREPARED batch, by someone other than its preparer. Of two racing approvers the
   * conditional UPDATE matches once (and the DECIDE sign-off's unique key backs it); the other gets CONFLICT.
   */
  private async decide(
    manager: EntityManager,
    actor: Actor,
    id: string,
    to: PayoutBatchStatus,
    changes: Partial<PayoutBatchEntity>,
  ): Promise<PayoutBatchEntity> {
    const before = await manager.findOneBy(PayoutBatchEntity, { id });
    if (!before) throw notFound('PayoutBatch', id);
    const now = this.clock.now();
    await decideOnce(manager, PayoutBatchEntity, {
      actor,
      before,
      from: [PayoutBatchStatus.PREPARED],
      changes: { ...changes, status: to, decidedById: actor.id, decidedAt: now },
      now,
      fourEyes: 'a payout batch',
      stale: (current) => conflict('BATCH_STATUS', `Payout batch ${id} is ${current.status}`, { field: 'id' }),
    });
    await manager.insert(PayoutSignoffEntity, {
      id: newId(),
      batchId: id,
      userId: actor.id,
      step: SignoffStep.DECIDE,
      decision: to,
      signedAt: now,
    });
    return before;
  }

  private async cancelPayouts(manager: EntityManager, batchId: string, reason: string): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(PayoutEntity)
      .set({
        status: PayoutStatus.CANCELLED,
        liveStatementId: null,
        statusReason: reason,
        updatedAt: this.clock.now(),
        version: () => 'version + 1',
      })
      .where('batch_id = :batchId', { batchId })
      .andWhere('status = :prepared', { prepared: PayoutStatus.PREPARED })
      .execute();
  }

  rejectPayoutBatch(actor: Actor, id: string, reason: string): Promise<PayoutBatchEntity> {
    const why = reason.trim();
    if (why === '') throw badInput('reason', 'REQUIRED');
    return this.tx.run(async (manager) => {
      await this.decide(manager, actor, id, PayoutBatchStatus.REJECTED, { rejectReason: why });
      await this.cancelPayouts(manager, id, `Batch rejected: ${why}`);
      await this.audit.record(manager, actor, {
        action: 'payoutBatch.reject',
        entityType: 'PayoutBatch',
        entityId: id,
        before: { status: PayoutBatchStatus.PREPARED },
        after: { status: PayoutBatchStatus.REJECTED, rejectReason: why },
      });
      return manager.findOneByOrFail(PayoutBatchEntity, { id });
    });
  }

  /**
   * Approves and builds the pain.001 (PmtInfId = batch id, EndToEndId = payout id, remittance = statement
   * number, debtor from configuration, creditors as on file at preparation), then validates it against
   * the XSD and its totals. Valid → APPROVED and released; invalid → INVALID with the errors, not released,
   * and its statements are free for a new batch. Invoices are checked again: a changed one blocks release.
   */
  approvePayoutBatch(actor: Actor, id: string): Promise<PayoutBatchEntity> {
    const debtor = this.config.payouts.debtor;
    if (debtor === null)
      throw conflict('PAYOUT_DEBTOR_NOT_CONFIGURED', 'Set PAYOUT_DEBTOR_* to the bank account payouts are paid from');
    return this.tx.run(async (manager) => {
      await this.decide(manager, actor, id, PayoutBatchStatus.APPROVED, {});
      const payouts = await manager.find(PayoutEntity, { where: { batchId: id }, order: { id: 'ASC' } });
      const statements = await manager.findBy(SettlementStatementEntity, {
        id: In(payouts.map((p) => p.statementId)),
      });
      await this.assertInvoicesMatch(manager, statements);
      const now = this.clock.now();
      const executionDate = businessDateOf(now, this.config.bankTimeZone);
      const debtorParty: Pain001Party = {
        name: debtor.name,
        account: debtor.iban !== undefined ? { iban: debtor.iban } : { other: debtor.accountNumber ?? '' },
        agent: { ...(debtor.bic ? { bic: debtor.bic } : {}), ...(debtor.cnaps ? { cnaps: debtor.cnaps } : {}) },
      };
      let xml: string | null = null;
      const errors: string[] = [];
      try {
        xml = buildPain001({
          batchId: id,
          createdAt: now,
          requestedExecutionDate: executionDate,
          debtor: debtorParty,
          payouts: payouts.map((p) => ({
            payoutId: p.id,
            amount: Money.ofMinor(p.amount, p.currency),
            statementNumber: p.statementNumber,
            creditor: {
              name: p.creditorName,
              account: p.creditorIban !== null ? { iban: p.creditorIban } : { other: p.creditorAccountNumber ?? '' },
              agent: {
                ...(p.creditorBic ? { bic: p.creditorBic } : {}),
                ...(p.creditorCnaps ? { cnaps: p.creditorCnaps } : {}),
                ...(p.creditorBankName ? { name: p.creditorBankName } : {}),
              },
            },
          })),
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        errors.push(`${String(error.details.field)}: ${String(error.details.reason)}`);
      }
      if (xml !== null) {
        const validation = await validateXml(xml, this.xsdPath(PAIN001_XSD));
        for (const e of validation.errors) errors.push(e.line === null ? e.message : `line ${e.line}: ${e.message}`);
        if (validation.valid)
          for (const issue of checkPain001Totals(xml))
            errors.push(`${issue.path}: ${issue.rule} declared ${issue.declared}, actual ${issue.actual}`);
      }
      if (errors.length > 0) {
        await manager.update(
          PayoutBatchEntity,
          { id },
          { status: PayoutBatchStatus.INVALID, validationErrors: errors, updatedAt: now },
        );
        await this.cancelPayouts(manager, id, 'pain.001 failed validation');
        await this.audit.record(manager, actor, {
          action: 'payoutBatch.invalid',
          entityType: 'PayoutBatch',
          entityId: id,
          after: { status: PayoutBatchStatus.INVALID, validationErrors: errors },
        });
      } else {
        const file = xml as string;
        await manager.update(
          PayoutBatchEntity,
          { id },
          { painFile: file, painSha256: sha256(file), requestedExecutionDate: executionDate, updatedAt: now },
        );
        await manager
          .createQueryBuilder()
          .update(PayoutEntity)
          .set({ status: PayoutStatus.RELEASED, updatedAt: now, version: () => 'version + 1' })
          .where('batch_id = :id', { id })
          .andWhere('status = :prepared', { prepared: PayoutStatus.PREPARED })
          .execute();
        await this.audit.record(manager, actor, {
          action: 'payoutBatch.approve',
          entityType: 'PayoutBatch',
          entityId: id,
          before: { status: PayoutBatchStatus.PREPARED },
          after: {
            status: PayoutBatchStatus.APPROVED,
            painSha256: sha256(file),
            requestedExecutionDate: executionDate,
          },
        });
      }
      return manager.findOneByOrFail(PayoutBatchEntity, { id });
    });
  }

  private xsdPath(name: string): string {
    const file = path.join(this.config.payouts.iso20022XsdDir, name);
    if (!existsSync(file))
      throw conflict('XSD_NOT_FOUND', `${name} is not in ISO20022_XSD_DIR (${this.config.payouts.iso20022XsdDir})`);
    return file;
  }

  // ---------- reads ----------

  private scoped(actor: Actor): boolean {
    return actor.partnerId !== null || actor.orgScope !== null;
  }

  /** A batch the caller may see: bank-wide roles any; partner and org-scoped users only one paying them. */
  async getBatch(actor: Actor, id: string): Promise<PayoutBatchEntity> {
    const batch = await this.dataSource.getRepository(PayoutBatchEntity).findOneBy({ id });
    if (!batch) throw notFound('PayoutBatch', id);
    if (this.scoped(actor)) {
      const q = this.dataSource.getRepository(PayoutEntity).createQueryBuilder('p').where('p.batchId = :id', { id });
      applyPartnerScope(q, actor, 'p.partnerId');
      if ((await q.getCount()) === 0) throw notFound('PayoutBatch', id);
    }
    return batch;
  }

  listBatches(actor: Actor, filter: PayoutBatchesFilter, page: PageArgs): Promise<ConnectionResult<PayoutBatchEntity>> {
    const q = this.dataSource.getRepository(PayoutBatchEntity).createQueryBuilder('b');
    if (filter.statuses?.length) q.andWhere('b.status IN (:...statuses)', { statuses: filter.statuses });
    const holding = (column: string, values: string[] | undefined, name: string): void => {
      if (!values?.length) return;
      q.andWhere(`b.id IN (SELECT fp.batch_id FROM settlement_payouts fp WHERE fp.${column} IN (:...${name}))`, {
        [name]: values,
      });
    };
    holding('partner_id', filter.partnerIds, 'filterPartnerIds');
    holding('statement_id', filter.statementIds, 'filterStatementIds');
    if (this.scoped(actor)) {
      const sub = this.dataSource
        .getRepository(PayoutEntity)
        .createQueryBuilder('sp')
        .select('sp.batch_id')
        .where('sp.batch_id = b.id');
      applyPartnerScope(sub, actor, 'sp.partnerId');
      q.andWhere(`EXISTS (${sub.getQuery()})`, sub.getParameters());
    }
    return paginate(q, page, (r) => r);
  }

  /** Payouts of batches, restricted to what the caller may see (partner users: their own). */
  payoutsOf(actor: Actor, batchIds: readonly string[]): Promise<PayoutEntity[]> {
    const q = this.dataSource
      .getRepository(PayoutEntity)
      .createQueryBuilder('p')
      .where('p.batchId IN (:...batchIds)', { batchIds: [...batchIds] })
      .orderBy('p.id', 'ASC');
    applyPartnerScope(q, actor, 'p.partnerId');
    return q.getMany();
  }

  isScoped(actor: Actor): boolean {
    return this.scoped(actor);
  }

  /** The released pain.001 as sent to the bank (bank-side roles only; it names every partner of the batch). */
  async painFile(actor: Actor, id: string): Promise<{ file: string; batch: PayoutBatchEntity }> {
    if (this.scoped(actor)) throw notFound('PayoutBatch', id);
    const batch = await this.getBatch(actor, id);
    if (batch.painFile === null) throw notFound('PayoutBatchFile', id);
    return { file: batch.painFile, batch };
  }

  // ---------- the bank's answers ----------

  /**
   * A pain.002 for one of our batches: per transaction (or for the whole group when it lists none)
   * RJCT → payout REJECTED with its reason code (its statement is free for a new batch), an accepting
   * status → ACCEPTED. An unknown batch or payout refuses the whole file: nothing is applied.
   */
  importPaymentStatusReport(actor: Actor, contentBase64: string): Promise<PaymentStatusReportResult> {
    const file = decodeFile(contentBase64);
    const report = parsePain002(file);
    const batchId = report.originalPmtInfId ?? report.originalMsgId;
    return this.tx.run(async (manager) => {
      const batch = await manager.findOneBy(PayoutBatchEntity, { id: batchId });
      if (!batch)
        throw badInput(
          'file',
          'UNKNOWN_BATCH',
          `The status report is for payout batch "${batchId}", which does not exist`,
        );
      const foreign = report.paymentInfos.find((p) => p.originalPmtInfId !== batch.id);
      if (foreign)
        throw badInput('file', 'UNKNOWN_BATCH', `The status report also names batch "${foreign.originalPmtInfId}"`);
      if ((batch.status as PayoutBatchStatus) !== PayoutBatchStatus.APPROVED)
        throw conflict('BATCH_NOT_RELEASED', `Payout batch ${batch.id} is ${batch.status}: it was never sent`);
      const payouts = await manager.find(PayoutEntity, { where: { batchId: batch.id }, order: { id: 'ASC' } });
      const byId = new Map(payouts.map((p) => [p.id, p]));
      for (const t of report.transactions)
        if (!byId.has(t.payoutId))
          throw badInput('file', 'UNKNOWN_PAYOUT', `EndToEndId ${t.endToEndId} is not a payout of batch ${batch.id}`);

      const pmtStatus = report.paymentInfos[0]?.status ?? null;
      const groupReason = [...(report.paymentInfos[0]?.reasons ?? []), ...report.groupReasons][0];
      const decisions =
        report.transactions.length > 0
          ? report.transactions.map((t) => ({
              payoutId: t.payoutId,
              status: t.status ?? pmtStatus ?? report.groupStatus,
              reasonCode: t.reasonCode,
              reasonText: t.reasons.flatMap((r) => r.additionalInfo).join('; ') || null,
            }))
          : payouts.map((p) => ({
              payoutId: p.id,
              status: pmtStatus ?? report.groupStatus,
              reasonCode: groupReason?.code ?? null,
              reasonText: groupReason?.additionalInfo.join('; ') || null,
            }));
      const now = this.clock.now();
      const outcomes: PaymentStatusReportResult['outcomes'] = [];
      for (const d of decisions) {
        let changed = false;
        if (d.status === 'RJCT') {
          changed = await this.movePayout(manager, d.payoutId, OPEN_PAYOUT_STATUSES, {
            status: PayoutStatus.REJECTED,
            liveStatementId: null,
            statusReasonCode: d.reasonCode,
            statusReason: d.reasonText,
            updatedAt: now,
          });
        } else if (d.status !== null && ACCEPTED_STATUS_CODES.includes(d.status)) {
          changed = await this.movePayout(manager, d.payoutId, [PayoutStatus.RELEASED], {
            status: PayoutStatus.ACCEPTED,
            statusReasonCode: null,
            statusReason: null,
            updatedAt: now,
          });
        }
        const after = await manager.findOneByOrFail(PayoutEntity, { id: d.payoutId });
        outcomes.push({
          payoutId: d.payoutId,
          reportedStatus: d.status,
          reasonCode: d.reasonCode,
          payoutStatus: after.status as PayoutStatus,
          changed,
        });
      }
      const importId = newId();
      const result: PaymentStatusReportResult = {
        importId,
        batchId: batch.id,
        groupStatus: report.groupStatus,
        outcomes,
      };
      await manager.insert(PayoutFileImportEntity, {
        id: importId,
        kind: 'PAIN002',
        messageId: report.messageId,
        sha256: sha256(file),
        batchId: batch.id,
        report: result,
        importedById: actor.id,
        createdAt: now,
      });
      await this.audit.record(manager, actor, {
        action: 'payoutBatch.statusReport',
        entityType: 'PayoutBatch',
        entityId: batch.id,
        after: result,
      });
      return result;
    });
  }

  /** One conditional UPDATE: the payout moves only from one of `from`; false when it was elsewhere. */
  private async movePayout(
    manager: EntityManager,
    id: string,
    from: readonly string[],
    changes: Partial<PayoutEntity>,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(PayoutEntity)
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id', { id })
      .andWhere('status IN (:...from)', { from: [...from] })
      .execute();
    return result.affected === 1;
  }

  /**
   * The pay step of a matched booking: RELEASED/ACCEPTED → PAID in one conditional UPDATE, so whatever
   * the matcher saw, a payout already PAID (by an earlier file, or a concurrent import that committed
   * first — InnoDB re-reads the row after the lock wait) is left alone and false is returned.
   */
  async markPaid(
    manager: EntityManager,
    payoutId: string,
    booking: { entryRef: string; bookingDate: string | null; matchedBy: string },
  ): Promise<boolean> {
    const now = this.clock.now();
    return this.movePayout(manager, payoutId, OPEN_PAYOUT_STATUSES, {
      status: PayoutStatus.PAID,
      paidAt: now,
      paidEntryRef: booking.entryRef,
      paidBookingDate: booking.bookingDate,
      matchedBy: booking.matchedBy,
      updatedAt: now,
    });
  }

  /**
   * A camt.053 (validated against its version's XSD first) matched to released payouts: by EndToEndId,
   * else amount + creditor account + booking date → PAID. A payout moves to PAID by a conditional UPDATE
   * from RELEASED/ACCEPTED only, so it is never paid twice (a repeated entry or file is ALREADY_PAID).
   */
  async importBankStatement(actor: Actor, contentBase64: string): Promise<BankStatementImportResult> {
    const file = decodeFile(contentBase64);
    const doc = parseCamt053(file);
    if (doc.version === null || !CAMT_VERSIONS.includes(doc.version))
      throw badInput('file', 'UNSUPPORTED_VERSION', `Supported: ${CAMT_VERSIONS.join(', ')}`);
    const validation = await validateXml(file, this.xsdPath(camtXsdName(doc.version)));
    if (!validation.valid)
      throw new DomainError('BAD_USER_INPUT', `The bank statement fails the ${doc.version} XSD`, {
        field: 'file',
        reason: 'XSD_INVALID',
        errors: validation.errors
          .slice(0, 20)
          .map((e) => (e.line === null ? e.message : `line ${e.line}: ${e.message}`)),
      });
    this.assertOwnAccount(doc.statements);
    const entries = doc.statements.flatMap((s) => s.entries);
    const tolerance = this.config.payouts.matchDateToleranceDays;
    return this.tx.run(async (manager) => {
      const candidates = await this.matchCandidates(manager, entries, tolerance);
      const result = matchCamtToPayouts(
        entries,
        candidates.map((c) => c.match),
        { dateToleranceDays: tolerance },
      );
      const now = this.clock.now();
      const out: BankStatementImportResult = {
        importId: newId(),
        messageId: doc.messageId,
        version: doc.version as string,
        entryCount: entries.length,
        matched: [],
        exceptions: result.exceptions.map((e) => ({
          entryRef: e.entryRef,
          endToEndId: e.endToEndId,
          amount: e.amount,
          bookingDate: e.entry.bookingDate,
          reason: e.reason,
          payoutIds: e.payoutIds,
        })),
        ignored: result.ignored.map((i) => ({ entryRef: i.entry.ref, reason: i.reason })),
      };
      for (const m of result.matched) {
        const entry = entries.find((e) => e.ref === m.entryRef);
        const paid = await this.markPaid(manager, m.payoutId, {
          entryRef: m.entryRef,
          bookingDate: entry?.bookingDate ?? entry?.valueDate ?? null,
          matchedBy: m.matchedBy,
        });
        if (paid) out.matched.push(m);
        else
          out.exceptions.push({
            entryRef: m.entryRef,
            endToEndId: m.endToEndId,
            amount: entry?.amount ?? null,
            bookingDate: entry?.bookingDate ?? null,
            reason: 'ALREADY_PAID',
            payoutIds: [m.payoutId],
          });
      }
      await manager.insert(PayoutFileImportEntity, {
        id: out.importId,
        kind: 'CAMT053',
        messageId: doc.messageId || null,
        sha256: sha256(file),
        batchId: null,
        report: {
          ...out,
          exceptions: out.exceptions.map((e) => ({ ...e, amount: e.amount?.toJSON() ?? null })),
        },
        importedById: actor.id,
        createdAt: now,
      });
      await this.audit.record(manager, actor, {
        action: 'bankStatement.import',
        entityType: 'BankStatementImport',
        entityId: out.importId,
        after: { messageId: doc.messageId, matched: out.matched, exceptions: out.exceptions.length },
      });
      return out;
    });
  }

  /**
   * A camt.053 reports the bookings of one account: only a statement of the account payouts are paid
   * from (PAYOUT_DEBTOR_*) can show them. A statement of another account — a mix-up of files, or the
   * statement of a partner's or a customer's account — is refused whole, naming both accounts, rather
   * than turning its debits into exceptions finance would have to clear one by one.
   */
  private assertOwnAccount(statements: readonly { id: string; account: string }[]): void {
    const debtor = this.config.payouts.debtor;
    if (debtor === null)
      throw conflict('PAYOUT_DEBTOR_NOT_CONFIGURED', 'Set PAYOUT_DEBTOR_* to the bank account payouts are paid from');
    const own = normaliseAccount(debtor.iban ?? debtor.accountNumber ?? '');
    const foreign = statements.filter((s) => normaliseAccount(s.account) !== own);
    if (foreign.length > 0)
      throw new DomainError(
        'BAD_USER_INPUT',
        `The bank statement is for account ${foreign.map((s) => s.account).join(', ')}, not for ${own}, the account payouts are paid from`,
        {
          field: 'file',
          reason: 'STATEMENT_ACCOUNT_MISMATCH',
          expectedAccount: own,
          statements: foreign.map((s) => ({ id: s.id, account: s.account })),
        },
      );
  }

  /**
   * Open payouts (released or accepted), plus the paid ones the file could name again — by EndToEndId
   * or executed within the date window — so a second booking is reported ALREADY_PAID, not matched.
   */
  private async matchCandidates(
    manager: EntityManager,
    entries: ReturnType<typeof parseCamt053>['statements'][number]['entries'],
    tolerance: number,
  ): Promise<{ payout: PayoutEntity; match: PayoutToMatch }[]> {
    const e2e = [
      ...new Set(
        entries
          .flatMap((e) => [e.endToEndId, ...e.transactions.map((t) => t.endToEndId)])
          .filter((v): v is string => v !== null)
          .map((v) => fromIsoReference(v).toLowerCase()),
      ),
    ];
    const dates = entries
      .map((e) => e.bookingDate ?? e.valueDate)
      .filter((d): d is string => d !== null)
      .sort();
    const q = manager
      .getRepository(PayoutEntity)
      .createQueryBuilder('p')
      .where('p.status IN (:...open)', { open: [...OPEN_PAYOUT_STATUSES] });
    const paidClauses: string[] = [];
    if (e2e.length) paidClauses.push('p.id IN (:...e2e)');
    if (dates.length)
      paidClauses.push(
        'p.batch_id IN (SELECT wb.id FROM settlement_payout_batches wb WHERE wb.requested_execution_date BETWEEN :from AND :to)',
      );
    if (paidClauses.length)
      q.orWhere(`(p.status = :paidStatus AND (${paidClauses.join(' OR ')}))`, {
        paidStatus: PayoutStatus.PAID,
        e2e,
        from: addDays(dates[0] ?? '2000-01-01', -tolerance),
        to: addDays(dates[dates.length - 1] ?? '2000-01-01', tolerance),
      });
    const payouts = await q.orderBy('p.id', 'ASC').getMany();
    const batches = new Map(
      payouts.length
        ? (await manager.findBy(PayoutBatchEntity, { id: In([...new Set(payouts.map((p) => p.batchId))]) })).map(
            (b) => [b.id, b],
          )
        : [],
    );
    return payouts.map((p) => ({
      payout: p,
      match: {
        payoutId: p.id,
        amount: Money.ofMinor(p.amount, p.currency),
        creditorAccount: p.creditorIban ?? p.creditorAccountNumber ?? '',
        executionDate: batches.get(p.batchId)?.requestedExecutionDate ?? '1970-01-01',
        alreadyPaid: (p.status as PayoutStatus) === PayoutStatus.PAID,
      },
    }));
  }
}

function pickAccount(a: { accountName: string; bankName: string | null; bic: string | null; cnaps: string | null }): {
  accountName: string;
  bankName: string | null;
  bic: string | null;
  cnaps: string | null;
} {
  return { accountName: a.accountName, bankName: a.bankName, bic: a.bic, cnaps: a.cnaps };
}
