export * from './domain-error';
export * from './text';
export * from './identifiers';
export * from './pii';
export * from './money';
export * from './rate';
export * from './tracking-code';
export * from './business-time';
