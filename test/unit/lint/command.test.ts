import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverComposeFiles, envNames } from '../../../src/adapters/lint-files.js';
import { lint } from '../../../src/commands/lint.js';
import { fixture } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tailbridge-lint-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(options: Parameters<typeof lint>[0]) {
  const out: string[] = [];
  const code = await lint(options, { stdout: (s) => out.push(s), cwd: dir });
  return { code, out: out.join('') };
}

const CLEAN = fixture('image-not-pinned/good.yaml');
const WARN = fixture('image-not-pinned/bad.yaml');

describe('lint command', () => {
  it('exit 0 on a clean file, 1 on errors, 1 when warnings exceed --max-warnings', async () => {
    await writeFile(path.join(dir, 'compose.yaml'), CLEAN);
    expect((await run({ paths: ['.'] })).code).toBe(0);
    await writeFile(path.join(dir, 'compose.yaml'), WARN);
    expect((await run({ paths: ['.'] })).code).toBe(0);
    expect((await run({ paths: ['.'], maxWarnings: 0 })).code).toBe(1);
    await writeFile(path.join(dir, 'compose.yaml'), fixture('sysctls-with-host-network/bad.yaml'));
    expect((await run({ paths: ['compose.yaml'] })).code).toBe(1);
  });

  it('exit 2 when nothing could be linted; other files are still linted', async () => {
    expect((await run({ paths: ['.'] })).code).toBe(2);
    expect((await run({ paths: ['missing.yaml'] })).out).toContain(
      'missing.yaml:1:1  error  no such file or directory',
    );
    await writeFile(path.join(dir, 'bin.yaml'), Buffer.from([0x73, 0x00, 0x01, 0x02]));
    await writeFile(path.join(dir, 'empty.yaml'), '');
    const bad = await run({ paths: ['bin.yaml', 'empty.yaml'] });
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('bin.yaml:1:1  error  binary file');
    expect(bad.out).toContain('empty.yaml:1:1  error  empty file');
    expect(bad.out).not.toMatch(/at .*\.ts:\d+/);
    await writeFile(path.join(dir, 'compose.yaml'), CLEAN);
    expect((await run({ paths: ['bin.yaml', 'compose.yaml'] })).code).toBe(1);
  });

  it('a file over 5 MiB is reported, not read', async () => {
    await writeFile(path.join(dir, 'big.yaml'), `services: {}\n${'#'.repeat(5 * 1024 * 1024)}\n`);
    const r = await run({ paths: ['big.yaml'] });
    expect(r.code).toBe(2);
    expect(r.out).toContain('big.yaml:1:1  error  file is too large to lint');
  });

  it('discovers compose files, *.yaml with services:, recursively on request, skipping node_modules', async () => {
    await mkdir(path.join(dir, 'app', 'node_modules'), { recursive: true });
    await writeFile(path.join(dir, 'docker-compose.yml'), CLEAN);
    await writeFile(path.join(dir, 'stack.yaml'), CLEAN);
    await writeFile(path.join(dir, 'other.yaml'), 'kind: Pod\n');
    await writeFile(path.join(dir, 'app', 'compose.yaml'), CLEAN);
    await writeFile(path.join(dir, 'app', 'node_modules', 'compose.yaml'), CLEAN);
    const flat = await discoverComposeFiles(['.'], { cwd: dir });
    expect(flat.files.map((f) => path.relative(dir, f))).toEqual(['docker-compose.yml', 'stack.yaml']);
    const deep = await discoverComposeFiles(['.'], { cwd: dir, recursive: true });
    expect(deep.files.map((f) => path.relative(dir, f))).toEqual([
      'app/compose.yaml',
      'docker-compose.yml',
      'stack.yaml',
    ]);
  });

  it('reads env_file variable names relative to the compose file, never the values', async () => {
    await mkdir(path.join(dir, 'ts'));
    await writeFile(
      path.join(dir, 'ts', '.env'),
      '# comment\nexport TS_AUTHKEY=tskey-auth-SECRET\nTS_USERSPACE=false\nTS_STATE_DIR=/var/lib/tailscale\n',
    );
    await writeFile(
      path.join(dir, 'ts', 'compose.yaml'),
      'services:\n  ts:\n    image: tailscale/tailscale:v1.102.3\n    env_file: .env\n    cap_add: [NET_ADMIN]\n',
    );
    const r = await run({ paths: ['ts'], format: 'json' });
    expect(r.out).not.toContain('SECRET');
    // TS_USERSPACE comes from the env_file, so its value is unknown: no mode-dependent finding.
    expect(JSON.parse(r.out).files[0].findings).toEqual([]);
    expect(envNames('A=1\n  export B="x"\n#C=1\nD\n')).toEqual(['A', 'B', 'D']);
  });

  it('--fix writes atomically, keeping comments; --fix --diff prints the diff and writes nothing', async () => {
    const file = path.join(dir, 'compose.yaml');
    const before = fixture('kernel-mode-missing-tun/bad.yaml');
    await writeFile(file, before);
    const dry = await run({ paths: ['.'], fix: true, diff: true });
    expect(dry.out).toContain('--- a/compose.yaml');
    expect(dry.out).toContain('+    devices:\n+      - /dev/net/tun:/dev/net/tun\n');
    expect(await readFile(file, 'utf8')).toBe(before);
    const real = await run({ paths: ['.'], fix: true });
    expect(real.code).toBe(0);
    expect(real.out).toContain('fixed 1 problem');
    expect(await readFile(file, 'utf8')).toBe(`${before}    devices:\n      - /dev/net/tun:/dev/net/tun\n`);
    expect((await readdir(dir)).filter((f) => f.includes('tailbridge') && f.endsWith('.tmp'))).toEqual([]);
  });

  it('sarif and json output are parseable', async () => {
    await writeFile(path.join(dir, 'compose.yaml'), WARN);
    expect(JSON.parse((await run({ paths: ['.'], format: 'sarif' })).out).version).toBe('2.1.0');
    expect(JSON.parse((await run({ paths: ['.'], format: 'json' })).out).summary.warnings).toBe(1);
  });
});

describe('mounted entrypoint scripts', () => {
  it('a script mounted from the project and run as entrypoint is read to see what it starts (containerboot here)', async () => {
    const compose = [
      'services:',
      '  ts:',
      '    image: tailscale/tailscale:v1.102.3',
      '    entrypoint: /entrypoint.sh',
      '    cap_add: [NET_ADMIN]',
      '    environment: [TS_STATE_DIR=/var/lib/tailscale]',
      '    volumes: [./entrypoint.sh:/entrypoint.sh:ro, ./s:/var/lib/tailscale]',
      '',
    ].join('\n');
    await writeFile(path.join(dir, 'compose.yaml'), compose);
    const ids = async () =>
      (
        JSON.parse((await run({ paths: ['.'], format: 'json' })).out) as {
          files: { findings: { ruleId: string }[] }[];
        }
      ).files[0]!.findings.map((f) => f.ruleId);
    // Without the script the entrypoint is unknown: containerboot semantics are not assumed.
    expect(await ids()).toEqual([]);
    await writeFile(
      path.join(dir, 'entrypoint.sh'),
      '#!/bin/sh\necho setting up\nexec /usr/local/bin/containerboot\n',
    );
    expect(await ids()).toEqual(['userspace-unneeded-privileges']);
  });
});
