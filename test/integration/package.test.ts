import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(new URL('../..', import.meta.url).pathname);
const sh = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('npm package', () => {
  it('installs from the packed tarball and its tailbridge command works', { timeout: 240_000 }, () => {
    sh('npm', ['run', 'build', '--silent'], root);
    const packDir = mkdtempSync(path.join(tmpdir(), 'tailbridge-pack-'));
    const tarball = sh('npm', ['pack', '--silent', '--pack-destination', packDir], root)
      .trim()
      .split('\n')
      .at(-1)!;
    const app = mkdtempSync(path.join(tmpdir(), 'tailbridge-app-'));
    writeFileSync(path.join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}');
    sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(packDir, tarball)], app);
    const bin = path.join(app, 'node_modules/.bin/tailbridge');
    expect(sh(bin, ['--version'], app).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const plan = JSON.parse(sh(bin, ['--example', '--json', 'plan'], app));
    expect(plan.recommended).toBe('userspace');
    expect(sh(bin, ['--example', 'generate', '--mode', 'host'], app)).toContain('network_mode: host');
    const lib = sh(
      'node',
      [
        '--input-type=module',
        '-e',
        "import('tailbridge').then(m => console.log(typeof m.planModes, typeof m.generate))",
      ],
      app,
    );
    expect(lib.trim()).toBe('function function');
  });
});
