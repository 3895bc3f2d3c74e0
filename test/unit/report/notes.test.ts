import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  appendSessionNote,
  resultsSection,
  sessionNoteEntry,
  upsertResultsSection,
} from '../../../src/core/report/index.js';
import { macvlanRun, restoredRun } from './fixtures.js';

const SEED = readFileSync(new URL('./fixtures/seed-note.md', import.meta.url), 'utf8');

describe('session notes', () => {
  const entry = sessionNoteEntry(macvlanRun(), '../docs/decisions/0003-tailscale-network-mode.md');

  it('is a short dated outcome entry', () => {
    expect(entry).toBe(
      [
        '## 2026-03-14 — tailscale network mode: moved to macvlan (C)',
        '',
        '- userspace (A): failed — verification failed: 2 checks (L2.lan:device:printer, L4.lan:printer); rolled back',
        '- macvlan (C): passed — verification passed: every check passed',
        '- Decision record: ../docs/decisions/0003-tailscale-network-mode.md',
        '- By `tailbridge migrate` 0.1.0; details: `tailbridge report`.',
        '',
      ].join('\n'),
    );
    expect(sessionNoteEntry(restoredRun())).toContain('kept host (D) (original restored)');
  });

  it('creates the file when missing', () => {
    expect(appendSessionNote(undefined, entry)).toBe(`# Session notes\n\n${entry}`);
  });

  it('appends at the end and keeps every existing byte', () => {
    for (const existing of ['# Notes\n\n- earlier\n', '# Notes\n- earlier', '# Notes\n\n']) {
      const out = appendSessionNote(existing, entry);
      expect(out.startsWith(existing)).toBe(true);
      expect(out.endsWith(entry)).toBe(true);
      expect(out).toContain('\n\n## 2026-03-14');
    }
    const crlf = appendSessionNote('# Notes\r\n', 'a\nb\n');
    expect(crlf).toBe('# Notes\r\n\r\na\r\nb\r\n');
  });
});

describe('Results section of the research note', () => {
  const first = resultsSection(restoredRun(), 'decisions/0001-tailscale-network-mode.md');
  const second = resultsSection(macvlanRun(), 'decisions/0002-tailscale-network-mode.md');

  it('is the seed matrix answered for this homelab', () => {
    expect(second.startsWith('## Results\n')).toBe(true);
    expect(second).toContain(
      '| Subnet routing | ❌ measured (L2.lan:device:printer +1) | ✅ measured (L4.lan:jellyfin +3) | ✅ ts-kb-1177 |',
    );
    expect(second).toContain('**Outcome:** macvlan (C) passed verification and stays deployed.');
    expect(second).not.toContain('❓');
  });

  it('is appended to a note without one, leaving every other byte alone', () => {
    const out = upsertResultsSection(SEED, first);
    expect(out.startsWith(SEED)).toBe(true);
    expect(out.slice(SEED.length)).toBe(
      `${SEED.endsWith('\n\n') ? '' : SEED.endsWith('\n') ? '\n' : '\n\n'}${first}`,
    );
  });

  it('is replaced on a second run, not duplicated', () => {
    const once = upsertResultsSection(SEED, first);
    const twice = upsertResultsSection(once, second);
    expect(twice.match(/^## Results$/gm)).toHaveLength(1);
    expect(twice.startsWith(SEED)).toBe(true);
    expect(twice).toContain('0002-tailscale-network-mode.md');
    expect(twice).not.toContain('0001-tailscale-network-mode.md');
    expect(upsertResultsSection(twice, second)).toBe(twice);
  });

  it('replaces a section in the middle: bytes before and after are identical', () => {
    const [head, tail] = SEED.split('## Next Steps');
    const note = `${head}## Results\n\nold hand-written results\n\n### detail\nstill results\n\n## Next Steps${tail}`;
    const out = upsertResultsSection(note, second);
    expect(out.startsWith(head!)).toBe(true);
    expect(out.endsWith(`## Next Steps${tail}`)).toBe(true);
    expect(out).not.toContain('old hand-written results');
    expect(out).not.toContain('still results');
    expect(out.slice(head!.length, out.length - `## Next Steps${tail}`.length)).toBe(`${second}\n`);
  });

  it('ignores a "## Results" line inside a code fence', () => {
    const note = '# Note\n\n```md\n## Results\n```\n\n## Other\ntext\n';
    const out = upsertResultsSection(note, second);
    expect(out.startsWith(note)).toBe(true);
  });

  it('keeps CRLF line endings', () => {
    const note = '# Note\r\n\r\n## Results\r\nold\r\n\r\n## After\r\nx\r\n';
    const out = upsertResultsSection(note, '## Results\nnew\n');
    expect(out).toBe('# Note\r\n\r\n## Results\r\nnew\r\n\r\n## After\r\nx\r\n');
  });
});
