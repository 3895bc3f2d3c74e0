import { existsSync } from 'node:fs';
import net from 'node:net';
import type { TcpResult } from '../core/verify/probe-result.js';
import { runProcess } from './process.js';

/**
 * Host-side network probes for `tailbridge verify`: a TCP connect with the outcome classified, a
 * temporary listener (so "container → host" has a known-open port), the host's interfaces, and a
 * minimal SOCKS5 (RFC 1928) CONNECT client for the probe container. No dependencies.
 */
export interface HostProbe {
  tcp(host: string, port: number, timeoutMs: number): Promise<TcpResult>;
  /** Listens on 0.0.0.0:<random> until close(); counts accepted connections. */
  listen(): Promise<TemporaryListener>;
  /** undefined when it cannot be known here (not Linux). */
  interfaceExists(name: string): Promise<boolean | undefined>;
  /** The host interface the kernel routes `address` through (`ip route get`), when it can be asked. */
  routeDevice(address: string): Promise<string | undefined>;
  socks5(
    proxy: { host: string; port: number },
    host: string,
    port: number,
    timeoutMs: number,
  ): Promise<TcpResult>;
}

export interface TemporaryListener {
  port: number;
  accepted(): number;
  close(): Promise<void>;
}

export function classifySocketError(error: NodeJS.ErrnoException): TcpResult {
  const code = error.code ?? '';
  const detail = `${code || 'error'}: ${error.message}`;
  if (code === 'ECONNREFUSED') return { outcome: 'refused', detail: 'ECONNREFUSED (connection refused)' };
  if (code === 'ETIMEDOUT') return { outcome: 'timeout', detail: 'ETIMEDOUT' };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { outcome: 'unreachable', detail };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { outcome: 'unresolved', detail };
  return { outcome: 'error', detail };
}

export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<TcpResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (r: TcpResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => done({ outcome: 'timeout', detail: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('connect', () => done({ outcome: 'open', detail: 'connected' }));
    socket.once('error', (e: NodeJS.ErrnoException) => done(classifySocketError(e)));
  });
}

export function temporaryListener(): Promise<TemporaryListener> {
  return new Promise((resolve, reject) => {
    let count = 0;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      count++;
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
      s.end();
    });
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        accepted: () => count,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

/** SOCKS5 reply codes (RFC 1928 §6). */
const SOCKS_REPLIES: Record<number, string> = {
  1: 'general SOCKS server failure',
  2: 'connection not allowed by ruleset',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused',
  6: 'TTL expired',
  7: 'command not supported',
  8: 'address type not supported',
};

/** Bytes of a CONNECT request for host:port (IPv4 literal, else domain name). */
export function socks5ConnectRequest(host: string, port: number): Buffer {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  const portBytes = [(port >> 8) & 0xff, port & 0xff];
  if (v4) return Buffer.from([5, 1, 0, 1, ...v4.slice(1).map(Number), ...portBytes]);
  const name = Buffer.from(host, 'utf8');
  if (name.length > 255) throw new Error(`host name too long for SOCKS5: ${host}`);
  return Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), name, Buffer.from(portBytes)]);
}

/** Maps a CONNECT reply code to an outcome. */
export function socks5Outcome(rep: number): TcpResult {
  if (rep === 0) return { outcome: 'open', detail: 'SOCKS5 CONNECT succeeded' };
  const text = SOCKS_REPLIES[rep] ?? `reply ${rep}`;
  const detail = `SOCKS5 reply ${rep} (${text})`;
  if (rep === 5) return { outcome: 'refused', detail };
  if (rep === 3 || rep === 4) return { outcome: 'unreachable', detail };
  if (rep === 6) return { outcome: 'timeout', detail };
  return { outcome: 'error', detail };
}

/** One CONNECT through a SOCKS5 proxy (no auth); closes right after the reply. */
export function socks5Connect(
  proxy: { host: string; port: number },
  host: string,
  port: number,
  timeoutMs: number,
): Promise<TcpResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: proxy.host, port: proxy.port });
    let buf = Buffer.alloc(0);
    let stage: 'greeting' | 'reply' = 'greeting';
    const done = (r: TcpResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => done({ outcome: 'timeout', detail: `no SOCKS5 reply within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('connect', () => socket.write(Buffer.from([5, 1, 0])));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (stage === 'greeting') {
        if (buf.length < 2) return;
        if (buf[0] !== 5 || buf[1] !== 0)
          return done({ outcome: 'error', detail: `SOCKS5 proxy refused no-auth (method ${buf[1]})` });
        buf = buf.subarray(2);
        stage = 'reply';
        socket.write(socks5ConnectRequest(host, port));
      }
      if (stage === 'reply' && buf.length >= 2) {
        if (buf[0] !== 5) return done({ outcome: 'error', detail: 'not a SOCKS5 reply' });
        done(socks5Outcome(buf[1]!));
      }
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const r = classifySocketError(e);
      done({ outcome: 'error', detail: `SOCKS5 proxy ${proxy.host}:${proxy.port}: ${r.detail}` });
    });
    socket.once('close', () => done({ outcome: 'error', detail: 'SOCKS5 proxy closed the connection' }));
  });
}

export const localHostProbe: HostProbe = {
  tcp: tcpConnect,
  listen: temporaryListener,
  interfaceExists: async (name) =>
    process.platform === 'linux' ? existsSync(`/sys/class/net/${name}`) : undefined,
  socks5: socks5Connect,
  routeDevice: async (address) => {
    if (process.platform !== 'linux') return undefined;
    const r = await runProcess('ip', ['route', 'get', address], { timeoutMs: 5000 });
    return r.exitCode === 0 ? /\bdev\s+(\S+)/.exec(r.stdout)?.[1] : undefined;
  },
};
