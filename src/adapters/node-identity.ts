import { realpath } from 'node:fs/promises';
import { desiredIdentity, type GuardFlag, type GuardVerdict, guardIdentity } from '../core/identity/guard.js';
import {
  identityPrefs,
  type NodeIdentity,
  type RunningFacts,
  runningIdentity,
} from '../core/identity/node.js';
import { stateDirMount } from '../core/identity/state-dir.js';
import type { HomelabConfig } from '../core/model/config.js';
import type { ComposeProject } from '../core/ports/compose.js';
import type { ContainerInfo, DockerEngine } from '../core/ports/docker.js';
import { locateServiceContainer } from './transaction/locate.js';

async function execOut(engine: DockerEngine, container: string, cmd: string[]): Promise<string | undefined> {
  try {
    const r = await engine.exec(container, cmd, { timeoutMs: 8_000 });
    return r.exitCode === 0 ? r.stdout : undefined;
  } catch {
    return undefined;
  }
}

/** A host path as the kernel sees it (symlinks resolved), or unchanged when it does not exist. */
export function realPathOr(p: string): Promise<string> {
  return realpath(p).catch(() => p);
}

/**
 * What a tailscale container is running as: its settings (TS_EXTRA_ARGS redacted by the engine
 * adapter), its state mount and — when it runs — `tailscale status --json` and `tailscale debug prefs`
 * from inside it. No secret value is read.
 */
export async function readRunningFacts(engine: DockerEngine, c: ContainerInfo): Promise<RunningFacts> {
  const mount = stateDirMount(c.mounts, c.tsSettings.TS_STATE_DIR);
  const running = c.state === 'running';
  const [status, prefs] = running
    ? await Promise.all([
        execOut(engine, c.id, ['tailscale', 'status', '--json']),
        execOut(engine, c.id, ['tailscale', 'debug', 'prefs']),
      ])
    : [undefined, undefined];
  return {
    container: c.name,
    tsSettings: c.tsSettings,
    ...(c.hostname ? { containerHostname: c.hostname } : {}),
    ...(mount ? { stateDir: await realPathOr(mount.source) } : {}),
    ...(status ? { status } : {}),
    ...(prefs && identityPrefs(prefs) ? { prefs: identityPrefs(prefs)! } : {}),
  };
}

/**
 * The tailscale node the project runs today: the compose service's container (what an apply would
 * replace), else the container named in the config. Undefined when neither exists.
 */
export async function readRunningNode(
  engine: DockerEngine,
  project: ComposeProject,
  service: string,
  containerName: string,
): Promise<NodeIdentity | undefined> {
  const c =
    (await locateServiceContainer(engine, project, service)) ??
    (await engine.inspectContainer(containerName));
  return c ? runningIdentity(await readRunningFacts(engine, c)) : undefined;
}

/**
 * The identity guard's verdict for deploying `config` over what runs now (the state directories of
 * both sides compared with symlinks resolved).
 */
export async function identityVerdict(
  engine: DockerEngine,
  project: ComposeProject,
  config: HomelabConfig,
  allowed: readonly GuardFlag[],
): Promise<GuardVerdict> {
  const running = await readRunningNode(
    engine,
    project,
    config.tailscale.service,
    config.tailscale.containerName,
  );
  const desired = desiredIdentity(config);
  return guardIdentity(running, { ...desired, stateDir: await realPathOr(desired.stateDir) }, allowed);
}
