import type { HomelabConfig } from '../model/config.js';
import { cidrContains } from '../model/net.js';

/** Manual steps shared by the modes; each mode adds its own before these. */

export function authStep(config: HomelabConfig): string {
  const auth = config.tailscale.auth;
  switch (auth.method) {
    case 'env_file':
      return `Put TS_AUTHKEY=<your auth key> in ${auth.path} (chmod 600; never in this file).`;
    case 'secret_file':
      return `Put only the auth key in ${auth.path} (chmod 600); compose mounts it at /run/secrets/ts_authkey.`;
    case 'oauth':
      return `Put TS_CLIENT_ID=<id> and TS_CLIENT_SECRET=<secret> of an OAuth client allowed to use ${config.tailscale.tags.join(', ')} in ${auth.clientIdEnvFile} (chmod 600).`;
  }
}

export function approveRoutesStep(config: HomelabConfig, machine: string): string | undefined {
  const { advertiseRoutes: routes, tags, exitNode } = config.tailscale;
  if (routes.length === 0 && !exitNode) return undefined;
  const what = [routes.length > 0 ? `the routes ${routes.join(', ')}` : '', exitNode ? 'the exit node' : '']
    .filter(Boolean)
    .join(' and ');
  const policy =
    tags.length > 0
      ? ` or once in the policy file: "autoApprovers": {${routes.length > 0 ? `"routes": {${routes.map((r) => `"${r}": ["${tags[0]}"]`).join(', ')}}` : ''}${routes.length > 0 && exitNode ? ', ' : ''}${exitNode ? `"exitNode": ["${tags[0]}"]` : ''}}`
      : '';
  return `Approve ${what} of ${machine} in the admin console (Machines → ${machine} → Edit route settings)${policy}.`;
}

export function keyExpiryStep(machines: string): string {
  return `Disable key expiry for ${machines} in the admin console, or the node drops off the tailnet when its key expires.`;
}

export function clientAcceptRoutesStep(config: HomelabConfig): string | undefined {
  if (config.tailscale.advertiseRoutes.length === 0) return undefined;
  return 'On Linux clients run `tailscale set --accept-routes` (Windows, Android and iOS accept routes by default).';
}

/** "How to reach your services" through the subnet route to the host's published ports. */
export function viaSubnetRoute(config: HomelabConfig, shimNeeded: boolean): string[] {
  const routed = config.tailscale.advertiseRoutes.some((r) => cidrContains(r, config.host.address));
  return config.services.map((s) => {
    const scheme = s.protocol === 'tcp' ? 'tcp' : s.protocol;
    if (!s.publishedOnHost)
      return `${s.name}: not published on the host — use mode B (serve) or a sidecar for it.`;
    if (!routed)
      return `${s.name}: published on ${config.host.address}:${s.port}, but no advertised route covers the host.`;
    return `${s.name}: ${scheme}://${config.host.address}:${s.port} (via the subnet route${shimNeeded ? '; needs the shim' : ''}).`;
  });
}

export function compact(steps: (string | undefined)[]): string[] {
  return steps.filter((s): s is string => s !== undefined);
}
