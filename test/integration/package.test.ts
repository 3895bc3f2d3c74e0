import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(new URL('../..', import.meta.url).pathname);
const sh = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * The installed CLI works, and `tailbridge init` points the editor schema at a file of this very
 * installation (a global install has no ./node_modules next to the config).
 */
function expectWorkingCli(bin: string): void {
  const work = mkdtempSync(path.join(tmpdir(), 'tailbridge-installed-'));
  expect(sh(bin, ['--version'], work).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  expect(JSON.parse(sh(bin, ['--example', '--json', 'plan'], work)).recommended).toBe('userspace');
  sh(bin, ['init'], work);
  const first = readFileSync(path.join(work, 'tailbridge.yaml'), 'utf8').split('\n')[0]!;
  const url = /^# yaml-language-server: \$schema=(\S+)$/.exec(first)?.[1];
  expect(url, first).toMatch(/^file:\/\//);
  expect(existsSync(new URL(url!))).toBe(true);
}

describe('npm package: the README install steps, as written', () => {
  it('installs from the packed tarball and its tailbridge command works', { timeout: 240_000 }, () => {
    const packDir = mkdtempSync(path.join(tmpdir(), 'tailbridge-pack-'));
    // `npm pack` builds first (prepack), so the tarball always holds dist/.
    const tarball = sh('npm', ['pack', '--silent', '--pack-destination', packDir], root)
      .trim()
      .split('\n')
      .at(-1)!;
    const app = mkdtempSync(path.join(tmpdir(), 'tailbridge-app-'));
    writeFileSync(path.join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}');
    sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(packDir, tarball)], app);
    const bin = path.join(app, 'node_modules/.bin/tailbridge');
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

    // From a tarball: npm install -g <tgz> (into a private prefix, not this machine's global one).
    const prefix = mkdtempSync(path.join(tmpdir(), 'tailbridge-global-'));
    sh(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        path.join(packDir, tarball),
      ],
      app,
    );
    expectWorkingCli(path.join(prefix, 'bin/tailbridge'));
  });

  it('installs globally from a clone: npm run build && npm install -g . (or npm link)', {
    timeout: 240_000,
  }, () => {
    sh('npm', ['run', 'build', '--silent'], root);
    const prefix = mkdtempSync(path.join(tmpdir(), 'tailbridge-global-'));
    sh(
      'npm',
      ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '.'],
      root,
    );
    expectWorkingCli(path.join(prefix, 'bin/tailbridge'));
    // …or npm link, which does the same as a symlink.
    const linked = mkdtempSync(path.join(tmpdir(), 'tailbridge-link-'));
    execFileSync('npm', ['link', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: root,
      stdio: 'pipe',
      env: { ...process.env, npm_config_prefix: linked },
    });
    expectWorkingCli(path.join(linked, 'bin/tailbridge'));
  });
});
