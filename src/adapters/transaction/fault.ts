/**
 * TEST HOOK — fault injection. With `TAILBRIDGE_FAULT=<step>` in the environment, the process
 * SIGKILLs itself right after that step of apply/rollback (steps: backup, prepared, validated,
 * writing, write-<n>, written, deployed, verified, rolling-back, restore-<n>, restored). It lets the
 * test suite prove that `tailbridge rollback` recovers from a crash at each point. Inert when the
 * variable is unset or names another step.
 */
export type FaultHook = (step: string) => void;

export function envFaultHook(env: NodeJS.ProcessEnv = process.env): FaultHook {
  const wanted = env.TAILBRIDGE_FAULT;
  if (!wanted) return () => undefined;
  return (step) => {
    if (step === wanted) process.kill(process.pid, 'SIGKILL');
  };
}
