import { QueryRunner, TableColumnOptions, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Column builders for migrations that mirror the entity column helpers in src/database/columns.ts,
 * so one migration set produces the same schema on SQLite and MySQL.
 */
export const col = {
  id: (): TableColumnOptions => ({ name: 'id', type: 'varchar', length: '36', isPrimary: true }),
  ref: (name: string, nullable = false): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: '36',
    isNullable: nullable,
  }),
  varchar: (name: string, length: number, nullable = false): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: String(length),
    isNullable: nullable,
  }),
  text: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable }),
  json: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable }),
  bool: (name: string): TableColumnOptions => ({ name, type: 'boolean', isNullable: false }),
  int: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable }),
  money: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable: nullable }),
  currency: (name = 'currency'): TableColumnOptions => ({ name, type: 'varchar', length: '3', isNullable: false }),
  rate: (name: string, nullable = false): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: '32',
    isNullable: nullable,
  }),
  instant: (name: string, nullable = false): TableColumnOptions => ({
    name,
    type: 'datetime',
    precision: 3,
    isNullable: nullable,
  }),
  date: (name: string, nullable = false): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: '10',
    isNullable: nullable,
  }),
  version: (): TableColumnOptions => ({ name: 'version', type: 'integer', isNullable: false }),
};

export function index(name: string, columnNames: string[], unique = false): TableIndex {
  return new TableIndex({ name, columnNames, isUnique: unique });
}

export function foreignKey(
  name: string,
  columnNames: string[],
  referencedTableName: string,
  onDelete: 'CASCADE' | 'RESTRICT' | 'SET NULL' | 'NO ACTION' = 'NO ACTION',
): TableForeignKey {
  return new TableForeignKey({
    name,
    columnNames,
    referencedTableName,
    referencedColumnNames: ['id'],
    onDelete,
    onUpdate: 'RESTRICT',
  });
}

/** The one place raw SQL may branch by driver (data migrations only). */
export function isSqliteRunner(queryRunner: QueryRunner): boolean {
  return queryRunner.connection.options.type === 'better-sqlite3';
}

/** A bound instant in a data migration: mysql2 formats a Date itself; SQLite stores UTC text. */
export function instantParam(queryRunner: QueryRunner, d: Date): Date | string {
  return isSqliteRunner(queryRunner) ? d.toISOString().replace('T', ' ').replace('Z', '') : d;
}
