import type { Rule } from '../rule.js';

/** Rules of the "networks" group; each lives in its own module next to this file. */
export const PACK_NETWORKS: readonly Rule[] = [];
