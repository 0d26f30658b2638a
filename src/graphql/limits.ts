import { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, GraphQLSchema, ValidationContext, ASTVisitor } from 'graphql';
import { getComplexity, simpleEstimator, ComplexityEstimator } from 'graphql-query-complexity';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '../config/config';

type Rule = (context: ValidationContext) => ASTVisitor;

/**
 * graphql-armor throws by default, which Apollo answers as INTERNAL_SERVER_ERROR; report instead, so the
 * client gets a validation error that the error formatter turns into BAD_USER_INPUT with this reason.
 */
function reportAs(reason: string) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError): void => {
        context?.reportError(
          new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
            extensions: { reason, limitExceeded: true },
          }),
        );
      },
    ],
  };
}

export function limitRules(config: AppConfig): Rule[] {
  const { maxDepth, maxAliases, maxDirectives } = config.graphql;
  return [
    maxDepthRule({ n: maxDepth, ignoreIntrospection: true, flattenFragments: true, ...reportAs('QUERY_TOO_DEEP') }),
    maxAliasesRule({ n: maxAliases, ...reportAs('TOO_MANY_ALIASES') }),
    maxDirectivesRule({ n: maxDirectives, ...reportAs('TOO_MANY_DIRECTIVES') }),
  ];
}

/** A list field costs its page size times what each node asks for. */
const pageSizeEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first: unknown = args.first;
  if (typeof first === 'number') return 1 + childComplexity * Math.max(1, first);
  return undefined;
};

export function costLimitPlugin(config: AppConfig): ApolloServerPlugin {
  return {
    requestDidStart({ schema }: { schema: GraphQLSchema }) {
      return Promise.resolve({
        didResolveOperation({ request, document }) {
          let cost: number;
          try {
            cost = getComplexity({
              schema,
              query: document,
              operationName: request.operationName,
              variables: request.variables ?? {},
              estimators: [pageSizeEstimator, simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch {
            // Variables that do not coerce: execution refuses them before any resolver runs, as BAD_USER_INPUT
            // naming the variable. Reporting them from here would surface as INTERNAL_SERVER_ERROR.
            return Promise.resolve();
          }
          if (cost > config.graphql.maxCost) {
            throw new GraphQLError(`Query cost ${cost} exceeds the limit of ${config.graphql.maxCost}`, {
              extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY', cost, limit: config.graphql.maxCost },
            });
          }
          return Promise.resolve();
        },
      });
    },
  };
}

/** Apollo accepts batched requests but has no size cap of its own. */
export function batchLimitMiddleware(maxBatch: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const body: unknown = req.body;
    if (Array.isArray(body) && body.length > maxBatch) {
      res.status(400).json({
        errors: [
          {
            message: `A batch may hold at most ${maxBatch} operations`,
            extensions: { code: 'BAD_USER_INPUT', reason: 'BATCH_TOO_LARGE', limit: maxBatch },
          },
        ],
      });
      return;
    }
    next();
  };
}
