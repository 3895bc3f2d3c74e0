import path from 'node:path';
import type { TrueNasFound } from '../../core/discover/truenas-draft.js';
import { readSecret } from '../control/secret.js';
import type { TrueNasApi } from './api.js';
import { queryApps, tailscaleApps } from './apps.js';
import { apiUrl } from './jsonrpc.js';
import { midcltApi, midcltAvailable } from './midclt.js';
import { loadTlsTrust, peekFingerprint } from './tls.js';
import { connectTrueNas } from './ws-client.js';

export interface TrueNasDiscoverOptions {
  url?: string;
  apiKeyFile?: string;
  fingerprint?: string;
  caFile?: string;
  /** Where relative files resolve (the config's directory). */
  baseDir: string;
}

/**
 * Looks for a TrueNAS middleware: the URL the user gave, else midclt on this host. Lists the apps
 * (`app.query`) and picks those running a tailscale image. Undefined when there is none.
 */
export async function discoverTrueNas(o: TrueNasDiscoverOptions): Promise<TrueNasFound | undefined> {
  if (!o.url) {
    if (!(await midcltAvailable())) return undefined;
    return listApps(midcltApi({ command: process.env.TAILBRIDGE_MIDCLT ?? 'midclt' }), {});
  }
  const url = apiUrl(o.url);
  const fingerprint =
    o.fingerprint ??
    (o.caFile ? undefined : ((await peekFingerprint(url.hostname, Number(url.port || 443))) ?? undefined));
  const base: Omit<TrueNasFound, 'apps' | 'tailscaleApps'> = {
    url: url.href,
    ...(o.apiKeyFile ? { apiKeyFile: o.apiKeyFile } : {}),
    ...(fingerprint ? { fingerprint } : {}),
    ...(o.caFile ? { caFile: o.caFile } : {}),
  };
  if (!o.apiKeyFile) return { ...base, apps: [], tailscaleApps: [], error: 'no --truenas-key-file' };
  try {
    const tls = o.caFile ? { caFile: o.caFile } : fingerprint ? { fingerprint } : undefined;
    const api = await connectTrueNas({
      url: url.href,
      apiKey: await readSecret({ file: o.apiKeyFile }, '--truenas-key-file', o.baseDir),
      trust: await loadTlsTrust(tls, o.baseDir),
      keyOrigin: path.basename(o.apiKeyFile),
    });
    try {
      return await listApps(api, base);
    } finally {
      await api.close();
    }
  } catch (e) {
    return { ...base, apps: [], tailscaleApps: [], error: (e as Error).message };
  }
}

async function listApps(
  api: TrueNasApi,
  base: Omit<TrueNasFound, 'apps' | 'tailscaleApps'>,
): Promise<TrueNasFound> {
  const apps = await queryApps(api, undefined, { retrieveConfig: true });
  return {
    ...base,
    apps: apps.map((a) => a.name),
    tailscaleApps: tailscaleApps(apps.filter((a) => a.custom_app)).map((a) => a.name),
  };
}
