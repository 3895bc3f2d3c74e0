/**
 * The TrueNAS middleware TEST DOUBLE: the real middleware cannot run here, so this server stands in for
 * it, built from truenas/middleware tag TS-25.10.6 (sources in each file's header). It serves JSON-RPC 2.0
 * over wss on loopback (`/api/current`), an authenticated unix socket for the midclt double, keeps an
 * `.ix-apps` tree and runs compose v2 against the real Docker engine.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { appsMethods } from './apps-service.js';
import { selfSignedCert } from './cert.js';
import { composeV2ConfigDir, DoubleCompose } from './compose.js';
import { IxApps } from './ix-apps.js';
import { Jobs } from './jobs.js';
import { type MethodSpec, type RpcServer, startRpcServer } from './rpc-server.js';

export interface TrueNasDoubleOptions {
  /** Holds `.ix-apps/`, the certificate and the unix socket. */
  dir: string;
  apiKey?: string;
  port?: number;
  /** false: no compose (validation and deploy fail); default: compose v2 from the lab cache. */
  compose?: boolean;
  rateLimit?: { maxCalls: number; periodMs: number; sleepMs: [number, number] };
  /** Delay of a refused login (the middleware sleeps 1–2 s). */
  loginFailDelayMs?: [number, number];
  cert?: { key: string; cert: string; fingerprint: string };
}

export interface TrueNasDouble {
  url: string;
  port: number;
  apiKey: string;
  fingerprint: string;
  certFile?: string;
  socketPath: string;
  store: IxApps;
  jobs: Jobs;
  rpc: RpcServer;
  close(): Promise<void>;
}

/** A key shaped like the middleware's: `<id>-<64 random chars>` (plugins/api_key.py). */
export function newApiKey(id = 1): string {
  return `${id}-${randomBytes(48).toString('base64url').slice(0, 64)}`;
}

/** Test hook: the file whose presence makes the next compose up fail (like a pull that fails on the NAS). */
export const FAULT_FILE = 'fail-next-compose-up';

function takeFault(dir: string): string | undefined {
  const file = path.join(dir, FAULT_FILE);
  if (!existsSync(file)) return undefined;
  const why = readFileSync(file, 'utf8').trim() || 'injected';
  rmSync(file, { force: true });
  return why;
}

export async function startTrueNasDouble(o: TrueNasDoubleOptions): Promise<TrueNasDouble> {
  const apiKey = o.apiKey ?? newApiKey();
  const cert = o.cert ?? selfSignedCert(path.join(o.dir, 'cert'));
  const store = new IxApps(path.join(o.dir, '.ix-apps'));
  const jobs = new Jobs();
  const configDir = o.compose === false ? null : composeV2ConfigDir();
  if (o.compose === true && !configDir)
    throw new Error('compose v2 is not built: run `npm run lab -- build --compose-v2` first');
  const compose = configDir ? new DoubleCompose(configDir) : null;
  const failDelay = o.loginFailDelayMs ?? [1000, 2000];
  const auth: Record<string, MethodSpec> = {
    'auth.login_with_api_key': {
      schema: 'auth.login_with_api_key',
      noAuth: true,
      async handler([key], session) {
        if (key === apiKey) {
          session.authenticated = true;
          return true;
        }
        await new Promise((r) => setTimeout(r, failDelay[0] + Math.random() * (failDelay[1] - failDelay[0])));
        return false;
      },
    },
  };
  const socketPath = path.join(o.dir, 'middlewared.sock');
  const rpc = await startRpcServer(
    { ...auth, ...appsMethods({ store, jobs, compose, takeFault: () => takeFault(o.dir) }) },
    {
      tls: cert,
      socketPath,
      ...(o.port !== undefined ? { port: o.port } : {}),
      ...(o.rateLimit ? { rateLimit: o.rateLimit } : {}),
    },
  );
  return {
    url: rpc.url,
    port: rpc.port,
    apiKey,
    fingerprint: cert.fingerprint,
    ...('certFile' in cert ? { certFile: (cert as { certFile: string }).certFile } : {}),
    socketPath,
    store,
    jobs,
    rpc,
    async close() {
      await Promise.allSettled([...jobs.running]);
      await rpc.close();
    },
  };
}
