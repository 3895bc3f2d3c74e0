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
  if (!target.url) return midcltApi({ command: process.env.TAILBRIDGE_MIDCLT ?? 'midclt' });
  const apiKeyFile = target.apiKeyFile ?? '';
  const [apiKey, trust] = await Promise.all([
    readSecret({ file: apiKeyFile }, 'target.apiKeyFile', configDir),
    loadTlsTrust(target.tls, configDir),
  ]);
  return connectTrueNas({ url: target.url, apiKey, trust, keyOrigin: `target.apiKeyFile ${apiKeyFile}` });
}
