import { existsSync } from 'node:fs';
import path from 'node:path';
import { type ConfigChoice, DEFAULT_CONFIG_FILE, loadConfig } from '../adapters/config-file.js';
import { writeFileAtomic } from '../adapters/fs.js';
import { discoverComposeFiles, findLintRc, readLintInputs } from '../adapters/lint-files.js';
import type { Io } from '../cli/io.js';
import { unifiedDiff } from '../core/compose/diff.js';
import { type FileResult, fixSource, lintSource, unreadable } from '../core/lint/engine.js';
import { formatResults, type LintFormat } from '../core/lint/format/index.js';
import {
  LintSettings,
  mergeSettings,
  normalise,
  parseRuleFlag,
  type RuleSetting,
  type RuleSettings,
} from '../core/lint/settings.js';
import type { HomelabConfig } from '../core/model/config.js';
import { parseSettingsFile } from '../core/model/load.js';
import { ExitCode, TailbridgeError } from '../errors.js';

export interface LintCommandOptions {
  paths: string[];
  recursive?: boolean;
  format?: LintFormat;
  /** Apply the safe fixes (atomically, with a backup). */
  fix?: boolean;
  /** With `fix`: print a unified diff of the fixes instead of writing. */
  diff?: boolean;
  /** Exit 1 when warnings exceed this number (errors always exit 1). */
  maxWarnings?: number;
  color?: boolean;
  config?: HomelabConfig;
  /** Per-rule levels and options, merged (see lintSettings below). */
  settings?: RuleSettings;
}

export interface LintIo {
  stdout: (text: string) => void;
  stderr?: (text: string) => void;
  cwd?: string;
  color?: boolean;
}

/**
 * `tailbridge lint [paths…]`. Exit codes: 0 no errors (and warnings within --max-warnings),
 * 1 errors found or too many warnings, 2 nothing could be linted (no files found, or every file
 * unreadable / not YAML / not compose). Unreadable files are reported as findings; the others are
 * still linted.
 */
export async function lint(options: LintCommandOptions, io: LintIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const { files, problems } = await discoverComposeFiles(options.paths, {
    cwd,
    ...(options.recursive !== undefined ? { recursive: options.recursive } : {}),
  });
  const results: FileResult[] = problems.map((p) => unreadable(p.file, p.message));
  const inputs = await readLintInputs(files, cwd);
  const diffs: string[] = [];
  let fixedCount = 0;

  for (const input of inputs) {
    if (input.text === undefined) {
      results.push(unreadable(input.file, input.error ?? 'cannot read file'));
      continue;
    }
    const lintOptions = {
      envFiles: input.envFiles,
      ...(input.scripts ? { scripts: input.scripts } : {}),
      ...(options.config ? { config: options.config } : {}),
      ...(options.settings ? { settings: options.settings } : {}),
    };
    if (!options.fix) {
      results.push(lintSource(input.file, input.text, lintOptions));
      continue;
    }
    const fixed = fixSource(input.file, input.text, lintOptions);
    results.push(fixed.result);
    if (fixed.text === input.text) continue;
    fixedCount += fixed.fixed;
    if (options.diff) {
      diffs.push(unifiedDiff(input.file, input.text, fixed.text));
    } else {
      await writeFileAtomic(input.absolute, fixed.text, { display: input.file });
    }
  }

  if (results.length === 0) {
    const where = options.paths.length > 0 ? options.paths.join(', ') : '.';
    io.stdout(
      `no compose files found in ${where}${options.recursive ? '' : ' (use --recursive to search subdirectories)'}\n`,
    );
    return ExitCode.usage;
  }

  const format = options.format ?? 'text';
  const color = options.color ?? io.color ?? false;
  if (options.fix && options.diff) {
    // The diff is the output; findings follow only in text form (json/sarif stay parseable).
    io.stdout(diffs.length > 0 ? diffs.join('') : 'nothing to fix\n');
    if (format === 'text') io.stdout(formatResults(results, format, { color }));
  } else {
    io.stdout(formatResults(results, format, { color }));
  }
  if (options.fix && format === 'text' && fixedCount > 0)
    io.stdout(
      `${options.diff ? 'would fix' : 'fixed'} ${fixedCount} problem${fixedCount === 1 ? '' : 's'}\n`,
    );

  if (!results.some((r) => r.linted)) return ExitCode.usage;
  const errors = results.reduce((n, r) => n + r.findings.filter((f) => f.severity === 'error').length, 0);
  const warnings = results.reduce((n, r) => n + r.findings.filter((f) => f.severity === 'warning').length, 0);
  if (errors > 0) return ExitCode.failed;
  if (options.maxWarnings !== undefined && options.maxWarnings >= 0 && warnings > options.maxWarnings)
    return ExitCode.failed;
  return ExitCode.ok;
}

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
  const config = wantsConfig ? (await loadConfig(options, io.cwd, { allowTodo: true })).config : undefined;
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
