import type { DockerEngine } from '../../core/ports/docker.js';
import type { ExecResult } from '../../core/ports/exec.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function defaultOnDockerHost(): boolean {
  const h = process.env.DOCKER_HOST;
  return !h || h.startsWith('unix://') || h.startsWith('npipe://');
}

export async function safeExec(
  engine: DockerEngine,
  container: string,
  cmd: string[],
  timeoutMs = 15_000,
): Promise<ExecResult> {
  try {
    return await engine.exec(container, cmd, { timeoutMs });
  } catch (e) {
    return { exitCode: -1, stdout: '', stderr: (e as Error).message };
  }
}

/** `nc -w N host port </dev/null` through sh so stdin is closed; host and port are positional, never interpolated. */
export function ncCommand(host: string, port: number, seconds: number): string[] {
  return ['sh', '-c', `nc -w ${seconds} "$0" "$1" </dev/null`, host, String(port)];
}
