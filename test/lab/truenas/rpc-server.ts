/**
 * TEST DOUBLE of the TrueNAS middleware: JSON-RPC 2.0 over WebSocket at `/api/current`, with the
 * middleware's error shapes, authentication and login rate limit. Sources (truenas/middleware tag
 * TS-25.10.6, src/middlewared/middlewared/):
 *   api/base/server/ws_handler/rpc.py   errors: -32700 invalid JSON, -32600 invalid request, -32601
 *                                       "Method does not exist", -32602 "Invalid params" (validation),
 *                                       -32001 "Method call error" (CallError); data {error, errname, reason, extra}
 *   main.py authorize_method_call       unauthenticated calls: CallError('Not authenticated', ENOTAUTHENTICATED=207)
 *   utils/rate_limit/cache.py           no-auth methods: 20 calls per method and client address per 60 s, then a
 *                                       random 1–10 s sleep and CallError('Rate Limit Exceeded', EBUSY)
 *   plugins/auth.py login_with_api_key  key `<id>-<secret>`; wrong key: 1–2 s sleep, result false
 * Every request's params are validated against the JSON Schemas in ./schemas (transcribed from the
 * pydantic models, see each file's $comment).
 */
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import { type WebSocket, WebSocketServer } from 'ws';

const Ajv = AjvModule.default ?? AjvModule;
const SCHEMA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'schemas');

export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EFAULT: 14,
  EBUSY: 16,
  EINVAL: 22,
  ENOTAUTHENTICATED: 207,
} as const;
const ERRNAME: Record<number, string> = Object.fromEntries(Object.entries(ERRNO).map(([k, v]) => [v, k]));

export function errname(errno: number): string {
  return ERRNAME[errno] ?? `E${errno}`;
}

/** A middleware CallError (errno + message). */
export class CallError extends Error {
  constructor(
    message: string,
    readonly errno: number = ERRNO.EFAULT,
  ) {
    super(message);
  }
}

/** A middleware ValidationError / ValidationErrors: `[ENAME] attribute: message` per line. */
export class ValidationErrors extends Error {
  constructor(readonly errors: [attribute: string | null, message: string, errno: number][]) {
    super(errors.map(([a, m, e]) => `[${ERRNAME[e] ?? 'EINVAL'}] ${a ?? 'None'}: ${m}`).join('\n'));
  }
}

export interface Session {
  authenticated: boolean;
  /** The client's address (rate-limit key), or null for the local socket (never rate-limited, like AF_UNIX). */
  address: string | null;
}

export interface MethodSpec {
  schema: string;
  noAuth?: boolean;
  handler: (params: unknown[], session: Session) => Promise<unknown> | unknown;
}

export interface RpcServerOptions {
  host?: string;
  port?: number;
  tls: { key: string; cert: string };
  /** A unix socket for the midclt double: sessions on it are authenticated (root on the NAS). */
  socketPath?: string;
  rateLimit?: { maxCalls: number; periodMs: number; sleepMs: [number, number] };
}

export interface RpcServer {
  url: string;
  port: number;
  /** Every request received, method and the session's auth state (tests read it). */
  calls: { method: string; authenticated: boolean }[];
  close(): Promise<void>;
}

