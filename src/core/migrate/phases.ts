import type { Mode } from '../model/modes.js';
import { MODE_INFO } from '../model/modes.js';
import type { Blocker, Plan } from '../plan/index.js';
import type { PreflightFinding } from '../report/types.js';

/** One planned stage of a migration. `restore` means: the original configuration is the answer. */
export interface PlannedPhase {
  mode: Mode;
  kind: 'apply' | 'restore';
  blockers: PreflightFinding[];
  blocked: boolean;
}

/**
 * The stages migrate runs: the plan's attempt order (or the user's --modes). As in the user's staged
 * strategy, "fall back to host mode" means reverting to the current host-mode file when that is what
 * runs today, not deploying a new one.
 */
export function plannedPhases(
  plan: Plan,
  originalMode: Mode | undefined,
  requested?: readonly Mode[],
): PlannedPhase[] {
  const order = requested && requested.length > 0 ? [...requested] : [...plan.order];
  return order.map((mode) => {
    const blockers = plan.blockers.filter((b) => b.mode === mode).map(toFinding);
    const kind = mode === originalMode ? 'restore' : 'apply';
    return {
      mode,
      kind,
      blockers,
      blocked: kind === 'apply' && blockers.some((b) => b.severity === 'blocks'),
    };
  });
}

function toFinding(b: Blocker): PreflightFinding {
  return { message: b.message, severity: b.severity, source: b.source };
}

/** `migrate --dry-run`: the phases, what each does, and how the run ends. */
export function describePhases(
  phases: readonly PlannedPhase[],
  options: { timeoutS: number; probe: boolean },
): string[] {
  const lines: string[] = [];
  const verify = `verify L1–L3${options.probe ? ' and L4 through a probe container' : ''}`;
  phases.forEach((p, i) => {
    const title = `${i + 1}. ${p.mode} (${MODE_INFO[p.mode].letter}) — ${MODE_INFO[p.mode].title}`;
    lines.push(title);
    for (const b of p.blockers)
      lines.push(`   preflight ${b.severity === 'blocks' ? 'BLOCKS' : 'warns'}: ${b.message}`);
    if (p.blocked) lines.push('   → skipped: blocked here');
    else if (p.kind === 'restore')
      lines.push(`   → the current configuration already runs this mode: keep the original files, ${verify}`);
    else
      lines.push(
        `   → backup, validate, write, deploy, wait up to ${options.timeoutS} s, ${verify}; pass: keep it and stop; fail: roll back automatically and go on`,
      );
  });
  lines.push(
    'Ends in exactly one of two states: a mode that passed verification stays deployed, or the original configuration is restored and verified.',
  );
  return lines;
}

/** Exact commands to get back to the files as they were before the run. */
export function rollbackCommands(
  firstBackup: string | undefined,
  composeFile: string,
  composeCommand: string,
): string[] {
  if (!firstBackup) return [];
  return [
    `tailbridge history --compose ${composeFile}`,
    `tailbridge rollback --to ${firstBackup} --yes --compose ${composeFile}`,
    `${composeCommand} -f ${composeFile} up -d --force-recreate --remove-orphans   # if you restore the file by hand`,
  ];
}
