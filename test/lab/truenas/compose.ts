/**
 * TEST DOUBLE of the TrueNAS middleware: the compose calls of truenas/middleware TS-25.10.6
 * src/middlewared/middlewared/plugins/apps/compose_utils.py — `docker --config <dir> compose -f <rendered>
 * -p ix-<app> …` against the real Docker engine, with compose v2 (what TrueNAS ships; the lab builds it:
 * `npm run lab -- build --compose-v2`, kept in its own config dir like the middleware's /etc/docker).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheDir } from '../real/versions.js';

export interface ComposeResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The docker config dir holding the compose v2 plugin, or null when it has not been built. */
export function composeV2ConfigDir(): string | null {
  const dir = process.env.TAILBRIDGE_DOUBLE_DOCKER_CONFIG ?? path.join(cacheDir(), 'docker-config');
  return existsSync(path.join(dir, 'cli-plugins', 'docker-compose')) ? dir : null;
}

export class DoubleCompose {
  constructor(private readonly configDir: string) {}

  run(args: string[], timeoutMs = 1_200_000): Promise<ComposeResult> {
    return new Promise((resolve) => {
      const child = spawn('docker', ['--config', this.configDir, 'compose', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b) => {
        stdout += b;
      });
      child.stderr.on('data', (b) => {
        stderr += b;
      });
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (e) => {
        clearTimeout(t);
        resolve({ code: 127, stdout, stderr: e.message });
      });
      child.on('close', (code) => {
        clearTimeout(t);
        resolve({ code: code ?? 137, stdout, stderr });
      });
    });
  }

  /** `validate_compose_config`: `compose -f <tmp> config`; its stderr is the error. */
  async validate(yaml: string): Promise<{ ok: true } | { ok: false; error: string }> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tbr-truenas-double-'));
    const file = path.join(dir, 'compose.yaml');
    try {
      writeFileSync(file, yaml);
      const r = await this.run(['-f', file, 'config'], 30_000);
      return r.code === 0
        ? { ok: true }
        : { ok: false, error: r.stderr.trim() || 'Invalid compose configuration' };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** `compose_action(app, 'up', force_recreate=True, remove_orphans=True)`: down first, then up. */
  async up(app: string, rendered: string): Promise<ComposeResult> {
    const down = await this.down(app, rendered);
    if (down.code !== 0) return down;
    return this.run(['-f', rendered, '-p', `ix-${app}`, 'up', '-d', '--force-recreate', '--remove-orphans']);
  }

  down(app: string, rendered: string): Promise<ComposeResult> {
    return this.run(['-f', rendered, '-p', `ix-${app}`, 'down', '--remove-orphans']);
  }
}
