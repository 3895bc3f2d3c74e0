import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { envFileReferences, mountedScriptReferences } from '../core/lint/compose-model.js';
import { readTextFile } from './fs.js';

/** Largest compose file tailbridge lints. */
export const MAX_LINT_FILE_BYTES = 5 * 1024 * 1024;

export const COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const SKIP_DIRS = new Set(['node_modules', '.git', '.tailbridge']);

/** A file to lint: its text, or why it could not be read. */
export interface LintInput {
  /** As displayed (relative to cwd when inside it). */
  file: string;
  /** Absolute path. */
  absolute: string;
  text?: string;
  /** One-line reason when `text` is missing. */
  error?: string;
  /** env_file variable NAMES keyed by the path as written in the compose file; unreadable files are absent. */
  envFiles: Record<string, string[]>;
  /** Scripts mounted and run as entrypoint/command, keyed by the host path as written; only read to see what they start. */
  scripts?: Record<string, string>;
}

export interface DiscoverResult {
  files: string[];
  /** Paths that do not exist or cannot be listed: `{ file, message }`. */
  problems: { file: string; message: string }[];
}

/**
 * Expands the command-line paths: files are taken as given; directories contribute the compose
 * file names above plus any other *.yaml/*.yml with a top-level `services:` key (recursively with
 * `recursive`, skipping node_modules, .git and .tailbridge). Sorted, deduplicated absolute paths.
 */
export async function discoverComposeFiles(
  paths: readonly string[],
  options: { recursive?: boolean; cwd?: string } = {},
): Promise<DiscoverResult> {
  const cwd = options.cwd ?? process.cwd();
  const files = new Set<string>();
  const problems: DiscoverResult['problems'] = [];
  for (const p of paths.length > 0 ? paths : ['.']) {
    const abs = path.resolve(cwd, p);
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(abs);
    } catch {
      problems.push({ file: p, message: 'no such file or directory' });
      continue;
    }
    if (st.isDirectory()) await walk(abs, options.recursive ?? false, files, problems, cwd);
    else files.add(abs);
  }
  return { files: [...files].sort(), problems };
}

async function walk(
  dir: string,
  recursive: boolean,
  files: Set<string>,
  problems: DiscoverResult['problems'],
  cwd: string,
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    problems.push({ file: display(dir, cwd), message: `cannot list directory: ${(e as Error).message}` });
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive && !SKIP_DIRS.has(entry.name)) await walk(full, recursive, files, problems, cwd);
    } else if (entry.isFile()) {
      if (COMPOSE_NAMES.includes(entry.name)) files.add(full);
      else if (/\.ya?ml$/i.test(entry.name) && (await hasServicesKey(full))) files.add(full);
    }
  }
}

async function hasServicesKey(file: string): Promise<boolean> {
  try {
    const st = await stat(file);
    if (st.size > MAX_LINT_FILE_BYTES) return false;
    const text = await readFile(file, 'utf8');
    return /^services[ \t]*:/m.test(text);
  } catch {
    return false;
  }
}

/** How many files are read at once: enough to keep the disk busy while the CPU lints. */
const READ_CONCURRENCY = 16;

/** Reads each file (size and binary checks) and the variable names of its env_files, in order. */
export async function readLintInputs(files: readonly string[], cwd = process.cwd()): Promise<LintInput[]> {
  const out: LintInput[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      out[i] = await readLintInput(files[i]!, cwd);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  return out;
}

async function readLintInput(absolute: string, cwd: string): Promise<LintInput> {
  const file = display(absolute, cwd);
  const input: LintInput = { file, absolute, envFiles: {} };
  try {
    const st = await stat(absolute);
    if (st.size > MAX_LINT_FILE_BYTES) {
      input.error = `file is too large to lint (${(st.size / 1024 / 1024).toFixed(1)} MiB, limit 5 MiB)`;
      return input;
    }
    input.text = await readTextFile(absolute, file);
  } catch (e) {
    // readTextFile's messages start with the display name; the formatter adds it again.
    input.error = (e as Error).message.replace(`${file}: `, '');
    return input;
  }
  for (const ref of envFileReferences(input.text)) {
    const names = await readEnvFileNames(path.resolve(path.dirname(absolute), ref));
    if (names) input.envFiles[ref] = names;
  }
  for (const ref of mountedScriptReferences(input.text)) {
    const script = await readScript(path.resolve(path.dirname(absolute), ref));
    if (script === undefined) continue;
    input.scripts ??= {};
    input.scripts[ref] = script;
  }
  return input;
}

/** Largest mounted script read to see which programs it starts. */
const MAX_SCRIPT_BYTES = 256 * 1024;

async function readScript(file: string): Promise<string | undefined> {
  try {
    const st = await stat(file);
    if (!st.isFile() || st.size > MAX_SCRIPT_BYTES) return undefined;
    const text = await readFile(file, 'utf8');
    return text.includes('\u0000') ? undefined : text;
  } catch {
    return undefined;
  }
}

/** Variable NAMES of a .env file (`KEY=value`, `export KEY=value`, `KEY`); values are never kept. */
export async function readEnvFileNames(file: string): Promise<string[] | undefined> {
  let text: string;
  try {
    const st = await stat(file);
    if (!st.isFile() || st.size > MAX_LINT_FILE_BYTES) return undefined;
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  return envNames(text);
}

export function envNames(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=|$)/.exec(line);
    if (m && !line.trimStart().startsWith('#')) names.push(m[1]!);
  }
  return [...new Set(names)];
}

function display(absolute: string, cwd: string): string {
  const rel = path.relative(cwd, absolute);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : absolute;
}

/** The name of the lint settings file searched upward from the working directory. */
export const LINT_RC = '.tailbridgerc';

/**
 * The nearest `.tailbridgerc` in `cwd` or a parent directory (YAML; JSON is YAML too), with its
 * display name relative to `cwd`; undefined when there is none.
 */
export async function findLintRc(cwd: string): Promise<{ file: string; text: string } | undefined> {
  let dir = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(dir, LINT_RC);
    if (await isFile(candidate)) {
      const file = path.relative(cwd, candidate) || LINT_RC;
      return { file, text: await readTextFile(candidate, file) };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}
