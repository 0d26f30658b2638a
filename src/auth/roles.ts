import { registerEnumType } from '@nestjs/graphql';

export enum Role {
  ADMIN = 'ADMIN',
  PARTNERSHIP_MANAGER = 'PARTNERSHIP_MANAGER',
  FINANCE_MAKER = 'FINANCE_MAKER',
  FINANCE_APPROVER = 'FINANCE_APPROVER',
  ANALYST = 'ANALYST',
  AUDITOR = 'AUDITOR',
  PARTNER_USER = 'PARTNER_USER',
}
registerEnumType(Role, { name: 'Role', description: 'What a user may do; PARTNER_USER is bound to one partner.' });

export const ALL_ROLES: readonly Role[] = Object.values(Role);
/** Every bank-side (internal) role: everyone but partner users. */
export const INTERNAL_ROLES: readonly Role[] = ALL_ROLES.filter((r) => r !== Role.PARTNER_USER);
