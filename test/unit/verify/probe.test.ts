import net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  socks5Connect,
  socks5ConnectRequest,
  tcpConnect,
  temporaryListener,
} from '../../../src/adapters/probe.js';
import { parseEnvFile } from '../../../src/adapters/probe-container.js';

/** A loopback SOCKS5 server that answers every CONNECT with `rep` and records the request. */
function fakeSocks(rep: number): Promise<{ port: number; requests: Buffer[]; close(): void }> {
  const requests: Buffer[] = [];
  const server = net.createServer((s) => {
    let stage = 0;
    s.on('data', (b) => {
      if (stage++ === 0) s.write(Buffer.from([5, 0]));
      else {
        requests.push(b);
        s.end(Buffer.from([5, rep, 0, 1, 0, 0, 0, 0, 0, 0]));
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as net.AddressInfo).port, requests, close: () => server.close() }),
    ),
  );
}

describe('host-side probes (loopback only)', () => {
  it('encodes CONNECT for IPv4 and for names', () => {
    expect([...socks5ConnectRequest('198.18.0.20', 8080)]).toEqual([5, 1, 0, 1, 198, 18, 0, 20, 0x1f, 0x90]);
    expect([...socks5ConnectRequest('nas.tail.ts.net', 443)].slice(0, 5)).toEqual([5, 1, 0, 3, 15]);
  });

  it('maps SOCKS5 replies: 0 open, 5 refused, 4 unreachable', async () => {
    for (const [rep, outcome] of [
      [0, 'open'],
      [5, 'refused'],
      [4, 'unreachable'],
    ] as const) {
      const s = await fakeSocks(rep);
      const r = await socks5Connect({ host: '127.0.0.1', port: s.port }, '198.18.0.20', 8080, 2000);
      expect(r.outcome).toBe(outcome);
      expect(s.requests[0]![3]).toBe(1);
      s.close();
    }
  });

  it('a temporary listener accepts and counts; a closed port is refused', async () => {
    const l = await temporaryListener();
    expect((await tcpConnect('127.0.0.1', l.port, 2000)).outcome).toBe('open');
    await new Promise((r) => setTimeout(r, 50));
    expect(l.accepted()).toBe(1);
    await l.close();
    expect((await tcpConnect('127.0.0.1', l.port, 2000)).outcome).toBe('refused');
  });

  it('parses env files without printing them', () => {
    expect(parseEnvFile('# key\nTS_AUTHKEY="tskey-auth-x"\nexport OTHER=1\n\nbad line\n')).toEqual({
      TS_AUTHKEY: 'tskey-auth-x',
      OTHER: '1',
    });
  });
});
