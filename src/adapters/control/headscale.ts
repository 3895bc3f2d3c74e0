import type { ControlNode, ControlServerPort, NodeRoutes } from '../../core/control/ports.js';
import { TailbridgeError } from '../../errors.js';
import { type HttpClient, type HttpRequest, jsonCall } from './http.js';
import type { Secret } from './secret.js';

/**
 * Headscale's REST API (grpc-gateway over headscale.v1, v0.29.2): proto/headscale/v1/headscale.proto
 * and node.proto; JSON names are protobuf's lowerCamelCase, uint64 ids are strings.
 */
export interface HeadscaleApiNode {
  id: string;
  name?: string;
  givenName?: string;
  nodeKey?: string;
  ipAddresses?: string[];
  online?: boolean;
  tags?: string[];
  user?: { id?: string; name?: string };
  approvedRoutes?: string[];
  availableRoutes?: string[];
  /** ListNodes: the node's primary routes plus its exit routes (hscontrol/grpcv1.go nodesToProto). */
  subnetRoutes?: string[];
}

export function fromHeadscaleNode(n: HeadscaleApiNode): ControlNode {
  const tags = n.tags ?? [];
  return {
    id: String(n.id),
    name: n.givenName || n.name || '',
    hostname: n.name || n.givenName || '',
    ...(n.nodeKey ? { nodeKey: n.nodeKey } : {}),
    addresses: n.ipAddresses ?? [],
    ...(n.online === undefined ? {} : { online: n.online }),
    tags,
    // Tagged nodes are owned by their tags; the API shows them under a placeholder user.
    ...(tags.length === 0 && n.user?.name ? { user: n.user.name } : {}),
    routes: {
      advertised: n.availableRoutes ?? [],
      approved: n.approvedRoutes ?? [],
      primary: n.subnetRoutes ?? [],
    },
  };
}

export class HeadscaleApi implements ControlServerPort {
  readonly kind = 'headscale' as const;
  constructor(
    readonly url: string,
    private readonly apiKey: Secret,
    private readonly http: HttpClient,
    private readonly userAgent = 'tailbridge',
  ) {}

  private call<T>(method: HttpRequest['method'], path: string, body?: unknown): Promise<T> {
    return jsonCall<T>(
      this.http,
      {
        method,
        url: `${this.url}/api/v1/${path}`,
        headers: {
          Authorization: `Bearer ${this.apiKey.reveal()}`,
          Accept: 'application/json',
          'User-Agent': this.userAgent,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      },
      (s) => this.apiKey.scrub(s),
    );
  }

  async listNodes(): Promise<ControlNode[]> {
    const r = await this.call<{ nodes?: HeadscaleApiNode[] }>('GET', 'node');
    return (r.nodes ?? []).map(fromHeadscaleNode);
  }

  async readRoutes(node: ControlNode): Promise<NodeRoutes> {
    // GET /api/v1/node/{id} leaves subnetRoutes empty; only the listing fills in the primary routes.
    const n = (await this.listNodes()).find((x) => x.id === node.id);
    if (!n?.routes) throw new TailbridgeError(`${this.url}: node ${node.id} (${node.name}) is gone`);
    return n.routes;
  }

  async setApprovedRoutes(node: ControlNode, routes: readonly string[]): Promise<NodeRoutes> {
    const r = await this.call<{ node?: HeadscaleApiNode }>(
      'POST',
      `node/${encodeURIComponent(node.id)}/approve_routes`,
      { routes },
    );
    if (!r.node) throw new TailbridgeError(`${this.url}: approve_routes answered without the node`);
    return fromHeadscaleNode(r.node).routes!;
  }
}
