import { randomUUID } from 'node:crypto';
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../common/domain-error';
import { RequestContext } from '../common/request/request-context';
import { AuthService } from './auth.service';
import { RequestWithActor } from './decorators';

/**
 * Resolves who is calling (bearer token or X-API-Key) before any resolver runs, and opens the request
 * context that carries the request id into logs and audit rows. A bad credential is answered here with
 * UNAUTHENTICATED rather than silently treated as anonymous.
 */
@Injectable()
export class ActorMiddleware implements NestMiddleware {
  constructor(private readonly auth: AuthService) {}

  use(req: Request & RequestWithActor, res: Response, next: NextFunction): void {
    const incoming = req.headers['x-request-id'];
    const requestId =
      typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming)
        ? incoming
        : (((req as { id?: unknown }).id as string | undefined) ?? randomUUID());
    req.requestId = String(requestId);
    res.setHeader('x-request-id', req.requestId);
    RequestContext.run({ requestId: req.requestId }, () => {
      this.resolve(req)
        .then((actor) => {
          if (actor) req.actor = actor;
          next();
        })
        .catch((error: unknown) => {
          if (error instanceof DomainError) {
            res
              .status(401)
              .json({ errors: [{ message: error.message, extensions: { code: error.code, ...error.details } }] });
            return;
          }
          next(error);
        });
    });
  }

  private async resolve(req: Request): Promise<RequestWithActor['actor']> {
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('Bearer '))
      return this.auth.actorFromAccessToken(authorization.slice('Bearer '.length).trim());
    const apiKey = req.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey !== '') return this.auth.actorFromApiKey(apiKey);
    return undefined;
  }
}
