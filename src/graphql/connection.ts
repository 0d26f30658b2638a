import { Type } from '@nestjs/common';
import { ArgsType, Field, FieldMiddleware, Int, ObjectType } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { badInput } from '../common/domain-error';

@ObjectType()
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field() hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: '1–100' })
  @IsInt()
  @Min(1)
  @Max(100)
  first: number = 20;

  @Field(() => String, { nullable: true, description: 'Opaque cursor from pageInfo.endCursor' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** totalCount is a thunk: graphql-js calls it only when the client selects the field. */
export interface ConnectionResult<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: () => Promise<number>;
}

/** Runs the count thunk only when totalCount is actually selected. */
const lazyCount: FieldMiddleware = async (_ctx, next) => {
  const value: unknown = await next();
  return typeof value === 'function' ? (value as () => Promise<number>)() : value;
};

export function Connection<T>(classRef: Type<T>, name: string): Type<ConnectionResult<T>> {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field() cursor!: string;
    @Field(() => classRef) node!: T;
  }

  @ObjectType(`${name}Connection`, { isAbstract: false })
  class ConnectionType {
    @Field(() => [EdgeType]) edges!: EdgeType[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    @Field(() => Int, { description: 'Counted only when selected', middleware: [lazyCount] })
    totalCount!: () => Promise<number>;
  }
  return ConnectionType;
}

interface CursorPayload {
  id: string;
}

export function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ id } satisfies CursorPayload)).toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): CursorPayload {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as CursorPayload).id === 'string') {
      const id = (parsed as CursorPayload).id;
      if (/^[0-9a-f-]{36}$/.test(id)) return { id };
    }
  } catch {
    // fall through to the uniform error below
  }
  throw badInput(field, 'MALFORMED_CURSOR', 'after is not a cursor this API issued');
}

/**
 * Keyset pagination on the time-ordered UUIDv7 id: pages stay stable while rows are inserted, and the
 * cost does not grow with the offset. The query builder carries the caller's filters and scope.
 */
export async function paginate<E extends ObjectLiteral & { id: string }, T>(
  query: SelectQueryBuilder<E>,
  page: PageArgs,
  map: (entity: E) => T,
): Promise<ConnectionResult<T>> {
  const alias = query.alias;
  const countQuery = query.clone();
  if (page.after) query.andWhere(`${alias}.id > :afterId`, { afterId: decodeCursor(page.after).id });
  const rows = await query
    .orderBy(`${alias}.id`, 'ASC')
    .take(page.first + 1)
    .getMany();
  const hasNextPage = rows.length > page.first;
  const pageRows = rows.slice(0, page.first);
  const edges = pageRows.map((row) => ({ cursor: encodeCursor(row.id), node: map(row) }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: page.after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: () => countQuery.getCount(),
  };
}
