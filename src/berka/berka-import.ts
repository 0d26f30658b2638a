import { INestApplicationContext } from '@nestjs/common';
import { join } from 'node:path';
import { Actor } from '../auth/actor';
import { CustomerImportsService } from '../customers/customer-imports.service';
import { CustomerEventType } from '../programs/customer-event-type';
import { JobEntity } from '../jobs/entities/job.entity';
import { OrgUnitsService } from '../org-units/org-units.service';
import { OrgUnitEntity } from '../org-units/entities/org-unit.entity';
import { PartnersService } from '../partners/partners.service';
import {
  AgreementStatus,
  CooperationMode,
  PartnerKind,
  PartnerStatus,
  PartnerTier,
  RiskRating,
} from '../partners/partner.enums';
import { ProgramsService } from '../programs/programs.service';
import { CardLevel, EconomicsCategory, ProgramKind, ProgramStatus, RewardsFunding } from '../programs/program.enums';
import { PartnerEntity } from '../partners/entities/partner.entity';
import { DataSource } from 'typeorm';
import { demoUscc } from '../demo/foundation-demo';
import {
  BANK_SYMBOLS,
  berkaAmount,
  berkaDate,
  berkaId,
  BerkaRowError,
  decodeBirthNumber,
  FREQUENCY_CODES,
  OPERATION_NAMES,
  readAsc,
} from './berka-format';

/** The card types of card.asc, as three products (levels) of the demo partner's co-branded programs. */
export const BERKA_CARD_PRODUCTS = [
  {
    type: 'junior',
    level: CardLevel.CLASSIC,
    code: 'BERKA-JUNIOR',
    bin: '62990101',
    nameZh: 'Berka 青少年联名卡 (junior)',
  },
  {
    type: 'classic',
    level: CardLevel.GOLD,
    code: 'BERKA-CLASSIC',
    bin: '62990102',
    nameZh: 'Berka 标准联名卡 (classic)',
  },
  { type: 'gold', level: CardLevel.PLATINUM, code: 'BERKA-GOLD', bin: '62990103', nameZh: 'Berka 金卡联名卡 (gold)' },
] as const;

export const BERKA_PARTNER_CODE = 'BERKA-DEMO';
export const BERKA_HEAD_OFFICE = 'HO';

export interface BerkaImportOptions {
  /** Folder holding account.asc, card.asc, client.asc, disp.asc, district.asc, loan.asc, trans*.asc. */
  dir: string;
  actor: Actor;
  /** Transactions file name inside `dir` (default trans_truncated.asc, else trans.asc). */
  transFile?: string;
  /** Skip the transactions file (the other files still load). */
  skipTransactions?: boolean;
  progress?: (message: string) => void;
}

