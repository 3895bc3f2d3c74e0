import { TailbridgeError } from '../../errors.js';
import { containerName, type ServiceTarget } from '../model/config.js';

/** The subset of ipn.ServeConfig tailbridge writes (TS_SERVE_CONFIG). */
export interface ServeConfig {
  TCP: Record<string, { HTTPS?: true; TCPForward?: string }>;
  Web?: Record<string, { Handlers: Record<string, { Proxy: string }> }>;
}

export interface ServeEntry {
  service: ServiceTarget;
  tailnetPort: number;
  /** How a tailnet client reaches it, at the node's MagicDNS name. */
  url: string;
}

/** containerboot replaces this literal with the node's cert domain; compose must never see it. */
export const CERT_DOMAIN = '${TS_CERT_DOMAIN}';

/**
 * One tailnet port per service (its own port, bumped if taken): `tailscale serve` handlers on the
 * same port and path replace each other, which is what broke the seed's three `serve --bg` calls.
 */
export function buildServeConfig(services: readonly ServiceTarget[], fqdn: string) {
  if (services.length === 0)
    throw new TailbridgeError('serve mode needs at least one entry in services (nothing to serve)');
  const config: ServeConfig = { TCP: {} };
  const web: NonNullable<ServeConfig['Web']> = {};
  const entries: ServeEntry[] = [];
  const used = new Set<number>();
  for (const service of services) {
    let port = service.port;
    while (used.has(port)) port = port >= 65535 ? 1024 : port + 1;
    used.add(port);
    const target = `${containerName(service)}:${service.port}`;
    if (service.protocol === 'tcp') {
      config.TCP[String(port)] = { TCPForward: target };
      entries.push({ service, tailnetPort: port, url: `tcp://${fqdn}:${port}` });
      continue;
    }
    const scheme = service.protocol === 'https' ? 'https+insecure' : 'http';
    config.TCP[String(port)] = { HTTPS: true };
    web[`${CERT_DOMAIN}:${port}`] = { Handlers: { '/': { Proxy: `${scheme}://${target}` } } };
    entries.push({ service, tailnetPort: port, url: `https://${fqdn}:${port}` });
  }
  if (Object.keys(web).length > 0) config.Web = web;
  return { config, entries };
}

export function renderServeConfig(config: ServeConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}
