import type { TailnetTarget } from './expectations.js';
import { answered, type TcpResult } from './probe-result.js';
import { type Check, fail, pass, skip } from './types.js';

export type Vantage = 'probe' | 'from-tailnet';

/** What `tailscale ping --tsmp -c 1` from the vantage point showed. */
export interface PingResult {
  ok: boolean;
  /** The pong line, or why there was none. */
  detail: string;
}

export type TargetResult =
  | { host: string; result: TcpResult }
  | { host: string; ping: PingResult }
  | { skip: string };

/** `tailscale ping` exits 0 after a pong ("pong from <name> (<ip>) via … in …"), 1 with "no reply". */
export function classifyTailscalePing(r: { exitCode: number; stdout: string; stderr: string }): PingResult {
  const lines = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const pong = lines.find((l) => /^pong from /.test(l));
  if (r.exitCode === 0 && pong) return { ok: true, detail: pong };
  const why = lines.find((l) => !/^pong from /.test(l)) ?? `exit ${r.exitCode}`;
  return { ok: false, detail: r.exitCode === 127 ? `tailscale is not usable here: ${why}` : why };
}

/** The argv of the ping: TSMP through WireGuard to the peer's tailscaled, one try. */
export function tailscalePingArgs(ip: string, timeoutSeconds = 5): string[] {
  return ['ping', '--tsmp', '-c', '1', `--timeout=${timeoutSeconds}s`, ip];
}

const VANTAGE_TEXT: Record<Vantage, string> = {
  probe: 'through the probe container’s SOCKS5 proxy',
  'from-tailnet': 'from this tailnet device',
};

const PING_VANTAGE: Record<Vantage, string> = {
  probe: 'from the probe container',
  'from-tailnet': 'from this tailnet device',
};

/** L4: each target dialed from a tailnet vantage point. */
export function evaluateEndToEnd(
  targets: readonly TailnetTarget[],
  results: Record<string, TargetResult>,
  vantage: Vantage,
): Check[] {
  return targets.map((t) => {
    const base = { id: t.id, layer: 'L4' as const, title: t.name };
    if (t.unsupported) return skip({ ...base, source: 'headscale-features' }, t.unsupported);
    const r = results[t.id];
    if (!r) return skip(base, 'not checked');
    if ('skip' in r) return skip(base, r.skip);
    if ('ping' in r) {
      const evidence = `tailscale ping --tsmp ${r.host} ${PING_VANTAGE[vantage]}: ${r.ping.detail}`;
      return r.ping.ok
        ? pass({ ...base, source: 'tailscale-ping-tsmp' }, evidence)
        : fail(
            { ...base, source: 'tailscale-ping-tsmp' },
            evidence,
            'the node does not answer through WireGuard: check L3 (Running, IPs), that both ends are online, and a direct or DERP path (tailscale netcheck)',
          );
    }
    const evidence = `TCP ${r.host}:${t.port} ${VANTAGE_TEXT[vantage]}: ${r.result.detail}`;
    const ok = t.require === 'open' ? r.result.outcome === 'open' : answered(r.result.outcome);
    if (ok) return pass(base, evidence);
    return fail(base, evidence, hintFor(t, r.result));
  });
}

function hintFor(t: TailnetTarget, r: TcpResult): string {
  if (t.via === 'subnet-route')
    return r.outcome === 'refused'
      ? `the route works but nothing accepts ${t.host}:${t.port}: is the service published there?`
      : 'the subnet route is not carrying traffic: is it approved (L3), does this client accept routes (tailscale set --accept-routes), and does L2 reach the target from the container?';
  if (t.via === 'serve')
    return 'the serve endpoint does not answer: check the L3 serve checks and that HTTPS certificates are enabled';
  return 'the node does not answer on its Tailscale IP: check L3 (Running, IPs) and the tailnet policy (ACLs) for this client';
}

export function skipEndToEnd(targets: readonly TailnetTarget[], why: string, hint?: string): Check[] {
  if (targets.length === 0)
    return [
      skip(
        { id: 'L4.targets', layer: 'L4', title: 'end-to-end targets' },
        `${why}; and the config names no tailnet targets`,
        hint,
      ),
    ];
  return targets.map((t) => skip({ id: t.id, layer: 'L4', title: t.name }, why, hint));
}

export const L4_NOT_REQUESTED =
  'end-to-end checks need a tailnet vantage point: run with --probe, or with --from-tailnet on a tailnet device';
