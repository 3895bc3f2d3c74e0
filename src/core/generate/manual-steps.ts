import { autoApproversSnippet, inlineJson } from '../control/approval.js';
import { expectedRoutes } from '../control/routes.js';
import { controlKindOf, type HomelabConfig } from '../model/config.js';
import { cidrContains } from '../model/net.js';

/** Manual steps shared by the modes; each mode adds its own before these. */

export function authStep(config: HomelabConfig): string {
  const auth = config.tailscale.auth;
  const tags = config.tailscale.tags;
  const headscale = controlKindOf(config.tailscale) === 'headscale';
  const key = headscale
    ? `a Headscale pre-auth key (headscale preauthkeys create --user <id> --reusable${tags.length > 0 ? ` --tags ${tags.join(',')}` : ''}; the node gets its tags from the key)`
    : undefined;
  switch (auth.method) {
    case 'env_file':
      return `Put TS_AUTHKEY=<${key ?? 'your auth key'}> in ${auth.path} (chmod 600; never in this file).`;
    case 'secret_file':
      return `Put only ${key ?? 'the auth key'} in ${auth.path} (chmod 600); compose mounts it at /run/secrets/ts_authkey.`;
    case 'oauth':
      return auth.clientSecretFile
        ? `Put only the secret of an OAuth client allowed to use ${tags.join(', ')} (tskey-client-…?ephemeral=false&preauthorized=true: without ?ephemeral=false the minted key is ephemeral and the router disappears when it goes offline) in ${auth.clientSecretFile} (chmod 600); compose mounts it at /run/secrets/${OAUTH_SECRET}.`
        : `Put TS_CLIENT_SECRET=<secret of an OAuth client allowed to use ${tags.join(', ')}, ending in ?ephemeral=false&preauthorized=true> in ${auth.clientIdEnvFile} (chmod 600).`;
  }
}

/** Compose secret name of the OAuth client secret (auth.method oauth with clientSecretFile). */
export const OAUTH_SECRET = 'ts_client_secret';

export function approveRoutesStep(config: HomelabConfig, machine: string): string | undefined {
  const { advertiseRoutes: routes, tags, exitNode } = config.tailscale;
  if (routes.length === 0 && !exitNode) return undefined;
  const what = [routes.length > 0 ? `the routes ${routes.join(', ')}` : '', exitNode ? 'the exit node' : '']
    .filter(Boolean)
    .join(' and ');
  const kind = controlKindOf(config.tailscale);
  const api = config.tailscale.control?.api ? 'tailbridge routes approve, ' : '';
  if (kind === 'headscale') {
    const policy = autoApproversSnippet(kind, expectedRoutes(routes, exitNode), undefined, tags);
    return `Approve ${what} of ${machine} on Headscale (${api}headscale nodes approve-routes --identifier <id> --routes ${expectedRoutes(routes, exitNode).join(',')}), or once in the policy: ${oneLine(policy.json)}.`;
  }
  const policy =
    tags.length > 0
      ? ` or once in the policy file: ${oneLine(autoApproversSnippet(kind, expectedRoutes(routes, exitNode), undefined, tags).json)}`
      : '';
  return `Approve ${what} of ${machine} ${api ? `(${api.slice(0, -2)}) or ` : ''}in the admin console (Machines → ${machine} → Edit route settings)${policy}.`;
}

/** The snippet's members without the outer braces, to read as a policy fragment in a sentence. */
function oneLine(json: string): string {
  return inlineJson(JSON.parse(json)).slice(1, -1);
}

export function keyExpiryStep(config: HomelabConfig, machines: string): string | undefined {
  if (controlKindOf(config.tailscale) === 'headscale')
    return `Headscale expires nodes only when its config sets node.expiry (default 0: never); if yours does, run headscale nodes expire --identifier <id> --disable for ${machines}.`;
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
