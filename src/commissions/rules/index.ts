export * from './types';
export * from './validate';
export * from './engine';
export * from './ledger';
export { formatExact, pct } from './format';
export type { RoundingMode } from '../../common/money';
