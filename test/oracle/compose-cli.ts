import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

/**
 * The oracle's view of a compose file: what `docker compose config` (v2) or `docker-compose config`
 * (v1) says it means. Nothing here interprets compose semantics; it only runs the real tool in a
 * scratch project directory and parses what it prints.
 *
 * With v1, `config` runs in one long-lived Python process (compose_v1_server.py calls the same
 * `main()` as the docker-compose script) because each v1 start costs about half a second.
 * Env files at absolute paths outside the project are created inside a private mount namespace
 * (tmpfs over their top directory), so nothing outside the test changes.
 */

const exec = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ComposeTool {
  flavor: 'v2' | 'v1';
  version: string;
  /** How it was run, for the report: e.g. `docker-compose config`. */
  argv: string[];
  /** Runs `config` in `cwd` after creating `files` (absolute path → content), with `env` set. */
  config(cwd: string, files: Record<string, string>, env?: Record<string, string>): Promise<RunResult>;
  /** Whether files at absolute paths outside the project can be created (private mount namespace). */
  shadows: boolean;
  close(): Promise<void>;
}

/** The project name every oracle run uses, so generated names do not depend on the directory. */
export const PROJECT = 'tboracle';

/** Directories whose contents compose does not need, so the oracle may hide them behind a tmpfs. */
const SHADOWABLE = ['/mnt', '/srv', '/opt', '/data', '/volume1', '/share', '/media', '/home'];

const CLEAN_ENV = (home: string) => ({
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  HOME: home,
  LANG: 'C.UTF-8',
  // Where the docker CLI finds its compose v2 plugin (the lab's build is not installed globally).
  ...(process.env['DOCKER_CONFIG'] ? { DOCKER_CONFIG: process.env['DOCKER_CONFIG'] } : {}),
});

/**
 * `docker compose` v2 when present, else `docker-compose` v1; undefined when neither runs.
 * TAILBRIDGE_ORACLE_COMPOSE names a standalone compose binary to use instead.
 */
export async function findComposeTool(): Promise<ComposeTool | undefined> {
  // A standalone compose binary chosen by hand (e.g. a v2 build next to the installed v1).
  const chosen = process.env['TAILBRIDGE_ORACLE_COMPOSE'];
  if (chosen) {
    const v = await version(chosen, ['version', '--short']);
    if (!v) throw new Error(`TAILBRIDGE_ORACLE_COMPOSE=${chosen} does not run`);
    const ns = await canUnshare();
    return /^v?2\./.test(v)
      ? cliTool('v2', v, [chosen], ['--format', 'json'], ns)
      : cliTool('v1', v, [chosen], [], ns);
  }
  const v2 = await version('docker', ['compose', 'version', '--short']);
  if (v2) return cliTool('v2', v2, ['docker', 'compose'], ['--format', 'json'], await canUnshare());
  const v1 = await version('docker-compose', ['version', '--short']);
  if (!v1) return undefined;
  return (await serverTool(v1)) ?? cliTool('v1', v1, ['docker-compose'], [], await canUnshare());
}

async function version(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await exec(cmd, args, { timeout: 20_000 });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

function cliTool(
  flavor: 'v1' | 'v2',
  ver: string,
  argv: string[],
  extra: string[],
  namespaced: boolean,
): ComposeTool {
  return {
    flavor,
    version: ver,
    argv,
    shadows: namespaced,
    async config(cwd, files, env = {}) {
      const args = [...argv.slice(1), '-p', PROJECT, '-f', 'compose.yaml', 'config', ...extra];
      const [cmd, cmdArgs] =
        Object.keys(files).length > 0 ? inNamespace(files, [argv[0]!, ...args]) : [argv[0]!, args];
      try {
        const { stdout, stderr } = await exec(cmd, cmdArgs, {
          cwd,
          timeout: 60_000,
          maxBuffer: 16 << 20,
          env: { ...CLEAN_ENV(cwd), ...env },
        });
        return { code: 0, stdout, stderr };
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string; code?: number };
        return {
          code: typeof err.code === 'number' ? err.code : 1,
          stdout: err.stdout ?? '',
          stderr: err.stderr ?? String(e),
        };
      }
    },
    async close() {},
  };
}

/** docker-compose v1's own Python (from the script's #! line) serving config requests. */
async function serverTool(ver: string): Promise<ComposeTool | undefined> {
  const script = await exec('sh', ['-c', 'command -v docker-compose']).then(
    (r) => r.stdout.trim(),
    () => '',
  );
  const shebang = script ? /^#!\s*(\S+)/.exec(readFileSync(script, 'utf8'))?.[1] : undefined;
  if (!shebang) return undefined;
  const server = path.join(HERE, 'compose_v1_server.py');
  const tops = SHADOWABLE.filter((d) => existsSync(d));
  const mounts = tops.map((d) => `mount -t tmpfs tboracle ${d}`).join(' && ');
  const namespaced = await canUnshare();
  const child = namespaced
    ? spawn('unshare', [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        `${mounts || 'true'} && exec ${shebang} ${server}`,
      ])
    : spawn(shebang, [server]);
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let queue = Promise.resolve();
  const ask = (request: object) =>
    new Promise<RunResult>((resolve, reject) => {
      queue = queue.then(
        () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) {
              reject(new Error(`compose v1 server exited: ${stderr.trim().split('\n').at(-1)}`));
              done();
              return;
            }
            waiting.push((line) => {
              resolve(JSON.parse(line) as RunResult);
              done();
            });
            child.stdin.write(`${JSON.stringify(request)}\n`);
          }),
      );
    });
  const tool: ComposeTool = {
    flavor: 'v1',
    version: ver,
    argv: ['docker-compose'],
    shadows: namespaced,
    config: (cwd, files, env = {}) =>
      ask({
        cwd,
        files,
        env: { ...CLEAN_ENV(cwd), ...env },
        args: ['-p', PROJECT, '-f', 'compose.yaml', 'config'],
      }),
    close: () => stop(child),
  };
  // A first request proves the server works; otherwise the caller falls back to the CLI.
  const probe = await mkdtemp(path.join(os.tmpdir(), 'tb-oracle-probe-'));
  try {
    await writeFile(path.join(probe, 'compose.yaml'), 'services:\n  a:\n    image: x\n');
    const r = await tool.config(probe, {});
    if (r.code !== 0) throw new Error(r.stderr);
    return tool;
  } catch {
    await stop(child);
    return undefined;
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}

