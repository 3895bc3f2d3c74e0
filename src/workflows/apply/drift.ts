import { readFile } from 'node:fs/promises';
import type { Target } from '../../adapters/transaction/target.js';
import type { Progress } from '../../core/apply/progress.js';
import { driftOverwriteNote, driftRefusal } from '../../core/deploy/drift-report.js';
import type { DeployTarget } from '../../core/deploy/target.js';
import { TailbridgeError } from '../../errors.js';

/**
 * Refuses, before anything changes, when the deployed compose is not the local file (someone edited
 * the TrueNAS app in the UI); with `overwrite` it notes the drift and lets the local file win.
 */
export async function refuseDrift(
  to: DeployTarget,
  target: Target,
  progress: Pick<Progress, 'note' | 'fail'>,
  overwrite: boolean,
): Promise<void> {
  const drift = await to.drift(await readFile(target.composeFile, 'utf8'));
  if (!drift.drifted) return;
  if (overwrite) {
    progress.note(driftOverwriteNote(drift, to.label));
    return;
  }
  progress.fail('drift');
  throw new TailbridgeError(driftRefusal(drift, target.display(target.composeFile), to.label));
}
