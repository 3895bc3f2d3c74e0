import type { SourceId } from '../facts/sources.js';
import { type ControlKind, controlKindOf, type HomelabConfig } from '../model/config.js';

/** What tailbridge knows about the control server from tailbridge.yaml alone. */
export interface ControlServerInfo {
  kind: ControlKind;
  /** The coordination server (`--login-server`). */
  url: string;
  /** MagicDNS suffix when configured (Headscale's dns.base_domain, or the tailnet's ts.net name). */
  baseDomain?: string;
}

export const TAILSCALE_API_URL = 'https://api.tailscale.com';

export const CONTROL_LABEL: Record<ControlKind, string> = {
  tailscale: "Tailscale's control plane",
  headscale: 'Headscale',
};

export function controlServer(config: HomelabConfig): ControlServerInfo {
  const ts = config.tailscale;
  const baseDomain = ts.control?.baseDomain;
  return { kind: controlKindOf(ts), url: ts.controlServer, ...(baseDomain ? { baseDomain } : {}) };
}

/** The API base URL: configured, else the login server (Headscale serves its API there) or api.tailscale.com. */
export function controlApiUrl(config: HomelabConfig): string {
  const configured = config.tailscale.control?.api?.url;
  if (configured) return configured.replace(/\/+$/, '');
  return controlKindOf(config.tailscale) === 'headscale'
    ? config.tailscale.controlServer.replace(/\/+$/, '')
    : TAILSCALE_API_URL;
}

/**
 * The MagicDNS suffix as far as the config knows it; a placeholder names what is missing. The real
 * suffix is read from `tailscale status` (MagicDNSSuffix) at verify time.
 */
export function magicDnsSuffix(config: HomelabConfig): string {
  const info = controlServer(config);
  if (info.baseDomain) return info.baseDomain;
  return info.kind === 'headscale' ? '<dns.base_domain>' : '<tailnet>.ts.net';
}

export function magicDnsName(config: HomelabConfig, hostname: string): string {
  return `${hostname}.${magicDnsSuffix(config)}`;
}

/** Where the statement "this control server lacks serve/Funnel/HTTPS certificates" comes from. */
export const HEADSCALE_FEATURES: SourceId = 'headscale-features';

/** Features of Tailscale's control plane a Headscale tailnet does not have (docs/about/features.md). */
export const HEADSCALE_LACKS = 'Serve, Funnel and HTTPS certificates';
