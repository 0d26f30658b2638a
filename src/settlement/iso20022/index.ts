export * from './xml-text';
export * from './references';
export * from './pain001';
export * from './validate-xml';
export * from './pain002';
export * from './camt053';
export * from './match-payouts';
export * from './pain001-check';
