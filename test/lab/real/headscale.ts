/**
 * Headscale (the real control server, built by gobuild.ts) in netns tbr-hs on the internet segment:
 * TLS with the lab CA, embedded DERP region 999 + STUN, no external DERP map, no DNS servers, no
 * update checks — the offline settings of headscale's own integration tests (integration/hsic
 * config.go at v0.29.2). The policy lives in the database (policy.mode: database) so a test can switch
 * between the two route-approval scenarios through the API (PUT /api/v1/policy).
 *
 * Operations: the headscale CLI over its unix socket for bootstrap (users, pre-auth keys, the API
 * key); the REST API with `Authorization: Bearer <api key>` for everything a tool would do
 * (GET /api/v1/node, POST /api/v1/node/{id}/approve_routes, PUT /api/v1/policy).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { LabCa } from './ca.js';
import { daemonAlive, startDaemon } from './daemon.js';
import { httpsRequest } from './https.js';
import { run, waitFor } from './sh.js';
import { NET, NETNS } from './topology.js';

export const HEADSCALE_URL = `https://${NET.headscale}`;
export const LAB_USER = 'lab';
export const DERP_REGION_ID = 999;
export const MAGIC_DNS_DOMAIN = 'tbr.test';

/** The two route-approval scenarios. */
export type RoutePolicy = 'auto' | 'manual';

export function policyFor(scenario: RoutePolicy): string {
  const policy: Record<string, unknown> = {
    acls: [{ action: 'accept', src: ['*'], dst: ['*:*'] }],
  };
  if (scenario === 'auto') policy.autoApprovers = { routes: { [NET.lanSubnet]: [`${LAB_USER}@`] } };
  return `${JSON.stringify(policy, null, 2)}\n`;
}

export interface HeadscalePaths {
  dir: string;
  config: string;
  socket: string;
  log: string;
  pid: string;
}

export function headscalePaths(labDir: string): HeadscalePaths {
  const dir = path.join(labDir, 'headscale');
  return {
    dir,
    config: path.join(dir, 'config.yaml'),
    socket: path.join(dir, 'headscale.sock'),
    log: path.join(dir, 'headscale.log'),
    pid: path.join(dir, 'headscale.pid'),
  };
}

export function headscaleConfig(p: HeadscalePaths, ca: LabCa): Record<string, unknown> {
  return {
    server_url: HEADSCALE_URL,
    listen_addr: `${NET.headscale}:443`,
    metrics_listen_addr: '127.0.0.1:9090',
    grpc_listen_addr: '127.0.0.1:50443',
    grpc_allow_insecure: false,
    noise: { private_key_path: path.join(p.dir, 'noise_private.key') },
    prefixes: { v4: '100.64.0.0/10', v6: 'fd7a:115c:a1e0::/48', allocation: 'sequential' },
    derp: {
      server: {
        enabled: true,
        region_id: DERP_REGION_ID,
        region_code: 'tbr',
        region_name: 'tailbridge lab embedded DERP',
        verify_clients: true,
        stun_listen_addr: `${NET.headscale}:3478`,
        private_key_path: path.join(p.dir, 'derp_server_private.key'),
        automatically_add_embedded_derp_region: true,
        ipv4: NET.headscale,
      },
      urls: [],
      paths: [],
      auto_update_enabled: false,
      update_frequency: '24h',
    },
    disable_check_updates: true,
    node: { expiry: 0, ephemeral: { inactivity_timeout: '30m' } },
    database: { type: 'sqlite', sqlite: { path: path.join(p.dir, 'db.sqlite'), write_ahead_log: true } },
    tls_cert_path: ca.serverCert,
    tls_key_path: ca.serverKey,
    log: { level: 'info', format: 'text' },
    policy: { mode: 'database' },
    dns: {
      magic_dns: true,
      base_domain: MAGIC_DNS_DOMAIN,
      override_local_dns: false,
      nameservers: { global: [], split: {} },
      search_domains: [],
      extra_records: [],
    },
    unix_socket: p.socket,
    unix_socket_permission: '0770',
    logtail: { enabled: false },
  };
}

export class Headscale {
  constructor(
    readonly bin: string,
    readonly paths: HeadscalePaths,
    readonly ca: LabCa,
  ) {}

  private caPem(): string {
    return readFileSync(this.ca.caCert, 'utf8');
  }

  /** The headscale CLI (gRPC over the unix socket), JSON output. */
  cli(args: string[]): unknown {
    const out = run(this.bin, ['-c', this.paths.config, '-o', 'json', '--force', ...args], {
      timeoutMs: 30_000,
    });
    return JSON.parse(out);
  }

