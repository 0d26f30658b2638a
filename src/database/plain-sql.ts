import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { EntityMetadata } from 'typeorm/metadata/EntityMetadata';

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
  const driver = manager.connection.driver;
  return select<Pick<E, K>>(manager, driver.escape(meta.tableName), columnsOf(meta, properties), where, params);
}

/** Pairs per statement of selectRowsByPairs: under SQLite's limit of 500 terms in a compound SELECT. */
const PAIRS_PER_SELECT = 500;

/**
 * Rows of `target` (listed properties, converted as selectRows converts them) whose two `keyColumns` hold one of
 * `pairs`, and that also match `where` (database column names qualified `t.`). The pairs are a derived table joined
 * by reference on `index`, a composite index over the two columns: an OR of the pairs, or a row-constructor IN,
 * makes MariaDB's range optimizer weigh every pair (≈ 100 ms of planning for 500 pairs), and two separate IN lists
 * read every row of the first column's values. The index is named to the database: while a table fills up its
 * statistics lag behind, and MariaDB, estimating one row either way, took a shorter single-column index on the second
 * column and read every row of that value per pair (a bulk import of 150,000 referrals spent two thirds of its time
 * there).
 */
export async function selectRowsByPairs<E extends ObjectLiteral, K extends keyof E & string>(
  manager: EntityManager,
  target: EntityTarget<E>,
  properties: readonly K[],
  keyColumns: readonly [string, string],
  index: string,
  pairs: readonly (readonly [string, string])[],
  where: string,
  params: readonly unknown[],
): Promise<Pick<E, K>[]> {
  const driver = manager.connection.driver;
  const meta = manager.connection.getMetadata(target);
  const columns = columnsOf(meta, properties);
  const [first, second] = keyColumns.map((c) => `t.${driver.escape(c)}`);
  const table = driver.escape(meta.tableName);
  const hinted =
    manager.connection.options.type === 'better-sqlite3'
      ? `${table} t INDEXED BY ${driver.escape(index)}`
      : `${table} t FORCE INDEX (${driver.escape(index)})`;
  const out: Pick<E, K>[] = [];
  for (let i = 0; i < pairs.length; i += PAIRS_PER_SELECT) {
    const part = pairs.slice(i, i + PAIRS_PER_SELECT);
    const derived = part.map((_, j) => (j === 0 ? 'SELECT ? AS k1, ? AS k2' : 'SELECT ?, ?')).join(' UNION ALL ');
    const from = `(${derived}) w JOIN ${hinted} ON ${first} = w.k1 AND ${second} = w.k2`;
    out.push(...(await select<Pick<E, K>>(manager, from, columns, where, [...part.flat(), ...params], 't')));
  }
  return out;
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
    manager.connection.driver.escape(meta.tableName),
    meta.columns.filter((c) => !c.isVirtual),
    where,
    params,
  );
}

function columnsOf(meta: EntityMetadata, properties: readonly string[]): ColumnMetadata[] {
  return properties.map((p) => {
    const column = meta.findColumnWithPropertyName(p);
    if (!column) throw new Error(`${meta.tableName} has no column for ${p}`);
    return column;
  });
}

/** `from`: a table or join, written out; `alias`: the table whose columns are selected, if `from` names one. */
async function select<T>(
  manager: EntityManager,
  from: string,
  columns: readonly ColumnMetadata[],
  where: string,
  params: readonly unknown[],
  alias?: string,
): Promise<T[]> {
  const driver = manager.connection.driver;
  const qualify = alias ? `${alias}.` : '';
  const raw = await manager.query<Record<string, unknown>[]>(
    `SELECT ${columns.map((c) => qualify + driver.escape(c.databaseName)).join(', ')} FROM ${from} WHERE ${where}`,
    [...params],
  );
  return raw.map((r) => {
    const out: Record<string, unknown> = {};
    for (const c of columns) out[c.propertyName] = driver.prepareHydratedValue(r[c.databaseName], c);
    return out as T;
  });
}
