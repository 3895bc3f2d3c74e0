import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';

function engineAnswers(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export const hasDocker = engineAnswers();

/**
 * `describe` for tests that need the real Docker engine. Without an engine they skip with one clear
 * line — except under CI, where a missing engine is a failure (CI must run them).
 */
export const describeDocker: typeof describe = (() => {
  if (hasDocker) return describe;
  if (process.env.CI) {
    throw new Error(
      'CI is set but no Docker engine answers (docker info failed): .ci/run must start dockerd',
    );
  }
  console.warn('tailbridge: no Docker engine here — skipping Docker integration tests (they run under CI)');
  return describe.skip as unknown as typeof describe;
})();

/**
 * The networks and containers whose names `match` (other tests and helpers share this engine, so
 * before/after comparisons look only at their own objects), sorted.
 */
export function dockerNames(match: (name: string) => boolean): { networks: string[]; containers: string[] } {
  const names = (args: string[]) =>
    execFileSync('docker', args, { encoding: 'utf8' })
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => s !== '' && match(s))
      .sort();
  return {
    networks: names(['network', 'ls', '--format', '{{.Name}}']),
    containers: names(['ps', '-a', '--format', '{{.Names}}']),
  };
}
