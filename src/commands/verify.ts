import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type ConfigChoice,
  type LoadedConfig,
  loadConfig,
  resolveFromConfig,
} from '../adapters/config-file.js';
import { controlAccess } from '../adapters/control/open.js';
import { DockerodeEngine } from '../adapters/docker/engine.js';
import { type HostProbe, localHostProbe } from '../adapters/probe.js';
import {
  DockerProbeContainers,
  PROBE_SOCKS_PORT,
  type ProbeContainers,
  parseEnvFile,
  type RunningProbe,
} from '../adapters/probe-container.js';
import { runProcess } from '../adapters/process.js';
import { saveRun } from '../adapters/runs.js';
import type { Io } from '../cli/io.js';
import { VERSION } from '../cli/version.js';
import { healthcheckCommand, redactSecrets } from '../core/apply/readiness.js';
import { identityFromStatus } from '../core/control/find-node.js';
import type { ControlAccess } from '../core/control/ports.js';
import { loginServerArgs } from '../core/generate/tailscale-service.js';
import type { HomelabConfig } from '../core/model/config.js';
import { isMode, MODES, type Mode } from '../core/model/modes.js';
import { cidrContains } from '../core/model/net.js';
import { planModes, resolveEnvironment } from '../core/plan/index.js';
import type { ContainerInfo, DockerEngine, NetworkInfo } from '../core/ports/docker.js';
import type { ExecResult } from '../core/ports/exec.js';
import { runFromVerify } from '../core/report/from-verify.js';
import {
  type Check,
  type ContainerEvidence,
  classifyTailscalePing,
  detectMode,
  type Expectations,
  type ExpectedContainer,
  evaluateContainer,
  evaluateEndToEnd,
  evaluateNamespace,
  evaluateTailnet,
  expectations,
  fail,
  L4_NOT_REQUESTED,
  type MacvlanEvidence,
  type NamespaceEvidence,
  parseStatusJson,
  skip,
  skipEndToEnd,
  summarize,
  type TailnetEvidence,
  type TailnetTarget,
  type TailscalePrefs,
  type TailscaleStatus,
  type TargetResult,
  tailnetSuffix,
  tailscalePingArgs,
  type VerifyReport,
  verdictOf,
} from '../core/verify/index.js';
import { ExitCode, TailbridgeError } from '../errors.js';
import { renderVerifyText } from '../render/verify.js';
import { controlEvidence } from '../workflows/control.js';

export interface VerifyDeps {
  engine: DockerEngine;
  io?: Io;
  hostProbe?: HostProbe;
  probes?: ProbeContainers;
  /** `tailscale <args>` on THIS machine (for --from-tailnet: status, ping); default runs the local CLI. */
  localTailscale?: (args: string[]) => Promise<ExecResult>;
  /** The control server's API (default: from tailscale.control.api in the config). */
  control?: ControlAccess;
  /** Is tailbridge running on the Docker host? default: DOCKER_HOST unset or unix://. */
  onDockerHost?: boolean;
}

