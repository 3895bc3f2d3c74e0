#!/usr/bin/node
// [tailscale-double] lab-only probe client (not part of Tailscale): does a SOCKS5 CONNECT through
// TS_SOCKS5_SERVER and then either an HTTP GET (`lab-socks5-get SOCKS_ADDR http://HOST:PORT/PATH`, prints the
// status line and body) or just the connect (`lab-socks5-get SOCKS_ADDR --tcp HOST:PORT`).
// Exit 0 = reached (HTTP: any HTTP response), 1 = SOCKS refused/failed (reply code printed), 2 = usage.
import net from 'node:net';

const [socksAddr, a1, a2] = process.argv.slice(2);
if (!socksAddr || !a1) {
  process.stderr.write('usage: lab-socks5-get SOCKS_HOST:PORT (URL | --tcp HOST:PORT)\n');
  process.exit(2);
}
const tcpOnly = a1 === '--tcp';
const target = tcpOnly ? new URL(`tcp://${a2}`) : new URL(a1);
const host = target.hostname.replace(/^\[|\]$/g, '');
const port = Number(target.port || 80);
const [sh, sp] = [
  socksAddr.slice(0, socksAddr.lastIndexOf(':')) || '127.0.0.1',
  Number(socksAddr.slice(socksAddr.lastIndexOf(':') + 1)),
];
const REPLIES = {
  1: 'general failure',
  2: 'not allowed',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused',
  7: 'command not supported',
  8: 'address type not supported',
};

const s = net.connect({ host: sh, port: sp });
const timer = setTimeout(() => {
  process.stderr.write('lab-socks5-get: timeout\n');
  process.exit(1);
}, 15_000);
let stage = 0;
let buf = Buffer.alloc(0);
let body = '';
s.on('connect', () => s.write(Buffer.from([5, 1, 0])));
s.on('data', (chunk) => {
  if (stage === 2) {
    body += chunk;
    return;
  }
  buf = Buffer.concat([buf, chunk]);
  if (stage === 0 && buf.length >= 2) {
    buf = buf.subarray(2);
    const ipv4 = /^\d+\.\d+\.\d+\.\d+$/.test(host);
    const addr = ipv4
      ? Buffer.from([1, ...host.split('.').map(Number)])
      : Buffer.concat([Buffer.from([3, host.length]), Buffer.from(host)]);
    const p = Buffer.alloc(2);
    p.writeUInt16BE(port);
    s.write(Buffer.concat([Buffer.from([5, 1, 0]), addr, p]));
    stage = 1;
  }
  if (stage === 1 && buf.length >= 10) {
    if (buf[1] !== 0) {
      process.stderr.write(
        `lab-socks5-get: SOCKS5 reply ${buf[1]} (${REPLIES[buf[1]] ?? 'error'}) for ${host}:${port}\n`,
      );
      process.exit(1);
    }
    stage = 2;
    if (tcpOnly) {
      process.stdout.write(`connected to ${host}:${port}\n`);
      clearTimeout(timer);
      process.exit(0);
    }
    s.write(
      `GET ${target.pathname}${target.search} HTTP/1.0\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`,
    );
  }
});
s.on('end', () => {
  clearTimeout(timer);
  process.stdout.write(body);
  process.exit(/^HTTP\/1\.[01] \d{3}/.test(body) ? 0 : 1);
});
s.on('error', (e) => {
  process.stderr.write(`lab-socks5-get: ${e.message}\n`);
  process.exit(1);
});
