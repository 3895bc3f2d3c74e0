/**
 * The remote device: real tailscaled (the same build as the image) in kernel mode in netns tbr-remote
 * on the internet segment — own state dir and socket, TS_NO_LOGS_NO_SUPPORT=true, trusting the lab CA
 * through SSL_CERT_FILE — joined with `--accept-routes` so the NAS's subnet route lands in its routing
 * table. The research note's end-to-end checks run from here (`ip netns exec tbr-remote …`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { daemonAlive, startDaemon } from './daemon.js';
import { run, tryRun, waitFor } from './sh.js';
import { inNetns, NETNS } from './topology.js';

export const REMOTE_HOSTNAME = 'tbr-remote';

export interface RemotePaths {
  dir: string;
  socket: string;
  log: string;
  pid: string;
  caBundle: string;
}

export function remotePaths(labDir: string): RemotePaths {
  const dir = path.join(labDir, 'remote');
  return {
    dir,
    socket: path.join(dir, 'tailscaled.sock'),
    log: path.join(dir, 'tailscaled.log'),
    pid: path.join(dir, 'tailscaled.pid'),
    caBundle: path.join(dir, 'ca-bundle.crt'),
  };
}

export class RemoteDevice {
  constructor(
    readonly bins: { tailscaled: string; tailscale: string },
    readonly paths: RemotePaths,
  ) {}

  /** `tailscale --socket=… <args>` inside the namespace. */
  tailscale(args: string[], timeoutMs = 30_000) {
    return inNetns(NETNS.remote, [this.bins.tailscale, `--socket=${this.paths.socket}`, ...args], timeoutMs);
  }

  async start(caBundle: string): Promise<void> {
    mkdirSync(this.paths.dir, { recursive: true, mode: 0o700 });
    writeFileSync(this.paths.caBundle, caBundle);
    startDaemon({
      cmd: 'ip',
      args: [
        'netns',
        'exec',
        NETNS.remote,
        this.bins.tailscaled,
        `--statedir=${this.paths.dir}`,
        `--socket=${this.paths.socket}`,
        '--tun=tailscale0',
      ],
      env: { ...process.env, TS_NO_LOGS_NO_SUPPORT: 'true', SSL_CERT_FILE: this.paths.caBundle },
      logFile: this.paths.log,
      pidFile: this.paths.pid,
    });
    await waitFor(
      'the remote tailscaled socket',
      () => {
        if (!daemonAlive(this.paths.pid)) throw new Error(`remote tailscaled exited (see ${this.paths.log})`);
        return this.tailscale(['status', '--json'], 5000).stdout.includes('BackendState') ? true : undefined;
      },
      30_000,
    );
  }

  /** Joins the tailnet; the auth key goes on the command line of a local process only. */
  up(loginServer: string, authKey: string): void {
    const r = this.tailscale(
      [
        'up',
        `--login-server=${loginServer}`,
        `--authkey=${authKey}`,
        `--hostname=${REMOTE_HOSTNAME}`,
        '--accept-routes',
        '--accept-dns=false',
        '--timeout=60s',
      ],
      90_000,
    );
    if (r.code !== 0)
      throw new Error(`remote: tailscale up failed: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
  }

  status(): Record<string, unknown> {
    const r = this.tailscale(['status', '--json'], 10_000);
    if (r.code !== 0) throw new Error(`remote: tailscale status failed: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  /** One ICMP echo from the remote device (busybox ping). */
  ping(address: string, timeoutSeconds = 2): boolean {
    return (
      inNetns(NETNS.remote, ['busybox', 'ping', '-c', '1', '-W', String(timeoutSeconds), address]).code === 0
    );
  }

  /**
   * GET http://<address>:<port>/ from the remote device; the body, or undefined on failure. The
   * deadline is the process timeout: Debian's static busybox wget segfaults with -T.
   */
  httpGet(address: string, port: number, timeoutSeconds = 5): string | undefined {
    const r = inNetns(
      NETNS.remote,
      ['busybox', 'wget', '-q', '-O', '-', `http://${address}:${port}/`],
      timeoutSeconds * 1000,
    );
    return r.code === 0 ? r.stdout : undefined;
  }

  /** Routes the kernel would use from the remote device (e.g. `dev tailscale0 table 52`). */
  routeTo(address: string): string {
    return tryRun('ip', ['netns', 'exec', NETNS.remote, 'ip', 'route', 'get', address]).stdout.trim();
  }
}

export function remoteLogTail(p: RemotePaths, lines = 20): string {
  return run('tail', ['-n', String(lines), p.log]);
}
