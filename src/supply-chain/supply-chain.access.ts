import { Actor } from '../auth/actor';
import { canManagePartner, canReadPartner } from '../auth/access';
import { CoreEnterpriseEntity } from './entities/core-enterprise.entity';

/**
 * A chain is scoped like its partner: a partner user sees only the chain whose core is tied to its
 * partner; scoped managers see chains of their org subtree (the partner's org unit, copied onto the core).
 */
export function canReadChain(actor: Actor, core: CoreEnterpriseEntity): boolean {
  return canReadPartner(actor, { id: core.partnerId ?? '', orgUnitId: core.orgUnitId });
}

export function canManageChain(actor: Actor, core: CoreEnterpriseEntity): boolean {
  return actor.partnerId === null && canManagePartner(actor, { id: core.partnerId ?? '', orgUnitId: core.orgUnitId });
}

/** Partner users see chain members masked: identifiers starred, customer ids hidden. */
export function masksChainFor(actor: Actor): boolean {
  return actor.partnerId !== null;
}

export function maskIdentifier(value: string | null): string | null {
  if (value === null) return null;
  const chars = Array.from(value);
  if (chars.length <= 6) return '*'.repeat(chars.length);
  return chars.slice(0, 2).join('') + '*'.repeat(chars.length - 6) + chars.slice(-4).join('');
}
