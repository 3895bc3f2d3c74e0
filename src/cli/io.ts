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
  return {
    stdout: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    stderr: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    color,
    isTTY,
    cwd: process.cwd(),
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
