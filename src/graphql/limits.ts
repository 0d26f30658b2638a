import { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { ASTVisitor, DocumentNode, GraphQLError, GraphQLSchema, ValidationContext } from 'graphql';
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

/** Costs remembered per parsed document (Apollo reuses one DocumentNode per query text): this many variable sets. */
const COSTS_PER_DOCUMENT = 32;
/** Requests with a longer body (imports' row batches) are not kept as a cache key; their cost is recomputed. */
const MAX_CACHED_BODY_LENGTH = 4096;

export function costLimitPlugin(config: AppConfig): ApolloServerPlugin {
  const estimators = [pageSizeEstimator, simpleEstimator({ defaultComplexity: 1 })];
  // Walking the document with its variables costs as much as a small query's resolvers; a report polled with
  // the same text and variables asks the same question each time.
  const costs = new WeakMap<DocumentNode, Map<string, number>>();
  return {
    requestDidStart({ schema }: { schema: GraphQLSchema }) {
      return Promise.resolve({
        didResolveOperation({ request, document }) {
          const variables = request.variables ?? {};
          // The body's length bounds the variables' without serializing them: an import's row batch is no key (nor
          // is a body of unknown length); an in-process operation has no HTTP request.
          const declared = request.http?.headers.get('content-length');
          const bodyLength = request.http ? Number(declared ?? Number.POSITIVE_INFINITY) : 0;
          const key =
            bodyLength <= MAX_CACHED_BODY_LENGTH
              ? `${request.operationName ?? ''}\u0000${JSON.stringify(variables)}`
              : null;
          let known = costs.get(document);
          let cost = key === null ? undefined : known?.get(key);
          if (cost === undefined) {
            try {
              cost = getComplexity({
                schema,
                query: document,
                operationName: request.operationName,
                variables,
                estimators,
              });
            } catch {
              // Variables that do not coerce: execution refuses them before any resolver runs, as BAD_USER_INPUT
              // naming the variable. Reporting them from here would surface as INTERNAL_SERVER_ERROR.
              return Promise.resolve();
            }
            if (key !== null) {
              if (!known) costs.set(document, (known = new Map<string, number>()));
              if (known.size >= COSTS_PER_DOCUMENT) known.clear();
              known.set(key, cost);
            }
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
