/**
 * The Docker engine as tailbridge sees it: containers, networks, exec and logs. Implemented over
 * dockerode in adapters/docker/engine.ts.
 */
import type { ExecResult } from './exec.js';

export interface ContainerNetwork {
  networkId: string;
  ipv4?: string;
  ipv6?: string;
  mac?: string;
  aliases: string[];
}

export interface ContainerInfo {
  id: string;
  /** Without the leading slash. */
  name: string;
  image: string;
  state: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
  restartCount: number;
  /** Docker healthcheck status, when the container has one. */
  health?: 'starting' | 'healthy' | 'unhealthy';
  /** The healthcheck's test (`["CMD", …]` or `["CMD-SHELL", "…"]`), when the container has one. */
  healthcheckTest?: string[];
  exitCode?: number;
  startedAt?: string;
  labels: Record<string, string>;
  /** `host`, `bridge`, `container:<id>`, `<network name>`… */
  networkMode: string;
  networks: Record<string, ContainerNetwork>;
  /** Environment variable NAMES only: values may hold secrets and are never read into tailbridge. */
  envNames: string[];
  /**
   * Values of the non-secret TS_* switches tailbridge reasons about (TS_USERSPACE, TS_ROUTES, …);
   * TS_EXTRA_ARGS with any credential in it replaced (it is appended to `tailscale up`).
   */
  tsSettings: Record<string, string>;
  /** The container's hostname (Config.Hostname): containerboot's node name without TS_HOSTNAME. */
  hostname?: string;
  capAdd: string[];
  devices: string[];
  sysctls: Record<string, string>;
  publishedPorts: { container: string; hostIp?: string; hostPort?: string }[];
  mounts: { source: string; destination: string; type: string }[];
}

export interface NetworkInfo {
  id: string;
  name: string;
  driver: string;
  subnets: string[];
  gateways: string[];
  ipRanges: string[];
  /** macvlan/ipvlan parent interface. */
  parent?: string;
  labels: Record<string, string>;
  containers: { name: string; ipv4?: string }[];
}

/** A container or network as the list APIs show it (no inspect). */
export interface DockerObjectRef {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface DockerEngine {
  /** Throws a one-line TailbridgeError when the engine is missing, unreachable or forbidden. */
  ping(): Promise<void>;
  version(): Promise<{ engine: string; api: string }>;
  listContainers(filter?: { label?: string[]; all?: boolean }): Promise<ContainerInfo[]>;
  inspectContainer(nameOrId: string): Promise<ContainerInfo | undefined>;
  listNetworks(): Promise<NetworkInfo[]>;
  /** Every container (running or not) and network, from the list APIs only: cheap enough to snapshot. */
  listObjects(): Promise<{ containers: DockerObjectRef[]; networks: DockerObjectRef[] }>;
  exec(container: string, cmd: string[], options?: { timeoutMs?: number }): Promise<ExecResult>;
  logs(container: string, options?: { tail?: number }): Promise<string>;
  /** Removes a container (forced: stopped first). A container that is already gone is not an error. */
  removeContainer(nameOrId: string): Promise<void>;
  /** Removes a network. One that is already gone is not an error. */
  removeNetwork(nameOrId: string): Promise<void>;
}
