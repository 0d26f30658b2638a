import { createHash } from 'node:crypto';
import { badInput } from '../../common/domain-error';
import {
  ID_DOCUMENT_TYPES,
  IdDocumentType,
  normalizeIdDocument,
  normalizeMainlandMobile,
} from '../../common/identifiers';
import { identityHash, maskIdNumber, maskName, maskPhone, phoneHash } from '../../common/pii';

/** A prospect as submitted; the clear values live only in this object, for the duration of the call. */
export interface ProspectFields {
  idType?: string | null;
  idNumber?: string | null;
  phone?: string | null;
  name?: string | null;
}

/** What may be stored: keyed hashes and masks. */
export interface HashedProspect {
  idType: IdDocumentType | null;
  identityHash: string | null;
  phoneHash: string | null;
  maskedName: string;
  maskedIdNumber: string | null;
  maskedPhone: string | null;
}

function present(v: string | null | undefined): v is string {
  return v !== undefined && v !== null && v.trim() !== '';
}

/** Normalises and hashes at the edge; at least an identity document or a phone is required. */
export function hashProspect(input: ProspectFields, key: string, today: Date, prefix = 'prospect'): HashedProspect {
  const f = (name: string): string => `${prefix}.${name}`;
  if (!present(input.name)) throw badInput(f('name'), 'REQUIRED');
  const name = input.name.trim();
  if (Array.from(name).length > 100) throw badInput(f('name'), 'TOO_LONG');
  let idType: IdDocumentType | null = null;
  let idHash: string | null = null;
  let maskedId: string | null = null;
  if (present(input.idNumber) || present(input.idType)) {
    if (!present(input.idType)) throw badInput(f('idType'), 'REQUIRED');
    if (!present(input.idNumber)) throw badInput(f('idNumber'), 'REQUIRED');
    const type = input.idType.trim().toUpperCase();
    if (!(ID_DOCUMENT_TYPES as readonly string[]).includes(type)) throw badInput(f('idType'), 'UNKNOWN_VALUE');
    idType = type as IdDocumentType;
    const normalized = normalizeIdDocument(idType, input.idNumber, f('idNumber'), today);
    idHash = identityHash(key, idType, normalized);
    maskedId = maskIdNumber(normalized);
  }
  let phHash: string | null = null;
  let maskedPh: string | null = null;
  if (present(input.phone)) {
    const normalized = normalizeMainlandMobile(input.phone, f('phone'));
    phHash = phoneHash(key, normalized);
    maskedPh = maskPhone(normalized);
  }
  if (idHash === null && phHash === null) throw badInput(f('idNumber'), 'IDENTITY_OR_PHONE_REQUIRED');
  return {
    idType,
    identityHash: idHash,
    phoneHash: phHash,
    maskedName: maskName(name),
    maskedIdNumber: maskedId,
    maskedPhone: maskedPh,
  };
}

/**
 * Fingerprint of what was asked, for idempotency: the same key with the same payload returns the same
 * referral, with another payload it is refused. Built from hashes (never clear values) and the name.
 */
export function payloadHashOf(parts: {
  channelId: string;
  prospect: HashedProspect;
  nameKey: string;
  productCode: string | null;
  submittedAt: string | null;
}): string {
  const canonical = JSON.stringify([
    parts.channelId,
    parts.prospect.idType,
    parts.prospect.identityHash,
    parts.prospect.phoneHash,
    parts.nameKey,
    parts.productCode,
    parts.submittedAt,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
