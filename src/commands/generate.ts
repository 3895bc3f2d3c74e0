import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type ConfigChoice, loadConfig, resolveFromConfig } from '../adapters/config-file.js';
import { detectCompose } from '../adapters/docker/compose.js';
import { composeAccepts } from '../adapters/docker/staged-validate.js';
import { writeFileAtomic } from '../adapters/fs.js';
import { takeStateLock } from '../adapters/transaction/lock.js';
import { stateDirFor } from '../adapters/transaction/run.js';
import { projectFiles } from '../adapters/transaction/target.js';
import type { Io } from '../cli/io.js';
import { colors } from '../cli/io.js';
import { unifiedDiff } from '../core/compose/diff.js';
import type { MergeNote } from '../core/compose/managed.js';
import { validateComposeText } from '../core/compose/validate.js';
import { generate as generateMode } from '../core/generate/index.js';
import { SIDECAR_FILE } from '../core/generate/sidecar.js';
import type { Generated } from '../core/generate/types.js';
import type { HomelabConfig } from '../core/model/config.js';
import { isMode, MODES, type Mode } from '../core/model/modes.js';
import { planModes } from '../core/plan/index.js';
import type { ComposeRunner } from '../core/ports/compose.js';
import { redact } from '../core/report/redact.js';
import { ExitCode, InputError, TailbridgeError } from '../errors.js';
import { renderMergeNotes } from '../render/merge-notes.js';
import { computeFileChanges, type FileChange } from '../workflows/file-changes.js';

export interface GenerateOptions extends ConfigChoice {
  mode?: string;
  /** Write the standalone compose file and side files into this directory. */
  out?: string;
  /** Merge into the user's compose file (paths.compose, or `compose`). */
  write?: boolean;
  /** Show the merge as a unified diff; write nothing. */
  diff?: boolean;
  /** Compose file to merge into, overriding paths.compose. */
  compose?: string;
  json?: boolean;
}

/** `tailbridge generate`: compose (and side files) for one mode, printed, written out, or merged. */
export async function generate(options: GenerateOptions, io: Io): Promise<number> {
  const loaded = await loadConfig(options, io.cwd);
  const mode = chooseMode(options.mode, () => planModes(loaded.config).recommended);
  const generated = generateMode(loaded.config, mode);
  assertValid(generated);

  if (options.write || options.diff) {
    const target = options.compose
      ? path.resolve(io.cwd, options.compose)
      : resolveFromConfig(loaded, loaded.config.paths.compose);
    return mergeIntoUserFile(generated, target, options, io, loaded.config);
  }
  if (options.out) return writeOut(generated, path.resolve(io.cwd, options.out), options, io);

  if (options.json) io.stdout(JSON.stringify(generated, null, 2));
  else {
    io.stdout(generated.compose);
    for (const f of generated.files) io.stdout(`# --- side file ${f.path} (${f.purpose}) ---\n${f.content}`);
  }
  return ExitCode.ok;
}

function chooseMode(requested: string | undefined, recommended: () => Mode): Mode {
  if (requested === undefined) return recommended();
  if (!isMode(requested))
    throw new TailbridgeError(`unknown mode "${requested}" (expected one of: ${MODES.join(', ')})`);
  return requested;
}

function assertValid(generated: Generated): void {
  const problems = validateComposeText(`<generated ${generated.mode}>`, generated.compose);
  if (problems.length > 0) throw new InputError(problems);
}

async function mergeIntoUserFile(
  generated: Generated,
  target: string,
  options: GenerateOptions,
  io: Io,
  config: HomelabConfig,
): Promise<number> {
  const display = (abs: string) => path.relative(io.cwd, abs) || abs;
  const changes = await computeFileChanges(config, generated.mode, target, display);
  const notes = changes.flatMap((ch) => ch.notes ?? []);
  const noteLines = changes.flatMap((ch) => renderMergeNotes(ch.display, ch.notes ?? []));
  if (options.diff) {
    // An inline auth key the merge removes would otherwise be printed on a `-` line.
    const text = redact(
      changes.map((ch) => unifiedDiff(ch.display, ch.before?.toString('utf8') ?? '', ch.after)).join('\n'),
    );
    if (options.json)
      io.stdout(
        JSON.stringify(
          { mode: generated.mode, files: changes.map((ch) => ch.display), diff: text, notes },
          null,
          2,
        ),
      );
    else {
      io.stdout(text || `${display(target)}: already up to date`);
      if (noteLines.length > 0) io.stdout(['', ...noteLines].join('\n'));
    }
    return ExitCode.ok;
  }
  if (changes.length === 0) {
    io.stdout(
      options.json
        ? JSON.stringify({ mode: generated.mode, written: [], unchanged: true }, null, 2)
        : `${display(target)}: already up to date`,
    );
    return ExitCode.ok;
  }
  // Validate before the lock, so a refusal leaves nothing behind (not even the state folder).
  await assertComposeAccepts(target, changes, display);
  const lock = await takeStateLock(stateDirFor(target), 'generate --write', new Date(), io.stderr);
  try {
    await assertUnchanged(changes);
    const backup = await writeChanges(changes, target);
    report(
      io,
      options,
      generated,
      changes.map((ch) => ch.display),
      backup,
      { notes, lines: noteLines },
    );
  } finally {
    await lock.release();
  }
  return ExitCode.ok;
}

