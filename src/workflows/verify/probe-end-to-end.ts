import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HostProbe } from '../../adapters/probe.js';
import {
  DockerProbeContainers,
  PROBE_SOCKS_PORT,
  parseEnvFile,
  type RunningProbe,
} from '../../adapters/probe-container.js';
import { loginServerArgs } from '../../core/generate/tailscale-service.js';
import {
  type Check,
  classifyTailscalePing,
  type Expectations,
  evaluateEndToEnd,
  fail,
  parseStatusJson,
  skip,
  skipEndToEnd,
  type TailscaleStatus,
  type TargetResult,
  tailscalePingArgs,
} from '../../core/verify/index.js';
import { TailbridgeError } from '../../errors.js';
import type { RunVerifyOptions, VerifyDeps } from './deps.js';
import { defaultOnDockerHost, safeExec, sleep } from './exec.js';
import { resolveTarget, routeVisible } from './tailnet-targets.js';

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

export async function probeEndToEnd(
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