export interface RunVerifyOptions {
  config: HomelabConfig;
  /** Directory relative config paths (auth env file, probe volumes) resolve against. */
  configDir: string;
  /** Mode to verify; detected from the running container when omitted. */
  mode?: Mode;
  /** L4 through an ephemeral probe container (userspace tailscale + SOCKS5) started on the Docker host. */
  probe?: boolean;
  /** L4 by dialing the targets directly from this machine (a tailnet device). */
  fromTailnet?: boolean;
  /** Watch for restarts this long between two inspects (default 3000 ms). */
  restartWatchMs?: number;
  /** Per-connection timeout (default 2 s; nc -w takes whole seconds). */
  connectTimeoutMs?: number;
  /** Called with a short line before each long step (the CLI prints it on a TTY). */
  onProgress?: (line: string) => void;
  /** --from-tailnet: the local tailscaled's socket (`tailscale --socket`), when not the default. */
  tailscaleSocket?: string;
  /** User-Agent for the control server's API. */
  userAgent?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function defaultOnDockerHost(): boolean {
  const h = process.env.DOCKER_HOST;
  return !h || h.startsWith('unix://') || h.startsWith('npipe://');
}

async function safeExec(
  engine: DockerEngine,
  container: string,
  cmd: string[],
  timeoutMs = 15_000,
): Promise<ExecResult> {
  try {
    return await engine.exec(container, cmd, { timeoutMs });
  } catch (e) {
    return { exitCode: -1, stdout: '', stderr: (e as Error).message };
  }
}

/** `nc -w N host port </dev/null` through sh so stdin is closed; host and port are positional, never interpolated. */
function ncCommand(host: string, port: number, seconds: number): string[] {
  return ['sh', '-c', `nc -w ${seconds} "$0" "$1" </dev/null`, host, String(port)];
}

/**
 * Runs every check against the real engine and returns the report. Throws TailbridgeError only when it
 * cannot run at all (engine unreachable without --from-tailnet, unusable config for the mode); a
 * missing or stopped container is a failed check, not an error.
 */
export async function runVerify(deps: VerifyDeps, options: RunVerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const progress = options.onProgress ?? (() => {});
  const hostProbe = deps.hostProbe ?? localHostProbe;
  const timeoutMs = options.connectTimeoutMs ?? 2000;
  const ncSeconds = Math.max(1, Math.round(timeoutMs / 1000));
  const { config } = options;
  const checks: Check[] = [];

  let engineUp = true;
  try {
    await deps.engine.ping();
  } catch (e) {
    if (!options.fromTailnet) throw e;
    engineUp = false;
  }

  // Mode: given, or detected from the running tailscale container.
  let mode = options.mode;
  let modeSource: VerifyReport['modeSource'] = 'option';
  let networks: NetworkInfo[] = [];
  let main: ContainerInfo | undefined;
  if (engineUp) {
    networks = await deps.engine.listNetworks();
    main = await deps.engine.inspectContainer(config.tailscale.containerName);
  }
  if (!mode) {
    modeSource = 'detected';
    const detected = main ? detectMode(main, networks) : undefined;
    if (!detected?.mode) {
      const why = main
        ? `could not tell the mode of ${main.name}: ${detected?.reason}`
        : engineUp
          ? `no container named ${config.tailscale.containerName} to detect the mode from`
          : 'no Docker engine here to detect the mode from';
      throw new TailbridgeError(`${why}; pass --mode (${MODES.join(' | ')})`);
    }
    mode = detected.mode;
  }
  const exp = expectations(config, mode);
  const multi = exp.containers.length > 1;
  let access: Promise<ControlAccess> | undefined;
  const control = () =>
    (access ??= deps.control
      ? Promise.resolve(deps.control)
      : controlAccess(config, {
          configDir: options.configDir,
          ...(options.userAgent ? { userAgent: options.userAgent } : {}),
        }));
  const statuses: Record<string, TailscaleStatus | undefined> = {};

  if (!engineUp) {
    const why =
      'no Docker engine reachable from here (running on a tailnet device): container-side checks run on the Docker host';
    for (const c of exp.containers) {
      const p = multi ? `${c.containerName}/` : '';
      checks.push(
        skip({ id: `${p}L1.exists`, layer: 'L1', title: `container ${c.containerName} exists` }, why),
        skip({ id: `${p}L2.namespace`, layer: 'L2', title: 'network namespace checks' }, why),
        skip({ id: `${p}L3.backend`, layer: 'L3', title: 'BackendState is Running' }, why),
      );
    }
  } else {
    for (const c of exp.containers) {
      const prefix = multi ? `${c.containerName}/` : '';
      progress(`L1 ${c.containerName}: inspecting (watching for restarts)`);
      const ev = await gatherContainer(deps.engine, c, networks, options.restartWatchMs ?? 3000);
      const l1 = evaluateContainer(c, ev, prefix);
      checks.push(...l1);
      const running = ev.second?.state === 'running';
      if (!running) {
        const why = ev.first
          ? `the container is ${ev.second?.state ?? ev.first.state}, so nothing can run inside it`
          : 'the container does not exist';
        checks.push(
          skip({ id: `${prefix}L2.namespace`, layer: 'L2', title: 'network namespace checks' }, why),
          skip({ id: `${prefix}L3.backend`, layer: 'L3', title: 'BackendState is Running' }, why),
        );
        continue;
      }
      progress(`L2 ${c.containerName}: DNS, TCP and LAN checks from inside the container`);
      const ns = await gatherNamespace(deps, c, exp, ncSeconds, timeoutMs, hostProbe);
      checks.push(...evaluateNamespace(c, ns, { hostAddress: exp.hostAddress }, prefix));
      progress(`L3 ${c.containerName}: tailscale status`);
      const tn = await gatherTailnet(deps.engine, c);
      const st = tn.status ? parseStatusJson(tn.status.stdout) : undefined;
      statuses[c.hostname] = st && !('error' in st) ? st : undefined;
      if (c.routes.length > 0 || c.exitNode) {
        progress(`L3 ${c.containerName}: reading the control server`);
        tn.control = await controlEvidence(
          c.control.kind,
          await control(),
          identityFromStatus(statuses[c.hostname], c.hostname),
        );
      }
      checks.push(...evaluateTailnet(c, tn, prefix));
    }
  }

  // L4
  if (options.probe && engineUp) {
    progress('L4: starting the probe container');
    checks.push(...(await probeEndToEnd(deps, options, exp, statuses, timeoutMs, hostProbe, progress)));
  } else if (options.fromTailnet) {
    progress('L4: dialing the targets from this device');
    checks.push(...(await fromTailnetEndToEnd(deps, options, exp, statuses, timeoutMs, hostProbe)));
  } else if (options.probe)
    checks.push(
      ...skipEndToEnd(
        exp.tailnetTargets,
        'the probe container needs the Docker engine, which is not reachable',
      ),
    );
  else checks.push(...skipEndToEnd(exp.tailnetTargets, L4_NOT_REQUESTED, 'tailbridge verify --probe'));

  return {
    mode,
    modeSource,
    container: exp.containers.map((c) => c.containerName).join(', '),
    startedAt,
    durationMs: Date.now() - started,
    checks,
    verdict: verdictOf(checks),
    summary: summarize(checks),
  };
}

async function gatherContainer(
  engine: DockerEngine,
  c: ExpectedContainer,
  networks: NetworkInfo[],
  watchMs: number,
): Promise<ContainerEvidence> {
  const first = await engine.inspectContainer(c.containerName);
  if (!first) return { intervalSeconds: 0, networks };
  await sleep(watchMs);
  const second = (await engine.inspectContainer(c.containerName)) ?? first;
  const ev: ContainerEvidence = { first, second, intervalSeconds: Math.round(watchMs / 100) / 10, networks };
  // Docker runs the first healthcheck only after its interval (30 s for the generated service):
  // until then, run the same check now instead of reporting "starting".
  const command = second.health === 'starting' ? healthcheckCommand(second.healthcheckTest) : undefined;
  if (command) {
    const r = await safeExec(engine, c.containerName, command, 10_000);
    ev.healthNow = {
      command,
      exitCode: r.exitCode,
      output: redactSecrets(`${r.stdout}${r.stderr}`).trim().split('\n')[0] ?? '',
    };
  }
  return ev;
}

async function gatherNamespace(
  deps: VerifyDeps,
  c: ExpectedContainer,
  exp: Expectations,
  ncSeconds: number,
  timeoutMs: number,
  hostProbe: HostProbe,
): Promise<NamespaceEvidence> {
  const { engine } = deps;
  const name = c.containerName;
  const run = (cmd: string[]) => safeExec(engine, name, cmd, ncSeconds * 1000 + 10_000);
  const ev: NamespaceEvidence = { sysctls: {}, services: {}, lan: {} };
  const jobs: Promise<unknown>[] = [];
  if (c.needsTun) jobs.push(run(['test', '-c', '/dev/net/tun']).then((r) => (ev.tun = r)));
  for (const p of c.forwarding) jobs.push(run(['cat', p]).then((r) => (ev.sysctls[p] = r)));
  for (const s of c.services)
    jobs.push(
      (async () => {
        const dns = s.resolve ? await run(['nslookup', s.host]) : undefined;
        const tcp = await run(ncCommand(s.host, s.port, ncSeconds));
        ev.services[s.name] = { ...(dns ? { dns } : {}), tcp };
      })(),
    );
  for (const t of c.lanTargets)
    jobs.push(
      (async () => {
        const attempts: { port: number; result: ExecResult }[] = [];
        for (const port of t.ports) {
          const result = await run(ncCommand(t.address, port, ncSeconds));
          attempts.push({ port, result });
          const out = `${result.stderr}`;
          if (result.exitCode === 0 || (t.require === 'reachable' && /refused/i.test(out))) break;
        }
        ev.lan[t.id] = attempts;
      })(),
    );
  await Promise.all(jobs);
  if (c.macvlan) ev.macvlan = await gatherMacvlan(deps, c, exp.hostAddress, ncSeconds, timeoutMs, hostProbe);
  return ev;
}

async function gatherMacvlan(
  deps: VerifyDeps,
  c: ExpectedContainer,
  hostAddress: string,
  ncSeconds: number,
  timeoutMs: number,
  hostProbe: HostProbe,
): Promise<MacvlanEvidence> {
  const onDockerHost = deps.onDockerHost ?? defaultOnDockerHost();
  if (!onDockerHost) return { onDockerHost };
  const m = c.macvlan!;
  const shimPresent = await hostProbe.interfaceExists(m.shimName);
  const routeDevice = await hostProbe.routeDevice(m.address);
  const hostToContainer = await hostProbe.tcp(m.address, 9, timeoutMs);
  const listener = await hostProbe.listen();
  try {
    const containerToHost = await safeExec(
      deps.engine,
      c.containerName,
      ncCommand(hostAddress, listener.port, ncSeconds),
      ncSeconds * 1000 + 10_000,
    );
    return {
      onDockerHost,
      hostToContainer,
      containerToHost,
      listenerPort: listener.port,
      listenerAccepted: listener.accepted(),
      ...(shimPresent === undefined ? {} : { shimPresent }),
      ...(routeDevice === undefined ? {} : { routeDevice }),
    };
  } finally {
    await listener.close();
  }
}

async function gatherTailnet(engine: DockerEngine, c: ExpectedContainer): Promise<TailnetEvidence> {
  const status = await safeExec(engine, c.containerName, ['tailscale', 'status', '--json']);
  const ev: TailnetEvidence = { status };
  const prefs = await safeExec(engine, c.containerName, ['tailscale', 'debug', 'prefs']);
  if (prefs.exitCode === 0)
    try {
      ev.prefs = JSON.parse(prefs.stdout) as TailscalePrefs;
    } catch {}
  if (c.serve.length > 0)
    ev.serve = await safeExec(engine, c.containerName, ['tailscale', 'serve', 'status', '--json']);
  return ev;
}

/** `{fqdn:h}` / `{ip:h}` placeholders → a dialable host, from a status JSON that knows the node. */
function resolveTarget(
  t: TailnetTarget,
  own: Record<string, TailscaleStatus | undefined>,
  viewer: TailscaleStatus | undefined,
): { host: string } | { skip: string } {
  const m = /^\{(fqdn|ip):(.+)\}$/.exec(t.host);
  if (!m) return { host: t.host };
  const [, kind, hostname] = m as unknown as [string, 'fqdn' | 'ip', string];
  const peer = Object.values(viewer?.Peer ?? {}).find(
    (p) => p.HostName === hostname || p.DNSName?.split('.')[0] === hostname,
  );
  const self = own[hostname];
  if (kind === 'ip') {
    const ip = self?.TailscaleIPs?.[0] ?? peer?.TailscaleIPs?.[0];
    return ip ? { host: ip } : { skip: `the Tailscale IP of ${hostname} is unknown (L3 did not read it)` };
  }
  const dns = (self?.Self?.DNSName ?? peer?.DNSName)?.replace(/\.$/, '');
  if (dns) return { host: dns };
  const suffix = (self && tailnetSuffix(self)) ?? (viewer && tailnetSuffix(viewer));
  return suffix ? { host: `${hostname}.${suffix}` } : { host: hostname };
}

/** A subnet-route target is only proven if the viewer reaches it THROUGH the tailnet, not directly. */
function routeVisible(viewer: TailscaleStatus, ip: string): string | undefined {
  for (const p of Object.values(viewer.Peer ?? {})) {
    const route = ((p as { AllowedIPs?: string[] | null }).AllowedIPs ?? []).find(
      (r) => r.includes('/') && !/\/(32|128)$/.test(r) && cidrContains(r, ip),
    );
    if (route) return `${route} via ${p.DNSName?.split('.')[0] ?? p.HostName}`;
  }
  return undefined;
}

async function probeEnv(options: RunVerifyOptions, hostname: string): Promise<Record<string, string>> {
  const { config, configDir } = options;
  const composeDir = path.resolve(configDir, path.dirname(config.paths.compose));
  const auth = config.tailscale.auth;
  const env: Record<string, string> = {};
  const AUTH_KEYS = [
    'TS_AUTHKEY',
    'TS_AUTH_KEY',
    'TS_CLIENT_ID',
    'TS_CLIENT_SECRET',
    'TS_ID_TOKEN',
    'TS_AUDIENCE',
  ];
  const fromFile = async (p: string) => {
    const text = await readFile(path.resolve(composeDir, p), 'utf8').catch(() => {
      throw new TailbridgeError(`probe: cannot read the auth file ${p} (tailscale.auth)`);
    });
    return text;
  };
  if (auth.method === 'secret_file') env.TS_AUTHKEY = (await fromFile(auth.path)).trim();
  else if (auth.method === 'oauth' && auth.clientSecretFile)
    env.TS_CLIENT_SECRET = (await fromFile(auth.clientSecretFile)).trim();
  else {
    const parsed = parseEnvFile(
      await fromFile(auth.method === 'env_file' ? auth.path : auth.clientIdEnvFile!),
    );
    for (const k of AUTH_KEYS) if (parsed[k] !== undefined) env[k] = parsed[k];
  }
  const extra = [...loginServerArgs(config.tailscale.controlServer), '--accept-routes'];
  if (config.tailscale.tags.length > 0 && auth.method === 'oauth')
    extra.push(`--advertise-tags=${config.tailscale.tags.join(',')}`);
  const user = config.verify?.probe.environment ?? {};
  return {
    ...env,
    TS_HOSTNAME: hostname,
    TS_USERSPACE: 'true',
    TS_SOCKS5_SERVER: `0.0.0.0:${PROBE_SOCKS_PORT}`,
    TS_AUTH_ONCE: 'false',
    ...user,
    TS_EXTRA_ARGS: [...extra, user.TS_EXTRA_ARGS ?? ''].join(' ').trim(),
  };
}

function probeBinds(options: RunVerifyOptions): string[] {
  return (options.config.verify?.probe.volumes ?? []).map((v) => {
    const [src, ...rest] = v.split(':');
    const abs =
      src && (src.startsWith('.') || src.startsWith('/')) ? path.resolve(options.configDir, src) : src;
    return [abs, ...rest].join(':');
  });
}

async function probeEndToEnd(
  deps: VerifyDeps,
  options: RunVerifyOptions,
  exp: Expectations,
  own: Record<string, TailscaleStatus | undefined>,
  timeoutMs: number,
  hostProbe: HostProbe,
  progress: (l: string) => void,
): Promise<Check[]> {
  const probes = deps.probes ?? new DockerProbeContainers();
  const hostname = `${options.config.tailscale.hostname}-probe`.slice(0, 63);
  const base = {
    id: 'L4.probe',
    layer: 'L4' as const,
    title: `probe container ${hostname} joins the tailnet`,
  };
  if (!(deps.onDockerHost ?? defaultOnDockerHost()))
    return [
      skip(
        base,
        'the probe publishes its SOCKS5 port on 127.0.0.1 of the Docker host, and tailbridge is not running there',
      ),
      ...skipEndToEnd(exp.tailnetTargets, 'no probe'),
    ];
  let probe: RunningProbe | undefined;
  const cleanup = async () => {
    if (probe) {
      const p = probe;
      probe = undefined;
      await p.remove();
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void cleanup().finally(() => {
      if (process.listenerCount(signal) === 0) process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  const handlers = { SIGINT: () => onSignal('SIGINT'), SIGTERM: () => onSignal('SIGTERM') };
  process.once('SIGINT', handlers.SIGINT);
  process.once('SIGTERM', handlers.SIGTERM);
  try {
    await probes.removeStale();
    const env = await probeEnv(options, hostname);
    probe = await probes.start({
      image: options.config.verify?.probe.image ?? options.config.tailscale.image,
      hostname,
      env,
      binds: probeBinds(options),
    });
    const deadline = Date.now() + (options.config.verify?.probe.timeoutSeconds ?? 90) * 1000;
    let viewer: TailscaleStatus | undefined;
    let last = 'no status yet';
    progress(`L4: waiting for ${probe.name} to reach Running`);
    while (Date.now() < deadline) {
      const r = await safeExec(deps.engine, probe.name, ['tailscale', 'status', '--json'], 10_000);
      const st = r.stdout.includes('{')
        ? parseStatusJson(r.stdout)
        : { error: (r.stderr || r.stdout).trim().split('\n')[0] ?? '' };
      if (!('error' in st) && st.BackendState === 'Running') {
        viewer = st;
        break;
      }
      last = 'error' in st ? st.error : `BackendState ${st.BackendState}`;
      const info = await deps.engine.inspectContainer(probe.name);
      if (info && info.state !== 'running') {
        last = `the probe container ${info.state}${info.exitCode !== undefined ? ` (exit ${info.exitCode})` : ''}`;
        break;
      }
      await sleep(500);
    }
    if (!viewer)
      return [
        fail(
          base,
          `${probe.name}: ${last}`,
          'check the auth key in tailscale.auth (reusable?) and verify.probe settings',
        ),
        ...skipEndToEnd(exp.tailnetTargets, 'the probe did not join the tailnet'),
      ];
    const checks: Check[] = [
      {
        ...base,
        status: 'pass',
        evidence: `${probe.name} Running as ${viewer.Self?.DNSName ?? hostname} (${(viewer.TailscaleIPs ?? []).join(', ')})`,
      },
    ];
    // The SOCKS5 listener may come up just after Running.
    for (let i = 0; i < 20; i++) {
      const r = await hostProbe.tcp(probe.socks.host, probe.socks.port, 1000);
      if (r.outcome === 'open') break;
      await sleep(250);
    }
    const results: Record<string, TargetResult> = {};
    for (const t of exp.tailnetTargets) {
      if (t.unsupported) continue;
      const resolved = resolveTarget(t, own, viewer);
      if ('skip' in resolved) {
        results[t.id] = resolved;
        continue;
      }
      if (t.check === 'ping') {
        const r = await safeExec(
          deps.engine,
          probe.name,
          ['tailscale', ...tailscalePingArgs(resolved.host)],
          20_000,
        );
        results[t.id] = { host: resolved.host, ping: classifyTailscalePing(r) };
        continue;
      }
      if (t.via === 'subnet-route' && !routeVisible(viewer, resolved.host)) {
        results[t.id] = {
          host: resolved.host,
          result: {
            outcome: 'unreachable',
            detail: `no peer offers an approved route to ${resolved.host} (the probe would dial it directly from the Docker host, which proves nothing)`,
          },
        };
        continue;
      }
      const r = await hostProbe.socks5(probe.socks, resolved.host, t.port, timeoutMs + 3000);
      const via = t.via === 'subnet-route' ? ` [${routeVisible(viewer, resolved.host)}]` : '';
      results[t.id] = { host: resolved.host, result: { ...r, detail: `${r.detail}${via}` } };
    }
    checks.push(...evaluateEndToEnd(exp.tailnetTargets, results, 'probe'));
    return checks;
  } catch (e) {
    return [
      fail(base, `could not run the probe: ${(e as Error).message}`),
      ...skipEndToEnd(exp.tailnetTargets, 'the probe did not start'),
    ];
  } finally {
    await cleanup();
    process.off('SIGINT', handlers.SIGINT);
    process.off('SIGTERM', handlers.SIGTERM);
  }
}

/** The local `tailscale` CLI (on the tailnet device running tailbridge), with --socket when given. */
function localTailscale(deps: VerifyDeps, options: RunVerifyOptions) {
  return (
    deps.localTailscale ??
    ((args: string[]) =>
      runProcess(
        'tailscale',
        [...(options.tailscaleSocket ? [`--socket=${options.tailscaleSocket}`] : []), ...args],
        {
          timeoutMs: 20_000,
        },
      ))
  );
}

async function fromTailnetEndToEnd(
  deps: VerifyDeps,
  options: RunVerifyOptions,
  exp: Expectations,
  own: Record<string, TailscaleStatus | undefined>,
  timeoutMs: number,
  hostProbe: HostProbe,
): Promise<Check[]> {
  const tailscale = localTailscale(deps, options);
  const r = await tailscale(['status', '--json']);
  const parsed = r.exitCode === 0 ? parseStatusJson(r.stdout) : undefined;
  const viewer = parsed && !('error' in parsed) ? parsed : undefined;
  const results: Record<string, TargetResult> = {};
  for (const t of exp.tailnetTargets) {
    if (t.unsupported) continue;
    const resolved = resolveTarget(t, own, viewer);
    if ('skip' in resolved) {
      results[t.id] = resolved;
      continue;
    }
    if (t.check === 'ping') {
      results[t.id] = viewer
        ? {
            host: resolved.host,
            ping: classifyTailscalePing(await tailscale(tailscalePingArgs(resolved.host))),
          }
        : {
            skip: `this device's tailscale does not answer (tailscale status: ${(r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.exitCode}`}), so it cannot ping the node${options.tailscaleSocket ? '' : '; a tailscaled with another socket: --socket <path>'}`,
          };
      continue;
    }
    if (t.via === 'subnet-route' && viewer && !routeVisible(viewer, resolved.host)) {
      results[t.id] = {
        host: resolved.host,
        result: {
          outcome: 'unreachable',
          detail: `this device sees no approved tailnet route to ${resolved.host}; a direct LAN connection would prove nothing`,
        },
      };
      continue;
    }
    results[t.id] = {
      host: resolved.host,
      result: await hostProbe.tcp(resolved.host, t.port, timeoutMs + 3000),
    };
  }
  return evaluateEndToEnd(exp.tailnetTargets, results, 'from-tailnet');
}

// ------------------------------------------------------------------------------------------------
// CLI

export interface VerifyOptions extends ConfigChoice {
  mode?: string;
  probe?: boolean;
  fromTailnet?: boolean;
  /** --socket: the local tailscaled's socket for --from-tailnet. */
  socket?: string;
  json?: boolean;
}

/**
 * `tailbridge verify`: exit 0 when every check passed (skips allowed), 1 when any check failed
 * (a missing or stopped container is a failed check), 2 when it could not run (engine unreachable,
 * bad config, mode neither given nor detectable).
 */
export async function verify(
  options: VerifyOptions,
  io: Io,
  deps: Partial<VerifyDeps> = {},
): Promise<number> {
  if (options.mode !== undefined && !isMode(options.mode))
    throw new TailbridgeError(`unknown mode "${options.mode}" (one of ${MODES.join(', ')})`);
  const loaded = await loadConfig(options, io.cwd);
  const report = await runVerify(
    { engine: deps.engine ?? new DockerodeEngine(), io, ...deps },
    {
      config: loaded.config,
      configDir: loaded.dir,
      ...(options.mode ? { mode: options.mode as Mode } : {}),
      probe: Boolean(options.probe),
      fromTailnet: Boolean(options.fromTailnet),
      ...(options.socket ? { tailscaleSocket: options.socket } : {}),
      userAgent: `tailbridge/${VERSION}`,
      ...(io.isTTY && !options.json ? { onProgress: (l: string) => io.stderr(`… ${l}`) } : {}),
    },
  );
  await recordRun(loaded, report);
  if (options.json) io.stdout(JSON.stringify(report, null, 2));
  else io.stdout(renderVerifyText(report, { color: io.color, width: process.stdout.columns ?? 100 }));
  return report.verdict === 'pass' ? ExitCode.ok : ExitCode.failed;
}

/** Keeps the run next to the compose file (when it exists) so `tailbridge report` can render it. */
async function recordRun(loaded: LoadedConfig, report: VerifyReport): Promise<void> {
  const composeFile = resolveFromConfig(loaded, loaded.config.paths.compose);
  if (!existsSync(composeFile)) return;
  const { config } = loaded;
  await saveRun(
    path.dirname(composeFile),
    runFromVerify({
      report,
      config,
      configFile: loaded.file,
      composeFile: config.paths.compose,
      environment: resolveEnvironment(config),
      plan: planModes(config),
      toolVersion: VERSION,
    }),
  );
}
