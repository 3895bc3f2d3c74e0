/**
 * TEST DOUBLE of Tailscale's API v2 — the real one (api.tailscale.com) cannot be reached here.
 * Built from the published shapes only: tailscale/tailscale publicapi/readme.md (Bearer or Basic auth,
 * errors as {"message"}), publicapi/device.md (GET/POST /api/v2/device/{deviceID}/routes →
 * {advertisedRoutes, enabledRoutes}; POST body {"routes"} replaces the enabled set; nodeId preferred,
 * the legacy numeric id accepted), publicapi/tailnet.md (GET /api/v2/tailnet/{tailnet}/devices →
 * {devices: [...]}) and KB 1215 (POST /api/v2/oauth/token with client_id/client_secret → a one-hour
 * Bearer access token). Every request is recorded for the contract test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface DoubleDevice {
  id: string;
  nodeId: string;
  name: string;
  hostname: string;
  addresses: string[];
  nodeKey: string;
  tags?: string[];
  user?: string;
  advertisedRoutes: string[];
  enabledRoutes: string[];
}

export interface TailscaleApiDouble {
  url: string;
  requests: RecordedRequest[];
  devices: DoubleDevice[];
  close(): Promise<void>;
}

export async function startTailscaleApiDouble(o: {
  apiKey?: string;
  oauth?: { clientId: string; clientSecret: string; accessToken: string };
  tailnet?: string;
  devices: DoubleDevice[];
}): Promise<TailscaleApiDouble> {
  const requests: RecordedRequest[] = [];
  const devices = o.devices;
  const tokens = new Set<string>(o.apiKey ? [o.apiKey] : []);
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const authorized = (h: http.IncomingHttpHeaders): boolean => {
    const a = h.authorization ?? '';
    if (a.startsWith('Bearer ')) return tokens.has(a.slice(7));
    if (a.startsWith('Basic '))
      return tokens.has(Buffer.from(a.slice(6), 'base64').toString().replace(/:$/, ''));
    return false;
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push({
        method: req.method ?? '',
        path: `${url.pathname}${url.search}`,
        headers: req.headers,
        body,
      });
      if (url.pathname === '/api/v2/oauth/token' && req.method === 'POST') {
        const form = new URLSearchParams(body);
        if (
          !o.oauth ||
          form.get('client_id') !== o.oauth.clientId ||
          form.get('client_secret') !== o.oauth.clientSecret
        )
          return send(res, 401, { message: 'invalid client credentials' });
        tokens.add(o.oauth.accessToken);
        return send(res, 200, {
          access_token: o.oauth.accessToken,
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'devices:core',
        });
      }
      if (!authorized(req.headers)) return send(res, 401, { message: 'API token invalid' });
      const list = /^\/api\/v2\/tailnet\/([^/]+)\/devices$/.exec(url.pathname);
      if (list && req.method === 'GET') {
        if (decodeURIComponent(list[1]!) !== (o.tailnet ?? '-'))
          return send(res, 404, { message: 'tailnet not found' });
        return send(res, 200, {
          devices: devices.map(({ advertisedRoutes: _a, enabledRoutes: _e, ...d }) => d),
        });
      }
      const routes = /^\/api\/v2\/device\/([^/]+)\/routes$/.exec(url.pathname);
      if (routes) {
        const id = decodeURIComponent(routes[1]!);
        const d = devices.find((x) => x.nodeId === id || x.id === id);
        if (!d) return send(res, 404, { message: 'device not found' });
        if (req.method === 'POST') {
          let parsed: { routes?: unknown };
          try {
            parsed = JSON.parse(body) as { routes?: unknown };
          } catch {
            return send(res, 400, { message: 'invalid JSON' });
          }
          if (!Array.isArray(parsed.routes)) return send(res, 400, { message: 'routes is required' });
          d.enabledRoutes = (parsed.routes as string[]).filter((r) => d.advertisedRoutes.includes(r));
        } else if (req.method !== 'GET') return send(res, 405, { message: 'method not allowed' });
        return send(res, 200, { advertisedRoutes: d.advertisedRoutes, enabledRoutes: d.enabledRoutes });
      }
      return send(res, 404, { message: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    devices,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
