import { readFile } from 'node:fs/promises';
import type { Target } from '../../adapters/transaction/target.js';
import type { Progress } from '../../core/apply/progress.js';
import { driftMessage } from '../../core/deploy/drift.js';
import type { DeployTarget } from '../../core/deploy/target.js';
import { TailbridgeError } from '../../errors.js';

/**
 * Refuses, before anything changes, when the deployed compose is not the local file (someone edited
 * the TrueNAS app in the UI); with `overwrite` (--overwrite-drift) it notes the drift and lets the
 * local file — the source of truth — win.
 */
export async function refuseDrift(
  to: DeployTarget,
  target: Target,
  progress: Pick<Progress, 'note' | 'fail'>,
  overwrite: boolean,
): Promise<void> {
  const drift = await to.drift(await readFile(target.composeFile, 'utf8').catch(() => ''));
  if (!drift.drifted) return;
  const file = target.display(target.composeFile);
  if (overwrite) {
    progress.note(
      `${driftMessage(drift, file).split(' (edited')[0]}: --overwrite-drift deploys ${file} over it`,
    );
    return;
  }
  progress.fail('the deployed stack differs from the local file');
  throw new TailbridgeError(
    `${driftMessage(drift, file)}, or pass --overwrite-drift to deploy ${file} over it; nothing was changed`,
  );
}
