import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { IsOptional, IsString, Matches } from 'class-validator';
import { GraphQLScalarType, Kind } from 'graphql';
import { badInput } from '../common/domain-error';
import { isValidBusinessDate } from '../common/business-time';
import { Money as MoneyValue } from '../common/money';

function stringScalar(
  name: string,
  description: string,
  check: (value: string) => boolean,
  reason: string,
): GraphQLScalarType {
  const parse = (value: unknown): string => {
    if (typeof value !== 'string' || !check(value)) throw badInput(name, reason, `${name} ${reason}`);
    return value;
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize: (value) => String(value),
    parseValue: parse,
    parseLiteral: (ast) => {
      if (ast.kind !== Kind.STRING) throw badInput(name, reason, `${name} ${reason}`);
      return parse(ast.value);
    },
  });
}

const DECIMAL = /^-?\d{1,16}(\.\d{1,8})?$/;

/** An exact decimal number as a string ("1234.56"): amounts never travel as Float. */
export const DecimalScalar = stringScalar(
  'Decimal',
  'An exact decimal number written as a string, e.g. "1234.56".',
  (v) => DECIMAL.test(v),
  'must be a decimal string like "1234.56"',
);

/** A rate as an exact decimal string ("0.0035" = 0.35%). */
export const RateScalar = stringScalar(
  'Rate',
  'A rate as an exact decimal string, e.g. "0.0035" for 0.35%.',
  (v) => /^\d{1,8}(\.\d{1,8})?$/.test(v),
  'must be a non-negative decimal string like "0.0035"',
);

/** A business date in the bank's time zone. */
export const DateScalar = stringScalar(
  'Date',
  "A calendar date YYYY-MM-DD in the bank's time zone.",
  isValidBusinessDate,
  'must be a real date YYYY-MM-DD',
);

@ObjectType('Money', { description: 'An exact amount (decimal string, never Float) with its ISO 4217 currency.' })
export class MoneyModel {
  @Field(() => DecimalScalar) amount!: string;
  @Field() currency!: string;
  @Field({ description: 'Display form, e.g. ¥4,000.00' }) formatted!: string;

  static of(value: MoneyValue): MoneyModel {
    return { amount: value.toDecimalString(), currency: value.currency, formatted: value.format() };
  }
}

@InputType('MoneyInput')
export class MoneyInput {
  @Field(() => DecimalScalar) @IsString() amount!: string;
  @Field({ nullable: true, description: 'ISO 4217; defaults to DEFAULT_CURRENCY' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code like CNY' })
  currency?: string;
}
