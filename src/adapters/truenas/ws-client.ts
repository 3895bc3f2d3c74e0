import { TailbridgeError } from '../../errors.js';
import type { Secret } from '../control/secret.js';
import type { TrueNasApi } from './api.js';
import { apiUrl, JsonRpcSocket, RpcCallError } from './jsonrpc.js';
import type { TlsTrust } from './tls.js';

export interface WsConnectOptions {
  url: string;
  apiKey: Secret;
  trust: TlsTrust;
  /** Names the key's file in messages (`target.apiKeyFile ./truenas.key`), never the key. */
  keyOrigin: string;
  connectTimeoutMs?: number;
  callTimeoutMs?: number;
}

/**
 * Opens ONE authenticated socket for the whole run: the middleware rate-limits unauthenticated
 * calls (auth included) to 20 per method and address in 60 s (TS-25.10.6
 * src/middlewared/middlewared/utils/rate_limit/cache.py, main.py `authorize_method_call`).
 * Login is `auth.login_with_api_key [key]`, which answers `false` for a wrong key
 * (plugins/auth.py `login_with_api_key`).
 */
export async function connectTrueNas(options: WsConnectOptions): Promise<TrueNasApi> {
  const url = apiUrl(options.url);
  const socket = await JsonRpcSocket.open(url, {
    trust: options.trust,
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  const api = new WsTrueNasApi(socket, url.href, options.apiKey, options.callTimeoutMs);
  try {
    const ok = await api.call('auth.login_with_api_key', [options.apiKey.reveal()]);
    if (ok !== true)
      throw new TailbridgeError(`TrueNAS API ${url.href}: the API key in ${options.keyOrigin} was refused`);
  } catch (e) {
    await socket.close();
    throw e;
  }
  return api;
}

class WsTrueNasApi implements TrueNasApi {
  constructor(
    private readonly socket: JsonRpcSocket,
    readonly endpoint: string,
    private readonly secret: Secret,
    private readonly timeoutMs = 30_000,
  ) {}

  async call(method: string, params: unknown[] = []): Promise<unknown> {
    try {
      return await this.socket.call(method, params, this.timeoutMs);
    } catch (e) {
      throw this.#asUserError(e);
    }
  }

  get isOpen(): boolean {
    return this.socket.isOpen;
  }

  close(): Promise<void> {
    return this.socket.close();
  }

  /** One line naming the endpoint and method; anything the server echoed is scrubbed of the key. */
  #asUserError(e: unknown): Error {
    if (e instanceof RpcCallError) {
      const hint =
        e.body.data?.reason === 'Rate Limit Exceeded' ? ' (wait a minute before the next try)' : '';
      return new TailbridgeError(this.secret.scrub(`TrueNAS API ${this.endpoint}: ${e.message}${hint}`));
    }
    if (e instanceof TailbridgeError) return new TailbridgeError(this.secret.scrub(e.message), e.exitCode);
    return e as Error;
  }
}
