import { existsSync } from 'node:fs';
import path from 'node:path';
import type { HomelabConfig } from '../core/model/config.js';
import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../core/model/example.js';
import { parseConfig } from '../core/model/load.js';
import { TailbridgeError } from '../errors.js';
import { readTextFile } from './fs.js';

export const DEFAULT_CONFIG_FILE = 'tailbridge.yaml';

export interface LoadedConfig {
  config: HomelabConfig;
  /** The config file path as the user gave it (or the example's pseudo path). */
  file: string;
  /** Directory that relative paths in the config are resolved against. */
  dir: string;
  isExample: boolean;
}

export interface ConfigChoice {
  config?: string;
  example?: boolean;
}

/** Loads tailbridge.yaml (or the embedded example) and validates it. */
export async function loadConfig(choice: ConfigChoice, cwd: string): Promise<LoadedConfig> {
  if (choice.example) {
    return {
      config: parseConfig(EXAMPLE_CONFIG_FILE, EXAMPLE_CONFIG),
      file: EXAMPLE_CONFIG_FILE,
      dir: cwd,
      isExample: true,
    };
  }
  const file = choice.config ?? DEFAULT_CONFIG_FILE;
  const abs = path.resolve(cwd, file);
  if (!choice.config && !existsSync(abs)) {
    throw new TailbridgeError(
      `${file}: no such file (pass --config <file>, --example for the built-in example, or run 'tailbridge init')`,
    );
  }
  const text = await readTextFile(abs, file);
  return { config: parseConfig(file, text), file, dir: path.dirname(abs), isExample: false };
}

/** Resolves a path from the config relative to the config file's directory. */
export function resolveFromConfig(loaded: LoadedConfig, p: string): string {
  return path.resolve(loaded.dir, p);
}
