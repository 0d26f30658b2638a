import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { notFound } from '../common/domain-error';
import { Actor } from './actor';
import { Role } from './roles';

/** Where a partner sits, which is all access decisions need. */
export interface PartnerLocation {
  id: string;
  orgUnitId: string;
}

function inOrgScope(actor: Actor, orgUnitId: string): boolean {
  return actor.orgScope === null || actor.orgScope.includes(orgUnitId);
}

/** Object-level read check, used by every service on every partner-owned object. */
export function canReadPartner(actor: Actor, partner: PartnerLocation): boolean {
  if (actor.partnerId !== null) return actor.partnerId === partner.id;
  return inOrgScope(actor, partner.orgUnitId);
}

/** Managers (and admins) of the partner's org subtree change it and see its contacts in clear. */
export function canManagePartner(actor: Actor, partner: PartnerLocation): boolean {
  if (actor.role !== Role.ADMIN && actor.role !== Role.PARTNERSHIP_MANAGER) return false;
  return inOrgScope(actor, partner.orgUnitId);
}

/** Out-of-scope objects answer NOT_FOUND, so ids cannot be probed for existence. */
export function assertCanReadPartner(
  actor: Actor,
  partner: PartnerLocation,
  entity = 'Partner',
  id = partner.id,
): void {
  if (!canReadPartner(actor, partner)) throw notFound(entity, id);
}

/**
 * Restricts a query to the partners the actor may see. `partnerIdExpr` is the column holding the
 * partner id (e.g. "program.partnerId"); the org-unit case is a sub-select so any table that carries a
 * partner id can be scoped the same way.
 */
export function applyPartnerScope<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  actor: Actor,
  partnerIdExpr: string,
): SelectQueryBuilder<T> {
  if (actor.partnerId !== null)
    return query.andWhere(`${partnerIdExpr} = :scopePartnerId`, { scopePartnerId: actor.partnerId });
  if (actor.orgScope !== null) {
    if (actor.orgScope.length === 0) return query.andWhere('1 = 0');
    return query.andWhere(
      `${partnerIdExpr} IN (SELECT sp.id FROM partners sp WHERE sp.org_unit_id IN (:...scopeOrgUnitIds))`,
      {
        scopeOrgUnitIds: actor.orgScope,
      },
    );
  }
  return query;
}
