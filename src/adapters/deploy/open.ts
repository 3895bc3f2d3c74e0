import type { DeployTarget } from '../../core/deploy/target.js';
import type { TargetConfig } from '../../core/model/target.js';
import { TailbridgeError } from '../../errors.js';
import { ComposeTarget, type ComposeTargetOptions } from './compose-target.js';

/** The deploy target tailbridge.yaml's `target:` names. */
export function openDeployTarget(config: TargetConfig, compose: ComposeTargetOptions): DeployTarget {
  if (config.kind === 'compose') return new ComposeTarget(compose);
  throw new TailbridgeError(`target.kind ${config.kind} is not supported by this build of tailbridge`);
}
