import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { apply } from '../../src/commands/apply.js';
import { history } from '../../src/commands/history.js';
import { rollback } from '../../src/commands/rollback.js';
import { readinessVerify } from '../../src/core/apply/readiness.js';
import { expectSameFiles, snapshot } from '../fixtures/apply/files.js';
import { composeUp, createStack, inspectService, type Stack, waitHealthy } from '../fixtures/apply/stack.js';
import { describeDocker, dockerNames } from '../lab/docker.js';
import { ensureBusyboxImage } from '../lab/images.js';

/** The stand-in stacks run busybox, not tailscaled: the transaction is gated by the readiness check. */
const standIn = { verify: readinessVerify };

let image = '';
const stacks: Stack[] = [];

async function deployed(behaviour: 'ok' | 'fail-new' = 'ok') {
  const stack = createStack(image, behaviour);
  stacks.push(stack);
  composeUp(stack);
  const container = await waitHealthy(stack);
  return { stack, container, before: snapshot(stack.dir) };
}

describeDocker('apply against the real engine (busybox stand-in)', () => {
  beforeAll(() => {
    image = ensureBusyboxImage();
  });
  afterEach(() => {
    for (const s of stacks.splice(0)) s.cleanup();
  });

  it('applies a mode: files changed, history entry, journal gone, container recreated', async () => {
    const { stack, container } = await deployed();
    const io = memoryIo({ cwd: stack.dir });
    const code = await apply({ config: stack.config, mode: 'serve', yes: true }, io, standIn);
    expect(code, io.err.join('\n')).toBe(0);
    const compose = readFileSync(stack.compose, 'utf8');
    expect(compose).toContain('# my tailscale stack — hand-written; this comment must survive');
    // The user's list-form environment stays a list.
    expect(compose).toContain('      - TS_SERVE_CONFIG=/config/serve.json\n');
    expect(existsSync(path.join(stack.dir, 'tailscale-serve/serve.json'))).toBe(true);
    expect(existsSync(path.join(stack.dir, '.tailbridge/journal.json'))).toBe(false);
    expect(existsSync(path.join(stack.dir, '.tailbridge/apply.lock'))).toBe(false);
    const now = inspectService(stack)!;
    expect(now.id).not.toBe(container.id);
    expect(now.status).toBe('running');
    expect(now.configHash).not.toBe(container.configHash);

    const h = memoryIo({ cwd: stack.dir });
    await history({ config: stack.config, json: true }, h);
    const entries = JSON.parse(h.out.join('')).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ mode: 'serve', outcome: 'applied' });
    expect(entries[0].files).toEqual(['tailscale-serve/serve.json (new)', 'compose.yaml']);
  }, 120_000);

  it('rolls back when the new container dies: exit 3, files byte-identical, old container back, nothing left behind', async () => {
    const { stack, container, before } = await deployed('fail-new');
    const objects = dockerNames((n) => n.includes(stack.name));
    const io = memoryIo({ cwd: stack.dir });
    // userspace puts the container on the project's own default network: the attempt creates it.
    const code = await apply(
      { config: stack.config, mode: 'userspace', yes: true, timeout: 60 },
      io,
      standIn,
    );
    expect(code).toBe(3);
    expectSameFiles(stack.dir, before);
    expect(dockerNames((n) => n.includes(stack.name))).toEqual(objects);
    expect(existsSync(path.join(stack.dir, 'tailscale-serve'))).toBe(false);
    expect(existsSync(path.join(stack.dir, '.tailbridge/journal.json'))).toBe(false);
    const now = await waitHealthy(stack);
    expect(now.image).toBe(container.image);
    expect(now.configHash).toBe(container.configHash);
    const err = io.err.join('\n');
    expect(err).toMatch(/apply failed at wait: container .* (exited|crash-looping)/);
    expect(err).toContain('/dev/net/tun does not exist');
    expect(err).not.toContain('tskey-auth-kFAKE');
    expect(err).toContain('same configuration as before');

    const h = memoryIo({ cwd: stack.dir });
    await history({ config: stack.config, json: true }, h);
    expect(JSON.parse(h.out.join('')).entries[0]).toMatchObject({ outcome: 'rolled-back' });
  }, 180_000);

  it('identity guard: a config that renames the node is refused before anything changes; --allow-rename lets it through', async () => {
    const { stack, container, before } = await deployed();
    writeFileSync(stack.config, readFileSync(stack.config, 'utf8').replace('hostname: lab', 'hostname: vm'));
    const refusedBefore = snapshot(stack.dir);
    const options = { config: stack.config, mode: 'serve', yes: true };
    await expect(apply(options, memoryIo(), standIn)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(
        /^not applied: the new configuration would alter the running tailscale node \(nothing was changed\):\n {2}renames the node lab → vm: .* — pass --allow-rename to allow it$/,
      ),
    });
    expectSameFiles(stack.dir, refusedBefore);
    expect(existsSync(path.join(stack.dir, '.tailbridge/history'))).toBe(false);
    expect(inspectService(stack)!.id).toBe(container.id);
    const io = memoryIo();
    expect(await apply({ ...options, allow: ['allow-rename'] }, io, standIn), io.err.join('\n')).toBe(0);
    expect(io.out.join('\n')).toContain('identity: renames the node lab → vm');
    expect(io.out.join('\n')).toContain('allowed by --allow-rename');
    expect(readFileSync(stack.compose, 'utf8')).not.toBe(before.get('compose.yaml')!.bytes.toString());
  }, 120_000);

  it('refuses a second apply while the lock is held (exit 2)', async () => {
    const { stack, before } = await deployed();
    const { acquireLock, currentLockInfo } = await import('../../src/adapters/transaction/lock.js');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(stack.dir, '.tailbridge'), { recursive: true });
    const lock = await acquireLock(
      path.join(stack.dir, '.tailbridge/apply.lock'),
      currentLockInfo('apply', new Date()),
    );
    try {
      await expect(
        apply({ config: stack.config, mode: 'userspace', yes: true }, memoryIo(), standIn),
      ).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringMatching(new RegExp(`^another apply \\(pid ${process.pid}\\) is running`)),
      });
    } finally {
      await lock.release();
    }
    expectSameFiles(stack.dir, before);
  }, 60_000);

  it('rollback without a journal undoes the last apply (after --yes), networks it created included', async () => {
    const { stack, container, before } = await deployed();
    const objects = dockerNames((n) => n.includes(stack.name));
    expect(await apply({ config: stack.config, mode: 'userspace', yes: true }, memoryIo(), standIn)).toBe(0);
    expect(dockerNames((n) => n.includes(stack.name)).networks).toContain(`${stack.name}_default`);
    await expect(rollback({ config: stack.config }, memoryIo(), standIn)).rejects.toThrow(/pass --yes/);
    const io = memoryIo();
    expect(await rollback({ config: stack.config, yes: true }, io, standIn), io.err.join('\n')).toBe(0);
    expectSameFiles(stack.dir, before);
    expect((await waitHealthy(stack)).configHash).toBe(container.configHash);
    expect(dockerNames((n) => n.includes(stack.name))).toEqual(objects);
  }, 180_000);
});
