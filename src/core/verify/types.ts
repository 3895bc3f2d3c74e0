import type { SourceId } from '../facts/sources.js';
import type { Mode } from '../model/modes.js';

/**
 * L1 container (Docker's view), L2 its network namespace (exec inside it), L3 the tailnet as the
 * node sees it (status JSON, serve config), L4 end to end from a tailnet vantage point.
 */
export type Layer = 'L1' | 'L2' | 'L3' | 'L4';
export const LAYERS: readonly Layer[] = ['L1', 'L2', 'L3', 'L4'];
export const LAYER_TITLES: Record<Layer, string> = {
  L1: 'Container',
  L2: 'Network namespace',
  L3: 'Tailnet',
  L4: 'End to end',
};

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface Check {
  /**
   * Stable id, e.g. `L1.running`, `L2.dns:jellyfin`, `L3.route:192.168.20.0/24`, `L4.lan:jellyfin`.
   * With several tailscale containers (sidecar mode) ids are prefixed `<container>/`.
   */
  id: string;
  layer: Layer;
  title: string;
  status: CheckStatus;
  /** What was observed (an exec output line, a status field…); for a skip, why it did not run. Never secrets. */
  evidence: string;
  /** How to fix it (fail) or how to make it run (skip). */
  hint?: string;
  source?: SourceId;
  /**
   * A failure that is an administrator's step rather than a fault of the deployment: the control
   * server says the route is advertised and waits for approval. apply and migrate wait on it
   * instead of rolling back.
   */
  awaiting?: 'approval';
}

export interface VerifyReport {
  mode: Mode;
  /** How the mode was chosen. */
  modeSource: 'option' | 'detected';
  container: string;
  startedAt: string;
  durationMs: number;
  checks: Check[];
  /** fail when any check failed; skips do not fail the verdict but each one says why it did not run. */
  verdict: 'pass' | 'fail';
  summary: { pass: number; fail: number; skip: number };
}

type CheckBase = Pick<Check, 'id' | 'layer' | 'title'> & Partial<Pick<Check, 'hint' | 'source' | 'awaiting'>>;

export function pass(base: CheckBase, evidence: string): Check {
  const { hint: _hint, ...rest } = base;
  return { ...rest, status: 'pass', evidence };
}

export function fail(base: CheckBase, evidence: string, hint?: string): Check {
  const h = hint ?? base.hint;
  return { ...base, status: 'fail', evidence, ...(h ? { hint: h } : {}) };
}

export function skip(base: CheckBase, why: string, hint?: string): Check {
  const h = hint ?? base.hint;
  return { ...base, status: 'skip', evidence: why, ...(h ? { hint: h } : {}) };
}

export function summarize(checks: readonly Check[]): VerifyReport['summary'] {
  return {
    pass: checks.filter((c) => c.status === 'pass').length,
    fail: checks.filter((c) => c.status === 'fail').length,
    skip: checks.filter((c) => c.status === 'skip').length,
  };
}

export function verdictOf(checks: readonly Check[]): 'pass' | 'fail' {
  return checks.some((c) => c.status === 'fail') ? 'fail' : 'pass';
}
