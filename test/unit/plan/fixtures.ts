import type { HomelabConfig } from '../../../src/core/model/config.js';
import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../../../src/core/model/example.js';
import { parseConfig } from '../../../src/core/model/load.js';

export const example = (): HomelabConfig => parseConfig(EXAMPLE_CONFIG_FILE, EXAMPLE_CONFIG);

/** The example with some requirements changed. */
export function withRequirements(req: Partial<HomelabConfig['requirements']>): HomelabConfig {
  const c = example();
  return { ...c, requirements: { ...c.requirements, ...req } };
}

/** The example YAML with one text replacement, parsed (so the schema still validates it). */
export function exampleWith(find: string | RegExp, replace: string): HomelabConfig {
  const text = EXAMPLE_CONFIG.replace(find, replace);
  if (text === EXAMPLE_CONFIG) throw new Error(`fixture replacement did not match: ${String(find)}`);
  return parseConfig(EXAMPLE_CONFIG_FILE, text);
}
