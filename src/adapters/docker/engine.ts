import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { redactExtraArgs } from '../../core/identity/extra-args.js';
import type { ContainerInfo, DockerEngine, DockerObjectRef, NetworkInfo } from '../../core/ports/docker.js';
import type { ExecResult } from '../../core/ports/exec.js';
import { TailbridgeError } from '../../errors.js';

/** TS_* settings tailbridge may read back from a container: switches and routes, never credentials. */
const READABLE_TS_SETTINGS = new Set([
  'TS_USERSPACE',
  'TS_ROUTES',
  'TS_HOSTNAME',
  'TS_STATE_DIR',
  'TS_AUTH_ONCE',
  'TS_ACCEPT_DNS',
  'TS_SERVE_CONFIG',
  'TS_DEST_IP',
  'TS_ENABLE_HEALTH_CHECK',
  'TS_LOCAL_ADDR_PORT',
  'TS_SOCKS5_SERVER',
  'TS_SOCKET',
]);

/** The Docker engine over its API (unix, tcp or ssh DOCKER_HOST, as dockerode/docker-modem read it). */
export class DockerodeEngine implements DockerEngine {
  private readonly docker: Docker;

  constructor(docker: Docker = new Docker()) {
    this.docker = docker;
  }

  private where(): string {
    return process.env.DOCKER_HOST ?? '/var/run/docker.sock';
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw engineError(error, this.where(), what);
    }
  }

  async ping(): Promise<void> {
    await this.call('ping', () => this.docker.ping());
  }

  async version(): Promise<{ engine: string; api: string }> {
    const v = await this.call('version', () => this.docker.version());
    return { engine: v.Version, api: v.ApiVersion };
  }

  async listContainers(filter: { label?: string[]; all?: boolean } = {}): Promise<ContainerInfo[]> {
    const list = await this.call('list containers', () =>
      this.docker.listContainers({
        all: filter.all ?? true,
        ...(filter.label ? { filters: { label: filter.label } } : {}),
      }),
    );
    const infos = await Promise.all(list.map((c) => this.inspectContainer(c.Id)));
    return infos.filter((c): c is ContainerInfo => c !== undefined);
  }

  async inspectContainer(nameOrId: string): Promise<ContainerInfo | undefined> {
    try {
      return toContainerInfo(await this.docker.getContainer(nameOrId).inspect());
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw engineError(error, this.where(), `inspect ${nameOrId}`);
    }
  }

  async listNetworks(): Promise<NetworkInfo[]> {
    const list = await this.call('list networks', () => this.docker.listNetworks());
    const detailed = await Promise.all(
      list.map((n) => this.call('inspect network', () => this.docker.getNetwork(n.Id).inspect())),
    );
    return detailed.map(toNetworkInfo);
  }

  async listObjects(): Promise<{ containers: DockerObjectRef[]; networks: DockerObjectRef[] }> {
    const [containers, networks] = await Promise.all([
      this.call('list containers', () => this.docker.listContainers({ all: true })),
      this.call('list networks', () => this.docker.listNetworks()),
    ]);
    return {
      containers: containers.map((c) => ({
        id: c.Id,
        name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
        labels: c.Labels ?? {},
      })),
      networks: networks.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} })),
    };
  }

  async exec(container: string, cmd: string[], options: { timeoutMs?: number } = {}): Promise<ExecResult> {
    return this.call(`exec in ${container}`, async () => {
      const exec = await this.docker
        .getContainer(container)
        .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false });
      const stream = await exec.start({ hijack: true, stdin: false });
      const out = new PassThrough();
      const err = new PassThrough();
      const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
      out.on('data', (b: Buffer) => chunks.out.push(b));
      err.on('data', (b: Buffer) => chunks.err.push(b));
      this.docker.modem.demuxStream(stream, out, err);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          stream.destroy();
          reject(
            new TailbridgeError(
              `exec ${cmd.join(' ')} in ${container}: no answer within ${options.timeoutMs} ms`,
            ),
          );
        }, options.timeoutMs ?? 30_000);
        stream.on('end', () => {
          clearTimeout(timer);
          resolve();
        });
        stream.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      const info = await exec.inspect();
      return {
        exitCode: info.ExitCode ?? -1,
        stdout: Buffer.concat(chunks.out).toString('utf8'),
        stderr: Buffer.concat(chunks.err).toString('utf8'),
      };
    });
  }

  async removeContainer(nameOrId: string): Promise<void> {
    try {
      await this.docker.getContainer(nameOrId).remove({ force: true, v: false });
    } catch (error) {
      if (statusOf(error) !== 404) throw engineError(error, this.where(), `remove container ${nameOrId}`);
    }
  }

  async removeNetwork(nameOrId: string): Promise<void> {
    try {
      await this.docker.getNetwork(nameOrId).remove();
    } catch (error) {
      if (statusOf(error) !== 404) throw engineError(error, this.where(), `remove network ${nameOrId}`);
    }
  }

  async logs(container: string, options: { tail?: number } = {}): Promise<string> {
    return this.call(`logs of ${container}`, async () => {
      const c = this.docker.getContainer(container);
      const info = await c.inspect();
      const raw = (await c.logs({
        stdout: true,
        stderr: true,
        tail: options.tail ?? 200,
        follow: false,
      })) as unknown as Buffer;
      return info.Config.Tty ? raw.toString('utf8') : demuxBuffer(raw);
    });
  }
}

