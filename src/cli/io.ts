import { createColors } from 'picocolors';

/** Where a command writes; injected so commands run in tests without a terminal. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colors and progress only on a TTY (and never with NO_COLOR). */
  color: boolean;
  isTTY: boolean;
  cwd: string;
}

export function processIo(): Io {
  const isTTY = Boolean(process.stdout.isTTY);
  const color = (isTTY && !process.env.NO_COLOR) || Boolean(process.env.FORCE_COLOR);
  const stdout = quietWhenClosed(process.stdout);
  const stderr = quietWhenClosed(process.stderr);
  return {
    stdout: (t) => stdout(t.endsWith('\n') ? t : `${t}\n`),
    stderr: (t) => stderr(t.endsWith('\n') ? t : `${t}\n`),
    color,
    isTTY,
    cwd: process.cwd(),
  };
}

/**
 * A writer that goes quiet once the reader is gone (`tailbridge history | head -1`): EPIPE and
 * friends stop further output instead of crashing with a stack trace. The command itself runs on
 * to its end (an apply is never cut short because nobody reads its progress).
 */
function quietWhenClosed(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' || e.code === 'ECONNRESET') closed = true;
    else throw e;
  });
  return (text) => {
    if (closed) return;
    try {
      stream.write(text);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') closed = true;
      else throw e;
    }
  };
}

export function colors(io: Pick<Io, 'color'>) {
  return createColors(io.color);
}

/** A test Io that records output. */
export function memoryIo(overrides: Partial<Io> = {}): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    color: false,
    isTTY: false,
    cwd: process.cwd(),
    ...overrides,
    out,
    err,
  };
}

export type Colors = ReturnType<typeof colors>;
