import { businessDateOf } from '../../common/business-time';
import { badInput } from '../../common/domain-error';
import { isValidLuhn, isValidUscc, normalizeUscc } from '../../common/identifiers';
import { maskPan } from '../../common/pii';
import { Money, minorUnitsOf } from '../../common/money';
import { CUSTOMER_EVENT_TYPES, CustomerEventType } from '../../programs/customer-event-type';
import { AMOUNT_EVENT_TYPES } from '../customer.enums';
import { CUSTOMER_NUMBER_RE } from './customer-input';

const QUARTER_HOUR_MS = 15 * 60_000;
const businessDates = new Map<string, string | null>();

/**
 * businessDateOf for many events, memoised per zone and UTC quarter hour: zone offsets are whole quarter
 * hours and change only on quarter-hour boundaries, so every instant of a quarter hour has the date of
 * its start unless the quarter hour straddles local midnight (then computed per event).
 */
function cachedBusinessDateOf(instant: Date, timeZone: string): string {
  const start = Math.floor(instant.getTime() / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  const key = `${timeZone}|${start}`;
  let date = businessDates.get(key);
  if (date === undefined) {
    const first = businessDateOf(new Date(start), timeZone);
    date = first === businessDateOf(new Date(start + QUARTER_HOUR_MS - 1), timeZone) ? first : null;
    if (businessDates.size >= 100_000) businessDates.clear();
    businessDates.set(key, date);
  }
  return date ?? businessDateOf(instant, timeZone);
}

/** One event as submitted (GraphQL input or one import row), before validation. */
export interface EventFields {
  eventId?: string;
  customerNumber?: string;
  type?: string;
  occurredAt?: string;
  productCode?: string;
  programId?: string;
  cardRef?: string;
  merchantCategory?: string;
  counterpartyUscc?: string;
  counterpartyName?: string;
  employerUscc?: string;
  amount?: string;
  currency?: string;
}

export interface NormalizedEvent {
  externalId: string;
  customerNumber: string;
  type: CustomerEventType;
  occurredAt: Date;
  businessDate: string;
  productCode: string | null;
  programId: string | null;
  cardRef: string | null;
  merchantCategory: string | null;
  counterpartyUscc: string | null;
  counterpartyName: string | null;
  employerUscc: string | null;
  amount: bigint | null;
  currency: string | null;
}

const EVENT_ID_RE = /^[A-Za-z0-9][\w.:-]{0,63}$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL_INSTANT_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Events reported more than this far ahead of the clock are refused as mistakes. */
const FUTURE_TOLERANCE_MS = 24 * 3_600_000;

function present(value: string | undefined): string | null {
  if (value === undefined) return null;
  const s = value.trim();
  return s === '' ? null : s;
}

function bounded(value: string | undefined, field: string, max: number, pattern?: RegExp): string | null {
  const s = present(value);
  if (s === null) return null;
  if (s.length > max) throw badInput(field, 'TOO_LONG');
  if (pattern && !pattern.test(s)) throw badInput(field, 'INVALID_FORMAT');
  return s;
}

function checkedUscc(value: string | undefined, field: string): string | null {
  const s = present(value);
  if (s === null) return null;
  const uscc = normalizeUscc(s);
  if (!/^[0-9A-Z]{18}$/.test(uscc)) throw badInput(field, 'INVALID_FORMAT');
  if (!isValidUscc(uscc)) throw badInput(field, 'INVALID_CHECK_CHARACTER');
  return uscc;
}

/** An ISO 8601 instant with an explicit offset (Z or ±hh:mm); a bare local time is ambiguous and refused. */
export function parseInstant(value: string | undefined, field: string): Date {
  const s = present(value);
  if (s === null) throw badInput(field, 'REQUIRED');
  if (LOCAL_INSTANT_RE.test(s)) throw badInput(field, 'TIME_ZONE_REQUIRED');
  if (!INSTANT_RE.test(s)) throw badInput(field, 'INVALID_INSTANT');
  const date = new Date(s);
  if (Number.isNaN(date.getTime())) throw badInput(field, 'INVALID_INSTANT');
  return date;
}

/** A full card number (PAN) is never stored: Luhn-checked, then kept masked (first 6 + last 4). Other refs pass. */
function maskedCardRef(ref: string | null): string | null {
  if (ref === null) return null;
  const digits = ref.replace(/[\s-]/g, '');
  if (!/^\d{16,19}$/.test(digits)) return ref;
  if (!isValidLuhn(digits)) throw badInput('cardRef', 'INVALID_PAN');
  return maskPan(digits);
}

/** Validates one event; throws badInput(field, reason) naming the first bad field. */
export function normalizeEvent(
  input: EventFields,
  options: { timeZone: string; defaultCurrency: string; now: Date },
): NormalizedEvent {
  const externalId = present(input.eventId);
  if (externalId === null) throw badInput('eventId', 'REQUIRED');
  if (!EVENT_ID_RE.test(externalId)) throw badInput('eventId', 'INVALID_FORMAT');
  const customerNumber = present(input.customerNumber);
  if (customerNumber === null) throw badInput('customerNumber', 'REQUIRED');
  if (!CUSTOMER_NUMBER_RE.test(customerNumber)) throw badInput('customerNumber', 'INVALID_FORMAT');
  const typeRaw = present(input.type)?.toUpperCase() ?? null;
  if (typeRaw === null) throw badInput('type', 'REQUIRED');
  if (!(CUSTOMER_EVENT_TYPES as readonly string[]).includes(typeRaw)) throw badInput('type', 'UNKNOWN_VALUE');
  const type = typeRaw as CustomerEventType;
  const occurredAt = parseInstant(input.occurredAt, 'occurredAt');
  if (occurredAt.getTime() > options.now.getTime() + FUTURE_TOLERANCE_MS) throw badInput('occurredAt', 'IN_FUTURE');

  const programId = bounded(input.programId, 'programId', 36, UUID_RE)?.toLowerCase() ?? null;
  const merchantCategory = bounded(input.merchantCategory, 'merchantCategory', 4, /^\d{4}$/);
  const counterpartyUscc = checkedUscc(input.counterpartyUscc, 'counterpartyUscc');
  const counterpartyName = bounded(input.counterpartyName, 'counterpartyName', 200);
  const employerUscc = checkedUscc(input.employerUscc, 'employerUscc');
  if (type === CustomerEventType.PAYROLL_CREDIT && employerUscc === null) throw badInput('employerUscc', 'REQUIRED');
  if (
    (type === CustomerEventType.PAYMENT_SENT || type === CustomerEventType.PAYMENT_RECEIVED) &&
    counterpartyUscc === null &&
    counterpartyName === null
  )
    throw badInput('counterpartyUscc', 'REQUIRED');

  const amountRaw = present(input.amount);
  let amount: bigint | null = null;
  let currency: string | null = null;
  if (amountRaw !== null) {
    currency = present(input.currency)?.toUpperCase() ?? options.defaultCurrency;
    if (!/^[A-Z]{3}$/.test(currency)) throw badInput('currency', 'INVALID_FORMAT');
    minorUnitsOf(currency);
    const money = Money.parse(amountRaw, currency, 'amount');
    if (money.minor < 0n) throw badInput('amount', 'NEGATIVE_AMOUNT');
    amount = money.minor;
  } else if (AMOUNT_EVENT_TYPES.includes(type)) {
    throw badInput('amount', 'REQUIRED');
  }

  return {
    externalId,
    customerNumber,
    type,
    occurredAt,
    businessDate: cachedBusinessDateOf(occurredAt, options.timeZone),
    productCode: bounded(input.productCode, 'productCode', 40),
    programId,
    cardRef: maskedCardRef(bounded(input.cardRef, 'cardRef', 64)),
    merchantCategory,
    counterpartyUscc,
    counterpartyName,
    employerUscc,
    amount,
    currency,
  };
}
