import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { TailbridgeError } from '../../errors.js';

/**
 * How the NAS certificate is trusted. A NAS normally has a self-signed certificate, so the user pins
 * its SHA-256 fingerprint or names the CA that signed it. There is no "insecure" option: without a pin
 * or a CA the system roots must verify the certificate, and when they do not, the error prints the
 * fingerprint that was seen so the user can pin it.
 */
export type TlsTrust =
  | { kind: 'pin'; fingerprint: string; setting: string }
  | { kind: 'ca'; ca: string; setting: string }
  | { kind: 'system' };

/** `AB:CD:…` (upper case, colon pairs) from any accepted spelling: `sha256:` prefix, colons or not, any case. */
export function normalizeFingerprint(text: string): string {
  const hex = text
    .trim()
    .replace(/^sha256:/i, '')
    .replace(/:/g, '')
    .toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? hex;
}

/** SHA-256 over the certificate's DER bytes, the same value `openssl x509 -fingerprint -sha256` prints. */
export function certificateFingerprint(der: Buffer): string {
  return normalizeFingerprint(createHash('sha256').update(der).digest('hex'));
}

/** Reads the trust settings of `target.tls` (paths relative to tailbridge.yaml). */
export async function loadTlsTrust(
  settings: { fingerprint?: string; caFile?: string } | undefined,
  baseDir: string,
): Promise<TlsTrust> {
  if (settings?.fingerprint)
    return {
      kind: 'pin',
      fingerprint: normalizeFingerprint(settings.fingerprint),
      setting: 'target.tls.fingerprint',
    };
  if (settings?.caFile) {
    const file = path.resolve(baseDir, settings.caFile);
    try {
      return { kind: 'ca', ca: await readFile(file, 'utf8'), setting: 'target.tls.caFile' };
    } catch (e) {
      throw new TailbridgeError(
        `target.tls.caFile: cannot read ${settings.caFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return { kind: 'system' };
}

/**
 * TLS options for the WebSocket's HTTPS upgrade. A pin turns off chain verification only so the
 * handshake can finish; the fingerprint is then checked before anything is sent (`checkPin`).
 */
export function tlsConnectOptions(trust: TlsTrust): tls.ConnectionOptions {
  switch (trust.kind) {
    case 'pin':
      return { rejectUnauthorized: false };
    case 'ca':
      return { rejectUnauthorized: true, ca: [...tls.rootCertificates, trust.ca] };
    case 'system':
      return { rejectUnauthorized: true };
  }
}

/** Null when the peer certificate matches the pin; otherwise the fingerprint that was seen. */
export function pinMismatch(socket: tls.TLSSocket, trust: TlsTrust): string | null {
  if (trust.kind !== 'pin') return null;
  const cert = socket.getPeerCertificate();
  const seen = cert?.raw ? certificateFingerprint(cert.raw) : '(no certificate)';
  return seen === trust.fingerprint ? null : seen;
}

/** Node's certificate-trust error codes: the server answered, but with a certificate nobody vouched for. */
export const UNTRUSTED_CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Reads the fingerprint of the certificate a server presents, sending nothing after the handshake:
 * used only to tell the user what to pin after verification refused the certificate.
 */
export function peekFingerprint(host: string, port: number, timeoutMs = 5000): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = tls.connect(
      { host, port, rejectUnauthorized: false, ...(net.isIP(host) ? {} : { servername: host }) },
      () => {
        const cert = socket.getPeerCertificate();
        socket.destroy();
        resolve(cert?.raw ? certificateFingerprint(cert.raw) : null);
      },
    );
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(null);
    });
    socket.on('error', () => resolve(null));
  });
}
