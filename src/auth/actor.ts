import { Role } from './roles';

/** Who is calling: a signed-in user or a partner system's API key. Built once per request. */
export interface Actor {
  readonly kind: 'user' | 'apiKey';
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** Set for partner users and partner-bound API keys: they see this partner only. */
  readonly partnerId: string | null;
  /** The org unit a user belongs to. */
  readonly orgUnitId: string | null;
  /** Ids of the org-unit subtree this actor may reach; null = the whole bank. */
  readonly orgScope: readonly string[] | null;
  /** API-key scopes (users have none: their role decides). */
  readonly scopes: readonly string[];
}

/** Roles that see the whole bank even when they belong to a branch. */
const BANK_WIDE_ROLES: readonly Role[] = [Role.ADMIN, Role.AUDITOR];

export function isBankWide(role: Role): boolean {
  return BANK_WIDE_ROLES.includes(role);
}
