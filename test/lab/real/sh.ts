import { execFileSync, spawnSync } from 'node:child_process';

/** Result of a finished command (never throws). */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/** Runs a command to completion and returns its exit code and output (never throws). */
export function tryRun(cmd: string, args: readonly string[], o: RunOptions = {}): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: o.cwd,
    env: o.env,
    input: o.input,
    encoding: 'utf8',
    timeout: o.timeoutMs ?? 120_000,
    maxBuffer: 64 << 20,
    stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const code = r.status ?? (r.error ? 127 : 1);
  return { code, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}

/** Runs a command and returns stdout; throws one line with the command and its stderr on failure. */
export function run(cmd: string, args: readonly string[], o: RunOptions = {}): string {
  const r = tryRun(cmd, args, o);
  if (r.code !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`,
    );
  return r.stdout;
}

/** true when the command exits 0 (output discarded). */
export function ok(cmd: string, args: readonly string[], o: RunOptions = {}): boolean {
  return tryRun(cmd, args, o).code === 0;
}

/** Inherits stdio (long builds show their progress); throws on failure. */
export function runVisible(cmd: string, args: readonly string[], o: RunOptions = {}): void {
  execFileSync(cmd, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'inherit', 'inherit'] });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
