import type { Rule } from '../rule.js';
import { acceptRoutesLoop } from './accept-routes-loop.js';
import { authKeyInline } from './auth-key-inline.js';
import { authOnceExtraArgs } from './auth-once-extra-args.js';
import { dockerSocketMounted } from './docker-socket-mounted.js';
import { hostnameCollision } from './hostname-collision.js';
import { routesDuplicated } from './routes-duplicated.js';
import { routesInExtraArgs } from './routes-in-extra-args.js';
import { stateNotPersisted } from './state-not-persisted.js';
import { tsBoolInvalid } from './ts-bool-invalid.js';

/** Rules of the "auth-state" group; each lives in its own module next to this file. */
export const PACK_AUTH_STATE: readonly Rule[] = [
  stateNotPersisted,
  authKeyInline,
  authOnceExtraArgs,
  routesInExtraArgs,
  routesDuplicated,
  acceptRoutesLoop,
  tsBoolInvalid,
  hostnameCollision,
  dockerSocketMounted,
];
