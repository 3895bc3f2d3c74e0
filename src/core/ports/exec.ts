/** What a command run in a process or a container returned. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}