/** Non-TTY logs are framed: 8-byte header [stream, 0, 0, 0, size uint32 BE] then the payload. */
export function demuxBuffer(buf: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const size = buf.readUInt32BE(offset + 4);
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

function toContainerInfo(c: Docker.ContainerInspectInfo): ContainerInfo {
  const env = c.Config.Env ?? [];
  const tsSettings: Record<string, string> = {};
  for (const entry of env) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (READABLE_TS_SETTINGS.has(name)) tsSettings[name] = entry.slice(eq + 1);
    // Flags for `tailscale up`: kept only with every credential in them replaced.
    else if (name === 'TS_EXTRA_ARGS') tsSettings[name] = redactExtraArgs(entry.slice(eq + 1));
  }
  const networks: ContainerInfo['networks'] = {};
  for (const [name, n] of Object.entries(c.NetworkSettings.Networks ?? {})) {
    networks[name] = {
      networkId: n.NetworkID,
      ...(n.IPAddress ? { ipv4: n.IPAddress } : {}),
      ...(n.GlobalIPv6Address ? { ipv6: n.GlobalIPv6Address } : {}),
      ...(n.MacAddress ? { mac: n.MacAddress } : {}),
      aliases: n.Aliases ?? [],
    };
  }
  const health = (c.State as { Health?: { Status?: string } }).Health?.Status;
  const test = (c.Config as { Healthcheck?: { Test?: string[] } }).Healthcheck?.Test;
  const ports = Object.entries(c.NetworkSettings.Ports ?? {}).flatMap(([container, bindings]) =>
    (bindings ?? []).map((b) => ({ container, hostIp: b.HostIp, hostPort: b.HostPort })),
  );
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    image: c.Config.Image,
    state: c.State.Status as ContainerInfo['state'],
    restartCount: c.RestartCount ?? 0,
    ...(health === 'starting' || health === 'healthy' || health === 'unhealthy' ? { health } : {}),
    ...(test && test.length > 0 && test[0] !== 'NONE' ? { healthcheckTest: test } : {}),
    ...(c.State.Status === 'exited' ? { exitCode: c.State.ExitCode } : {}),
    ...(c.State.StartedAt ? { startedAt: c.State.StartedAt } : {}),
    labels: c.Config.Labels ?? {},
    ...(c.Config.Hostname ? { hostname: c.Config.Hostname } : {}),
    networkMode: c.HostConfig.NetworkMode ?? 'default',
    networks,
    envNames: env.map((e) => e.split('=')[0]!),
    tsSettings,
    capAdd: c.HostConfig.CapAdd ?? [],
    devices: (c.HostConfig.Devices ?? []).map(
      (d: { PathOnHost: string; PathInContainer: string }) => `${d.PathOnHost}:${d.PathInContainer}`,
    ),
    sysctls: (c.HostConfig as { Sysctls?: Record<string, string> }).Sysctls ?? {},
    publishedPorts: ports,
    mounts: (c.Mounts ?? []).map((m) => ({ source: m.Source, destination: m.Destination, type: m.Type })),
  };
}

function toNetworkInfo(n: Docker.NetworkInspectInfo): NetworkInfo {
  const config = n.IPAM?.Config ?? [];
  return {
    id: n.Id,
    name: n.Name,
    driver: n.Driver,
    subnets: config.map((c) => c.Subnet).filter((s): s is string => Boolean(s)),
    gateways: config.map((c) => c.Gateway).filter((s): s is string => Boolean(s)),
    ipRanges: config.map((c) => (c as { IPRange?: string }).IPRange).filter((s): s is string => Boolean(s)),
    ...(n.Options?.parent ? { parent: n.Options.parent } : {}),
    labels: n.Labels ?? {},
    containers: Object.values(n.Containers ?? {}).map((c) => ({
      name: c.Name,
      ...(c.IPv4Address ? { ipv4: c.IPv4Address.split('/')[0]! } : {}),
    })),
  };
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/** One clear line for the ways reaching the engine fails. */
export function engineError(error: unknown, where: string, what: string): TailbridgeError {
  if (error instanceof TailbridgeError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED')
    return new TailbridgeError(
      `Docker engine not reachable at ${where} (is dockerd running? set DOCKER_HOST to point elsewhere)`,
    );
  if (code === 'EACCES' || code === 'EPERM')
    return new TailbridgeError(
      `permission denied on ${where} (run as root or add your user to the docker group)`,
    );
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH')
    return new TailbridgeError(`Docker engine at ${where} did not answer (${code})`);
  const message =
    (error as { json?: { message?: string } }).json?.message ?? (error as Error).message ?? String(error);
  return new TailbridgeError(`Docker ${what} failed: ${message.trim().split('\n')[0]}`);
}
