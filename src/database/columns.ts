import { Column, ColumnOptions, PrimaryColumn, ValueTransformer } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { MAX_SAFE_MINOR } from '../common/money';

/** Application-generated, time-ordered keys: portable to TiDB and independent of AUTO_INCREMENT order. */
export function newId(): string {
  return uuidv7();
}

export function IdColumn(): PropertyDecorator {
  return PrimaryColumn({ type: 'varchar', length: 36 });
}

/** A column of a natural (composite) primary key: a varchar of `length`, or an integer without one. */
export function KeyColumn(length?: number): PropertyDecorator {
  return PrimaryColumn(length === undefined ? { type: 'integer' } : { type: 'varchar', length });
}

export function RefColumn(options: { nullable?: boolean; name?: string } = {}): PropertyDecorator {
  return Column({
    type: 'varchar',
    length: 36,
    nullable: options.nullable ?? false,
    ...(options.name ? { name: options.name } : {}),
  });
}

/** mysql2 returns BIGINT as a string, better-sqlite3 as a number: both become bigint, bounded to ±(2^53−1). */
export const bigintTransformer: ValueTransformer = {
  to(value: bigint | null | undefined): string | null | undefined {
    if (value === null || value === undefined) return value;
    if (value > MAX_SAFE_MINOR || value < -MAX_SAFE_MINOR) throw new RangeError('amount outside ±(2^53−1) minor units');
    return value.toString();
  },
  from(value: string | number | bigint | null): bigint | null {
    if (value === null || value === undefined) return null;
    return BigInt(value);
  },
};

export function MoneyColumn(options: { nullable?: boolean; name?: string; default?: number } = {}): PropertyDecorator {
  return Column({
    type: 'bigint',
    nullable: options.nullable ?? false,
    transformer: bigintTransformer,
    ...(options.name ? { name: options.name } : {}),
    ...(options.default !== undefined ? { default: options.default } : {}),
  });
}

export function CurrencyColumn(): PropertyDecorator {
  return Column({ type: 'varchar', length: 3 });
}

/** Rates are exact decimal strings ("0.0035"), computed with decimal.js, never floats. */
export function RateColumn(options: { nullable?: boolean; name?: string } = {}): PropertyDecorator {
  return Column({
    type: 'varchar',
    length: 32,
    nullable: options.nullable ?? false,
    ...(options.name ? { name: options.name } : {}),
  });
}

/** A UTC instant with millisecond precision. */
export function InstantColumn(options: { nullable?: boolean; name?: string } = {}): PropertyDecorator {
  return Column({
    type: 'datetime',
    precision: 3,
    nullable: options.nullable ?? false,
    ...(options.name ? { name: options.name } : {}),
  });
}

/** A business date (YYYY-MM-DD in the bank's time zone), kept as text so no driver shifts it by a time zone. */
export function BusinessDateColumn(options: { nullable?: boolean; name?: string } = {}): PropertyDecorator {
  return Column({
    type: 'varchar',
    length: 10,
    nullable: options.nullable ?? false,
    ...(options.name ? { name: options.name } : {}),
  });
}

export const jsonTransformer: ValueTransformer = {
  to(value: unknown): string | null {
    return value === undefined || value === null ? null : JSON.stringify(value);
  },
  from(value: string | null): unknown {
    return value === null || value === undefined ? null : (JSON.parse(value) as unknown);
  },
};

/** JSON as text: MariaDB's JSON is LONGTEXT and would show as a change on every schema diff. */
export function JsonColumn(options: { nullable?: boolean; name?: string } = {}): PropertyDecorator {
  return Column({
    type: 'text',
    nullable: options.nullable ?? false,
    transformer: jsonTransformer,
    ...(options.name ? { name: options.name } : {}),
  });
}

export function VarcharColumn(length: number, options: Omit<ColumnOptions, 'type' | 'length'> = {}): PropertyDecorator {
  return Column({ type: 'varchar', length, ...options });
}

/** width 1 keeps MariaDB's tinyint(1) equal to the entity on schema diffs. */
export function BoolColumn(): PropertyDecorator {
  return Column({ type: 'boolean', width: 1 });
}
