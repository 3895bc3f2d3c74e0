/** The API client verifies TLS always; a private CA is added with caFile, never a bypass. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHttpClient, readCaFile } from '../../../src/adapters/control/http.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tailbridge-ca-'));
let server: https.Server;
let url: string;

beforeAll(async () => {
  // A private CA and a server certificate for 127.0.0.1 signed by it (openssl, as the real lab does).
  const o = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  o([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=tailbridge test CA',
  ]);
  o([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'srv.key',
    '-out',
    'srv.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  o([
    'x509',
    '-req',
    '-in',
    'srv.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'srv.pem',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  ]);
  server = https.createServer(
    { key: readFileSync(path.join(dir, 'srv.key')), cert: readFileSync(path.join(dir, 'srv.pem')) },
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"nodes":[]}');
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/node`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('HTTPS to a control server with a private CA', () => {
  it('refuses an untrusted certificate with a line that names caFile', async () => {
    const err = await nodeHttpClient()({ method: 'GET', url }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /^https:\/\/127\.0\.0\.1:\d+: the server's certificate is not trusted \(\w+\): if a private CA signed it, name its PEM file in tailscale\.control\.api\.caFile$/,
    );
  });

  it('trusts it with the CA file, in addition to the system CAs', async () => {
    const ca = await readCaFile('ca.pem', dir);
    const r = await nodeHttpClient({ ...(ca ? { ca } : {}) })({ method: 'GET', url });
    expect(r).toMatchObject({ status: 200, body: '{"nodes":[]}' });
  });

  it('a CA file that is not PEM is a one-line error', async () => {
    writeFileSync(path.join(dir, 'not.pem'), 'hello');
    await expect(readCaFile('not.pem', dir)).rejects.toThrow(
      'tailscale.control.api.caFile: not.pem holds no PEM certificate',
    );
    await expect(readCaFile('missing.pem', dir)).rejects.toThrow(
      'tailscale.control.api.caFile: cannot read missing.pem (ENOENT)',
    );
  });
});
