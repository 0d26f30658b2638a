import { EntityManager } from 'typeorm';

/**
 * The analytics layer's driver branches (this and forUpdate): a multi-row INSERT that, on a duplicate unique key, updates
 * the existing row (`ON DUPLICATE KEY UPDATE` on MySQL/MariaDB/TiDB, `ON CONFLICT (…) DO UPDATE` on SQLite),
 * or does nothing when no assignment is given (insert-if-absent).
 *
 * An assignment is written once for both drivers with two helpers: `incoming(col)` is the value the INSERT
 * tried to write, `greatest(a, b)` the larger of two values. Bare column names are the stored row's values.
 * MySQL evaluates assignments left to right (a later one sees the earlier ones' results), so callers list
 * the assignments whose conditions read other columns BEFORE those columns are themselves assigned.
 */
export interface UpsertDialect {
  incoming(column: string): string;
  greatest(a: string, b: string): string;
}

export type Assignment = (d: UpsertDialect) => string;

export interface UpsertSpec {
  table: string;
  columns: readonly string[];
  /** The unique key the conflict is detected on (SQLite needs it spelled out). */
  key: readonly string[];
  /** column → new value expression; empty = keep the stored row. */
  assignments: readonly (readonly [string, Assignment])[];
}

/** Rows per statement: 12 columns × 400 rows stays well below SQLite's and MySQL's placeholder limits. */
const ROWS_PER_STATEMENT = 400;

const SQLITE: UpsertDialect = { incoming: (c) => `excluded.${c}`, greatest: (a, b) => `MAX(${a}, ${b})` };
const MYSQL: UpsertDialect = { incoming: (c) => `VALUES(${c})`, greatest: (a, b) => `GREATEST(${a}, ${b})` };

export function isSqlite(manager: EntityManager): boolean {
  return manager.connection.options.type === 'better-sqlite3';
}

/**
 * The suffix of a read whose result the transaction writes back in another form (a median from its histogram): on
 * MySQL a locking read, which sees the latest committed rows and holds them, where a plain read would see the
 * transaction's snapshot and miss another drain's commit since; SQLite's single writer needs none.
 */
export function forUpdate(manager: EntityManager): string {
  return isSqlite(manager) ? '' : ' FOR UPDATE';
}

export async function upsertRows(
  manager: EntityManager,
  spec: UpsertSpec,
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const sqlite = isSqlite(manager);
  const d = sqlite ? SQLITE : MYSQL;
  let tail: string;
  if (spec.assignments.length === 0) {
    tail = sqlite
      ? `ON CONFLICT (${spec.key.join(', ')}) DO NOTHING`
      : `ON DUPLICATE KEY UPDATE ${spec.key[0]} = ${spec.key[0]}`;
  } else {
    const sets = spec.assignments.map(([column, expr]) => `${column} = ${expr(d)}`).join(', ');
    tail = sqlite ? `ON CONFLICT (${spec.key.join(', ')}) DO UPDATE SET ${sets}` : `ON DUPLICATE KEY UPDATE ${sets}`;
  }
  const placeholders = `(${spec.columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const part = rows.slice(i, i + ROWS_PER_STATEMENT);
    const sql = `INSERT INTO ${spec.table} (${spec.columns.join(', ')}) VALUES ${part.map(() => placeholders).join(', ')} ${tail}`;
    await manager.query(sql, part.flat());
  }
}

export const add =
  (column: string): Assignment =>
  (d) =>
    `${column} + ${d.incoming(column)}`;
