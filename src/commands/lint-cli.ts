import { existsSync } from 'node:fs';
import path from 'node:path';
import { type ConfigChoice, DEFAULT_CONFIG_FILE, loadConfig } from '../adapters/config-file.js';
import { findLintRc } from '../adapters/lint-files.js';
import type { Io } from '../cli/io.js';
import type { LintFormat } from '../core/lint/format/index.js';
import {
  LintSettings,
  mergeSettings,
  normalise,
  parseRuleFlag,
  type RuleSetting,
  type RuleSettings,
} from '../core/lint/settings.js';
import { parseSettingsFile } from '../core/model/load.js';
import { ExitCode, TailbridgeError } from '../errors.js';
import { lint } from './lint.js';

export interface LintCliOptions extends ConfigChoice {
  paths: string[];
  recursive?: boolean;
  format?: LintFormat;
  fix?: boolean;
  diff?: boolean;
  maxWarnings?: number;
  json?: boolean;
  /** `--rule id=level`, repeatable; overrides tailbridge.yaml's lint: and .tailbridgerc. */
  rule?: string[];
}

/**
 * `tailbridge lint` from the CLI: uses the homelab config when one is given or present
 * (so rules can check e.g. the DHCP range), otherwise lints without it.
 */
export async function lintCommand(options: LintCliOptions, io: Io): Promise<number> {
  const wantsConfig =
    options.config !== undefined || options.example || existsSync(path.join(io.cwd, DEFAULT_CONFIG_FILE));
  const config = wantsConfig ? (await loadConfig(options, io.cwd)).config : undefined;
  const settings = await lintSettings(config?.lint, options.rule ?? [], io.cwd);
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
      ...(settings.size > 0 ? { settings } : {}),
    },
    io,
  );
}

/**
 * The rule levels and options of this run. Precedence (later wins, per rule and per field):
 * built-in defaults < tailbridge.yaml `lint:` < the nearest .tailbridgerc < `--rule id=level`.
 */
export async function lintSettings(
  fromConfig: LintSettings | undefined,
  flags: readonly string[],
  cwd: string,
): Promise<RuleSettings> {
  const rc = await findLintRc(cwd);
  const fromRc = rc ? parseSettingsFile(rc.file, rc.text, LintSettings) : undefined;
  const fromFlags = new Map<string, RuleSetting>();
  for (const flag of flags) {
    const r = parseRuleFlag(flag);
    if ('error' in r) throw new TailbridgeError(r.error, ExitCode.usage);
    fromFlags.set(r.id, { level: r.level });
  }
  return mergeSettings(normalise(fromConfig), normalise(fromRc), fromFlags);
}
