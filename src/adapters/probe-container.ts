import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { TailbridgeError } from '../errors.js';
import { engineError } from './docker/engine.js';

export const PROBE_LABEL = 'tailbridge.probe';
/** The port the probe's SOCKS5 server listens on inside its container. */
export const PROBE_SOCKS_PORT = 1055;

export interface ProbeSpec {
  image: string;
  /** Machine name on the tailnet (`<hostname>-probe`). */
  hostname: string;
  /** Full environment, auth included: never logged, never returned. */
  env: Record<string, string>;
  /** Docker bind strings, absolute host paths (`/abs:/in/container[:ro]`). */
  binds: string[];
}

export interface RunningProbe {
  id: string;
  name: string;
  /** SOCKS5 endpoint on this machine (127.0.0.1:<random>). */
  socks: { host: string; port: number };
  remove(): Promise<void>;
}

/** Starts and removes the ephemeral probe container (userspace tailscale with a SOCKS5 proxy). */
export interface ProbeContainers {
  /** Removes probes left behind by an earlier run that was killed (label tailbridge.probe=1). */
  removeStale(): Promise<string[]>;
  start(spec: ProbeSpec): Promise<RunningProbe>;
}

function where(): string {
  return process.env.DOCKER_HOST ?? '/var/run/docker.sock';
}

export class DockerProbeContainers implements ProbeContainers {
  constructor(private readonly docker: Docker = new Docker()) {}

  async removeStale(): Promise<string[]> {
    const list = await this.docker
      .listContainers({ all: true, filters: { label: [`${PROBE_LABEL}=1`] } })
      .catch((e) => {
        throw engineError(e, where(), 'list probe containers');
      });
    await Promise.all(
      list.map((c) =>
        this.docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {}),
      ),
    );
    return list.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, ''));
  }

  private async ensureImage(image: string): Promise<void> {
    try {
      await this.docker.getImage(image).inspect();
      return;
    } catch {}
    try {
      const stream = await this.docker.pull(image);
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())),
      );
    } catch (e) {
      throw new TailbridgeError(
        `probe image ${image} is not present and could not be pulled: ${engineError(e, where(), 'pull').message}`,
      );
    }
  }

  async start(spec: ProbeSpec): Promise<RunningProbe> {
    await this.ensureImage(spec.image);
    const name = `tailbridge-probe-${randomBytes(4).toString('hex')}`;
    const portKey = `${PROBE_SOCKS_PORT}/tcp`;
    let container: Docker.Container | undefined;
    const remove = async () => {
      if (container) await container.remove({ force: true, v: true }).catch(() => {});
    };
    try {
      container = await this.docker.createContainer({
        name,
        Image: spec.image,
        Hostname: spec.hostname,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: { [PROBE_LABEL]: '1', 'tailbridge.probe.hostname': spec.hostname },
        ExposedPorts: { [portKey]: {} },
        HostConfig: {
          Binds: spec.binds,
          PortBindings: { [portKey]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
        },
      });
      await container.start();
      const info = await container.inspect();
      const hostPort = info.NetworkSettings.Ports?.[portKey]?.[0]?.HostPort;
      if (!hostPort)
        throw new TailbridgeError(`probe ${name}: SOCKS5 port ${PROBE_SOCKS_PORT} was not published`);
      return { id: info.Id, name, socks: { host: '127.0.0.1', port: Number(hostPort) }, remove };
    } catch (e) {
      await remove();
      throw e instanceof TailbridgeError ? e : engineError(e, where(), 'start the probe container');
    }
  }
}

/** KEY=VALUE lines of an env file (compose rules: # comments, optional quotes); values stay in memory only. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    env[m[1]!] = v;
  }
  return env;
}
