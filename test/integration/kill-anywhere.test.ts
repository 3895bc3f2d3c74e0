/**
 * kill -9 at random moments through apply, rollback and migrate (on the busybox stand-in stacks of
 * test/fixtures/apply, real engine): after one `tailbridge rollback --yes` the files are as the user
 * had them, byte for byte, with no journal, no lock, no temp litter beside them or in the temp dir,
 * the container running its old configuration and no network or container of the attempt left.
 * The kill times come from a seeded generator (TB_KILL_SEED reproduces a run) spread over the
 * measured length of an uninterrupted run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameFiles, type Snapshot, snapshot } from '../fixtures/apply/files.js';
import { composeUp, createStack, type Stack, waitHealthy } from '../fixtures/apply/stack.js';
import { describeDocker, dockerNames } from '../lab/docker.js';
import { ensureBusyboxImage } from '../lab/images.js';

const ENTRY = path.resolve('test/fixtures/apply/entry.ts');
const SEED = Number(process.env.TB_KILL_SEED ?? 20260814);
const KILLS = 3;

/** mulberry32: a small deterministic generator, so a failing kill time can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(SEED);

const env = () => {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete e.TAILBRIDGE_FAULT;
  return e;
};

function run(command: string, options: object) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, command, JSON.stringify(options)], {
    env: env(),
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** Starts `command`, SIGKILLs it after `ms` (unless it ended first); resolves with how it ended. */
function killAfter(command: string, options: object, ms: number): Promise<{ killed: boolean; pid: number }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', ENTRY, command, JSON.stringify(options)],
      { env: env(), stdio: 'ignore' },
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', pid: child.pid ?? 0 });
    });
  });
}

async function timed(command: string, options: object): Promise<number> {
  const t = Date.now();
  const r = run(command, options);
  if (r.status === null) throw new Error(`${command} did not finish: ${r.err}`);
  return Date.now() - t;
}

const stacks: Stack[] = [];
let image = '';

async function freshStack(): Promise<{
  stack: Stack;
  before: Snapshot;
  objects: ReturnType<typeof dockerNames>;
}> {
  const stack = createStack(image);
  stacks.push(stack);
  composeUp(stack);
  await waitHealthy(stack);
  return { stack, before: snapshot(stack.dir), objects: dockerNames((n) => n.includes(stack.name)) };
}

/** Everything a finished recovery must leave: the user's files, no journal/lock, no litter, no attempt objects. */
async function expectRecovered(
  stack: Stack,
  before: Snapshot,
  objects: ReturnType<typeof dockerNames>,
  killedPid: number,
) {
  expectSameFiles(stack.dir, before);
  expect(existsSync(path.join(stack.dir, '.tailbridge/journal.json'))).toBe(false);
  expect(existsSync(path.join(stack.dir, '.tailbridge/apply.lock'))).toBe(false);
  expect(readdirSync(tmpdir()).filter((n) => n.startsWith(`tailbridge-stage-${killedPid}-`))).toEqual([]);
  await waitHealthy(stack, 60_000);
  expect(dockerNames((n) => n.includes(stack.name))).toEqual(objects);
}

describeDocker(`kill -9 anywhere, then tailbridge rollback (seed ${SEED})`, () => {
  beforeAll(() => {
    image = ensureBusyboxImage();
  });
  afterAll(() => {
    for (const s of stacks.splice(0)) s.cleanup();
  });

  describe('apply', () => {
    let length = 0;
    beforeAll(async () => {
      const { stack } = await freshStack();
      length = await timed('apply', { config: stack.config, mode: 'userspace', yes: true });
    }, 300_000);

    for (let i = 0; i < KILLS; i++)
      it(`kill ${i + 1} of ${KILLS}`, async () => {
        const { stack, before, objects } = await freshStack();
        const at = Math.round(300 + rand() * length);
        const { pid } = await killAfter('apply', { config: stack.config, mode: 'userspace', yes: true }, at);
        const back = run('rollback', { config: stack.config, yes: true });
        expect(back.status, `killed at ${at} ms of ${length}: ${back.out}\n${back.err}`).toBe(0);
        await expectRecovered(stack, before, objects, pid);
      }, 300_000);
  });

  describe('rollback', () => {
    let length = 0;
    beforeAll(async () => {
      const { stack } = await freshStack();
      expect(run('apply', { config: stack.config, mode: 'userspace', yes: true }).status).toBe(0);
      length = await timed('rollback', { config: stack.config, yes: true });
    }, 300_000);

    for (let i = 0; i < KILLS; i++)
      it(`kill ${i + 1} of ${KILLS}`, async () => {
        const { stack, before, objects } = await freshStack();
        expect(run('apply', { config: stack.config, mode: 'userspace', yes: true }).status).toBe(0);
        const applied = readFileSync(stack.compose);
        const at = Math.round(300 + rand() * length);
        const { pid } = await killAfter('rollback', { config: stack.config, yes: true }, at);
        // One recovery undoes whatever the killed rollback left: the applied file, or the original.
        const back = run('rollback', { config: stack.config, yes: true });
        expect(back.status, `killed at ${at} ms of ${length}: ${back.out}\n${back.err}`).toBe(0);
        const now = readFileSync(stack.compose);
        const original = before.get('compose.yaml')!.bytes;
        expect(now.equals(original) || now.equals(applied), 'neither the original nor the applied file').toBe(
          true,
        );
        // …and undoing until there is nothing left to undo ends at the original.
        if (now.equals(applied)) expect(run('rollback', { config: stack.config, yes: true }).status).toBe(0);
        expect(run('rollback', { config: stack.config, yes: true }).out).toMatch(/nothing to undo/);
        await expectRecovered(stack, before, objects, pid);
      }, 300_000);
  });

  describe('migrate', () => {
    const options = (stack: Stack) => ({
      config: stack.config,
      modes: ['userspace,serve'],
      yes: true,
      timeout: 30,
    });
    let length = 0;
    beforeAll(async () => {
      const { stack } = await freshStack();
      length = await timed('migrate', options(stack));
    }, 600_000);

    for (let i = 0; i < 2; i++)
      it(`kill ${i + 1} of 2`, async () => {
        const { stack, before, objects } = await freshStack();
        const at = Math.round(300 + rand() * length);
        const { pid } = await killAfter('migrate', options(stack), at);
        const back = run('rollback', { config: stack.config, yes: true });
        expect(back.status, `killed at ${at} ms of ${length}: ${back.out}\n${back.err}`).toBe(0);
        // migrate writes its decision record and notes under docs/ and ai/: only the stack's own files count.
        const mine = new Map([...before].filter(([name]) => !/^(docs|ai)\//.test(name)));
        const after = new Map([...snapshot(stack.dir)].filter(([name]) => !/^(docs|ai)\//.test(name)));
        expect([...after.keys()].sort()).toEqual([...mine.keys()].sort());
        for (const [name, b] of mine) expect(after.get(name)!.bytes.equals(b.bytes), name).toBe(true);
        expect(existsSync(path.join(stack.dir, '.tailbridge/journal.json'))).toBe(false);
        expect(readdirSync(tmpdir()).filter((n) => n.startsWith(`tailbridge-stage-${pid}-`))).toEqual([]);
        await waitHealthy(stack, 60_000);
        expect(dockerNames((n) => n.includes(stack.name))).toEqual(objects);
      }, 600_000);
  });
});
