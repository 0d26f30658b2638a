/**
 * Domain errors carry a stable machine-readable code so the API layer can map
 * them to GraphQL extensions / HTTP statuses without parsing messages.
 */
export type ErrorCode =
  'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'INTERNAL_SERVER_ERROR';

export interface ErrorDetails {
  field?: string;
  reason?: string;
  rule?: string;
  constraint?: string;
  [k: string]: unknown;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
    // Keeps instanceof working when compiled to older targets.
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export function badInput(field: string, reason: string, message?: string): DomainError {
  return new DomainError('BAD_USER_INPUT', message ?? `Invalid ${field}: ${reason}`, { field, reason });
}

export function notFound(entity: string, id: string): DomainError {
  return new DomainError('NOT_FOUND', `${entity} ${id} not found`, { entity, id });
}

export function conflict(rule: string, message: string, extra: Record<string, unknown> = {}): DomainError {
  return new DomainError('CONFLICT', message, { ...extra, rule });
}

export function forbidden(message = 'Forbidden'): DomainError {
  return new DomainError('FORBIDDEN', message);
}

export function unauthenticated(message = 'Authentication required'): DomainError {
  return new DomainError('UNAUTHENTICATED', message);
}
