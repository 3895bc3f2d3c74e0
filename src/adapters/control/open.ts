import type { ControlAccess, ControlServerPort } from '../../core/control/ports.js';
import { controlApiUrl, controlServer } from '../../core/control/server.js';
import type { HomelabConfig } from '../../core/model/config.js';
import { HeadscaleApi } from './headscale.js';
import { type HttpClient, nodeHttpClient, readCaFile } from './http.js';
import { readSecret } from './secret.js';
import { TailscaleApi } from './tailscale.js';

export interface OpenControlOptions {
  /** Directory that relative credential and CA paths resolve against (the config's). */
  configDir: string;
  env?: NodeJS.ProcessEnv;
  userAgent?: string;
  /** For tests: another transport (the CA option is then not used). */
  http?: HttpClient;
}

export type OpenedControl = { api: ControlServerPort } | { unavailable: string };

const API = 'tailscale.control.api';

/**
 * The control server's API from tailbridge.yaml, or why there is none. Reading a named credential can
 * fail (file missing, variable unset): that throws a one-line TailbridgeError naming the setting.
 */
export async function openControlServer(
  config: HomelabConfig,
  o: OpenControlOptions,
): Promise<OpenedControl> {
  const info = controlServer(config);
  const api = config.tailscale.control?.api;
  if (!api || (!api.apiKey && !api.oauth))
    return {
      unavailable: `no API credentials in tailbridge.yaml (${API}.${info.kind === 'headscale' ? 'apiKey' : 'apiKey or .oauth'})`,
    };
  const url = controlApiUrl(config);
  const http =
    o.http ?? nodeHttpClient({ ...(api.caFile ? { ca: await readCaFile(api.caFile, o.configDir) } : {}) });
  const ua = o.userAgent ?? 'tailbridge';
  if (info.kind === 'headscale') {
    const key = await readSecret(api.apiKey!, `${API}.apiKey`, o.configDir, o.env);
    return { api: new HeadscaleApi(url, key, http, ua) };
  }
  const credential = api.oauth
    ? {
        kind: 'oauth' as const,
        clientId: api.oauth.clientId,
        clientSecret: await readSecret(
          api.oauth.clientSecret,
          `${API}.oauth.clientSecret`,
          o.configDir,
          o.env,
        ),
      }
    : { kind: 'api-key' as const, key: await readSecret(api.apiKey!, `${API}.apiKey`, o.configDir, o.env) };
  return { api: new TailscaleApi(url, api.tailnet, credential, http, ua) };
}

/** openControlServer as a ControlAccess: an unreadable credential is a reason, not a crash. */
export async function controlAccess(config: HomelabConfig, o: OpenControlOptions): Promise<ControlAccess> {
  try {
    const opened = await openControlServer(config, o);
    return 'api' in opened ? opened : { unavailable: opened.unavailable, failed: false };
  } catch (e) {
    return { unavailable: (e as Error).message, failed: true };
  }
}
