import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Make the final rename fail (as a full disk or a read-only mount would), even when running as root.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: vi.fn(async () => {
      throw Object.assign(new Error('EROFS: read-only file system, rename'), { code: 'EROFS' });
    }),
  };
});

const { writeFileAtomic } = await import('../../../src/adapters/fs.js');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tailbridge-fsfail-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic when the write fails', () => {
  it('leaves the original untouched, removes the temp file and fails with one line', async () => {
    const f = path.join(dir, 'compose.yaml');
    await writeFile(f, 'services: {}\n');
    const error = await writeFileAtomic(f, 'changed\n', {
      display: 'compose.yaml',
      backupDir: path.join(dir, 'bk'),
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe('compose.yaml: cannot write: read-only file system');
    expect(await readFile(f, 'utf8')).toBe('services: {}\n');
    expect((await readdir(dir)).sort()).toEqual(['bk', 'compose.yaml']);
  });
});
