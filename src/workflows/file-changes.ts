import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readTextFile } from '../adapters/fs.js';
import { undefinedEditedServices } from '../core/compose/edit-targets.js';
import type { MergeNote } from '../core/compose/managed.js';
import { mergeEdits } from '../core/compose/merge.js';
import { validateComposeText } from '../core/compose/validate.js';
import { parseYaml } from '../core/compose/yaml-source.js';
import { generate } from '../core/generate/index.js';
import type { HomelabConfig } from '../core/model/config.js';
import type { Mode } from '../core/model/modes.js';
import { InputError, TailbridgeError } from '../errors.js';

/** A file a mode changes: where, before (bytes or absent), after, and the mode bits to set. */
export interface FileChange {
  path: string;
  display: string;
  before?: Buffer;
  after: string;
  mode?: number;
  /** For the compose file: the user settings the merge removed or rewrote, each with why. */
  notes?: MergeNote[];
}

/**
 * What `generate --write` and `apply` change for a mode: the user's compose file with the mode's
 * edits merged in (comments kept) plus its side files, all validated before anything is written.
 * Files that would not change are left out; the compose file comes last.
 */
export async function computeFileChanges(
  config: HomelabConfig,
  mode: Mode,
  composeFile: string,
  display: (abs: string) => string,
): Promise<FileChange[]> {
  const generated = generate(config, mode);
  const problems = validateComposeText(`<generated ${mode}>`, generated.compose);
  if (problems.length > 0) throw new InputError(problems);
  const composeDisplay = display(composeFile);
  const beforeText = await readTextFile(composeFile, composeDisplay);
  const parsed = parseYaml(composeDisplay, beforeText);
  if (parsed.problems.length > 0) throw new InputError(parsed.problems);
  const missing = undefinedEditedServices(parsed.source, generated.edits);
  if (missing.length > 0)
    throw new TailbridgeError(
      `${composeDisplay}: ${mode} mode changes the services ${missing.join(', ')}, which this file does not define (a service without an image is not valid): pass --compose <the compose file of those apps>`,
    );
  const merged = mergeEdits(composeDisplay, beforeText, generated.edits, {
    baseDir: path.dirname(composeFile),
  });
  const mergedProblems = validateComposeText(composeDisplay, merged.text);
  if (mergedProblems.length > 0) throw new InputError(mergedProblems);

  const out: FileChange[] = [];
  for (const f of generated.files) {
    const abs = path.join(path.dirname(composeFile), f.path);
    const before = await readFile(abs).catch(() => undefined);
    const mode = f.executable ? 0o755 : before ? undefined : 0o644;
    const currentMode = await stat(abs).then(
      (s) => s.mode & 0o7777,
      () => undefined,
    );
    if (before?.equals(Buffer.from(f.content, 'utf8')) && (mode === undefined || mode === currentMode))
      continue;
    out.push({
      path: abs,
      display: display(abs),
      ...(before ? { before } : {}),
      after: f.content,
      ...(mode !== undefined ? { mode } : {}),
    });
  }
  const composeBytes = await readFile(composeFile);
  if (!composeBytes.equals(Buffer.from(merged.text, 'utf8')))
    out.push({
      path: composeFile,
      display: composeDisplay,
      before: composeBytes,
      after: merged.text,
      ...(merged.notes.length > 0 ? { notes: merged.notes } : {}),
    });
  return out;
}
