import type { HomelabConfig } from '../model/config.js';
import type { Mode } from '../model/modes.js';
import { generateHost } from './host.js';
import { generateMacvlan } from './macvlan.js';
import { generateServe } from './serve.js';
import { generateSidecar } from './sidecar.js';
import type { Generated, Generator } from './types.js';
import { generateUserspace } from './userspace.js';

export const GENERATORS: Record<Mode, Generator> = {
  userspace: generateUserspace,
  serve: generateServe,
  macvlan: generateMacvlan,
  host: generateHost,
  sidecar: generateSidecar,
};

/** Compose edits, side files, manual steps and sourced notes for one mode. Throws TailbridgeError on unusable config. */
export function generate(config: HomelabConfig, mode: Mode): Generated {
  return GENERATORS[mode](config);
}

export { seedMistakesAvoided } from './seed-mistakes.js';
export type { Generated, Generator, SideFile } from './types.js';
