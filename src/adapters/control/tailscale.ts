import type { ControlNode, ControlServerPort, NodeRoutes } from '../../core/control/ports.js';
import { TailbridgeError } from '../../errors.js';
import { type HttpClient, type HttpRequest, jsonCall } from './http.js';
import type { Secret } from './secret.js';

/**
 * Tailscale's API v2 as published (tailscale/tailscale publicapi/device.md, tailnet.md; KB 1215 for
 * OAuth): devices are listed per tailnet, routes are read and replaced per device by its nodeId.
 */
export interface TailscaleApiDevice {
  id?: string;
  nodeId?: string;
  name?: string;
  hostname?: string;
  addresses?: string[];
  nodeKey?: string;
  tags?: string[];
  user?: string;
}

export interface TailscaleRoutes {
  advertisedRoutes?: string[];
  enabledRoutes?: string[];
}

export type TailscaleCredential =
  | { kind: 'api-key'; key: Secret }
  | { kind: 'oauth'; clientId: string; clientSecret: Secret };

export function fromTailscaleDevice(d: TailscaleApiDevice): ControlNode {
  const tags = d.tags ?? [];
  const id = d.nodeId || d.id || '';
  return {
    id,
    ...(d.id && d.id !== id ? { altIds: [d.id] } : {}),
    name: (d.name ?? '').split('.')[0] || d.hostname || '',
    hostname: d.hostname ?? '',
    ...(d.nodeKey ? { nodeKey: d.nodeKey } : {}),
    addresses: d.addresses ?? [],
    tags,
    ...(tags.length === 0 && d.user ? { user: d.user } : {}),
  };
}

const toRoutes = (r: TailscaleRoutes): NodeRoutes => ({
  advertised: r.advertisedRoutes ?? [],
  approved: r.enabledRoutes ?? [],
});

export class TailscaleApi implements ControlServerPort {
  readonly kind = 'tailscale' as const;
  private token?: { value: string; until: number };

  constructor(
    readonly url: string,
    private readonly tailnet: string,
    private readonly credential: TailscaleCredential,
    private readonly http: HttpClient,
    private readonly userAgent = 'tailbridge',
    private readonly now: () => number = Date.now,
  ) {}

  private scrub = (s: string): string => {
    let out =
      this.credential.kind === 'api-key'
        ? this.credential.key.scrub(s)
        : this.credential.clientSecret.scrub(s);
    if (this.token) out = out.split(this.token.value).join('[secret]');
    return out;
  };

  /** An API access token: the API key itself, or a one-hour token from the OAuth client (cached). */
  private async bearer(): Promise<string> {
    if (this.credential.kind === 'api-key') return this.credential.key.reveal();
    if (this.token && this.token.until > this.now()) return this.token.value;
    const body = new URLSearchParams({
      client_id: this.credential.clientId,
      client_secret: this.credential.clientSecret.reveal(),
      grant_type: 'client_credentials',
    }).toString();
    const r = await jsonCall<{ access_token?: string; expires_in?: number }>(
      this.http,
      {
        method: 'POST',
        url: `${this.url}/api/v2/oauth/token`,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
          'User-Agent': this.userAgent,
        },
        body,
      },
      this.scrub,
    );
    if (!r.access_token) throw new TailbridgeError(`${this.url}: the OAuth token answer has no access_token`);
    // Renew a minute early; Tailscale's tokens last an hour.
    const seconds = Math.max(60, (r.expires_in ?? 3600) - 60);
    this.token = { value: r.access_token, until: this.now() + seconds * 1000 };
    return r.access_token;
  }

  private async call<T>(method: HttpRequest['method'], path: string, body?: unknown): Promise<T> {
    const token = await this.bearer();
    return jsonCall<T>(
      this.http,
      {
        method,
        url: `${this.url}/api/v2/${path}`,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          'User-Agent': this.userAgent,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      },
      this.scrub,
    );
  }

  async listNodes(): Promise<ControlNode[]> {
    const r = await this.call<{ devices?: TailscaleApiDevice[] }>(
      'GET',
      `tailnet/${encodeURIComponent(this.tailnet)}/devices`,
    );
    return (r.devices ?? []).map(fromTailscaleDevice);
  }

  async readRoutes(node: ControlNode): Promise<NodeRoutes> {
    return toRoutes(await this.call<TailscaleRoutes>('GET', `device/${encodeURIComponent(node.id)}/routes`));
  }

  async setApprovedRoutes(node: ControlNode, routes: readonly string[]): Promise<NodeRoutes> {
    return toRoutes(
      await this.call<TailscaleRoutes>('POST', `device/${encodeURIComponent(node.id)}/routes`, { routes }),
    );
  }
}
