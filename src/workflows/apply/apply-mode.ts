import { HistoryStore } from '../../adapters/transaction/history.js';
import { beginOperation, endOperation } from '../../adapters/transaction/housekeeping.js';
import { JournalStore } from '../../adapters/transaction/journal-store.js';
import {
  runTransaction,
  startComposeValidation,
  type TxOutcome,
  type TxResult,
} from '../../adapters/transaction/run.js';
import type { Target } from '../../adapters/transaction/target.js';
import type { Verifier } from '../../core/apply/readiness.js';
import type { ControlAccess } from '../../core/control/ports.js';
import { type GuardFlag, refusalMessage } from '../../core/identity/guard.js';
import type { Mode } from '../../core/model/modes.js';
import { TailbridgeError } from '../../errors.js';
import { computeChanges, plannedWrites } from './changes.js';
import { type ApplyPorts, deployTargetOf, takeLock } from './deps.js';
import { refuseDrift } from './drift.js';
import { guardFor, identityLines } from './identity.js';
import { settleOpenJournal } from './open-journal.js';
import { layeredVerifier, withRouteApproval } from './verify-gate.js';

export interface ApplyInput {
  target: Target;
  mode: Mode;
  timeoutMs: number;
  /** History entries to keep. */
  keep: number;
  /** Identity changes the user allows (`--allow-rename`, …). */
  allow: readonly GuardFlag[];
  /** Verify end to end (L4) through the probe container (the default gate). */
  probe?: boolean;
  /** Start over an unfinished journal after the user checked the files by hand. */
  discardJournal?: boolean;
  /** --approve-routes: approve the node's expected routes before the gate. */
  approval?: ControlAccess;
  /** Deploy over a target whose compose differs from the local file (TrueNAS: edited in the UI). */
  overwriteDrift?: boolean;
}

export type ApplyOutcome =
  | { kind: 'unchanged'; mode: Mode }
  | { kind: 'declined'; mode: Mode }
  | { kind: TxOutcome; mode: Mode; tx: TxResult };

/**
 * Applies one mode: lock, settle an earlier journal, compute the change, compare it with the running
 * node (identity guard), confirm, then the transaction (backup, validate, write, deploy, wait,
 * verify; roll back on failure).
 */
export async function applyMode(input: ApplyInput, ports: ApplyPorts): Promise<ApplyOutcome> {
  const { target, mode, progress } = { ...input, progress: ports.progress };
  progress.start('lock');
  const lock = await takeLock(target, 'apply', ports);
  const journals = new JournalStore(target.stateDir);
  try {
    const history = new HistoryStore(target.stateDir, target.composeDir);
    const open = await journals.read();
    for (const note of await beginOperation(target.stateDir, target.composeDir, open?.historyId, ports.now()))
      progress.note(note);
    if (open) await settleOpenJournal(open, { history, journals }, { ...input, now: ports.now, progress });
    // Computed under the lock, from the files as they are now.
    const changes = await computeChanges(target, mode);
    if (changes.length === 0) {
      progress.done('nothing to apply');
      return { kind: 'unchanged', mode };
    }
    const writes = plannedWrites(changes);
    const { engine } = ports;
    const deployTarget = ports.compose.then((compose) => deployTargetOf(target, engine, compose, ports));
    // `compose config` (~0.5 s for v1) runs while the node is compared and the user confirms.
    const validation = deployTarget.then((to) =>
      startComposeValidation(
        { writes, composeFile: target.composeFile, operation: 'apply', mode, service: target.service },
        to,
      ),
    );
    validation.catch(() => undefined);
    await engine.ping();
    // Before anything changes: the new desired state against the running node.
    const identity = await guardFor(engine, target, mode, input.allow);
    for (const line of identityLines(identity, target)) progress.note(line);
    if (identity && identity.refused.length > 0) {
      progress.fail('the change would alter the running node');
      throw new TailbridgeError(refusalMessage(identity, 'applied'));
    }
    // A deployment edited outside tailbridge (e.g. in TrueNAS's UI) is reported before anything changes.
    const to = await deployTarget;
    await refuseDrift(to, target, progress, Boolean(input.overwriteDrift));
    if (ports.confirm && !(await ports.confirm(changes))) return { kind: 'declined', mode };

    progress.done(target.display(lock.file));
    const tx = await runTransaction(
      {
        operation: 'apply',
        mode,
        composeFile: target.composeFile,
        stateDir: target.stateDir,
        project: target.project,
        service: target.service,
        writes,
        timeoutMs: input.timeoutMs,
        validation,
      },
      { engine, target: to, verify: gate(input, ports), now: ports.now, fault: ports.fault },
      progress,
    );
    return { kind: tx.outcome, mode, tx };
  } finally {
    await endOperation(target.stateDir, target.composeDir, input.keep, journals, ports.warn).finally(() =>
      lock.release(),
    );
  }
}

/** The verify gate, with the --approve-routes step in front of it when asked for. */
function gate(input: ApplyInput, ports: ApplyPorts): Verifier {
  const verify = ports.verify ?? layeredVerifier(input.target.loaded, { probe: Boolean(input.probe) });
  return input.approval
    ? withRouteApproval(verify, {
        loaded: input.target.loaded,
        access: input.approval,
        log: (line) => ports.progress.note(line),
      })
    : verify;
}
