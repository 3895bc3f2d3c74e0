import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { ComposeProject } from '../../core/ports/compose.js';
import {
  type ConfigChoice,
  type LoadedConfig,
  type LoadOptions,
  loadConfig,
  resolveFromConfig,
} from '../config-file.js';

export interface TargetOptions extends ConfigChoice {
  /** Compose file, overriding paths.compose. */
  compose?: string;
  /** Compose project name (-p), when it is not compose's default (the directory name). */
  projectName?: string;
  /** More compose files (-f) after the main one, e.g. an override; default: `<name>.override.yaml` when present. */
  overrides?: string[];
}

export interface Target {
  loaded: LoadedConfig;
  composeFile: string;
  composeDir: string;
  stateDir: string;
  service: string;
  project: ComposeProject;
  /** The working directory paths on the command line resolve against. */
  cwd: string;
  display: (abs: string) => string;
}

/** The compose file, its state folder, the tailscale service and the compose project of a config. */
export async function resolveTarget(
  options: TargetOptions,
  io: { cwd: string },
  load: LoadOptions = {},
): Promise<Target> {
  const loaded = await loadConfig(options, io.cwd, load);
  const composeFile = options.compose
    ? path.resolve(io.cwd, options.compose)
    : resolveFromConfig(loaded, loaded.config.paths.compose);
  const composeDir = path.dirname(composeFile);
  return {
    loaded,
    composeFile,
    composeDir,
    stateDir: path.join(composeDir, '.tailbridge'),
    service: loaded.config.tailscale.service,
    project: {
      files: options.overrides?.length
        ? [composeFile, ...options.overrides.map((f) => path.resolve(io.cwd, f))]
        : projectFiles(composeFile),
      cwd: composeDir,
      ...(options.projectName ? { projectName: options.projectName } : truenasProject(loaded.config.target)),
    },
    cwd: io.cwd,
    display: (abs) => path.relative(io.cwd, abs) || abs,
  };
}

/**
 * The files compose itself would read for this project: the compose file and, like compose does
 * when no -f is given, its override file next to it (`compose.override.yaml`,
 * `docker-compose.override.yml`…) when present. tailbridge only edits the first.
 */
export function projectFiles(composeFile: string): string[] {
  const dir = path.dirname(composeFile);
  const stem = path.basename(composeFile).replace(/\.ya?ml$/, '');
  const override = [`${stem}.override.yaml`, `${stem}.override.yml`]
    .map((n) => path.join(dir, n))
    .find((f) => existsSync(f));
  return override ? [composeFile, override] : [composeFile];
}

/** Asks a yes/no question on the terminal. */
export async function ttyConfirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** A TrueNAS custom app runs as compose project `ix-<app>` (middleware plugins/apps/utils.py PROJECT_PREFIX). */
function truenasProject(target: { kind: string; app?: string | undefined }): { projectName?: string } {
  return target.kind === 'truenas' && target.app ? { projectName: `ix-${target.app}` } : {};
}
