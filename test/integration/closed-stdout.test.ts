/**
 * `tailbridge history | head -1` and friends: when the reader of stdout goes away, the CLI ends
 * quietly — no Node stack trace, no "EPIPE" on stderr, exit 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG } from '../../src/core/model/example.js';

const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);

/** Runs the CLI with its stdout read end closed before it writes anything. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/bin.ts'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    child.stdout.destroy(); // like `| head -1` after its line: nobody reads any more
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('closed stdout', () => {
  it.each([[['--example', 'plan']], [['--example', '--json', 'plan']], [['schema']]])(
    'tailbridge %j | head -1 ends quietly',
    async (args) => {
      const { code, stderr } = await runWithClosedStdout(args);
      expect(stderr).toBe('');
      expect(code).toBe(0);
    },
    60_000,
  );

  it('tailbridge history | head -1 ends quietly', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tailbridge-epipe-'));
    writeFileSync(path.join(dir, 'tailbridge.yaml'), EXAMPLE_CONFIG);
    const { code, stderr } = await runWithClosedStdout([
      '--config',
      path.join(dir, 'tailbridge.yaml'),
      'history',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
