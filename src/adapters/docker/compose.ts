import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { ComposeProject, ComposeRunner } from '../../core/ports/compose.js';
import type { ExecResult } from '../../core/ports/exec.js';
import { TailbridgeError } from '../../errors.js';
import { runProcess } from '../process.js';

/**
 * Drives `docker compose` (v2) when present, else `docker-compose` (v1). Both accept the same
 * -f/-p/up/down/config arguments tailbridge uses.
 */
export async function detectCompose(): Promise<ComposeRunner> {
  const v2 = await runProcess('docker', ['compose', 'version', '--short'], { timeoutMs: 15_000 });
  if (v2.exitCode === 0 && v2.stdout.trim())
    return new CliCompose('v2', async () => v2.stdout.trim(), 'docker', ['compose']);
  // v1 is a Python program that takes ~0.5 s (much more on a busy host) to start: find it on PATH
  // instead of running it, and ask its version only when someone wants to know.
  if (!(await onPath('docker-compose')))
    throw new TailbridgeError('neither `docker compose` (v2) nor `docker-compose` (v1) is installed');
  let version: Promise<string> | undefined;
  return new CliCompose(
    'v1',
    () =>
      (version ??= runProcess('docker-compose', ['version', '--short'], { timeoutMs: 15_000 }).then((r) =>
        r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : 'unknown version',
      )),
    'docker-compose',
    [],
  );
}

async function onPath(program: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const ok = await access(path.join(dir, program), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return true;
  }
  return false;
}

class CliCompose implements ComposeRunner {
  constructor(
    readonly flavor: 'v2' | 'v1',
    private readonly versionFound: () => Promise<string>,
    private readonly command: string,
    private readonly prefix: string[],
  ) {}

  version(): Promise<string> {
    return this.versionFound();
  }

  private run(
    project: ComposeProject,
    args: string[],
    timeoutMs = 180_000,
    global: string[] = [],
  ): Promise<ExecResult> {
    const base = [...this.prefix, ...global, ...project.files.flatMap((f) => ['-f', f])];
    if (project.projectName) base.push('-p', project.projectName);
    return runProcess(this.command, [...base, ...args], { cwd: project.cwd, timeoutMs });
  }

  /** The first file may be a staged copy elsewhere: paths resolve against the project's directory. */
  async validate(project: ComposeProject): Promise<{ ok: boolean; message: string }> {
    const r = await this.run(project, ['config', '-q'], 60_000, ['--project-directory', project.cwd]);
    return { ok: r.exitCode === 0, message: firstLines(r.stderr || r.stdout) };
  }

  up(
    project: ComposeProject,
    options: { services?: string[]; forceRecreate?: boolean; removeOrphans?: boolean } = {},
  ): Promise<ExecResult> {
    const args = ['up', '-d'];
    if (options.forceRecreate) args.push('--force-recreate');
    if (options.removeOrphans) args.push('--remove-orphans');
    return this.run(project, [...args, ...(options.services ?? [])]);
  }

  down(project: ComposeProject): Promise<ExecResult> {
    return this.run(project, ['down', '--remove-orphans']);
  }
}

function firstLines(text: string): string {
  return text.trim().split('\n').slice(0, 3).join(' ').trim();
}
