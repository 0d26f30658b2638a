import { Foundation1764460800000 } from './1764460800000-foundation';

/** Explicit and ordered: a new migration is appended here, never discovered by a glob. */
export const MIGRATIONS = [Foundation1764460800000];
