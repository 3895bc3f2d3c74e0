import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { TailbridgeError } from '../../errors.js';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  body: string;
  contentType?: string;
}

export type HttpClient = (req: HttpRequest) => Promise<HttpResponse>;

export interface HttpClientOptions {
  /** PEM of a private CA, trusted in addition to Node's built-in roots (never instead of verification). */
  ca?: string;
  timeoutMs?: number;
}

/** Node's http(s) with certificate verification always on; a private CA is added, never a bypass. */
export function nodeHttpClient(options: HttpClientOptions = {}): HttpClient {
  const ca = options.ca ? [...tls.rootCertificates, options.ca] : undefined;
  const timeoutMs = options.timeoutMs ?? 15_000;
  return (req) =>
    new Promise((resolve, reject) => {
      const url = new URL(req.url);
      const lib = url.protocol === 'https:' ? https : http;
      const r = lib.request(
        url,
        {
          method: req.method,
          headers: {
            ...req.headers,
            ...(req.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(req.body)) } : {}),
          },
          ...(url.protocol === 'https:' && ca ? { ca } : {}),
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              ...(res.headers['content-type'] ? { contentType: res.headers['content-type'] } : {}),
            }),
          );
          res.on('error', reject);
        },
      );
      r.on('timeout', () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      r.on('error', (e) => reject(transportError(url, e as NodeJS.ErrnoException)));
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
}

const TLS_TRUST = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

function transportError(url: URL, e: NodeJS.ErrnoException): TailbridgeError {
  const where = `${url.origin}`;
  if (e.code && TLS_TRUST.has(e.code))
    return new TailbridgeError(
      `${where}: the server's certificate is not trusted (${e.code}): if a private CA signed it, name its PEM file in tailscale.control.api.caFile`,
    );
  if (e.code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return new TailbridgeError(`${where}: the certificate is not valid for ${url.hostname} (${e.code})`);
  if (e.code === 'CERT_HAS_EXPIRED') return new TailbridgeError(`${where}: the server's certificate expired`);
  return new TailbridgeError(`${where}: ${e.code ?? ''}${e.code ? ' ' : ''}${e.message}`.trim());
}

/** Reads the CA file named in the config (relative to the config's directory). */
export async function readCaFile(caFile: string | undefined, baseDir: string): Promise<string | undefined> {
  if (!caFile) return undefined;
  try {
    const pem = await readFile(path.resolve(baseDir, caFile), 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----'))
      throw new TailbridgeError(`tailscale.control.api.caFile: ${caFile} holds no PEM certificate`);
    return pem;
  } catch (e) {
    if (e instanceof TailbridgeError) throw e;
    throw new TailbridgeError(
      `tailscale.control.api.caFile: cannot read ${caFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** `GET …` → parsed JSON, or a one-line error naming the status and the server's message. */
export async function jsonCall<T>(
  client: HttpClient,
  req: HttpRequest,
  scrub: (s: string) => string,
): Promise<T> {
  const res = await client(req);
  const what = `${req.method} ${new URL(req.url).pathname}`;
  if (res.status < 200 || res.status > 299) {
    let msg = res.body.trim();
    try {
      const j = JSON.parse(msg) as { message?: string; error?: string };
      msg = j.message ?? j.error ?? msg;
    } catch {}
    const hint =
      res.status === 401
        ? ' (the credential was refused: expired or revoked?)'
        : res.status === 403
          ? ' (the credential lacks the permission or scope)'
          : '';
    throw new TailbridgeError(`${what} → ${res.status}: ${scrub(msg.split('\n')[0]!.slice(0, 200))}${hint}`);
  }
  try {
    return (res.body.trim() ? JSON.parse(res.body) : {}) as T;
  } catch {
    throw new TailbridgeError(`${what} → ${res.status}: the answer is not JSON`);
  }
}
