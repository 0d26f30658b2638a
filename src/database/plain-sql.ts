import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** Values per IN list of a set-based look-up: a whole 1,000-row batch in one statement, far under both drivers' parameter limits. */
export const LOOKUP_CHUNK = 1000;

/** `?, ?, …` for an IN list of `count` values. */
export function placeholders(count: number): string {
  return new Array<string>(count).fill('?').join(', ');
}

/**
 * Multi-row INSERTs written directly: the insert query builder's per-parameter bookkeeping costs more than
 * the database on big batches. Values go through the same column transformers and driver conversions as an
 * entity save; `rowsPerStatement` × columns must stay under the drivers' parameter limits (SQLite 32,766).
 */
export async function insertRows<E extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<E>,
  rows: readonly E[],
  rowsPerStatement: number,
): Promise<void> {
  if (rows.length === 0) return;
  const driver = manager.connection.driver;
  const meta = manager.connection.getMetadata(target);
  const columns = meta.columns.filter((c) => !c.isVirtual);
  const head = `INSERT INTO ${driver.escape(meta.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES `;
  const tuple = `(${placeholders(columns.length)})`;
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    const part = rows.slice(i, i + rowsPerStatement);
    const params: unknown[] = [];
    for (const row of part)
      for (const column of columns)
        params.push(driver.preparePersistentValue(column.getEntityValue(row, true), column));
    await manager.query(head + new Array<string>(part.length).fill(tuple).join(', '), params);
  }
}

/**
 * Rows of `target` read with plain SQL, the listed properties only, converted as the entity hydrator converts
 * them (driver types, transformers). `where` uses database column names.
 */
export function selectRows<E extends ObjectLiteral, K extends keyof E & string>(
  manager: EntityManager,
  target: EntityTarget<E>,
  properties: readonly K[],
  where: string,
  params: readonly unknown[],
): Promise<Pick<E, K>[]> {
  const meta = manager.connection.getMetadata(target);
  const columns = properties.map((p) => {
    const column = meta.findColumnWithPropertyName(p);
    if (!column) throw new Error(`${meta.tableName} has no column for ${p}`);
    return column;
  });
  return select<Pick<E, K>>(manager, meta.tableName, columns, where, params);
}

/** Whole entities read with plain SQL, as selectRows reads them. */
export function selectEntities<E extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<E>,
  where: string,
  params: readonly unknown[],
): Promise<E[]> {
  const meta = manager.connection.getMetadata(target);
  return select<E>(
    manager,
    meta.tableName,
    meta.columns.filter((c) => !c.isVirtual),
    where,
    params,
  );
}

async function select<T>(
  manager: EntityManager,
  table: string,
  columns: readonly ColumnMetadata[],
  where: string,
  params: readonly unknown[],
): Promise<T[]> {
  const driver = manager.connection.driver;
  const raw = await manager.query<Record<string, unknown>[]>(
    `SELECT ${columns.map((c) => driver.escape(c.databaseName)).join(', ')} FROM ${driver.escape(table)} WHERE ${where}`,
    [...params],
  );
  return raw.map((r) => {
    const out: Record<string, unknown> = {};
    for (const c of columns) out[c.propertyName] = driver.prepareHydratedValue(r[c.databaseName], c);
    return out as T;
  });
}
