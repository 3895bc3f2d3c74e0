/**
 * TEST DOUBLE of the TrueNAS middleware: a self-signed certificate like the one a fresh NAS serves
 * (the "truenas_default" certificate is self-signed), for wss on loopback. Made with openssl.
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface DoubleCert {
  key: string;
  cert: string;
  certFile: string;
  /** `AB:CD:…` SHA-256 over the DER bytes. */
  fingerprint: string;
}

export function selfSignedCert(dir: string, commonName = 'truenas-double'): DoubleCert {
  mkdirSync(dir, { recursive: true });
  const keyFile = path.join(dir, `${commonName}.key`);
  const certFile = path.join(dir, `${commonName}.crt`);
  if (!existsSync(certFile) || !existsSync(keyFile))
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '3650',
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
  const cert = readFileSync(certFile, 'utf8');
  return { key: readFileSync(keyFile, 'utf8'), cert, certFile, fingerprint: fingerprintOf(cert) };
}

export function fingerprintOf(pem: string): string {
  const der = new X509Certificate(pem).raw;
  return (createHash('sha256').update(der).digest('hex').toUpperCase().match(/.{2}/g) ?? []).join(':');
}
