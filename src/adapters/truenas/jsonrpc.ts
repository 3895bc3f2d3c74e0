import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { TailbridgeError } from '../../errors.js';
import {
  peekFingerprint,
  pinMismatch,
  type TlsTrust,
  tlsConnectOptions,
  UNTRUSTED_CERT_CODES,
} from './tls.js';

/**
 * JSON-RPC 2.0 over one WebSocket, as the TrueNAS middleware speaks it at `/api/current`
 * (truenas/middleware TS-25.10.6 src/middlewared/middlewared/api/base/server/ws_handler/rpc.py).
 * Errors carry the JSON-RPC code and, for TrueNAS's own errors (-32001 "Method call error",
 * -32602 "Invalid params"), `data` with `errname` and `reason`.
 */
export interface RpcErrorBody {
  code: number;
  message: string;
  data?: { error?: number | null; errname?: string | null; reason?: string; extra?: unknown[] | null };
}

export class RpcCallError extends Error {
  constructor(
    readonly method: string,
    readonly body: RpcErrorBody,
  ) {
    super(`${method}: ${describeRpcError(body)}`);
    this.name = 'RpcCallError';
  }
}

/** `[EINVAL] app_update.x: message` → one line: the reason the middleware gave, else the JSON-RPC message. */
export function describeRpcError(body: RpcErrorBody): string {
  const reason = body.data?.reason?.trim();
  const text = reason ? reason : body.message;
  return oneLine(text);
}

/** Joins a multi-line server text (compose's stderr, ValidationErrors) into one line. */
export function oneLine(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' / ');
}

/** `https://nas` or `wss://nas` → `wss://nas/api/current`; an explicit path is kept. */
export function apiUrl(url: string): URL {
  const u = new URL(url);
  if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/api/current';
  return u;
}

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface OpenOptions {
  trust: TlsTrust;
  connectTimeoutMs?: number;
}

export class JsonRpcSocket {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #closed: string | null = null;

  private constructor(
    readonly url: URL,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (data) => this.#onMessage(String(data)));
    ws.on('close', (code, reason) =>
      this.#failAll(`the connection closed (${code}${reason.length ? ` ${reason}` : ''})`),
    );
    ws.on('error', (e) => this.#failAll(`connection error: ${(e as Error).message}`));
  }

  /** Opens the socket; with a pinned fingerprint, checks it right after the handshake, before anything is sent. */
  static open(url: URL, options: OpenOptions): Promise<JsonRpcSocket> {
    const where = url.origin.replace(/^http/, 'ws');
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        ...tlsConnectOptions(options.trust),
        handshakeTimeout: options.connectTimeoutMs ?? 10_000,
        maxPayload: 64 * 1024 * 1024,
      });
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        reject(e);
      };
      let tlsSocket: TLSSocket | undefined;
      ws.on('upgrade', (res: IncomingMessage) => {
        tlsSocket = res.socket as TLSSocket;
        const seen = pinMismatch(res.socket as TLSSocket, options.trust);
        if (seen !== null && options.trust.kind === 'pin')
          fail(
            new TailbridgeError(
              `TrueNAS API ${where}: certificate mismatch: the server presented SHA-256 ${seen}, ${options.trust.setting} pins ${options.trust.fingerprint}; nothing was sent`,
            ),
          );
      });
      ws.on('unexpected-response', (_req, res) =>
        fail(
          new TailbridgeError(
            `TrueNAS API ${url.href}: HTTP ${res.statusCode} instead of a WebSocket${res.statusCode === 404 ? ' (is this TrueNAS 25.04 or later? older releases only have /websocket)' : ''}`,
          ),
        ),
      );
      ws.on('error', (e: NodeJS.ErrnoException) => {
        void transportError(url, e, options.trust).then(fail);
      });
      ws.on('open', () => {
        if (settled) return;
        settled = true;
        ws.removeAllListeners();
        // An idle socket must not keep the process alive: pending calls hold timers while they wait.
        tlsSocket?.unref();
        resolve(new JsonRpcSocket(url, ws));
      });
    });
  }

  call(method: string, params: unknown[], timeoutMs = 30_000): Promise<unknown> {
    if (this.#closed)
      return Promise.reject(new TailbridgeError(`TrueNAS API ${this.url.origin}: ${this.#closed}`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new TailbridgeError(
            `TrueNAS API ${this.url.origin}: ${method} did not answer within ${timeoutMs / 1000} s`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(id, { method, resolve, reject, timer });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  get isOpen(): boolean {
    return this.#closed === null;
  }

  close(): Promise<void> {
    this.#closed ??= 'the connection was closed';
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 2000);
      this.ws.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.ws.close(1000);
    });
  }

  #onMessage(text: string): void {
    let msg: { id?: unknown; result?: unknown; error?: RpcErrorBody; method?: string };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof msg.id !== 'number') return; // notifications (collection_update) are not used
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.error) p.reject(new RpcCallError(p.method, msg.error));
    else p.resolve(msg.result ?? null);
  }

  #failAll(why: string): void {
    this.#closed ??= why;
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new TailbridgeError(`TrueNAS API ${this.url.origin}: ${p.method}: ${why}`));
      this.#pending.delete(id);
    }
  }
}

async function transportError(url: URL, e: NodeJS.ErrnoException, trust: TlsTrust): Promise<TailbridgeError> {
  const where = url.href;
  const code = e.code ?? '';
  if (UNTRUSTED_CERT_CODES.has(code)) {
    const port = Number(url.port || 443);
    const seen = await peekFingerprint(url.hostname, port);
    const how =
      trust.kind === 'ca'
        ? `${trust.setting} does not vouch for it`
        : 'pin it with target.tls.fingerprint (if it is your NAS) or name its CA in target.tls.caFile';
    return new TailbridgeError(
      `TrueNAS API ${where}: the certificate is not trusted (${code}); it has SHA-256 fingerprint ${seen ?? '(unreadable)'}: ${how}`,
    );
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'ENOTFOUND' ||
    code === 'ETIMEDOUT' ||
    code === 'ECONNRESET'
  )
    return new TailbridgeError(`TrueNAS API ${where}: cannot connect (${code})`);
  if (/handshake has timed out/i.test(e.message))
    return new TailbridgeError(`TrueNAS API ${where}: no WebSocket handshake within the timeout`);
  return new TailbridgeError(`TrueNAS API ${where}: ${oneLine(e.message)}${code ? ` (${code})` : ''}`);
}
