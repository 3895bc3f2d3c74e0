import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTextFile, sha256, timestamp, writeFileAtomic } from '../../../src/adapters/fs.js';
import { TailbridgeError } from '../../../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tailbridge-fs-'));
});
afterEach(async () => {
  await chmod(dir, 0o755).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

const isRoot = process.getuid?.() === 0;

async function expectOneLineError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TailbridgeError);
  const err = e as TailbridgeError;
  expect(err.exitCode).toBe(2);
  expect(err.message).not.toContain('\n');
  expect(err.message).toMatch(pattern);
}

describe('readTextFile', () => {
  it('reads UTF-8 text and drops a byte order mark', async () => {
    const f = path.join(dir, 'c.yaml');
    await writeFile(f, '\uFEFFservices: {}\n# ü\n');
    expect(await readTextFile(f)).toBe('services: {}\n# ü\n');
  });

  it('fails with one line for a missing file, a directory, binary and non-UTF-8 content', async () => {
    await expectOneLineError(
      readTextFile(path.join(dir, 'nope.yaml'), 'nope.yaml'),
      /^nope\.yaml: no such file$/,
    );
    await expectOneLineError(readTextFile(dir, 'stacks'), /^stacks: is a directory$/);
    const bin = path.join(dir, 'bin');
    await writeFile(bin, Buffer.from([0x73, 0x00, 0x01]));
    await expectOneLineError(readTextFile(bin), /binary file/);
    const latin1 = path.join(dir, 'latin1.yaml');
    await writeFile(latin1, Buffer.from([0x23, 0x20, 0xfc, 0x0a]));
    await expectOneLineError(readTextFile(latin1), /not valid UTF-8/);
  });

  it.skipIf(isRoot)('fails with one line when permission is denied', async () => {
    const f = path.join(dir, 'secret.yaml');
    await writeFile(f, 'a: 1\n');
    await chmod(f, 0o000);
    await expectOneLineError(readTextFile(f, 'secret.yaml'), /^secret\.yaml: permission denied$/);
  });
});

describe('writeFileAtomic', () => {
  it('creates a new file without a backup and leaves no temp files', async () => {
    const f = path.join(dir, 'compose.yaml');
    expect(await writeFileAtomic(f, 'services: {}\n')).toEqual({});
    expect(await readFile(f, 'utf8')).toBe('services: {}\n');
    expect(await readdir(dir)).toEqual(['compose.yaml']);
  });

  it('replaces a file keeping its mode and makes a byte-identical backup', async () => {
    const f = path.join(dir, 'compose.yaml');
    const original = Buffer.from('services:\r\n  a:\r\n    image: x # é\r\n');
    await writeFile(f, original);
    await chmod(f, 0o640);
    const { backup } = await writeFileAtomic(f, 'services:\n  a:\n    image: y\n');
    expect(await readFile(f, 'utf8')).toBe('services:\n  a:\n    image: y\n');
    expect((await stat(f)).mode & 0o777).toBe(0o640);
    expect(backup).toMatch(
      new RegExp(
        `^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.tailbridge/backups/compose\\.yaml\\.\\d{8}T\\d{6}Z\\.[0-9a-f]{12}$`,
      ),
    );
    expect(path.basename(backup!).endsWith(sha256(original).slice(0, 12))).toBe(true);
    expect(Buffer.compare(await readFile(backup!), original)).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['.tailbridge', 'compose.yaml']);
  });

  it('uses a given backup directory and writes through symlinks', async () => {
    const real = path.join(dir, 'real.yaml');
    const link = path.join(dir, 'compose.yaml');
    await writeFile(real, 'a: 1\n');
    await symlink(real, link);
    const backups = path.join(dir, 'bk');
    const { backup } = await writeFileAtomic(link, 'a: 2\n', { backupDir: backups });
    expect(path.dirname(backup!)).toBe(backups);
    expect(await readFile(real, 'utf8')).toBe('a: 2\n');
    expect((await stat(link)).isFile()).toBe(true);
    expect(await readFile(backup!, 'utf8')).toBe('a: 1\n');
  });

  it('refuses a directory target with one line and writes nothing', async () => {
    const target = path.join(dir, 'compose.yaml');
    await mkdir(target);
    await expectOneLineError(
      writeFileAtomic(target, 'x', { display: 'compose.yaml' }),
      /^compose\.yaml: is a directory$/,
    );
    expect(await readdir(dir)).toEqual(['compose.yaml']);
  });

  it.skipIf(isRoot)(
    'leaves the original untouched and no temp files when the directory is not writable',
    async () => {
      const f = path.join(dir, 'compose.yaml');
      await writeFile(f, 'services: {}\n');
      await chmod(dir, 0o555);
      await expectOneLineError(
        writeFileAtomic(f, 'changed\n', { backupDir: path.join(tmpdir(), 'tb-unused') }),
        /permission denied/,
      );
      await chmod(dir, 0o755);
      expect(await readFile(f, 'utf8')).toBe('services: {}\n');
      expect(await readdir(dir)).toEqual(['compose.yaml']);
    },
  );

  it('reports a failing backup with one line and leaves the original untouched', async () => {
    const f = path.join(dir, 'compose.yaml');
    await writeFile(f, 'services: {}\n');
    await writeFile(path.join(dir, 'blocker'), '');
    await expectOneLineError(
      writeFileAtomic(f, 'changed\n', { backupDir: path.join(dir, 'blocker', 'sub') }),
      /cannot create backup/,
    );
    expect(await readFile(f, 'utf8')).toBe('services: {}\n');
    expect((await readdir(dir)).sort()).toEqual(['blocker', 'compose.yaml']);
  });

  it('formats backup timestamps in UTC', () => {
    expect(timestamp(new Date(Date.UTC(2026, 0, 31, 23, 59, 58, 123)))).toBe('20260131T235958Z');
  });
});
