import type { Mode } from '../../src/core/model/modes.js';
import { configFor, discoverCases, type Skipped } from './cases.js';
import { type ComposeTool, findComposeTool } from './compose-cli.js';
import { type FixResult, fixCases, runFixCase } from './lint-oracle.js';
import { type ModeResult, runCase } from './merge-oracle.js';

export interface CaseRow {
  id: string;
  results: ModeResult[];
}

export interface OracleRun {
  tool: ComposeTool;
  rows: CaseRow[];
  /** Files that are not cases at all (no tailscale service, kind: malformed). */
  skippedFiles: Skipped[];
}

/** Every case × every mode that applies, two cases at a time. */
export async function runMergeOracle(
  tool?: ComposeTool,
  filter?: (id: string) => boolean,
): Promise<OracleRun> {
  const compose = tool ?? (await findComposeTool());
  if (!compose)
    throw new Error('no compose binary: install docker-compose (v1) or the docker compose plugin (v2)');
  try {
    return await runAll(compose, filter);
  } finally {
    if (!tool) await compose.close();
  }
}

async function runAll(compose: ComposeTool, filter?: (id: string) => boolean): Promise<OracleRun> {
  const { cases, skipped } = discoverCases();
  const selected = cases.filter((c) => !filter || filter(c.id));
  const rows: CaseRow[] = new Array(selected.length);
  let next = 0;
  const worker = async () => {
    while (next < selected.length) {
      const i = next++;
      const c = selected[i]!;
      let derived: ReturnType<typeof configFor>;
      try {
        derived = configFor(c.text);
      } catch (e) {
        rows[i] = {
          id: c.id,
          results: [skip('userspace', `no config can be derived: ${String(e).split('\n')[0]}`)],
        };
        continue;
      }
      rows[i] = derived
        ? { id: c.id, results: await runCase(compose, c, derived.config, derived.modes) }
        : { id: c.id, results: [] };
    }
  };
  await Promise.all([worker(), worker()]);
  return { tool: compose, rows, skippedFiles: skipped };
}

function skip(mode: Mode, detail: string): ModeResult {
  return { mode, status: 'skipped', detail, notes: [] };
}

export function counts(run: OracleRun): Record<ModeResult['status'], number> {
  const out = { pass: 0, refused: 0, skipped: 0, fail: 0 };
  for (const row of run.rows) for (const r of row.results) out[r.status]++;
  return out;
}

/** The table the script prints: one line per case, one column per mode, then the totals. */
export function renderTable(run: OracleRun): string {
  const modes: Mode[] = ['userspace', 'serve', 'macvlan', 'host', 'sidecar'];
  const width = Math.max(...run.rows.map((r) => r.id.length), 10);
  const cell = (r: ModeResult | undefined) => (r ? r.status : '-').padEnd(9);
  const lines = [
    `merge oracle: ${run.tool.argv.join(' ')} config (compose ${run.tool.flavor} ${run.tool.version})`,
    '',
    `${'case'.padEnd(width)}  ${modes.map((m) => m.padEnd(9)).join(' ')}`,
    ...run.rows.map(
      (row) =>
        `${row.id.padEnd(width)}  ${modes.map((m) => cell(row.results.find((r) => r.mode === m))).join(' ')}`,
    ),
    '',
  ];
  const c = counts(run);
  const total = c.pass + c.refused + c.skipped + c.fail;
  lines.push(
    `${run.rows.length} files × the modes that apply = ${total} cases: ${c.pass} pass, ${c.refused} refused with a reason, ${c.skipped} skipped, ${c.fail} fail`,
  );
  if (run.skippedFiles.length > 0)
    lines.push(
      `${run.skippedFiles.length} files not run: ${summarize(run.skippedFiles.map((s) => s.reason))}`,
    );
  const details = run.rows.flatMap((row) =>
    row.results
      .filter((r) => r.status !== 'pass')
      .map((r) => `  ${row.id} ${r.mode}: ${r.status}: ${r.detail}`),
  );
  if (details.length > 0) lines.push('', 'not passing:', ...details);
  return lines.join('\n');
}

function summarize(reasons: string[]): string {
  const byReason = new Map<string, number>();
  for (const r of reasons) byReason.set(r, (byReason.get(r) ?? 0) + 1);
  return [...byReason].map(([r, n]) => `${n} × ${r}`).join('; ');
}

export interface FixRun {
  tool: ComposeTool;
  results: FixResult[];
}

/** `lint --fix` on every lint fixture and oracle case, checked the same way. */
export async function runFixOracle(tool?: ComposeTool): Promise<FixRun> {
  const compose = tool ?? (await findComposeTool());
  if (!compose)
    throw new Error('no compose binary: install docker-compose (v1) or the docker compose plugin (v2)');
  try {
    const results: FixResult[] = [];
    for (const c of fixCases()) results.push(await runFixCase(compose, c));
    return { tool: compose, results };
  } finally {
    if (!tool) await compose.close();
  }
}

export function renderFixTable(run: FixRun): string {
  const by = (s: FixResult['status']) => run.results.filter((r) => r.status === s);
  const lines = [
    `lint --fix oracle: ${run.tool.argv.join(' ')} config (compose ${run.tool.flavor} ${run.tool.version})`,
    `${run.results.length} files: ${by('pass').length} fixed and pass, ${by('unchanged').length} nothing to fix, ${by('skipped').length} skipped, ${by('fail').length} fail`,
  ];
  for (const r of run.results.filter((x) => x.status === 'pass'))
    lines.push(`  pass     ${r.id}: ${r.detail}`);
  for (const r of run.results.filter((x) => x.status === 'skipped' || x.status === 'fail'))
    lines.push(`  ${r.status.padEnd(8)} ${r.id}: ${r.detail}`);
  return lines.join('\n');
}
