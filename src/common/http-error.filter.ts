import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from './domain-error';
import { toDomainError } from '../graphql/errors';

const STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
};

/**
 * Registered globally: answers REST routes (imports, QR codes, downloads, health) in the same error shape
 * GraphQL uses (`extensions.code`). GraphQL errors pass through untouched to the GraphQL formatter.
 */
@Catch()
export class DomainErrorHttpFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() !== 'http') return exception;
    const res = host.switchToHttp().getResponse<Response>();
    const domain: DomainError | undefined = toDomainError(exception);
    if (domain) {
      res.status(STATUS[domain.code] ?? 500).json({
        errors: [{ message: domain.message, extensions: { code: domain.code, ...domain.details } }],
      });
      return undefined;
    }
    if (exception instanceof HttpException) {
      res.status(exception.getStatus()).json({
        errors: [{ message: exception.message, extensions: { code: `HTTP_${exception.getStatus()}` } }],
      });
      return undefined;
    }
    res
      .status(500)
      .json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    return undefined;
  }
}
