import type { Rule } from '../rule.js';

/** Rules of the "serve-sidecar" group; each lives in its own module next to this file. */
export const PACK_SERVE_SIDECAR: readonly Rule[] = [];
