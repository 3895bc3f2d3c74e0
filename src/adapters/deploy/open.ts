import type { DeployTarget } from '../../core/deploy/target.js';
import type { TargetConfig } from '../../core/model/target.js';
import { TailbridgeError } from '../../errors.js';
import { openTrueNasApi } from '../truenas/connect.js';
import { ComposeTarget, type ComposeTargetOptions } from './compose-target.js';
import { TrueNasTarget } from './truenas-target.js';

/** The deploy target tailbridge.yaml's `target:` names. `configDir` resolves target.apiKeyFile / tls.caFile. */
export function openDeployTarget(
  config: TargetConfig,
  compose: ComposeTargetOptions,
  context: { configDir: string } = { configDir: process.cwd() },
): DeployTarget {
  if (config.kind === 'compose') return new ComposeTarget(compose);
  if (config.kind === 'truenas' && config.app) {
    const { projectName: _ownName, ...localProject } = compose.project;
    return new TrueNasTarget({
      app: config.app,
      connect: () => openTrueNasApi(config, context.configDir),
      engine: compose.engine,
      compose: compose.compose,
      localProject,
      composeFile: compose.composeFile,
      service: compose.service,
      ...(compose.settleMs !== undefined ? { settleMs: compose.settleMs } : {}),
      ...(compose.pollMs !== undefined ? { pollMs: compose.pollMs } : {}),
    });
  }
  throw new TailbridgeError(`target.kind ${config.kind} needs target.app`);
}
