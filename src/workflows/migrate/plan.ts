import { identityVerdict } from '../../adapters/node-identity.js';
import type { Target } from '../../adapters/transaction/target.js';
import { describeGuard, type GuardFlag, type GuardVerdict } from '../../core/identity/guard.js';
import { type PlannedPhase, plannedPhases } from '../../core/migrate/phases.js';
import type { Mode } from '../../core/model/modes.js';
import { type EnvironmentFacts, type Plan, planModes, resolveEnvironment } from '../../core/plan/index.js';
import type { DockerEngine } from '../../core/ports/docker.js';
import { currentMode, observedEnvironment } from './environment.js';

export interface MigrationPlan {
  /** The mode and image running before the migration. */
  original?: Mode;
  originalImage?: string;
  /** What the record states: the config's facts overlaid with observations. */
  environment: EnvironmentFacts;
  plan: Plan;
  phases: PlannedPhase[];
  /** The identity guard's verdict when a phase replaces the node's container. */
  identity?: GuardVerdict;
  identityText: string[];
}

/** Everything decided before anything changes: today's mode, the plan, the phases, the identity verdict. */
export async function planMigration(
  input: { target: Target; modes?: Mode[]; allow: readonly GuardFlag[] },
  ports: { engine: DockerEngine; environment?: () => Promise<EnvironmentFacts> },
): Promise<MigrationPlan> {
  const { config } = input.target.loaded;
  const { engine } = ports;
  await engine.ping();
  const observed = await (ports.environment ?? (() => observedEnvironment(config, engine)))();
  const environment = resolveEnvironment(config, observed);
  const plan = planModes(config, observed);
  const { mode: original, image: originalImage } = await currentMode(engine, config.tailscale.containerName);
  const phases = plannedPhases(plan, original, input.modes);
  // The identity guard before anything changes: every phase but sidecar replaces the node's container.
  const replaces = phases.some((p) => p.kind === 'apply' && !p.blocked && p.mode !== 'sidecar');
  const identity = replaces
    ? await identityVerdict(engine, input.target.project, config, input.allow)
    : undefined;
  return {
    ...(original ? { original } : {}),
    ...(originalImage ? { originalImage } : {}),
    environment,
    plan,
    phases,
    ...(identity ? { identity } : {}),
    identityText: identity ? describeGuard(identity, config.tailscale.containerName) : [],
  };
}
