import { badInput } from '../../common';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COMPACT_UUID_RE = /^[0-9a-f]{32}$/i;

/**
 * ISO 20022 identifiers (MsgId, PmtInfId, EndToEndId) are Max35Text, but our
 * keys are UUIDv7 strings of 36 characters. A UUID is therefore written without
 * its hyphens (32 hex digits, lower case); other ids must already fit.
 */
export function toIsoReference(id: string, field = 'id'): string {
  const trimmed = id.trim();
  if (UUID_RE.test(trimmed)) return trimmed.replace(/-/g, '').toLowerCase();
  if (trimmed === '' || Array.from(trimmed).length > 35 || /[\s<>&]/.test(trimmed)) {
    throw badInput(field, 'INVALID_ISO_REFERENCE');
  }
  return trimmed;
}

/** Inverse of toIsoReference: 32 hex digits become a hyphenated UUID again. */
export function fromIsoReference(ref: string): string {
  const t = ref.trim();
  if (!COMPACT_UUID_RE.test(t)) return t;
  const h = t.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Compares an id of ours with a reference read back from a bank file. */
export function sameIsoReference(id: string, ref: string): boolean {
  return fromIsoReference(ref).toLowerCase() === id.trim().toLowerCase() || ref.trim() === id.trim();
}

/** Account identifiers compare without spaces and case ("CH29 0900 …" = "ch290900…"). */
export function normaliseAccount(account: string): string {
  return account.replace(/[\s-]/g, '').toUpperCase();
}
