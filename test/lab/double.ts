/**
 * Running tailscale-double containers from tests (plain `docker run`; compose users add
 * labOverride() from homelab.ts instead). Every container is named tblab-* and labelled tailbridge.lab=1.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { LAB_LABEL, TAILSCALE_DOUBLE_IMAGE } from './images.js';

const pexec = promisify(execFile);

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `docker …` without throwing; exit code, stdout and stderr. */
export async function docker(args: string[], timeoutMs = 60_000): Promise<DockerResult> {
  try {
    const { stdout, stderr } = await pexec('docker', args, { timeout: timeoutMs, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === 'number' ? err.code : 1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? String(e),
    };
  }
}

export interface DoubleOptions {
  /** Container name; must start with "tblab". */
  name: string;
  /** Host control dir mounted at /tailnet. */
  controlDir: string;
  env?: Record<string, string>;
  /** Docker network (default: bridge). "none" isolates the container: only the fake tailnet reaches out. */
  network?: string;
  hostname?: string;
  /** Extra `docker run` flags, e.g. ['--cap-add=NET_ADMIN', '--device=/dev/net/tun'] or ['-v', 'dir:/state']. */
  runArgs?: string[];
}

export interface DoubleContainer {
  name: string;
  exec(cmd: string[], timeoutMs?: number): Promise<DockerResult>;
  logs(): Promise<string>;
  /** `tailscale status --json` parsed. */
  status(): Promise<TailscaleStatus>;
  /** Waits until the log says "Startup complete" (throws with the logs if the container exits first). */
  waitRunning(timeoutMs?: number): Promise<void>;
  /** Waits for the container to exit; returns its exit code and logs. */
  waitExit(timeoutMs?: number): Promise<{ exitCode: number; logs: string }>;
  stop(): Promise<void>;
  remove(): Promise<void>;
}

/** The fields of ipnstate.Status the lab reads (real field names). */
export interface TailscaleStatus {
  Version: string;
  TUN: boolean;
  BackendState: string;
  HaveNodeKey: boolean;
  AuthURL: string;
  TailscaleIPs: string[] | null;
  Self: {
    ID: string;
    HostName: string;
    DNSName: string;
    OS: string;
    TailscaleIPs: string[] | null;
    AllowedIPs: string[] | null;
    PrimaryRoutes?: string[];
    Online: boolean;
    Tags?: string[];
    ExitNodeOption: boolean;
  };
  Health: string[];
  CurrentTailnet: { Name: string; MagicDNSSuffix: string; MagicDNSEnabled: boolean } | null;
  CertDomains: string[] | null;
  Peer: Record<
    string,
    { HostName: string; DNSName: string; TailscaleIPs: string[]; AllowedIPs: string[]; Online: boolean }
  > | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function doubleHandle(name: string): DoubleContainer {
  const h: DoubleContainer = {
    name,
    exec: (cmd, timeoutMs) => docker(['exec', name, ...cmd], timeoutMs),
    logs: async () => {
      const r = await docker(['logs', name]);
      return r.stdout + r.stderr;
    },
    status: async () => {
      const r = await h.exec(['tailscale', 'status', '--json']);
      if (r.code !== 0) throw new Error(`tailscale status failed in ${name}: ${r.stderr}`);
      return JSON.parse(r.stdout) as TailscaleStatus;
    },
    waitRunning: async (timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const logs = await h.logs();
        if (logs.includes('Startup complete, waiting for shutdown signal')) return;
        const st = await docker(['inspect', '-f', '{{.State.Running}}', name]);
        if (st.stdout.trim() === 'false' || Date.now() > deadline)
          throw new Error(`${name} did not reach Running:\n${logs}`);
        await sleep(100);
      }
    },
    waitExit: async (timeoutMs = 15_000) => {
      const r = await docker(['wait', name], timeoutMs);
      return { exitCode: Number(r.stdout.trim()), logs: await h.logs() };
    },
    stop: async () => {
      await docker(['stop', '-t', '5', name]);
    },
    remove: async () => {
      await docker(['rm', '-f', name]);
    },
  };
  return h;
}

/** Starts a tailscale-double container (detached). Remove it with .remove() or cleanupLab(). */
export async function startDouble(opts: DoubleOptions): Promise<DoubleContainer> {
  if (!opts.name.startsWith('tblab')) throw new Error(`lab container names start with "tblab": ${opts.name}`);
  const args = ['run', '-d', '--name', opts.name, '--label', LAB_LABEL, '-v', `${opts.controlDir}:/tailnet`];
  args.push('--hostname', opts.hostname ?? opts.name);
  if (opts.network) args.push('--network', opts.network);
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('-e', `${k}=${v}`);
  args.push(...(opts.runArgs ?? []), TAILSCALE_DOUBLE_IMAGE);
  const r = await docker(args);
  if (r.code !== 0) throw new Error(`docker run ${opts.name} failed: ${r.stderr}`);
  return doubleHandle(opts.name);
}

/** Synchronous `docker rm -f` for afterAll paths that must not throw. */
export function removeContainersSync(names: string[]): void {
  if (names.length === 0) return;
  try {
    execFileSync('docker', ['rm', '-f', ...names], { stdio: 'ignore' });
  } catch {}
}
