import { TailbridgeError } from '../../errors.js';
import type { ComposeProject, ComposeRunner, ExecResult } from '../ports.js';
import { runProcess } from '../process.js';

/**
 * Drives `docker compose` (v2) when present, else `docker-compose` (v1). Both accept the same
 * -f/-p/up/down/config arguments tailbridge uses.
 */
export async function detectCompose(): Promise<ComposeRunner> {
  const v2 = await runProcess('docker', ['compose', 'version', '--short'], { timeoutMs: 15_000 });
  if (v2.exitCode === 0 && v2.stdout.trim())
    return new CliCompose('v2', v2.stdout.trim(), 'docker', ['compose']);
  const v1 = await runProcess('docker-compose', ['version', '--short'], { timeoutMs: 15_000 });
  if (v1.exitCode === 0 && v1.stdout.trim())
    return new CliCompose('v1', v1.stdout.trim(), 'docker-compose', []);
  throw new TailbridgeError('neither `docker compose` (v2) nor `docker-compose` (v1) is installed');
}

class CliCompose implements ComposeRunner {
  constructor(
    readonly flavor: 'v2' | 'v1',
    readonly version: string,
    private readonly command: string,
    private readonly prefix: string[],
  ) {}

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
