import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { TailbridgeError } from '../../errors.js';
import { syncDir } from '../durable.js';

/** What `apply.lock` holds: enough to tell a live holder from a dead one, even across a reboot. */
export interface LockInfo {
  pid: number;
  /** ISO time the holder started. */
  startedAt: string;
  command: string;
  hostname: string;
  /** Linux boot id: a lock written before the last reboot is stale whatever its pid. */
  bootId?: string;
  /** Linux process start time (clock ticks since boot, /proc/<pid>/stat field 22): detects pid reuse. */
  procStart?: string;
}

export interface HeldLock {
  file: string;
  info: LockInfo;
  /** Set when a stale lock was taken over. */
  tookOver?: { info: LockInfo; reason: string };
  release(): Promise<void>;
}

/** How liveness is probed; injectable for unit tests. */
export interface LockProbe {
  hostname(): string;
  bootId(): string | undefined;
  /** undefined = no such process. */
  procStart(pid: number): string | undefined | 'unknown';
}

export const systemProbe: LockProbe = {
  hostname: () => hostname(),
  bootId: () => readOr('/proc/sys/kernel/random/boot_id')?.trim(),
  procStart(pid) {
    const stat = readOr(`/proc/${pid}/stat`);
    if (stat !== undefined) return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    try {
      process.kill(pid, 0);
      return 'unknown';
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM' ? 'unknown' : undefined;
    }
  },
};

function readOr(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Why a lock is stale, or undefined when its holder may still be alive. */
export function staleReason(info: LockInfo, probe: LockProbe = systemProbe): string | undefined {
  // Another machine (a shared mount): its processes cannot be checked, so the lock counts as live.
  if (info.hostname !== probe.hostname()) return undefined;
  const boot = probe.bootId();
  if (info.bootId && boot && info.bootId !== boot) return 'written before the last reboot';
  const start = probe.procStart(info.pid);
  if (start === undefined) return `pid ${info.pid} is not running`;
  if (start !== 'unknown' && info.procStart && start !== info.procStart)
    return `pid ${info.pid} is now a different process`;
  return undefined;
}

export function currentLockInfo(command: string, now: Date, probe: LockProbe = systemProbe): LockInfo {
  const procStart = probe.procStart(process.pid);
  const bootId = probe.bootId();
  return {
    pid: process.pid,
    startedAt: now.toISOString(),
    command,
    hostname: probe.hostname(),
    ...(bootId ? { bootId } : {}),
    ...(procStart && procStart !== 'unknown' ? { procStart } : {}),
  };
}

/**
 * Takes `file` with O_CREAT|O_EXCL. A lock whose holder is dead (or from before a reboot) is taken
 * over and reported in `tookOver`; a live one is a one-line error (exit 2).
 */
export async function acquireLock(
  file: string,
  info: LockInfo,
  probe: LockProbe = systemProbe,
): Promise<HeldLock> {
  let tookOver: HeldLock['tookOver'];
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      try {
        await handle.writeFile(`${JSON.stringify(info)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await syncDir(path.dirname(file));
      let released = false;
      return {
        file,
        info,
        ...(tookOver ? { tookOver } : {}),
        async release() {
          if (released) return;
          released = true;
          const current = await readLock(file);
          if (current && current.pid === info.pid && current.startedAt === info.startedAt)
            await unlink(file).catch(() => undefined);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await readLock(file);
    if (holder === undefined) {
      // Unreadable: a holder still writing it (young file) or one that died between create and write.
      const age = await stat(file).then(
        (st) => Date.now() - st.mtimeMs,
        () => Number.POSITIVE_INFINITY,
      );
      if (age < 5_000) throw new TailbridgeError(`another tailbridge is starting (lock ${file})`);
      tookOver = {
        info: { pid: 0, startedAt: '?', command: '?', hostname: '?' },
        reason: 'unreadable lock file',
      };
      await unlink(file).catch(() => undefined);
      continue;
    }
    const reason = staleReason(holder, probe);
    if (reason === undefined)
      throw new TailbridgeError(
        `another ${holder.command} (pid ${holder.pid}) is running (since ${holder.startedAt}; lock ${file})`,
      );
    tookOver = { info: holder, reason };
    await unlink(file).catch(() => undefined);
  }
  throw new TailbridgeError(`could not take the lock ${file}: another tailbridge keeps taking it`);
}

export async function readLock(file: string): Promise<LockInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lock every operation that writes a compose project takes: `<state dir>/apply.lock` (apply,
 * rollback, migrate, generate --write). A stale lock taken over is reported through `warn`.
 */
export async function takeStateLock(
  stateDir: string,
  command: string,
  now: Date,
  warn: (line: string) => void,
): Promise<HeldLock> {
  await mkdir(stateDir, { recursive: true });
  const lock = await acquireLock(path.join(stateDir, 'apply.lock'), currentLockInfo(command, now));
  if (lock.tookOver)
    warn(
      `tailbridge: took over a stale lock of ${lock.tookOver.info.command} (pid ${lock.tookOver.info.pid}): ${lock.tookOver.reason}`,
    );
  return lock;
}
