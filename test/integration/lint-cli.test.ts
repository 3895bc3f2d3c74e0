import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const seed = (name: string) => new URL(`../fixtures/lint/seed/${name}`, import.meta.url).pathname;

async function run(args: string[], cwd: string) {
  const io = memoryIo({ cwd });
  const code = await main(args, io);
  return { code, out: io.out.join(''), err: io.err.join('\n') };
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tailbridge-lintcli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('tailbridge lint (CLI)', () => {
  it('finds the seed note’s mistakes and exits 1 on errors', async () => {
    const dir = project({});
    for (const f of [
      'option-a-userspace.yaml',
      'option-b-serve.yaml',
      'option-c-macvlan.yaml',
      'option-d-host.yaml',
    ])
      copyFileSync(seed(f), path.join(dir, f));
    const { code, out } = await run(['lint', '.'], dir);
    expect(code).toBe(1);
    for (const id of [
      'image-not-pinned',
      'tailscaled-custom-command',
      'serve-overwrite',
      'routes-in-extra-args',
      'host-network',
    ])
      expect(out).toContain(id);
    expect(out).toMatch(/option-b-serve\.yaml:\d+:\d+ +error/);
  });

  it('--json and --format sarif are machine-readable', async () => {
    const dir = project({ 'compose.yaml': readFileSync(seed('option-c-macvlan.yaml'), 'utf8') });
    const json = JSON.parse((await run(['--json', 'lint'], dir)).out);
    expect(json.files[0].findings.length).toBeGreaterThan(0);
    const sarif = JSON.parse((await run(['lint', '--format', 'sarif'], dir)).out);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.length).toBe(json.files[0].findings.length);
  });

  it('warnings alone pass, unless --max-warnings is exceeded', async () => {
    const text =
      'services:\n  ts:\n    image: tailscale/tailscale:latest\n    environment: [TS_STATE_DIR=/var/lib/tailscale]\n    volumes: [/srv/ts:/var/lib/tailscale]\n';
    const dir = project({ 'compose.yaml': text });
    expect((await run(['lint'], dir)).code).toBe(0);
    expect((await run(['lint', '--max-warnings', '0'], dir)).code).toBe(1);
  });

  it('bad files get one positioned line each; the other files are still linted', async () => {
    const dir = project({
      'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n',
      'docker-compose.yml': 'services:\n\tweb: {}\n',
    });
    writeFileSync(path.join(dir, 'compose.yml'), Buffer.from([0x73, 0x65, 0x72, 0x00, 0x01]));
    const { code, out } = await run(['lint', 'compose.yaml', 'docker-compose.yml', 'compose.yml'], dir);
    expect(code).toBe(1);
    expect(out).toMatch(/docker-compose\.yml:2:1 +error +tab used for indentation/);
    expect(out).toMatch(/compose\.yml(:1:1)? +error .*binary/);
    expect(out).not.toMatch(/\n\s+at /);
  });

  it('exits 2 when nothing could be linted', async () => {
    const dir = project({ 'notes.yaml': 'just: text\n' });
    expect((await run(['lint', 'missing-dir'], dir)).code).toBe(2);
    expect((await run(['lint', 'notes.yaml'], dir)).code).toBe(2);
  });

  it('--fix --diff shows the safe fixes and writes nothing', async () => {
    const text = readFileSync(
      new URL('../fixtures/lint/kernel-mode-missing-tun/bad.yaml', import.meta.url),
      'utf8',
    );
    const dir = project({ 'compose.yaml': text });
    const { out } = await run(['lint', '--fix', '--diff'], dir);
    expect(out).toContain('+    devices:');
    expect(readFileSync(path.join(dir, 'compose.yaml'), 'utf8')).toBe(text);
  });
});
