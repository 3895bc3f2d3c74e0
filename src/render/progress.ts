import { colors, type Io } from '../cli/io.js';
import type { Progress } from '../core/apply/progress.js';

/** Step-by-step progress on the terminal: `[3/7] validate…` then an indented result line. */
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
