import { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ValidationError } from 'class-validator';
import { Logger } from '@nestjs/common';
import { DomainError, badInput } from '../common/domain-error';
import { uniqueViolationOf } from '../database/unique-violation';
import { RequestContext } from '../common/request/request-context';

const logger = new Logger('GraphQL');

/** Turns class-validator's output into one BAD_USER_INPUT naming the first failing field (dotted path). */
export function validationErrorToDomain(errors: ValidationError[]): DomainError {
  const walk = (list: ValidationError[], prefix: string): { field: string; reason: string } | undefined => {
    for (const error of list) {
      const field = prefix ? `${prefix}.${error.property}` : error.property;
      if (error.constraints) {
        const [rule, message] = Object.entries(error.constraints)[0] ?? ['invalid', 'is invalid'];
        return { field, reason: `${rule}: ${message}` };
      }
      const nested = walk(error.children ?? [], field);
      if (nested) return nested;
    }
    return undefined;
  };
  const first = walk(errors, '') ?? { field: 'input', reason: 'invalid' };
  return badInput(first.field, first.reason, `Invalid ${first.field}: ${first.reason}`);
}

/** Maps any thrown error to a domain error; unknown errors stay INTERNAL_SERVER_ERROR. */
export function toDomainError(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  const constraint = uniqueViolationOf(error);
  if (constraint)
    return new DomainError('CONFLICT', `A record with the same key already exists (${constraint})`, {
      constraint,
      rule: 'UNIQUE',
    });
  if (error instanceof Error && error.name === 'OptimisticLockVersionMismatchError') {
    return new DomainError('CONFLICT', 'The record was changed by someone else', {
      rule: 'STALE_VERSION',
      field: 'version',
    });
  }
  if (error instanceof RangeError && /minor units/.test(error.message)) return badInput('amount', 'OUT_OF_RANGE');
  return undefined;
}

/**
 * graphql-js reports variables that do not coerce (wrong enum value, bad scalar, missing field) as
 * `Variable "$i" got invalid value … at "i.validTo"; …`: name the field inside the variable, or the variable.
 */
export function variableCoercionField(message: string): string | undefined {
  const head = /^Variable "\$(\w+)" (?:got invalid value|has invalid value|of required type|of non-null type)/.exec(
    message,
  );
  if (!head) return undefined;
  const variable = head[1] as string;
  const at = / at "([^"]+)";/.exec(message)?.[1];
  const missing = /Field "(\w+)" of required type .* was not provided/.exec(message)?.[1];
  let field = at && at !== variable ? at.replace(new RegExp(`^${variable}\\.`), '') : variable;
  if (missing) field = field === variable ? missing : `${field}.${missing}`;
  return field;
}

/** The one place errors become `extensions.code`; internals never leave the process in production. */
export function buildFormatError(isProduction: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const coercion = variableCoercionField(formatted.message);
    if (coercion) {
      return {
        message: formatted.message,
        locations: formatted.locations,
        extensions: { code: 'BAD_USER_INPUT', field: coercion },
      };
    }
    const original = unwrapResolverError(error);
    const domain = toDomainError(original);
    if (domain) {
      return {
        message: domain.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: domain.code, ...domain.details },
      };
    }
    const code = (formatted.extensions?.code as string | undefined) ?? 'INTERNAL_SERVER_ERROR';
    if (code === 'GRAPHQL_VALIDATION_FAILED' && formatted.extensions?.limitExceeded === true) {
      return {
        message: formatted.message,
        locations: formatted.locations,
        extensions: { code: 'BAD_USER_INPUT', reason: formatted.extensions.reason },
      };
    }
    if (
      code === 'GRAPHQL_VALIDATION_FAILED' &&
      /Expected value of type|does not exist in "|cannot represent/.test(formatted.message)
    ) {
      return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } };
    }
    if (code === 'INTERNAL_SERVER_ERROR') {
      logger.error({ err: original, requestId: RequestContext.requestId() }, 'Unhandled error in resolver');
      if (isProduction) {
        return {
          message: 'Internal server error',
          path: formatted.path,
          extensions: { code, requestId: RequestContext.requestId() },
        };
      }
    }
    return formatted;
  };
}
