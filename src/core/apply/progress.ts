import { colors, type Io } from '../../cli/io.js';

/** Step-by-step progress: `[3/7] validate…` then an indented result line. */
export interface Progress {
  start(label: string): void;
  done(detail?: string): void;
  fail(detail: string): void;
  note(text: string): void;
  /** Progress for a sub-sequence (the automatic rollback): `[rollback 1/3] …`. */
  sub(total: number, prefix: string): Progress;
}

export function lineProgress(
  io: Io,
  total: number,
  options: { prefix?: string; toStderr?: boolean } = {},
): Progress {
  const c = colors(io);
  const sub = (t: number, p: string) => lineProgress(io, t, { ...options, prefix: `${p} ` });
  const write = options.toStderr ? io.stderr : io.stdout;
  let n = 0;
  return {
    start(label) {
      n++;
      write(`${c.dim(`[${options.prefix ?? ''}${n}/${total}]`)} ${label}…`);
    },
    done(detail) {
      write(`      ${c.green(io.isTTY ? '✓' : 'ok')}${detail ? ` ${detail}` : ''}`);
    },
    fail(detail) {
      write(`      ${c.red(io.isTTY ? '✗' : 'FAILED')} ${detail}`);
    },
    note(text) {
      write(`      ${c.dim(text)}`);
    },
    sub,
  };
}

export const silentProgress: Progress = {
  start: () => undefined,
  done: () => undefined,
  fail: () => undefined,
  note: () => undefined,
  sub: () => silentProgress,
};
