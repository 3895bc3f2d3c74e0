import { parseAllDocuments } from 'yaml';
import { type ComposeEdit, renderStandalone } from '../../src/core/compose/edits.js';
import { formatNote } from '../../src/core/compose/managed.js';
import { mergeEdits } from '../../src/core/compose/merge.js';
import { generate } from '../../src/core/generate/index.js';
import type { HomelabConfig } from '../../src/core/model/config.js';
import type { Mode } from '../../src/core/model/modes.js';
import { InputError } from '../../src/errors.js';
import type { OracleCase } from './cases.js';
import { compareConfigs } from './compare.js';
import { type ComposeConfig, type ComposeTool, Project } from './compose-cli.js';

export type Status = 'pass' | 'refused' | 'skipped' | 'fail';

export interface ModeResult {
  mode: Mode;
  status: Status;
  /** Why (refused/skipped) or what differs (fail). */
  detail: string;
  /** The merge's per-setting lines. */
  notes: string[];
}

/** Secrets a merge must never print: values of auth variables in the original file. */
const SECRET_VARS = /^(TS_AUTHKEY|TS_AUTH_KEY|TS_CLIENT_SECRET)\s*[=:]\s*(.+)$/;

/**
 * Runs one case in every given mode: merge, then compose `config` of the original, the merged
 * file and the generated services alone, compared by {@link compareConfigs}. A refused merge
 * (one-line InputError) is an acceptable outcome; a case compose itself rejects is skipped.
 */
export async function runCase(
  tool: ComposeTool,
  c: OracleCase,
  config: HomelabConfig,
  modes: readonly Mode[],
  /** Tests only: change the generated edits (to prove the oracle catches a lossy merge). */
  alter: (edits: ComposeEdit[]) => ComposeEdit[] = (e) => e,
): Promise<ModeResult[]> {
  const project = await Project.create(tool, c.sideFiles);
  try {
    try {
      await project.provideEnvFiles(envFiles(c.text));
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      return modes.map((mode) => ({ mode, status: 'skipped' as const, detail, notes: [] }));
    }
    const original = await project.config(c.text);
    const results: ModeResult[] = [];
    for (const mode of modes) {
      if (!original.ok) {
        results.push({
          mode,
          status: 'skipped',
          detail: `compose rejects the original: ${original.error}`,
          notes: [],
        });
        continue;
      }
      try {
        results.push(await runMode(project, c, config, mode, original.config, alter));
      } catch (e) {
        results.push({
          mode,
          status: 'fail',
          detail: `threw: ${e instanceof Error ? e.message : String(e)}`,
          notes: [],
        });
      }
    }
    return results;
  } finally {
    await project.remove();
  }
}

async function runMode(
  project: Project,
  c: OracleCase,
  config: HomelabConfig,
  mode: Mode,
  original: ComposeConfig,
  alter: (edits: ComposeEdit[]) => ComposeEdit[],
): Promise<ModeResult> {
  const generated = generate(config, mode);
  const edits = alter(generated.edits);
  let merged: ReturnType<typeof mergeEdits>;
  try {
    merged = mergeEdits(c.id, c.text, edits);
  } catch (e) {
    if (e instanceof InputError && e.problems.length === 1)
      return { mode, status: 'refused', detail: e.message, notes: [] };
    throw e;
  }
  const notes = merged.notes.map(formatNote);
  const fail = (detail: string): ModeResult => ({ mode, status: 'fail', detail, notes });
  const leaked = secrets(c.text).find((s) => notes.some((n) => n.includes(s)));
  if (leaked) return fail('a note prints the value of an auth variable');
  const again = mergeEdits(c.id, merged.text, edits);
  if (again.text !== merged.text || again.notes.length > 0)
    return fail('not idempotent: a second merge changes the file');

  const desiredText = renderStandalone('desired state', desiredEdits(generated.edits));
  await project.provideEnvFiles([...envFiles(merged.text), ...envFiles(desiredText)]);
  const after = await project.config(merged.text);
  if (!after.ok) return fail(`compose rejects the merged file: ${after.error}`);
  const desired = await project.config(desiredText);
  if (!desired.ok) return fail(`compose rejects the generated services: ${desired.error}`);
  const diffs = compareConfigs(original, after.config, desired.config, generated.edits, project.envMarkers);
  if (diffs.length > 0) return fail(diffs.slice(0, 5).join('; '));
  return { mode, status: 'pass', detail: '', notes };
}

/** The generated entries alone: the puts and the sets on the services they put (the desired state). */
function desiredEdits(edits: readonly ComposeEdit[]): ComposeEdit[] {
  const put = new Set(edits.filter((e) => e.op === 'put' && e.path[0] === 'services').map((e) => e.path[1]));
  return edits.filter(
    (e) => e.op === 'put' || (e.op === 'set' && e.path[0] === 'services' && put.has(e.path[1]!)),
  );
}

/** Every env_file path a compose text names (any service). */
export function envFiles(text: string): string[] {
  const docs = parseAllDocuments(text.replace(/^\uFEFF/, ''));
  if (!Array.isArray(docs) || docs.length !== 1) return [];
  let root: unknown;
  try {
    root = docs[0]!.toJS({ maxAliasCount: -1 });
  } catch {
    return [];
  }
  const services =
    (root as { services?: Record<string, { env_file?: unknown } | null> } | null)?.services ?? {};
  const out: string[] = [];
  for (const s of Object.values(services)) {
    const v = s?.env_file;
    for (const item of Array.isArray(v) ? v : v === undefined ? [] : [v]) {
      const p = typeof item === 'string' ? item : (item as { path?: unknown } | null)?.path;
      if (typeof p === 'string' && !p.includes('$')) out.push(p);
    }
  }
  return out;
}

function secrets(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => SECRET_VARS.exec(l.replace(/^[\s-]*/, '').replace(/^["']|["']$/g, ''))?.[2]?.trim())
    .filter(
      (s): s is string => s !== undefined && s.length >= 8 && !s.startsWith('$') && !s.startsWith('file:'),
    );
}
