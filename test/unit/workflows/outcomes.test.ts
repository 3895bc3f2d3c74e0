import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveTarget } from '../../../src/adapters/transaction/target.js';
import { silentProgress } from '../../../src/core/apply/progress.js';
import type { ComposeRunner } from '../../../src/core/ports/compose.js';
import type { DockerEngine } from '../../../src/core/ports/docker.js';
import { applyMode } from '../../../src/workflows/apply/apply-mode.js';
import { rollback } from '../../../src/workflows/rollback/rollback.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const COMPOSE =
  '# mine\nservices:\n  tailscale:\n    image: tailscale/tailscale:v1.102.3\n    network_mode: host\n  web:\n    image: busybox:1.36\n';

function stack(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tbwf-unit-'));
  dirs.push(dir);
  writeFileSync(
    path.join(dir, 'tailbridge.yaml'),
    `version: 1
lan: { subnet: 198.18.0.0/24, gateway: 198.18.0.1, parentInterface: eth0 }
host: { name: lab, address: 198.18.0.2 }
tailscale: { hostname: lab, stateDir: /srv/ts, auth: { method: env_file, path: /srv/ts/.env } }
services: [{ name: web, port: 80, network: webnet }]
`,
  );
  writeFileSync(path.join(dir, 'compose.yaml'), COMPOSE);
  return dir;
}

/** Only what these paths reach before the first change: the engine answers, no container exists. */
const engine = {
  ping: async () => undefined,
  inspectContainer: async () => undefined,
  listContainers: async () => [],
  listNetworks: async () => [],
} as unknown as DockerEngine;
const compose: ComposeRunner = {
  flavor: 'v2',
  version: async () => '2',
  validate: async () => ({ ok: true, message: '' }),
  up: async () => ({ exitCode: 1, stdout: '', stderr: 'not in a unit test' }),
  down: async () => ({ exitCode: 1, stdout: '', stderr: 'not in a unit test' }),
};
const base = {
  engine,
  now: () => new Date(),
  fault: () => undefined,
  progress: silentProgress,
  warn: () => undefined,
};

describe('workflows return typed outcomes', () => {
  it('applyMode: a declined confirmation is an outcome, and nothing is written', async () => {
    const dir = stack();
    const target = await resolveTarget({}, { cwd: dir });
    let asked = 0;
    const outcome = await applyMode(
      { target, mode: 'sidecar', timeoutMs: 1000, keep: 2, allow: [] },
      {
        ...base,
        compose: Promise.resolve(compose),
        confirm: async (changes) => {
          asked = changes.length;
          return false;
        },
      },
    );
    expect(outcome).toEqual({ kind: 'declined', mode: 'sidecar' });
    expect(asked).toBeGreaterThan(0);
    expect(readFileSync(path.join(dir, 'compose.yaml'), 'utf8')).toBe(COMPOSE);
  });

  it('rollback: an empty history is "nothing", with the reason', async () => {
    const target = await resolveTarget({}, { cwd: stack() }, { allowTodo: true });
    const outcome = await rollback(
      { target, timeoutMs: 1000, keep: 2 },
      {
        ...base,
        compose: async () => compose,
        progress: () => silentProgress,
        events: () => undefined,
      },
    );
    expect(outcome.kind).toBe('nothing');
    if (outcome.kind === 'nothing') expect(outcome.message).toMatch(/^nothing to undo: /);
  });
});
