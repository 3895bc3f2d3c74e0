import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config-file.js';
import { loadLastRun, saveRun } from '../../src/adapters/runs.js';
import { memoryIo } from '../../src/cli/io.js';
import { NO_RUN_MESSAGE, report } from '../../src/commands/report.js';
import { EXAMPLE_CONFIG } from '../../src/core/model/example.js';
import type { MigrationRun } from '../../src/core/report/index.js';
import { ExitCode } from '../../src/errors.js';
import { writeRecordAndNotes } from '../../src/workflows/report/write-record.js';
import { macvlanRun, restoredRun, SECRET } from '../unit/report/fixtures.js';

let dir: string;
const composeDir = () => path.join(dir, 'truenas/stacks/tailscale');
const SEED = path.join(import.meta.dirname, '../unit/report/fixtures/seed-note.md');

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tailbridge-report-'));
  await writeFile(path.join(dir, 'tailbridge.yaml'), EXAMPLE_CONFIG);
  await mkdir(composeDir(), { recursive: true });
  await writeFile(path.join(composeDir(), 'compose.yaml'), 'services: {}\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const io = () => memoryIo({ cwd: dir });

describe('saved runs', () => {
  it('saves a run (redacted) and its last.json; loads the last one', async () => {
    const run = macvlanRun();
    run.phases[0]!.reason = `failed with ${SECRET}`;
    const saved = await saveRun(composeDir(), run);
    expect(path.basename(saved.file)).toBe('20260314T100430Z-migrate.json');
    const again = await saveRun(composeDir(), run);
    expect(path.basename(again.file)).toBe('20260314T100430Z-migrate-2.json');
    const text = await readFile(saved.last, 'utf8');
    expect(text).not.toContain('SECRET123');
    const loaded = await loadLastRun(composeDir());
    expect(loaded?.run.final).toEqual(JSON.parse(JSON.stringify(run.final)));
    expect((await readdir(path.dirname(saved.file))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('no runs → undefined; a broken file → one-line error', async () => {
    expect(await loadLastRun(composeDir())).toBeUndefined();
    await mkdir(path.join(composeDir(), '.tailbridge/runs'), { recursive: true });
    await writeFile(path.join(composeDir(), '.tailbridge/runs/last.json'), '{"kind":"other"}');
    await expect(loadLastRun(composeDir())).rejects.toThrow(/not a tailbridge run file/);
  });
});

describe('tailbridge report', () => {
  it('without a saved run: one-line error, exit 2', async () => {
    await expect(report({}, io())).rejects.toMatchObject({
      message: NO_RUN_MESSAGE,
      exitCode: ExitCode.usage,
    });
  });

  it('prints the record of the last run (md default), numbered after existing records', async () => {
    await saveRun(composeDir(), macvlanRun());
    await mkdir(path.join(dir, 'docs/decisions'), { recursive: true });
    await writeFile(path.join(dir, 'docs/decisions/0001-docker.md'), '# 1\n');
    const out = io();
    expect(await report({}, out)).toBe(ExitCode.ok);
    const md = out.out.join('');
    expect(md.startsWith('# 0002. Tailscale network mode: macvlan (C)')).toBe(true);
    expect(md).toContain('❌ measured: `L2.lan:device:printer`');
  });

  it('--format json prints the run; --json too', async () => {
    await saveRun(composeDir(), restoredRun());
    for (const opts of [{ format: 'json' }, { json: true }]) {
      const out = io();
      await report(opts, out);
      const run = JSON.parse(out.out.join('')) as MigrationRun;
      expect(run.final.state).toBe('restored');
    }
  });

  it('--format html --out writes one self-contained file', async () => {
    await saveRun(composeDir(), macvlanRun());
    const out = io();
    await report({ format: 'html', out: 'report.html' }, out);
    const html = await readFile(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<svg ');
    expect(html).not.toMatch(/<script|<link/);
    expect(out.err.join('')).toContain('wrote report.html');
  });

  it('rejects an unknown format', async () => {
    await expect(report({ format: 'pdf' }, io())).rejects.toThrow(/unknown format "pdf"/);
  });
});

describe('writeRecordAndNotes', () => {
  it('writes the numbered record, appends the notes entry, upserts Results — twice', async () => {
    const seed = await readFile(SEED, 'utf8');
    await mkdir(path.join(dir, 'docs/decisions'), { recursive: true });
    await writeFile(path.join(dir, 'docs/decisions/0001-docker.md'), '# 1\n');
    await writeFile(path.join(dir, 'docs/tailscale-without-host-mode.md'), seed);
    const loaded = await loadConfig({ config: 'tailbridge.yaml' }, dir);

    const first = await writeRecordAndNotes(restoredRun(), loaded, io());
    expect(first.record).toBe(path.join(dir, 'docs/decisions/0002-tailscale-network-mode.md'));
    expect(first.number).toBe(2);
    const record = await readFile(first.record, 'utf8');
    expect(record.startsWith('# 0002. Tailscale network mode: host (D)')).toBe(true);
    const notes = await readFile(path.join(dir, 'ai/SESSION_NOTES.md'), 'utf8');
    expect(notes).toContain('# Session notes\n\n## 2026-03-14 — tailscale network mode: kept host (D)');
    expect(notes).toContain('- Decision record: ../docs/decisions/0002-tailscale-network-mode.md');
    const research1 = await readFile(first.researchNote!, 'utf8');
    expect(research1.startsWith(seed)).toBe(true);
    expect(research1).toContain('Decision record: decisions/0002-tailscale-network-mode.md');
    expect(first.backups).toHaveLength(1); // the research note existed

    const second = await writeRecordAndNotes(macvlanRun(), loaded, io());
    expect(path.basename(second.record)).toBe('0003-tailscale-network-mode.md');
    const notes2 = await readFile(path.join(dir, 'ai/SESSION_NOTES.md'), 'utf8');
    expect(notes2.startsWith(notes)).toBe(true);
    expect(notes2).toContain('moved to macvlan (C)');
    const research2 = await readFile(second.researchNote!, 'utf8');
    expect(research2.startsWith(seed)).toBe(true);
    expect(research2.match(/^## Results$/gm)).toHaveLength(1);
    expect(research2).toContain('0003-tailscale-network-mode.md');
    expect(second.backups.length).toBe(2); // notes + research note
    for (const b of second.backups)
      expect(b.startsWith(path.join(composeDir(), '.tailbridge/backups'))).toBe(true);
  });

  it('skips the Results section when the research note does not exist', async () => {
    const loaded = await loadConfig({ config: 'tailbridge.yaml' }, dir);
    const r = await writeRecordAndNotes(macvlanRun(), loaded, io());
    expect(r.researchNote).toBeUndefined();
    expect(path.basename(r.record)).toBe('0001-tailscale-network-mode.md');
  });
});