  async start(): Promise<void> {
    mkdirSync(this.paths.dir, { recursive: true, mode: 0o700 });
    writeFileSync(this.paths.config, stringify(headscaleConfig(this.paths, this.ca)));
    startDaemon({
      cmd: 'ip',
      args: ['netns', 'exec', NETNS.headscale, this.bin, 'serve', '-c', this.paths.config],
      logFile: this.paths.log,
      pidFile: this.paths.pid,
    });
    await waitFor(
      'headscale /health over HTTPS',
      async () => {
        if (!daemonAlive(this.paths.pid))
          throw new Error(
            `headscale exited: ${readFileSync(this.paths.log, 'utf8').trim().split('\n').slice(-3).join(' | ')}`,
          );
        try {
          const r = await httpsRequest(`${HEADSCALE_URL}/health`, { ca: this.caPem(), timeoutMs: 2000 });
          return r.status === 200 ? true : undefined;
        } catch {
          return undefined;
        }
      },
      30_000,
    );
  }

  /** Creates the lab user (idempotent) and returns its numeric id. */
  ensureUser(name = LAB_USER): string {
    const users = this.cli(['users', 'list']) as { id: string; name: string }[] | null;
    const found = (users ?? []).find((u) => u.name === name);
    if (found) return String(found.id);
    const created = this.cli(['users', 'create', name]) as { id: string };
    return String(created.id);
  }

  /** A reusable pre-auth key for the user (hskey-auth-…). */
  preAuthKey(userId: string, o: { ephemeral?: boolean; expiration?: string; tags?: string[] } = {}): string {
    const args = [
      'preauthkeys',
      'create',
      '--user',
      userId,
      '--reusable',
      '--expiration',
      o.expiration ?? '24h',
    ];
    if (o.ephemeral) args.push('--ephemeral');
    // A tagged key: the node is owned by the tags, not the user (hscontrol/state/state.go).
    if (o.tags?.length) args.push('--tags', o.tags.join(','));
    const key = this.cli(args) as { key: string };
    return key.key;
  }

  /** A new API key for the REST API (shown only once by headscale). */
  apiKey(expiration = '30d'): string {
    return this.cli(['apikeys', 'create', '--expiration', expiration]) as string;
  }

  async api(apiKey: string, method: string, route: string, body?: unknown): Promise<unknown> {
    const r = await httpsRequest(`${HEADSCALE_URL}/api/v1/${route}`, {
      ca: this.caPem(),
      method,
      token: apiKey,
      body,
    });
    if (r.status < 200 || r.status > 299)
      throw new Error(`headscale ${method} /api/v1/${route} → ${r.status}: ${r.body.slice(0, 300)}`);
    return r.body ? JSON.parse(r.body) : {};
  }

  async nodes(apiKey: string): Promise<HeadscaleNode[]> {
    const r = (await this.api(apiKey, 'GET', 'node')) as { nodes?: HeadscaleNode[] };
    return r.nodes ?? [];
  }

  async node(apiKey: string, name: string): Promise<HeadscaleNode | undefined> {
    return (await this.nodes(apiKey)).find((n) => n.givenName === name || n.name === name);
  }

  /** Replaces the node's approved routes (what an admin does in the UI). */
  async approveRoutes(apiKey: string, nodeId: string, routes: string[]): Promise<HeadscaleNode> {
    const r = (await this.api(apiKey, 'POST', `node/${nodeId}/approve_routes`, { routes })) as {
      node: HeadscaleNode;
    };
    return r.node;
  }

  async deleteNode(apiKey: string, nodeId: string): Promise<void> {
    await this.api(apiKey, 'DELETE', `node/${nodeId}`);
  }

  async setPolicy(apiKey: string, scenario: RoutePolicy): Promise<void> {
    await this.api(apiKey, 'PUT', 'policy', { policy: policyFor(scenario) });
  }

  /** Any policy (HuJSON/JSON text or an object), e.g. tagOwners + autoApprovers by tag. */
  async putPolicy(apiKey: string, policy: string | Record<string, unknown>): Promise<void> {
    const text = typeof policy === 'string' ? policy : `${JSON.stringify(policy, null, 2)}\n`;
    await this.api(apiKey, 'PUT', 'policy', { policy: text });
  }
}

/** The fields of headscale's v1Node the lab reads (gen/openapiv2 headscale.swagger.json). */
export interface HeadscaleNode {
  id: string;
  name: string;
  givenName: string;
  online?: boolean;
  ipAddresses?: string[];
  approvedRoutes?: string[];
  availableRoutes?: string[];
  subnetRoutes?: string[];
  tags?: string[];
  user?: { id: string; name: string };
}
