import { formatProblem, type Problem } from './core/problem.js';

/** Documented exit codes (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  /** Lint errors, failed verification, or a blocked plan: the tool ran and the answer is "no". */
  failed: 1,
  /** Bad input or the tool could not run: nothing was written. */
  usage: 2,
  /** apply/migrate failed and the previous configuration was restored. */
  rolledBack: 3,
  /** apply/migrate failed and the rollback did not complete: act now. */
  rollbackFailed: 4,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user can act on: printed as one line per problem, without a stack trace. */
export class TailbridgeError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.usage,
  ) {
    super(message);
    this.name = 'TailbridgeError';
  }
}

/** Invalid input with positions: each problem is printed as `file:line:col message`. */
export class InputError extends TailbridgeError {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'), ExitCode.usage);
    this.name = 'InputError';
  }
}

/** The command ran and reached a negative verdict that the caller has already printed. */
export class ExitError extends TailbridgeError {
  constructor(exitCode: ExitCodeValue, message = '') {
    super(message, exitCode);
    this.name = 'ExitError';
  }
}
