import { toEnvironmentFacts } from '../../core/discover/index.js';
import type { HomelabConfig } from '../../core/model/config.js';
import type { Mode } from '../../core/model/modes.js';
import { type EnvironmentFacts, resolveEnvironment } from '../../core/plan/index.js';
import type { DockerEngine } from '../../core/ports/docker.js';
import { detectMode } from '../../core/verify/detect.js';
import { runDiscovery } from '../discover/run-discovery.js';

/** The mode and image the tailscale container runs before the migration. */
export async function currentMode(
  engine: DockerEngine,
  container: string,
): Promise<{ mode?: Mode; image?: string }> {
  const info = await engine.inspectContainer(container);
  if (!info) return {};
  const mode = detectMode(info, await engine.listNetworks()).mode;
  return { ...(mode ? { mode } : {}), image: info.image };
}

/** What `discover` sees on this host, for the planner; the config's facts when discovery fails. */
export async function observedEnvironment(
  config: HomelabConfig,
  engine: DockerEngine,
): Promise<EnvironmentFacts> {
  try {
    const known = { ...(config.lan.dhcpRange ? { dhcpRange: config.lan.dhcpRange } : {}) };
    return toEnvironmentFacts(await runDiscovery(known, { engine }), config);
  } catch {
    return resolveEnvironment(config);
  }
}