export interface BerkaStepResult {
  jobId: string;
  status: string;
  processed: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface BerkaImportResult {
  orgUnits: { regionsCreated: number; districtsCreated: number; districts: number; regions: number };
  customers: BerkaStepResult;
  accountsOpened: BerkaStepResult;
  cards: BerkaStepResult;
  loans: BerkaStepResult;
  transactions: BerkaStepResult | null;
  programIds: Record<string, string>;
  /** Lines of the source files that could not become a row (file, line, field, reason). */
  rowErrors: BerkaRowError[];
  /** Values kept but flagged (e.g. district 69's `?` statistics). */
  warnings: BerkaRowError[];
}

const customerNumberOf = (clientId: string): string => `BERKA-C-${clientId}`;
/** Clearly synthetic document number: the data set has no identity numbers. Passport format is [A-Z0-9]{5,17}. */
export const berkaPassportOf = (clientId: string): string => `BERKA${clientId.padStart(7, '0')}`;
/** Noon in Prague on a business date: the same date in the bank's time zone (UTC+8). */
const instantOf = (date: string): string => `${date}T12:00:00+01:00`;

function slug(s: string): string {
  return s
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export const regionCodeOf = (region: string): string => `CZ-${slug(region)}`.slice(0, 32);
export const districtCodeOf = (districtId: string): string => `CZ-D${districtId.padStart(2, '0')}`;

function stepOf(job: JobEntity): BerkaStepResult {
  const r = (job.result ?? {}) as Record<string, unknown>;
  const n = (k: string): number => (typeof r[k] === 'number' ? r[k] : 0);
  return {
    jobId: job.id,
    status: job.status,
    processed: n('processed'),
    accepted: n('accepted') + n('created') + n('updated') + n('unchanged'),
    duplicates: n('duplicates') + n('unchanged'),
    rejected: n('rejected'),
  };
}

/** NDJSON lines of an async stream of objects, with a progress line every `every` rows. */
async function* ndjson(
  rows: AsyncIterable<Record<string, string>> | Iterable<Record<string, string>>,
  label: string,
  progress: (m: string) => void,
  every = 10_000,
): AsyncGenerator<string> {
  let n = 0;
  for await (const row of rows) {
    yield `${JSON.stringify(row)}\n`;
    n++;
    if (n % every === 0) progress(`berka: ${label} ${n.toLocaleString('en-US')} rows sent`);
  }
}

/**
 * Imports the PKDD'99 financial data set through the bank's own paths: org units through OrgUnitsService,
 * the demo partner, agreement, programs and products through PartnersService/ProgramsService, clients and
 * every event through the streamed customer and event imports (validation, audit, jobs with row reports).
 * Idempotent: a second run finds everything and reports it unchanged / DUPLICATE.
 */
export async function importBerka(
  app: INestApplicationContext,
  options: BerkaImportOptions,
): Promise<BerkaImportResult> {
  const { dir, actor } = options;
  const progress = options.progress ?? (() => undefined);
  const imports = app.get(CustomerImportsService);
  const rowErrors: BerkaRowError[] = [];
  const warnings: BerkaRowError[] = [];
  const error = (file: string, line: number, field: string, reason: string): void => {
    rowErrors.push({ file, line, field, reason });
  };

  // ---- districts → org units (region → branch, district → sub-branch) ----
  const orgUnits = app.get(OrgUnitsService);
  const head =
    (await orgUnits.findByCode(BERKA_HEAD_OFFICE)) ??
    (await orgUnits.create(actor, { code: BERKA_HEAD_OFFICE, name: '总行 Head office' }));
  const regions = new Map<string, OrgUnitEntity>();
  const districts = new Set<string>();
  let regionsCreated = 0;
  let districtsCreated = 0;
  for await (const row of readAsc(join(dir, 'district.asc'))) {
    const [idRaw, name, region] = row.fields;
    const id = berkaId(idRaw);
    if (row.fields.length !== 16) {
      error('district.asc', row.line, 'line', row.unterminated ? 'TRUNCATED_RECORD' : 'WRONG_FIELD_COUNT');
      continue;
    }
    if (id === null || !name?.trim() || !region?.trim()) {
      error('district.asc', row.line, id === null ? 'A1' : 'A2', 'REQUIRED');
      continue;
    }
    row.fields.forEach((value, i) => {
      if (value.trim() === '?')
        warnings.push({ file: 'district.asc', line: row.line, field: `A${i + 1}`, reason: 'UNKNOWN_VALUE' });
    });
    const regionCode = regionCodeOf(region);
    let branch = regions.get(regionCode) ?? (await orgUnits.findByCode(regionCode));
    if (!branch) {
      branch = await orgUnits.create(actor, { code: regionCode, name: `${region.trim()} branch`, parentId: head.id });
      regionsCreated++;
    }
    regions.set(regionCode, branch);
    const code = districtCodeOf(id);
    if (!(await orgUnits.findByCode(code))) {
      await orgUnits.create(actor, { code, name: `${name.trim()} sub-branch`, parentId: branch.id });
      districtsCreated++;
    }
    districts.add(id);
  }
  progress(`berka: ${districts.size} districts under ${regions.size} regions`);

  // ---- accounts and dispositions (kept in memory: 4,500 + 5,369 small rows) ----
  const accounts = new Map<string, { date: string; frequency: string; districtId: string }>();
  for await (const row of readAsc(join(dir, 'account.asc'))) {
    const [idRaw, districtRaw, frequency, dateRaw] = row.fields;
    if (row.fields.length !== 4) {
      error('account.asc', row.line, 'line', row.unterminated ? 'TRUNCATED_RECORD' : 'WRONG_FIELD_COUNT');
      continue;
    }
    const id = berkaId(idRaw);
    const date = berkaDate(dateRaw ?? '');
    if (id === null) error('account.asc', row.line, 'account_id', 'INVALID_FORMAT');
    else if (date === null) error('account.asc', row.line, 'date', 'INVALID_DATE');
    else if (!districts.has(berkaId(districtRaw) ?? ''))
      error('account.asc', row.line, 'district_id', 'UNKNOWN_DISTRICT');
    else accounts.set(id, { date, frequency: (frequency ?? '').trim(), districtId: berkaId(districtRaw) ?? '' });
  }
  const ownerOfAccount = new Map<string, string>();
  const accountOfClient = new Map<string, string>();
  const dispositions = new Map<string, { clientId: string; accountId: string; type: string }>();
  for await (const row of readAsc(join(dir, 'disp.asc'))) {
    const [idRaw, clientRaw, accountRaw, typeRaw] = row.fields;
    if (row.fields.length !== 4) {
      error('disp.asc', row.line, 'line', row.unterminated ? 'TRUNCATED_RECORD' : 'WRONG_FIELD_COUNT');
      continue;
    }
    const id = berkaId(idRaw);
    const clientId = berkaId(clientRaw);
    const accountId = berkaId(accountRaw);
    const type = (typeRaw ?? '').trim();
    if (id === null || clientId === null)
      error('disp.asc', row.line, id === null ? 'disp_id' : 'client_id', 'INVALID_FORMAT');
    else if (accountId === null || !accounts.has(accountId))
      error('disp.asc', row.line, 'account_id', 'UNKNOWN_ACCOUNT');
    else if (type !== 'OWNER' && type !== 'DISPONENT') error('disp.asc', row.line, 'type', 'UNKNOWN_VALUE');
    else {
      dispositions.set(id, { clientId, accountId, type });
      if (!accountOfClient.has(clientId)) accountOfClient.set(clientId, accountId);
      if (type === 'OWNER') {
        if (ownerOfAccount.has(accountId)) error('disp.asc', row.line, 'type', 'SECOND_OWNER');
        else ownerOfAccount.set(accountId, clientId);
      }
    }
  }

  // ---- the demo partner's co-branded card programs: one product (level) per Berka card type ----
  const programIds = await ensureCardPrograms(app, actor, head.id);

  // ---- clients → INDIVIDUAL customers ----
  async function* clients(): AsyncGenerator<Record<string, string>> {
    for await (const row of readAsc(join(dir, 'client.asc'))) {
      const [idRaw, birthRaw, districtRaw] = row.fields;
      if (row.fields.length !== 3) {
        error('client.asc', row.line, 'line', row.unterminated ? 'TRUNCATED_RECORD' : 'WRONG_FIELD_COUNT');
        continue;
      }
      const id = berkaId(idRaw);
      const birth = decodeBirthNumber(birthRaw ?? '');
      const districtId = berkaId(districtRaw);
      if (id === null) error('client.asc', row.line, 'client_id', 'INVALID_FORMAT');
      else if (birth === null) error('client.asc', row.line, 'birth_number', 'INVALID_DATE');
      else if (districtId === null || !districts.has(districtId))
        error('client.asc', row.line, 'district_id', 'UNKNOWN_DISTRICT');
      else {
        const accountId = accountOfClient.get(id);
        yield {
          customerNumber: customerNumberOf(id),
          type: 'INDIVIDUAL',
          name: `Berka client ${id} (${birth.sex}, born ${birth.birthDate})`,
          idType: 'PASSPORT',
          idNumber: berkaPassportOf(id),
          orgUnitCode: districtCodeOf(districtId),
          onboardedOn: (accountId !== undefined ? accounts.get(accountId)?.date : undefined) ?? '1993-01-01',
          status: 'ACTIVE',
        };
      }
    }
  }
  const customers = stepOf(
    await imports.importCustomersFromStream(ndjson(clients(), 'clients', progress), 'NDJSON', actor),
  );
  progress(`berka: customers ${customers.accepted} imported, ${customers.rejected} rejected`);

  // ---- accounts → ACCOUNT_OPENED of the owner ----
  function* opened(): Generator<Record<string, string>> {
    for (const [accountId, account] of accounts) {
      const owner = ownerOfAccount.get(accountId);
      if (owner === undefined) {
        error('account.asc', 0, 'account_id', 'NO_OWNER');
        continue;
      }
      yield {
        eventId: `BERKA-ACC-${accountId}`,
        customerNumber: customerNumberOf(owner),
        type: CustomerEventType.ACCOUNT_OPENED,
        occurredAt: instantOf(account.date),
        productCode: FREQUENCY_CODES[account.frequency] ?? 'STMT-OTHER',
        cardRef: `ACC-${accountId}`,
      };
    }
  }
  const accountsOpened = stepOf(
    await imports.importCustomerEventsFromStream(ndjson(opened(), 'accounts', progress), 'NDJSON', actor),
  );
  progress(`berka: ${accountsOpened.accepted} ACCOUNT_OPENED events`);

  // ---- cards → CARD_APPROVED on the level's program (the cards module takes these events when it exists) ----
  async function* cards(): AsyncGenerator<Record<string, string>> {
    for await (const row of readAsc(join(dir, 'card.asc'))) {
      const [idRaw, dispRaw, typeRaw, issuedRaw] = row.fields;
      if (row.fields.length !== 4) {
        error('card.asc', row.line, 'line', row.unterminated ? 'TRUNCATED_RECORD' : 'WRONG_FIELD_COUNT');
        continue;
      }
      const id = berkaId(idRaw);
      const disp = dispositions.get(berkaId(dispRaw) ?? '');
      const product = BERKA_CARD_PRODUCTS.find((p) => p.type === (typeRaw ?? '').trim());
      const issued = berkaDate(issuedRaw ?? '');
      if (id === null) error('card.asc', row.line, 'card_id', 'INVALID_FORMAT');
      else if (!disp) error('card.asc', row.line, 'disp_id', 'UNKNOWN_DISPOSITION');
      else if (!product) error('card.asc', row.line, 'type', 'UNKNOWN_VALUE');
      else if (issued === null) error('card.asc', row.line, 'issued', 'INVALID_DATE');
      else
        yield {
          eventId: `BERKA-CARD-${id}`,
          customerNumber: customerNumberOf(disp.clientId),
          type: CustomerEventType.CARD_APPROVED,
          occurredAt: instantOf(issued),
          programId: programIds[product.type] ?? '',
          productCode: product.code,
          cardRef: `BERKA-CARD-${id}`,
        };
    }
  }
  const cardStep = stepOf(
    await imports.importCustomerEventsFromStream(ndjson(cards(), 'cards', progress), 'NDJSON', actor),
  );
  progress(`berka: ${cardStep.accepted} CARD_APPROVED events`);

  // ---- loans → LOAN_DISBURSED of the account owner (CZK, exact) ----
  async function* loans(): AsyncGenerator<Record<string, string>> {
    for await (const row of readAsc(join(dir, 'loan.asc'))) {
      const [idRaw, accountRaw, dateRaw, amountRaw, durationRaw, , statusRaw] = row.fields;
      if (row.fields.length !== 7) {
        error('loan.asc', row.line, 'line', row.unterminated ? 'TRUNCATED_RECORD' : 'WRONG_FIELD_COUNT');
        continue;
      }
      const id = berkaId(idRaw);
      const owner = ownerOfAccount.get(berkaId(accountRaw) ?? '');
      const date = berkaDate(dateRaw ?? '');
      const amount = berkaAmount(amountRaw);
      if (id === null) error('loan.asc', row.line, 'loan_id', 'INVALID_FORMAT');
      else if (owner === undefined) error('loan.asc', row.line, 'account_id', 'UNKNOWN_ACCOUNT');
      else if (date === null) error('loan.asc', row.line, 'date', 'INVALID_DATE');
      else if (amount === null) error('loan.asc', row.line, 'amount', 'INVALID_AMOUNT');
      else
        yield {
          eventId: `BERKA-LOAN-${id}`,
          customerNumber: customerNumberOf(owner),
          type: CustomerEventType.LOAN_DISBURSED,
          occurredAt: instantOf(date),
          productCode: `LOAN-${(durationRaw ?? '').trim()}M-${(statusRaw ?? '').trim()}`,
          cardRef: `ACC-${(accountRaw ?? '').trim()}`,
          amount,
          currency: 'CZK',
        };
    }
  }
  const loanStep = stepOf(
    await imports.importCustomerEventsFromStream(ndjson(loans(), 'loans', progress), 'NDJSON', actor),
  );
  progress(`berka: ${loanStep.accepted} LOAN_DISBURSED events`);

  // ---- transactions → PAYMENT_RECEIVED (PRIJEM) / PAYMENT_SENT (VYDAJ, VYBER), streamed ----
  let transactions: BerkaStepResult | null = null;
  if (!options.skipTransactions) {
    const transFile = options.transFile ?? 'trans_truncated.asc';
    async function* trans(): AsyncGenerator<Record<string, string>> {
      for await (const row of readAsc(join(dir, transFile))) {
        if (row.fields.length !== 10) {
          error(transFile, row.line, 'line', row.unterminated ? 'TRUNCATED_RECORD' : 'WRONG_FIELD_COUNT');
          continue;
        }
        const [idRaw, accountRaw, dateRaw, typeRaw, operationRaw, amountRaw, , symbolRaw, bankRaw, otherRaw] =
          row.fields;
        const id = berkaId(idRaw);
        const owner = ownerOfAccount.get(berkaId(accountRaw) ?? '');
        const date = berkaDate(dateRaw ?? '');
        const amount = berkaAmount(amountRaw);
        const kind = (typeRaw ?? '').trim();
        const type =
          kind === 'PRIJEM'
            ? CustomerEventType.PAYMENT_RECEIVED
            : kind === 'VYDAJ' || kind === 'VYBER'
              ? CustomerEventType.PAYMENT_SENT
              : null;
        if (id === null) error(transFile, row.line, 'trans_id', 'INVALID_FORMAT');
        else if (owner === undefined) error(transFile, row.line, 'account_id', 'UNKNOWN_ACCOUNT');
        else if (date === null) error(transFile, row.line, 'date', 'INVALID_DATE');
        else if (type === null) error(transFile, row.line, 'type', 'UNKNOWN_VALUE');
        else if (amount === null) error(transFile, row.line, 'amount', 'INVALID_AMOUNT');
        else {
          const operation = (operationRaw ?? '').trim();
          const symbol = (symbolRaw ?? '').trim();
          const bank = (bankRaw ?? '').trim();
          const other = (otherRaw ?? '').trim();
          const counterparty =
            bank !== '' || other !== ''
              ? `Account ${other || '?'} at bank ${bank || '?'}`
              : (BANK_SYMBOLS[symbol] ?? OPERATION_NAMES[operation] ?? 'Berka bank');
          const out: Record<string, string> = {
            eventId: `BERKA-T-${id}`,
            customerNumber: customerNumberOf(owner),
            type,
            occurredAt: instantOf(date),
            counterpartyName: counterparty,
            cardRef: `ACC-${(accountRaw ?? '').trim()}`,
            amount,
            currency: 'CZK',
          };
          if (symbol !== '') out.productCode = symbol;
          yield out;
        }
      }
    }
    transactions = stepOf(
      await imports.importCustomerEventsFromStream(ndjson(trans(), 'transactions', progress), 'NDJSON', actor),
    );
    progress(`berka: ${transactions.accepted} transaction events, ${rowErrors.length} row errors`);
  }

  return {
    orgUnits: { regionsCreated, districtsCreated, districts: districts.size, regions: regions.size },
    customers,
    accountsOpened,
    cards: cardStep,
    loans: loanStep,
    transactions,
    programIds,
    rowErrors: rowErrors.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1)),
    warnings,
  };
}

