/**
 * Long-running lab processes (headscale, the remote device's tailscaled, the LAN client's httpd):
 * started detached so they outlive `npm run lab -- up`, with a pid file and a log file each.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { sleep } from './sh.js';

export interface DaemonSpec {
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
  cwd?: string;
}

export function startDaemon(spec: DaemonSpec): number {
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.cmd, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (!child.pid) throw new Error(`could not start ${spec.cmd}`);
    child.unref();
    writeFileSync(spec.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function daemonAlive(pidFile: string): number | undefined {
  const pid = readPid(pidFile);
  return pid !== undefined && pidAlive(pid) ? pid : undefined;
}

/** SIGTERM, then SIGKILL after `graceMs`; removes the pid file. */
export async function stopPid(pid: number, graceMs = 5000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
  if (pidAlive(pid))
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
}

export async function stopDaemon(pidFile: string, graceMs = 5000): Promise<void> {
  const pid = readPid(pidFile);
  if (pid !== undefined) await stopPid(pid, graceMs);
  rmSync(pidFile, { force: true });
}

/** The network namespace inode a process lives in ("net:[4026531840]"), or undefined. */
export function netnsOf(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return undefined;
  }
}