function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.stdin.end();
  });
}

export type ConfigResult = { ok: true; config: ComposeConfig } | { ok: false; error: string };

// biome-ignore lint/suspicious/noExplicitAny: compose's output is navigated freely.
export type ComposeConfig = Record<string, any>;

/**
 * A scratch project directory holding a case's side files (include targets, env files) where the
 * compose file is swapped between runs, so relative paths resolve to the same absolute paths.
 */
export class Project {
  /** Env files the oracle created, each holding one marker variable: marker → path as written. */
  readonly envMarkers = new Map<string, string>();
  private readonly outside: Record<string, string> = {};

  private constructor(
    readonly dir: string,
    private readonly tool: ComposeTool,
  ) {}

  static async create(tool: ComposeTool, sideFiles: Record<string, string>): Promise<Project> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tb-oracle-'));
    for (const [rel, content] of Object.entries(sideFiles)) {
      const abs = path.join(dir, rel);
      await mkdir(path.dirname(abs), { recursive: true });
      await writeFile(abs, content);
    }
    return new Project(dir, tool);
  }

  /**
   * Makes every env file the texts name exist: a missing one is created holding one marker
   * variable (so the oracle sees which env files a service loads). One outside the project is
   * created only inside the tool's private mount namespace; without one, this throws.
   */
  async provideEnvFiles(paths: Iterable<string>): Promise<void> {
    for (const p of paths) {
      const abs = path.isAbsolute(p) ? p : path.join(this.dir, p);
      const marker = `TB_ORACLE_ENV_${createHash('sha1').update(p).digest('hex').slice(0, 10)}`;
      if (this.envMarkers.has(marker)) continue;
      if (!abs.startsWith(this.dir)) {
        if (
          !this.tool.shadows ||
          !SHADOWABLE.includes(`/${abs.split('/')[1]}`) ||
          !existsSync(`/${abs.split('/')[1]}`)
        )
          throw new Error(`env file ${p} is outside the project where the oracle cannot provide it`);
        this.outside[abs] = `${marker}=1\n`;
      } else if (existsSync(abs)) continue;
      else {
        await mkdir(path.dirname(abs), { recursive: true });
        await writeFile(abs, `${marker}=1\n`);
      }
      this.envMarkers.set(marker, p);
    }
  }

  /** `config` of a compose text written as the project's compose.yaml. */
  async config(text: string): Promise<ConfigResult> {
    await writeFile(path.join(this.dir, 'compose.yaml'), text);
    const r = await this.tool.config(this.dir, this.outside, requiredVariables(text));
    if (r.code === 0) return { ok: true, config: parse(r.stdout) as ComposeConfig };
    const lines = r.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    // Warnings (unset variables, deprecations) come first; the error is the first other line.
    const i = lines.findIndex(
      (l) => !/^(WARNING|Command failed)|Defaulting to a blank string\.|level=warning/.test(l),
    );
    const first = lines[i] ?? 'failed';
    return { ok: false, error: first.endsWith(':') && lines[i + 1] ? `${first} ${lines[i + 1]}` : first };
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * `${VAR:?message}` / `${VAR?message}` make compose stop when VAR is unset: such variables get a
 * placeholder value (the same in every run), as a user's shell or .env would provide one.
 */
function requiredVariables(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g))
    env[m[1]!] = 'tb-oracle-placeholder';
  return env;
}

function canUnshare(): Promise<boolean> {
  return exec('unshare', ['-m', '--propagation', 'private', 'true']).then(
    () => true,
    () => false,
  );
}

/**
 * `unshare -m`: in a private mount namespace, a tmpfs over the top directory of each file, the
 * files written there, then the command. Nothing outside the namespace changes.
 */
function inNamespace(files: Record<string, string>, command: string[]): [string, string[]] {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const tops = [...new Set(Object.keys(files).map((f) => `/${f.split('/')[1]}`))];
  const script = [
    ...tops.map((t) => `mount -t tmpfs tboracle ${q(t)}`),
    ...Object.entries(files).map(
      ([f, content]) => `mkdir -p ${q(path.dirname(f))} && printf '%s' ${q(content)} > ${q(f)}`,
    ),
    `exec ${command.map(q).join(' ')}`,
  ].join(' && ');
  return ['unshare', ['-m', '--propagation', 'private', 'sh', '-c', script]];
}
