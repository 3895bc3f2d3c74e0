import { readFile, stat } from 'node:fs/promises';
import { composeServiceFacts } from '../core/discover/compose-service.js';
import { composeLabels, tailscaleMatch } from '../core/discover/discover.js';
import type { RawDockerFacts } from '../core/discover/types.js';
import { identityPrefs } from '../core/identity/node.js';
import type { ContainerInfo, DockerEngine } from '../core/ports/docker.js';
import { readEnvFileNames } from './lint-files.js';

const MAX_COMPOSE_BYTES = 1024 * 1024;

async function execOut(engine: DockerEngine, id: string, cmd: string[]): Promise<string | undefined> {
  try {
    const r = await engine.exec(id, cmd, { timeoutMs: 8_000 });
    return r.exitCode === 0 ? r.stdout : undefined;
  } catch {
    return undefined;
  }
}

async function readSmallText(file: string): Promise<string | undefined> {
  try {
    const st = await stat(file);
    if (!st.isFile() || st.size > MAX_COMPOSE_BYTES) return undefined;
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * What discover needs beyond the engine's inspect, for each tailscale container: `tailscale status
 * --json` and `tailscale debug prefs` from inside it (when it runs), the text of the compose file it
 * came from (via compose's config_files/working_dir labels), and the variable NAMES of the env files
 * that service uses — never their values.
 */
export async function gatherTailscaleExtras(
  engine: DockerEngine,
  containers: readonly ContainerInfo[],
): Promise<Pick<RawDockerFacts, 'tailscaleRuntime' | 'composeTexts' | 'envFileNames'>> {
  const tailscaleRuntime: NonNullable<RawDockerFacts['tailscaleRuntime']> = {};
  const composeTexts: NonNullable<RawDockerFacts['composeTexts']> = {};
  const envFileNames: NonNullable<RawDockerFacts['envFileNames']> = {};
  await Promise.all(
    containers
      .filter((c) => tailscaleMatch(c).length > 0)
      .map(async (c) => {
        if (c.state === 'running') {
          const [status, prefs] = await Promise.all([
            execOut(engine, c.id, ['tailscale', 'status', '--json']),
            execOut(engine, c.id, ['tailscale', 'debug', 'prefs']),
          ]);
          // Only the identity fields of the prefs are kept: the full output holds private keys.
          const kept = prefs ? identityPrefs(prefs) : undefined;
          tailscaleRuntime[c.name] = { ...(status ? { status } : {}), ...(kept ? { prefs: kept } : {}) };
        }
        const labels = composeLabels(c.labels);
        const file = labels?.configFiles[0];
        if (!file || !labels?.service) return;
        const text = await readSmallText(file);
        if (text === undefined) return;
        composeTexts[file] = text;
        const facts = composeServiceFacts(text, labels.service, labels.workingDir);
        for (const env of facts?.envFiles ?? []) envFileNames[env] = (await readEnvFileNames(env)) ?? null;
      }),
  );
  return { tailscaleRuntime, composeTexts, envFileNames };
}
