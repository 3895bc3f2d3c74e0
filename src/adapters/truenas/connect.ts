import type { TargetConfig } from '../../core/model/target.js';
import { readSecret } from '../control/secret.js';
import type { TrueNasApi } from './api.js';
import { midcltApi } from './midclt.js';
import { loadTlsTrust } from './tls.js';
import { connectTrueNas } from './ws-client.js';

/**
 * The run's connection to the middleware named by `target:`: over the network when `target.url` is
 * set (API key from `target.apiKeyFile`, TLS from `target.tls`), else `midclt` on the NAS itself.
 * `TAILBRIDGE_MIDCLT` names another midclt (the lab's double).
 */
export async function openTrueNasApi(target: TargetConfig, configDir: string): Promise<TrueNasApi> {
  const key = JSON.stringify([target.url, target.apiKeyFile, target.tls, configDir]);
  const open = await OPEN.get(key)?.catch(() => undefined);
  if (open?.isOpen) return open;
  const next = connect(target, configDir);
  OPEN.set(key, next);
  next.catch(() => OPEN.delete(key));
  return next;
}

/**
 * One socket per run: the middleware allows 20 logins per minute from one address, and migrate deploys
 * once per phase. The socket does not keep the process alive (jsonrpc.ts unrefs it).
 */
const OPEN = new Map<string, Promise<TrueNasApi>>();

async function connect(target: TargetConfig, configDir: string): Promise<TrueNasApi> {
  if (!target.url) return midcltApi({ command: process.env.TAILBRIDGE_MIDCLT ?? 'midclt' });
  const apiKeyFile = target.apiKeyFile ?? '';
  const [apiKey, trust] = await Promise.all([
    readSecret({ file: apiKeyFile }, 'target.apiKeyFile', configDir),
    loadTlsTrust(target.tls, configDir),
  ]);
  return connectTrueNas({ url: target.url, apiKey, trust, keyOrigin: `target.apiKeyFile ${apiKeyFile}` });
}
