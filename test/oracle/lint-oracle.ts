import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, type Node, parseDocument } from 'yaml';
import { fixSource } from '../../src/core/lint/engine.js';
import { discoverCases, type OracleCase, REPO } from './cases.js';
import type { ComposeConfig, ComposeTool } from './compose-cli.js';
import { Project } from './compose-cli.js';
import { implicitDefault, same, withEnvFiles } from './effective.js';
import { envFiles } from './merge-oracle.js';

/**
 * The same oracle for `lint --fix` (issue 13, part 4): whatever fixes exist, the effective
 * configuration compose prints after the fixes differs from the one before only in the keys
 * the fixes edited. The edited keys are read from the YAML text itself, not from the fixes: a
 * service key (or a top-level entry) is edited when its own source text changed. A fix that edits
 * an anchor therefore shows up as a change in every service that uses it, which must then be a
 * key it edited too — so edits that leak through anchors fail.
 */

export interface FixResult {
  id: string;
  status: 'pass' | 'unchanged' | 'skipped' | 'fail';
  detail: string;
  /** Rules whose findings the fixes removed. */
  fixed: number;
}

/** Lint fixtures (every YAML file under test/fixtures/lint) plus every oracle case. */
export function fixCases(): OracleCase[] {
  const out: OracleCase[] = [];
  const lint = path.join(REPO, 'test/fixtures/lint');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = path.join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else if (/\.ya?ml$/.test(name))
        out.push({
          id: `lint/${path.relative(lint, abs)}`,
          file: abs,
          text: readFileSync(abs, 'utf8'),
          sideFiles: {},
        });
    }
  };
  if (existsSync(lint)) walk(lint);
  return [...out, ...discoverCases().cases];
}

export async function runFixCase(tool: ComposeTool, c: OracleCase): Promise<FixResult> {
  const fixed = fixSource(c.id, c.text);
  if (fixed.text === c.text) return { id: c.id, status: 'unchanged', detail: '', fixed: 0 };
  return checkEdit(tool, c, fixed);
}

/** The oracle's verdict on any edit of a case's text (exported so tests can feed it a bad edit). */
export async function checkEdit(
  tool: ComposeTool,
  c: OracleCase,
  fixed: { text: string; fixed: number },
): Promise<FixResult> {
  const edited = editedKeys(c.text, fixed.text);
  const project = await Project.create(tool, c.sideFiles);
  try {
    try {
      await project.provideEnvFiles([...envFiles(c.text), ...envFiles(fixed.text)]);
    } catch (e) {
      return { id: c.id, status: 'skipped', detail: String((e as Error).message), fixed: fixed.fixed };
    }
    const before = await project.config(c.text);
    if (!before.ok)
      return {
        id: c.id,
        status: 'skipped',
        detail: `compose rejects the original: ${before.error}`,
        fixed: fixed.fixed,
      };
    const after = await project.config(fixed.text);
    if (!after.ok)
      return {
        id: c.id,
        status: 'fail',
        detail: `compose rejects the fixed file: ${after.error}`,
        fixed: fixed.fixed,
      };
    const diffs = changedOutside(before.config, after.config, edited, project.envMarkers);
    return diffs.length > 0
      ? { id: c.id, status: 'fail', detail: diffs.slice(0, 5).join('; '), fixed: fixed.fixed }
      : { id: c.id, status: 'pass', detail: `edited ${[...edited].join(', ')}`, fixed: fixed.fixed };
  } finally {
    await project.remove();
  }
}

/** Effective differences at `services.<s>.<key>` or `<section>.<name>` that the fixes did not edit. */
function changedOutside(
  O: ComposeConfig,
  F: ComposeConfig,
  edited: Set<string>,
  markers: Map<string, string>,
): string[] {
  const out: string[] = [];
  const services = new Set([...Object.keys(O['services'] ?? {}), ...Object.keys(F['services'] ?? {})]);
  for (const s of services) {
    const o = O['services']?.[s] ? implicitDefault(withEnvFiles(O['services'][s], markers)) : undefined;
    const f = F['services']?.[s] ? implicitDefault(withEnvFiles(F['services'][s], markers)) : undefined;
    if (o === undefined || f === undefined) {
      if (!edited.has(`services.${s}`)) out.push(`services.${s} appeared or went without being edited`);
      continue;
    }
    for (const key of new Set([...Object.keys(o), ...Object.keys(f)]))
      if (!same(o[key], f[key]) && !edited.has(`services.${s}.${key}`) && !edited.has(`services.${s}`))
        out.push(`services.${s}.${key} changed but no fix edited it`);
  }
  for (const section of ['networks', 'volumes', 'secrets', 'configs'])
    for (const name of new Set([...Object.keys(O[section] ?? {}), ...Object.keys(F[section] ?? {})]))
      if (!same(O[section]?.[name], F[section]?.[name]) && !edited.has(`${section}.${name}`))
        out.push(`${section}.${name} changed but no fix edited it`);
  return out;
}

/**
 * Keys whose own source text differs: `services.<s>.<key>` for service keys, `<section>.<name>`
 * for entries of the other top-level mappings, `<key>` for other top-level keys.
 */
export function editedKeys(before: string, after: string): Set<string> {
  const a = pairTexts(before);
  const b = pairTexts(after);
  const out = new Set<string>();
  for (const k of new Set([...a.keys(), ...b.keys()])) if (a.get(k) !== b.get(k)) out.add(k);
  return out;
}

function pairTexts(text: string): Map<string, string> {
  const doc = parseDocument(text.replace(/^\uFEFF/, ''));
  const out = new Map<string, string>();
  const root = doc.contents;
  if (!isMap(root)) return out;
  const slice = (key: Node, value: Node | null) =>
    text.slice(key.range?.[0] ?? 0, (value?.range ?? key.range)?.[1] ?? 0);
  for (const top of root.items) {
    if (!isScalar(top.key)) continue;
    const name = String(top.key.value);
    const value = top.value as Node | null;
    if (isMap(value) && ['services', 'networks', 'volumes', 'secrets', 'configs'].includes(name)) {
      for (const entry of value.items) {
        if (!isScalar(entry.key)) continue;
        const id = `${name}.${String(entry.key.value)}`;
        const ev = entry.value as Node | null;
        // A service counts as edited as a whole only when it appears or goes.
        out.set(id, name === 'services' ? 'present' : slice(entry.key as Node, ev));
        if (name === 'services' && isMap(ev))
          for (const pair of ev.items)
            if (isScalar(pair.key))
              out.set(`${id}.${String(pair.key.value)}`, slice(pair.key as Node, pair.value as Node | null));
      }
    } else out.set(name, slice(top.key as Node, value));
  }
  return out;
}
