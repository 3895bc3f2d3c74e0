import { existsSync } from 'node:fs';
import path from 'node:path';
import { type ConfigChoice, DEFAULT_CONFIG_FILE, loadConfig } from '../adapters/config-file.js';
import type { Io } from '../cli/io.js';
import type { LintFormat } from '../core/lint/format/index.js';
import { lint } from './lint.js';

export interface LintCliOptions extends ConfigChoice {
  paths: string[];
  recursive?: boolean;
  format?: LintFormat;
  fix?: boolean;
  diff?: boolean;
  maxWarnings?: number;
  json?: boolean;
}

/**
 * `tailbridge lint` from the CLI: uses the homelab config when one is given or present
 * (so rules can check e.g. the DHCP range), otherwise lints without it.
 */
export async function lintCommand(options: LintCliOptions, io: Io): Promise<number> {
  const wantsConfig =
    options.config !== undefined || options.example || existsSync(path.join(io.cwd, DEFAULT_CONFIG_FILE));
  const config = wantsConfig ? (await loadConfig(options, io.cwd, { allowTodo: true })).config : undefined;
  return lint(
    {
      paths: options.paths.length > 0 ? options.paths : ['.'],
      format: options.json ? 'json' : (options.format ?? 'text'),
      color: io.color,
      ...(options.recursive ? { recursive: true } : {}),
      ...(options.fix ? { fix: true } : {}),
      ...(options.diff ? { diff: true } : {}),
      ...(options.maxWarnings !== undefined ? { maxWarnings: options.maxWarnings } : {}),
      ...(config ? { config } : {}),
    },
    io,
  );
}
