import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden, unauthenticated, DomainError } from '../common/domain-error';
import { API_SCOPES_KEY, PUBLIC_KEY, requestOf, ROLES_KEY } from './decorators';
import { Role } from './roles';

/**
 * Global guard (queries, mutations, field resolvers and HTTP routes): deny by default. A handler must be
 * declared @Public() or carry @Roles(...) on itself or its class.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles) throw new DomainError('FORBIDDEN', 'No access rule is declared for this operation');
    const actor = requestOf(context).actor;
    if (!actor) throw unauthenticated();
    if (!roles.includes(actor.role)) throw forbidden(`Role ${actor.role} may not do this`);
    if (actor.kind === 'apiKey') {
      const scopes = this.reflector.getAllAndOverride<string[] | undefined>(API_SCOPES_KEY, targets) ?? [];
      if (!scopes.some((scope) => actor.scopes.includes(scope)))
        throw forbidden('This API key has no scope for this operation');
    }
    return true;
  }
}
