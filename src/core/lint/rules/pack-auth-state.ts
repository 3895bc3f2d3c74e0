import type { Rule } from '../rule.js';

/** Rules of the "auth-state" group; each lives in its own module next to this file. */
export const PACK_AUTH_STATE: readonly Rule[] = [];
