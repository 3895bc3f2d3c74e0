import type { TailnetTarget } from './expectations.js';
import { answered, type TcpResult } from './probe-result.js';
import { type Check, fail, pass, skip } from './types.js';

export type Vantage = 'probe' | 'from-tailnet';

export type TargetResult = { host: string; result: TcpResult } | { skip: string };

const VANTAGE_TEXT: Record<Vantage, string> = {
  probe: 'through the probe container’s SOCKS5 proxy',
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
    const r = results[t.id];
    if (!r) return skip(base, 'not checked');
    if ('skip' in r) return skip(base, r.skip);
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
