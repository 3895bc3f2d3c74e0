import { cidrContains } from '../../core/model/net.js';
import { type TailnetTarget, type TailscaleStatus, tailnetSuffix } from '../../core/verify/index.js';

/** `{fqdn:h}` / `{ip:h}` placeholders → a dialable host, from a status JSON that knows the node. */
export function resolveTarget(
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
export function routeVisible(viewer: TailscaleStatus, ip: string): string | undefined {
  for (const p of Object.values(viewer.Peer ?? {})) {
    const route = ((p as { AllowedIPs?: string[] | null }).AllowedIPs ?? []).find(
      (r) => r.includes('/') && !/\/(32|128)$/.test(r) && cidrContains(r, ip),
    );
    if (route) return `${route} via ${p.DNSName?.split('.')[0] ?? p.HostName}`;
  }
  return undefined;
}
