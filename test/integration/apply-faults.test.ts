import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectSameFiles, snapshot } from '../fixtures/apply/files.js';
import { composeUp, createStack, inspectService, type Stack, waitHealthy } from '../fixtures/apply/stack.js';
import { describeDocker } from '../lab/docker.js';
import { ensureBusyboxImage } from '../lab/images.js';

const ENTRY = path.resolve('test/fixtures/apply/entry.ts');
let image = '';
const stacks: Stack[] = [];

function run(command: string, options: object, fault?: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.TAILBRIDGE_FAULT;
  if (fault) env.TAILBRIDGE_FAULT = fault;
  const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, command, JSON.stringify(options)], {
    env,
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { status: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

const journalOf = (s: Stack) => {
  const file = path.join(s.dir, '.tailbridge/journal.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
};

describeDocker('apply: kill -9 at any point, then `tailbridge rollback` restores everything', () => {
  beforeAll(() => {
    image = ensureBusyboxImage();
  });
  afterAll(() => {
    for (const s of stacks.splice(0)) s.cleanup();
  });

  // serve mode writes two files (a new side file, then the compose file): write-1 is mid-write.
  it.concurrent.each([
    { fault: 'backup', journal: undefined },
    { fault: 'prepared', journal: 'prepared' },
    { fault: 'write-1', journal: 'writing' },
    { fault: 'written', journal: 'written' },
    { fault: 'deployed', journal: 'deployed' },
  ])(
    'SIGKILL after $fault',
    async ({ fault, journal }) => {
      const stack = createStack(image);
      stacks.push(stack);
      composeUp(stack);
      const container = await waitHealthy(stack);
      const before = snapshot(stack.dir);
      const options = { config: stack.config, mode: 'serve', yes: true };

      const killed = run('apply', options, fault);
      expect(killed.signal, killed.err).toBe('SIGKILL');
      expect(journalOf(stack)?.step).toBe(journal);
      expect(existsSync(path.join(stack.dir, '.tailbridge/apply.lock'))).toBe(true);
      if (fault === 'write-1') {
        // Mid-write: the side file is new, the compose file not yet.
        expect(existsSync(path.join(stack.dir, 'tailscale-serve/serve.json'))).toBe(true);
        expect(readFileSync(stack.compose).equals(before.get('compose.yaml')!.bytes)).toBe(true);
      }

      if (journal) {
        const refused = run('apply', options);
        expect(refused.status).toBe(2);
        expect(refused.err).toMatch(/took over a stale lock of apply \(pid \d+\): pid \d+ is not running/);
        expect(refused.err).toMatch(/did not finish .*run `tailbridge rollback`/);
      }

      const back = run('rollback', { config: stack.config });
      expect(back.status, `${back.out}\n${back.err}`).toBe(0);
      expectSameFiles(stack.dir, before);
      expect(existsSync(path.join(stack.dir, 'tailscale-serve'))).toBe(false);
      expect(journalOf(stack)).toBeUndefined();
      expect(existsSync(path.join(stack.dir, '.tailbridge/apply.lock'))).toBe(false);
      const now = await waitHealthy(stack);
      expect(now.image).toBe(container.image);
      expect(now.configHash).toBe(container.configHash);
      if (!journal) expect(back.out).toMatch(/nothing to undo/);
      if (fault === 'prepared') expect(inspectService(stack)!.id).toBe(container.id); // nothing redeployed

      const h = run('history', { config: stack.config, json: true });
      const outcome = JSON.parse(h.out).entries[0].outcome;
      expect(outcome).toBe(
        journal === undefined
          ? 'interrupted (nothing written)'
          : journal === 'prepared'
            ? 'not-applied'
            : 'rolled-back',
      );
    },
    240_000,
  );

  it('apply → rollback → apply killed before its journal → rollback does not bring back the rolled-away file', async () => {
    const stack = createStack(image);
    stacks.push(stack);
    composeUp(stack);
    await waitHealthy(stack);
    const before = snapshot(stack.dir);
    const options = { config: stack.config, mode: 'serve', yes: true };
    const applied = run('apply', options);
    expect(applied.status, applied.err).toBe(0);
    const undone = run('rollback', { config: stack.config, yes: true });
    expect(undone.status, undone.err).toBe(0);
    expectSameFiles(stack.dir, before);

    const killed = run('apply', options, 'backup'); // after the backup, before the journal exists
    expect(killed.signal, killed.err).toBe('SIGKILL');
    expect(journalOf(stack)).toBeUndefined();

    const again = run('rollback', { config: stack.config, yes: true });
    expect(again.status, `${again.out}\n${again.err}`).toBe(0);
    expect(again.out).toMatch(/nothing to undo: the last change was a rollback/);
    expectSameFiles(stack.dir, before);
    const h = JSON.parse(run('history', { config: stack.config, json: true }).out).entries;
    expect(h.map((e: { outcome: string }) => e.outcome)).toEqual([
      'interrupted (nothing written)',
      'applied',
      'applied',
    ]);
    expect(h.map((e: { operation: string }) => e.operation)).toEqual(['apply', 'restore', 'apply']);
  }, 240_000);

  it('a rollback killed mid-restore is finished by the next rollback', async () => {
    const stack = createStack(image, 'fail-new');
    stacks.push(stack);
    composeUp(stack);
    const container = await waitHealthy(stack);
    const before = snapshot(stack.dir);
    // The new container dies → automatic rollback → killed after restoring the first file.
    const killed = run('apply', { config: stack.config, mode: 'serve', yes: true, timeout: 60 }, 'restore-1');
    expect(killed.signal, killed.err).toBe('SIGKILL');
    expect(journalOf(stack)?.step).toBe('rolling-back');
    const back = run('rollback', { config: stack.config });
    expect(back.status, `${back.out}\n${back.err}`).toBe(0);
    expectSameFiles(stack.dir, before);
    const now = await waitHealthy(stack);
    expect(now.configHash).toBe(container.configHash);
  }, 240_000);
});
