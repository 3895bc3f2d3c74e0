/**
 * Step-by-step progress of a long operation, as events: a step starts, then is done or fails; notes
 * in between. Rendering lives in render/progress.ts; workflows and adapters only emit.
 */
export interface Progress {
  start(label: string): void;
  done(detail?: string): void;
  fail(detail: string): void;
  note(text: string): void;
  /** Progress for a sub-sequence (the automatic rollback): `[rollback 1/3] …`. */
  sub(total: number, prefix: string): Progress;
}

export const silentProgress: Progress = {
  start: () => undefined,
  done: () => undefined,
  fail: () => undefined,
  note: () => undefined,
  sub: () => silentProgress,
};
