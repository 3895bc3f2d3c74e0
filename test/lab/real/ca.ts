/**
 * The lab's private certificate authority (openssl), cached in <cache>/ca so the image that trusts
 * it and the server certificate signed by it stay stable between runs. Keys never enter the work
 * tree. Headscale's own integration tests do the same (integration/hsic: a self-signed CA installed
 * into every client's trust store, headscale served with tls_cert_path/tls_key_path).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ok, run } from './sh.js';
import { cacheDir } from './versions.js';

export interface LabCa {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
}

const DAY = 86_400;

function caDir(): string {
  return path.join(cacheDir(), 'ca');
}

export function labCaPaths(): LabCa {
  const dir = caDir();
  return {
    dir,
    caCert: path.join(dir, 'lab-ca.crt'),
    serverCert: path.join(dir, 'headscale.crt'),
    serverKey: path.join(dir, 'headscale.key'),
  };
}

/** Valid for at least `seconds` more. */
function stillValid(cert: string, seconds: number): boolean {
  return existsSync(cert) && ok('openssl', ['x509', '-checkend', String(seconds), '-noout', '-in', cert]);
}

function sansOf(cert: string): string {
  return run('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', cert]);
}

function createCa(dir: string, caKey: string, caCert: string): void {
  run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', caKey]);
  run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    caKey,
    '-sha256',
    '-days',
    '3650',
    '-subj',
    '/CN=tailbridge lab CA (test only)',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    caCert,
  ]);
  writeFileSync(path.join(dir, 'serial'), '1000\n');
}

function createServerCert(ca: LabCa, caKey: string, ip: string, dnsName: string): void {
  const csr = path.join(ca.dir, 'headscale.csr');
  const ext = path.join(ca.dir, 'headscale.ext');
  run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', ca.serverKey]);
  run('openssl', ['req', '-new', '-key', ca.serverKey, '-subj', `/CN=${dnsName}`, '-out', csr]);
  writeFileSync(
    ext,
    `subjectAltName=IP:${ip},DNS:${dnsName}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`,
  );
  run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.caCert,
    '-CAkey',
    caKey,
    '-CAserial',
    path.join(ca.dir, 'serial'),
    '-days',
    '825',
    '-sha256',
    '-extfile',
    ext,
    '-out',
    ca.serverCert,
  ]);
  rmSync(csr, { force: true });
  rmSync(ext, { force: true });
}

/**
 * The CA (10 years) and a server certificate for headscale at `ip` / `dnsName`, created when missing,
 * expiring within 30 days, or issued for another address.
 */
export function ensureLabCa(ip: string, dnsName: string): LabCa {
  const ca = labCaPaths();
  const caKey = path.join(ca.dir, 'lab-ca.key');
  mkdirSync(ca.dir, { recursive: true, mode: 0o700 });
  if (!existsSync(caKey) || !stillValid(ca.caCert, 30 * DAY)) {
    createCa(ca.dir, caKey, ca.caCert);
    rmSync(ca.serverCert, { force: true });
  }
  const wanted = `IP Address:${ip}`;
  if (
    !existsSync(ca.serverKey) ||
    !stillValid(ca.serverCert, 30 * DAY) ||
    !sansOf(ca.serverCert).includes(wanted)
  )
    createServerCert(ca, caKey, ip, dnsName);
  return ca;
}

/** The system CA bundle followed by the lab CA (what the image and the remote device trust). */
export function caBundle(ca: LabCa): string {
  const system = ['/etc/ssl/certs/ca-certificates.crt'].find(existsSync);
  const base = system ? readFileSync(system, 'utf8') : '';
  return `${base}${base.endsWith('\n') || !base ? '' : '\n'}${readFileSync(ca.caCert, 'utf8')}`;
}
