export * from './numeric';
export * from './ahp';
export * from './scorecard';
export * from './cohorts';
export * from './value';
export * from './rollup';