/** The demo partner, its agreement and one ACTIVE co-branded card program per Berka card type (found again on re-runs). */
async function ensureCardPrograms(
  app: INestApplicationContext,
  actor: Actor,
  orgUnitId: string,
): Promise<Record<string, string>> {
  const partners = app.get(PartnersService);
  const programs = app.get(ProgramsService);
  let partner = await app.get(DataSource).getRepository(PartnerEntity).findOneBy({ code: BERKA_PARTNER_CODE });
  if (!partner) {
    partner = await partners.create(actor, {
      code: BERKA_PARTNER_CODE,
      kind: PartnerKind.MALL,
      nameZh: 'Berka 示范联名卡合作方',
      nameEn: "PKDD'99 demo co-branded card partner",
      uscc: demoUscc(9901),
      orgUnitId,
      tier: PartnerTier.GENERAL,
      riskRating: RiskRating.LOW,
      relatedParty: false,
      blacklisted: false,
      contacts: [],
      qualifications: [],
    });
    for (const to of [PartnerStatus.NEGOTIATING, PartnerStatus.ACTIVE])
      partner = await partners.transition(actor, { id: partner.id, to });
    const agreement = await partners.createAgreement(actor, {
      partnerId: partner.id,
      code: 'AGR-BERKA-1993',
      title: "PKDD'99 co-branded cards (junior, classic, gold)",
      cooperationModes: [CooperationMode.CO_BRANDED_CARD],
      signedOn: '1992-12-01',
      validFrom: '1993-01-01',
      validTo: '2030-12-31',
      documents: [],
    });
    await partners.updateAgreement(actor, {
      id: agreement.id,
      version: agreement.version,
      status: AgreementStatus.ACTIVE,
    });
    for (const p of BERKA_CARD_PRODUCTS) {
      const program = await programs.createProgram(actor, {
        agreementId: agreement.id,
        kind: ProgramKind.CO_BRANDED_CARD,
        nameZh: p.nameZh,
        nameEn: `Berka ${p.type} card`,
        targets: [],
      });
      await programs.upsertProduct(actor, {
        programId: program.id,
        productName: p.nameZh,
        level: p.level,
        binPrefixes: [p.bin],
        annualFee: { amount: '0.00', currency: 'CZK' },
        earnRate: '0.01',
        funding: RewardsFunding.BANK,
        economics: [
          {
            category: EconomicsCategory.ACQUISITION_BOUNTY,
            description: 'per approved card',
            amount: { amount: '50.00', currency: 'CZK' },
            trigger: CustomerEventType.CARD_APPROVED,
          },
        ],
      });
      await programs.transitionProgram(actor, { id: program.id, to: ProgramStatus.ACTIVE });
    }
  }
  const found = await programs.programsOfPartners([partner.id]);
  const products = await programs.productsOfPrograms(found.map((p) => p.id));
  const out: Record<string, string> = {};
  for (const p of BERKA_CARD_PRODUCTS) {
    const product = products.find((x) => x.binPrefixes.includes(p.bin));
    if (product) out[p.type] = product.product.programId;
  }
  return out;
}
