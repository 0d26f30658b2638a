import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Actor } from './actor';
import { Role } from './roles';
import { unauthenticated } from '../common/domain-error';

export const ROLES_KEY = 'gongying:roles';
export const PUBLIC_KEY = 'gongying:public';
export const API_SCOPES_KEY = 'gongying:api-scopes';

/** Declares who may call a resolver or route. The guard denies anything without a declaration. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);
/** Lets API keys holding one of these scopes call the operation; without it API keys are refused. */
export const ApiScopes = (...scopes: string[]): MethodDecorator & ClassDecorator => SetMetadata(API_SCOPES_KEY, scopes);
/** Declares a resolver or route open to anonymous callers (login, health). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

export interface RequestWithActor {
  actor?: Actor;
  requestId?: string;
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
}

export function requestOf(context: ExecutionContext): RequestWithActor {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{ req: RequestWithActor }>().req;
  }
  return context.switchToHttp().getRequest<RequestWithActor>();
}

export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const actor = requestOf(context).actor;
  if (!actor) throw unauthenticated();
  return actor;
});
