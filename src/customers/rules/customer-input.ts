import { isValidBusinessDate } from '../../common/business-time';
import { badInput } from '../../common/domain-error';
import {
  ID_DOCUMENT_TYPES,
  IdDocumentType,
  isValidUscc,
  normalizeIdDocument,
  normalizeMainlandMobile,
  normalizeUscc,
} from '../../common/identifiers';
import { identityHash, maskIdNumber, maskPhone, phoneHash } from '../../common/pii';
import { CorporateSize, CustomerStatus, CustomerType } from '../customer.enums';

/** A customer as submitted (GraphQL input or one import row), before validation. Clear values live only here. */
export interface CustomerFields {
  customerNumber?: string;
  type?: string;
  name?: string;
  idType?: string;
  idNumber?: string;
  phone?: string;
  uscc?: string;
  industry?: string;
  size?: string;
  orgUnitId?: string;
  onboardedOn?: string;
  status?: string;
}

/** What may be stored: hashes and masked values instead of identity numbers and phones. */
export interface NormalizedCustomer {
  customerNumber: string;
  type: CustomerType;
  name: string;
  idType: IdDocumentType | null;
  identityHash: string | null;
  idNumberMasked: string | null;
  phoneHash: string | null;
  phoneMasked: string | null;
  uscc: string | null;
  industry: string | null;
  size: CorporateSize | null;
  orgUnitId: string;
  onboardedOn: string;
  status: CustomerStatus;
}

export const CUSTOMER_NUMBER_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

function required(value: string | undefined, field: string): string {
  if (value === undefined || value.trim() === '') throw badInput(field, 'REQUIRED');
  return value.trim();
}

function oneOf<T extends string>(value: string, allowed: readonly T[], field: string): T {
  const upper = value.trim().toUpperCase();
  if (!(allowed as readonly string[]).includes(upper)) throw badInput(field, 'UNKNOWN_VALUE');
  return upper as T;
}

function absent(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

/** The identity hash a lookup by document uses: same normalisation as on write. */
export function identityHashOf(key: string, idType: string, idNumber: string, today: Date): string {
  const type = oneOf(idType, ID_DOCUMENT_TYPES, 'idType');
  return identityHash(key, type, normalizeIdDocument(type, idNumber, 'idNumber', today));
}

/**
 * Validates and normalises one customer; throws badInput(field, reason) naming the first bad field.
 * Identity numbers and phones leave as keyed hashes plus masks.
 */
export function normalizeCustomer(
  input: CustomerFields,
  options: { hashKey: string; now: Date; today: string },
): NormalizedCustomer {
  const customerNumber = required(input.customerNumber, 'customerNumber');
  if (!CUSTOMER_NUMBER_RE.test(customerNumber)) throw badInput('customerNumber', 'INVALID_FORMAT');
  const type = oneOf(required(input.type, 'type'), Object.values(CustomerType), 'type');
  const name = required(input.name, 'name');
  if (Array.from(name).length > 200) throw badInput('name', 'TOO_LONG');
  const orgUnitId = required(input.orgUnitId, 'orgUnitId');
  const onboardedOn = absent(input.onboardedOn) ? options.today : (input.onboardedOn ?? '').trim();
  if (!isValidBusinessDate(onboardedOn)) throw badInput('onboardedOn', 'INVALID_DATE');
  if (onboardedOn > options.today) throw badInput('onboardedOn', 'IN_FUTURE');
  const status = absent(input.status)
    ? CustomerStatus.ACTIVE
    : oneOf(input.status ?? '', Object.values(CustomerStatus), 'status');

  let phone: { hash: string; masked: string } | null = null;
  if (!absent(input.phone)) {
    const normalized = normalizeMainlandMobile(input.phone ?? '', 'phone');
    phone = { hash: phoneHash(options.hashKey, normalized), masked: maskPhone(normalized) };
  }

  const base = { customerNumber, type, name, orgUnitId, onboardedOn, status };
  if (type === CustomerType.INDIVIDUAL) {
    if (!absent(input.uscc)) throw badInput('uscc', 'NOT_ALLOWED_FOR_INDIVIDUAL');
    if (!absent(input.size)) throw badInput('size', 'NOT_ALLOWED_FOR_INDIVIDUAL');
    const idType = oneOf(required(input.idType, 'idType'), ID_DOCUMENT_TYPES, 'idType');
    const idNumber = normalizeIdDocument(idType, required(input.idNumber, 'idNumber'), 'idNumber', options.now);
    return {
      ...base,
      idType,
      identityHash: identityHash(options.hashKey, idType, idNumber),
      idNumberMasked: maskIdNumber(idNumber),
      phoneHash: phone?.hash ?? null,
      phoneMasked: phone?.masked ?? null,
      uscc: null,
      industry: null,
      size: null,
    };
  }
  if (!absent(input.idType) || !absent(input.idNumber)) throw badInput('idNumber', 'NOT_ALLOWED_FOR_CORPORATE');
  const uscc = normalizeUscc(required(input.uscc, 'uscc'));
  if (!isValidUscc(uscc))
    throw badInput('uscc', /^[0-9A-Z]{18}$/.test(uscc) ? 'INVALID_CHECK_CHARACTER' : 'INVALID_FORMAT');
  const industry = absent(input.industry) ? null : (input.industry ?? '').trim();
  if (industry !== null && industry.length > 100) throw badInput('industry', 'TOO_LONG');
  return {
    ...base,
    idType: null,
    identityHash: null,
    idNumberMasked: null,
    phoneHash: phone?.hash ?? null,
    phoneMasked: phone?.masked ?? null,
    uscc,
    industry,
    size: absent(input.size) ? null : oneOf(input.size ?? '', Object.values(CorporateSize), 'size'),
  };
}
