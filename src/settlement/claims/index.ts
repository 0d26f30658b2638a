export * from './read-claim-file';
export * from './reconcile';
