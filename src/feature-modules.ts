import { Type } from '@nestjs/common';

/**
 * Domain modules beyond the foundation, registered in one list so each issue adds one line.
 * (partners, org units, auth and audit are wired in app.module.ts.)
 */
export const FEATURE_MODULES: Type<unknown>[] = [];
