import { gatherTailscaleExtras } from '../../adapters/discover-runtime.js';
import { detectCompose } from '../../adapters/docker/compose.js';
import { DockerodeEngine, engineError } from '../../adapters/docker/engine.js';
import { gatherHostFacts } from '../../adapters/host-network.js';
import {
  computeDiscovery,
  type Discovery,
  type KnownLanFacts,
  type RawDockerFacts,
  type RawFacts,
} from '../../core/discover/index.js';
import type { DockerEngine } from '../../core/ports/docker.js';

export interface DiscoverDeps {
  engine?: DockerEngine;
}

/** Docker facts, or the one line that says why there are none. */
export async function gatherDockerFacts(
  engine: DockerEngine = new DockerodeEngine(),
): Promise<{ docker?: RawDockerFacts; dockerError?: string }> {
  try {
    await engine.ping();
    const [version, networks, containers, flavor] = await Promise.all([
      engine.version(),
      engine.listNetworks(),
      engine.listContainers({ all: true }),
      detectCompose().then(
        (c) => c.flavor,
        () => undefined,
      ),
    ]);
    return {
      docker: {
        engineVersion: version.engine,
        networks,
        containers,
        ...(flavor ? { composeFlavor: flavor } : {}),
        ...(await gatherTailscaleExtras(engine, containers)),
      },
    };
  } catch (e) {
    return {
      dockerError: engineError(e, process.env.DOCKER_HOST ?? '/var/run/docker.sock', 'discover').message,
    };
  }
}

/** Host facts (must succeed) plus Docker facts (may be missing) → Discovery. */
export async function runDiscovery(known: KnownLanFacts = {}, deps: DiscoverDeps = {}): Promise<Discovery> {
  const [host, docker] = await Promise.all([gatherHostFacts(), gatherDockerFacts(deps.engine)]);
  const raw: RawFacts = { host, ...docker, known };
  return computeDiscovery(raw);
}
