import { existsSync } from 'node:fs';
import path from 'node:path';
import type { HomelabConfig } from '../core/model/config.js';
import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../core/model/example.js';
import { parseConfig } from '../core/model/load.js';
import { todoProblems } from '../core/model/todo.js';
import { InputError, TailbridgeError } from '../errors.js';
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

export interface LoadOptions {
  /**
   * Accept values still marked `# TODO` (a draft from `init --discover`). Commands that act on the
   * values (plan, generate, apply, migrate, verify, shim) refuse them; discover, lint, history,
   * rollback and report read the file as it is.
   */
  allowTodo?: boolean;
}

/** Loads tailbridge.yaml (or the embedded example) and validates it. */
export async function loadConfig(
  choice: ConfigChoice,
  cwd: string,
  options: LoadOptions = {},
): Promise<LoadedConfig> {
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
  const config = parseConfig(file, text);
  if (!options.allowTodo) {
    const todos = todoProblems(file, text);
    if (todos.length > 0) throw new InputError(todos);
  }
  return { config, file, dir: path.dirname(abs), isExample: false };
}

/** Resolves a path from the config relative to the config file's directory. */
export function resolveFromConfig(loaded: LoadedConfig, p: string): string {
  return path.resolve(loaded.dir, p);
}
