import path from 'node:path';
import type { PlannedWrite } from '../../adapters/transaction/run.js';
import type { Target } from '../../adapters/transaction/target.js';
import type { Mode } from '../../core/model/modes.js';
import { computeFileChanges, type FileChange } from '../file-changes.js';

/** New contents of the compose file (edits merged, like `generate --write`) and the side files. */
export function computeChanges(target: Target, mode: Mode): Promise<FileChange[]> {
  return computeFileChanges(target.loaded.config, mode, target.composeFile, target.display);
}

export function plannedWrites(changes: FileChange[]): PlannedWrite[] {
  return changes.map((ch) => ({
    path: ch.path,
    content: Buffer.from(ch.after, 'utf8'),
    ...(ch.mode !== undefined ? { mode: ch.mode } : {}),
  }));
}

/** The numbered steps apply takes, for --dry-run. */
export function applySteps(target: Target, mode: string, changes: FileChange[], timeoutMs: number): string[] {
  const history = path.join(target.display(target.stateDir), 'history');
  return [
    `lock ${path.join(target.display(target.stateDir), 'apply.lock')} (refuse if another apply runs or an earlier one did not finish); compare with the running node and refuse a rename, a dropped or changed route or a moved state directory unless --allow-rename / --allow-route-change / --allow-state-move names it`,
    `back up ${changes.map((c) => c.display).join(', ')} to ${history}/<time>-<hash>/, then start the journal`,
    `validate: compose schema (done: ok) and \`compose config -q\` on a staged copy`,
    `write ${changes.length} file(s) atomically (side files first, the compose file last)`,
    deployStep(target),
    `wait up to ${Math.round(timeoutMs / 1000)} s for ${target.service}: running, not restarting, healthy when it has a healthcheck`,
    `verify mode ${mode}; on any failure restore the files byte-identical, bring the old configuration back (${restoreStep(target)}) and check it`,
  ];
}

function deployStep(target: Target): string {
  const t = target.loaded.config.target;
  if (t.kind === 'truenas')
    return `TrueNAS app ${t.app}: refuse drift (the app's compose differs from ${target.display(target.composeFile)}), save its app.config in history, then app.update with the new compose and follow the job to its end (${t.url ?? 'midclt on this host'})`;
  return `compose up -d (${target.project.files.map(target.display).join(' + ')})`;
}

function restoreStep(target: Target): string {
  return target.loaded.config.target.kind === 'truenas'
    ? 'app.update with the saved app.config'
    : 'up -d --force-recreate';
}
