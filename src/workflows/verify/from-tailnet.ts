import type { HostProbe } from '../../adapters/probe.js';
import { runProcess } from '../../adapters/process.js';
import {
  type Check,
  classifyTailscalePing,
  type Expectations,
  evaluateEndToEnd,
  parseStatusJson,
  type TailscaleStatus,
  type TargetResult,
  tailscalePingArgs,
} from '../../core/verify/index.js';
import type { RunVerifyOptions, VerifyDeps } from './deps.js';
import { resolveTarget, routeVisible } from './tailnet-targets.js';

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

export async function fromTailnetEndToEnd(
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
