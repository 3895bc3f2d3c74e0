import { parse } from 'yaml';
import { Config, type ConfigInput, type HomelabConfig } from '../../../src/core/model/config.js';
import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../../../src/core/model/example.js';
import { parseConfig } from '../../../src/core/model/load.js';

export const example = (): HomelabConfig => parseConfig(EXAMPLE_CONFIG_FILE, EXAMPLE_CONFIG);

/** The example config with some parts replaced (re-validated like a loaded file). */
export function variant(change: (raw: ConfigInput) => void): HomelabConfig {
  const raw = structuredClone(parse(EXAMPLE_CONFIG)) as ConfigInput;
  change(raw);
  return Config.parse(raw);
}

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is navigated freely in assertions.
export type Yaml = any;

export const parseCompose = (text: string): Yaml => parse(text);
