/**
 * The real lab is a singleton (fixed names, one tbr-lan0) and vitest runs test files in parallel:
 * `labUp()` takes this cross-process lock and `labDown()` releases it, so test files that use the lab
 * take turns. The holder's pid is in the file; a lock whose holder died (a crashed test, or a finished
 * `npm run lab -- up` that left the lab running for a person) is taken over. Re-entrant for the
 * holding process (a test file may call labUp() again to start over).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const LOCK = path.join(tmpdir(), 'tbr-lab.pid-lock');

function holder(): number | undefined {
  try {
    const pid = Number(readFileSync(LOCK, 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits up to `timeoutMs` (test files queue behind each other: a long wait is normal). */
export async function acquireRealLabLock(timeoutMs = 3_600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(LOCK, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = holder();
      if (pid === process.pid) return;
      if (pid === undefined || !alive(pid)) {
        rmSync(LOCK, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`the real lab is busy (${LOCK} held by pid ${pid})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export function releaseRealLabLock(): void {
  if (holder() === process.pid) rmSync(LOCK, { force: true });
}