/**
 * `--write` promises validation first: the compose tool itself (`compose config`) must accept the
 * merged file, as well as the Compose schema (checked while computing the change).
 */
async function assertComposeAccepts(
  target: string,
  changes: FileChange[],
  display: (abs: string) => string,
): Promise<void> {
  const change = changes.find((ch) => ch.path === target);
  if (!change) return;
  let compose: ComposeRunner;
  try {
    compose = await detectCompose();
  } catch (e) {
    throw new TailbridgeError(
      `${display(target)}: --write validates with the compose tool first, but ${(e as Error).message}: use --diff or --out instead`,
    );
  }
  const verdict = await composeAccepts(
    compose,
    { files: projectFiles(target), cwd: path.dirname(target) },
    target,
    change.after,
  );
  if (!verdict.ok)
    throw new TailbridgeError(`${display(target)}: compose config rejects the result: ${verdict.message}`);
}

/** The files are still as they were when the change was computed (no apply ran in between). */
async function assertUnchanged(changes: FileChange[]): Promise<void> {
  for (const ch of changes) {
    const now = await readFile(ch.path).catch(() => undefined);
    const same = ch.before === undefined ? now === undefined : now?.equals(ch.before) === true;
    if (!same)
      throw new TailbridgeError(`${ch.display}: changed while tailbridge was validating; run it again`);
  }
}

/** Side files first, the compose file last; returns the compose file's backup. */
async function writeChanges(changes: FileChange[], target: string): Promise<string | undefined> {
  let backup: string | undefined;
  for (const ch of changes) {
    if (ch.path !== target) await mkdir(path.dirname(ch.path), { recursive: true });
    const written = await writeFileAtomic(ch.path, ch.after, {
      display: ch.display,
      ...(ch.mode !== undefined ? { mode: ch.mode } : {}),
    });
    if (ch.path === target) backup = written.backup;
  }
  return backup;
}

async function writeOut(
  generated: Generated,
  dir: string,
  options: GenerateOptions,
  io: Io,
): Promise<number> {
  await mkdir(dir, { recursive: true });
  // Sidecar output is an override of the apps' compose file, named as its header says to use it.
  const name = generated.mode === 'sidecar' ? SIDECAR_FILE : 'compose.yaml';
  const written = [await writeSideFile(dir, name, generated.compose, false, io.cwd)];
  for (const f of generated.files)
    written.push(await writeSideFile(dir, f.path, f.content, f.executable, io.cwd));
  report(io, options, generated, written);
  return ExitCode.ok;
}

async function writeSideFile(
  dir: string,
  rel: string,
  content: string,
  executable: boolean | undefined,
  cwd: string,
): Promise<string> {
  const abs = path.join(dir, rel);
  await mkdir(path.dirname(abs), { recursive: true });
  await writeFileAtomic(abs, content, executable ? { mode: 0o755 } : {});
  return path.relative(cwd, abs) || abs;
}

function report(
  io: Io,
  options: GenerateOptions,
  generated: Generated,
  written: string[],
  backup?: string,
  merge: { notes: MergeNote[]; lines: string[] } = { notes: [], lines: [] },
): void {
  if (options.json) {
    io.stdout(
      JSON.stringify(
        { mode: generated.mode, written, backup, manualSteps: generated.manualSteps, notes: merge.notes },
        null,
        2,
      ),
    );
    return;
  }
  const c = colors(io);
  for (const w of written) io.stdout(`${c.green('wrote')} ${w}`);
  if (backup) io.stdout(`${c.dim('backup')} ${path.relative(io.cwd, backup)}`);
  if (merge.lines.length > 0) io.stdout(['', ...merge.lines].join('\n'));
  if (generated.manualSteps.length > 0) {
    io.stdout(c.bold('\nYou still need to:'));
    for (const step of generated.manualSteps) io.stdout(`  - ${step}`);
  }
}