const randomBetween = ([a, b]: [number, number]) => a + Math.random() * (b - a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startRpcServer(
  methods: Record<string, MethodSpec>,
  o: RpcServerOptions,
): Promise<RpcServer> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  for (const spec of Object.values(methods))
    if (!validators.has(spec.schema))
      validators.set(
        spec.schema,
        ajv.compile(JSON.parse(readFileSync(path.join(SCHEMA_DIR, `${spec.schema}.json`), 'utf8'))),
      );
  const rate = o.rateLimit ?? { maxCalls: 20, periodMs: 60_000, sleepMs: [1000, 10_000] };
  const rateCache = new Map<string, { count: number; since: number }>();
  const calls: RpcServer['calls'] = [];

  const rateLimited = (method: string, address: string): boolean => {
    const key = `${method}_##_${address}`;
    const now = Date.now();
    const entry = rateCache.get(key) ?? { count: 0, since: now };
    if (now - entry.since >= rate.periodMs) {
      entry.count = 0;
      entry.since = now;
    }
    entry.count += 1;
    rateCache.set(key, entry);
    return entry.count > rate.maxCalls;
  };

  const dispatch = async (msg: Record<string, unknown>, session: Session): Promise<unknown> => {
    const method = msg.method as string;
    const spec = methods[method];
    if (!spec) throw Object.assign(new Error('Method does not exist'), { rpcCode: -32601 });
    calls.push({ method, authenticated: session.authenticated });
    if (spec.noAuth) {
      if (!session.authenticated && session.address !== null && rateLimited(method, session.address)) {
        await sleep(randomBetween(rate.sleepMs));
        throw new CallError('Rate Limit Exceeded', ERRNO.EBUSY);
      }
    } else if (!session.authenticated) throw new CallError('Not authenticated', ERRNO.ENOTAUTHENTICATED);
    const params = msg.params === undefined ? [] : msg.params;
    const validate = validators.get(spec.schema);
    if (!Array.isArray(params) || (validate && !validate(params)))
      throw new ValidationErrors(
        (validate?.errors ?? [{ instancePath: '', message: 'params must be an array' }]).map((e) => [
          `${method.replace('.', '_')}${e.instancePath.replace(/\//g, '.')}`,
          e.message ?? 'invalid',
          ERRNO.EINVAL,
        ]),
      );
    return spec.handler(params, session);
  };

  const onConnection = (ws: WebSocket, session: Session) => {
    ws.on('message', async (data) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(String(data));
      } catch (e) {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: String(e) } }));
        return;
      }
      const id = msg.id ?? null;
      if (msg.jsonrpc !== '2.0' || typeof msg.method !== 'string') {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid request' } }));
        return;
      }
      try {
        const result = await dispatch(msg, session);
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ jsonrpc: '2.0', id, result }));
      } catch (e) {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ jsonrpc: '2.0', id, error: errorBody(e) }));
      }
    });
  };

  const server = https.createServer({ key: o.tls.key, cert: o.tls.cert });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  const upgrade =
    (local: boolean) => (req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
      if (req.url !== '/api/current' && req.url !== '/api/v25.10.0') {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) =>
        onConnection(ws, {
          authenticated: local,
          address: local ? null : (req.socket.remoteAddress ?? 'unknown'),
        }),
      );
    };
  server.on('upgrade', upgrade(false));
  await new Promise<void>((r) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', r));
  let local: http.Server | undefined;
  if (o.socketPath) {
    rmSync(o.socketPath, { force: true });
    local = http.createServer();
    local.on('upgrade', upgrade(true));
    await new Promise<void>((r) => local?.listen(o.socketPath, r));
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `wss://${o.host ?? '127.0.0.1'}:${port}/api/current`,
    port,
    calls,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => server.close(r));
      if (local) await new Promise((r) => local?.close(r));
    },
  };
}

function errorBody(e: unknown) {
  const rpcCode = (e as { rpcCode?: number }).rpcCode;
  if (rpcCode) return { code: rpcCode, message: (e as Error).message };
  if (e instanceof ValidationErrors)
    return {
      code: -32602,
      message: 'Invalid params',
      data: { error: ERRNO.EINVAL, errname: 'EINVAL', reason: e.message, trace: null, extra: e.errors },
    };
  if (e instanceof CallError)
    return {
      code: -32001,
      message: 'Method call error',
      data: {
        error: e.errno,
        errname: ERRNAME[e.errno] ?? null,
        reason: e.message,
        trace: null,
        extra: null,
      },
    };
  return {
    code: -32001,
    message: 'Method call error',
    data: {
      error: ERRNO.EFAULT,
      errname: 'EFAULT',
      reason: String((e as Error)?.message ?? e),
      trace: null,
      extra: null,
    },
  };
}
