import type { HomelabConfig } from '../model/config.js';
import type { EnvironmentFacts, Plan } from '../plan/index.js';
import type { VerifyReport } from '../verify/types.js';
import type { MigrationRun } from './types.js';

/** A `verify` run (no phases): what `tailbridge verify` saves so `tailbridge report` can render it. */
export function runFromVerify(input: {
  report: VerifyReport;
  config: HomelabConfig;
  configFile: string;
  composeFile: string;
  environment: EnvironmentFacts;
  plan: Plan;
  toolVersion: string;
  finishedAt?: string;
}): MigrationRun {
  const { report } = input;
  return {
    kind: 'verify',
    startedAt: report.startedAt,
    finishedAt: input.finishedAt ?? new Date(Date.parse(report.startedAt) + report.durationMs).toISOString(),
    toolVersion: input.toolVersion,
    configFile: input.configFile,
    composeFile: input.composeFile,
    config: input.config,
    environment: input.environment,
    plan: input.plan,
    phases: [],
    final: { state: report.verdict === 'pass' ? 'verified' : 'failed', mode: report.mode, verify: report },
    originalMode: report.mode,
    rollback: { commands: [] },
  };
}
