/**
 * TEST DOUBLE of the TrueNAS middleware: YAML parsed and dumped by PyYAML (Debian python3-yaml) the
 * way the middleware does (pyyaml-double.py; TS-25.10.6 plugins/apps/ix_apps/utils.py).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HELPER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pyyaml-double.py');
/** Debian's interpreter: python3-yaml is installed for it (apt-get install python3-yaml). */
export const PYTHON = process.env.TAILBRIDGE_DOUBLE_PYTHON ?? '/usr/bin/python3';

function ask(request: object): { data?: unknown; text?: string; error?: string } {
  const r = spawnSync(PYTHON, [HELPER], { input: JSON.stringify(request), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pyyaml-double.py failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout);
}

/** `safe_yaml_load`: the parsed value, or `{ error: 'Invalid YAML provided' }`. */
export function pyLoad(text: string): { ok: true; data: unknown } | { ok: false; error: string } {
  const r = ask({ op: 'load', text });
  return r.error ? { ok: false, error: r.error } : { ok: true, data: r.data ?? null };
}

/** `dump_yaml`: yaml.dump with every string double-quoted, keys sorted. */
export function pyDump(data: unknown): string {
  return ask({ op: 'dump', data }).text ?? '';
}
