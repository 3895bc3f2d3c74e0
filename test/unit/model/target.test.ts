import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../../../src/core/model/example.js';
import { parseConfig } from '../../../src/core/model/load.js';
import { InputError } from '../../../src/errors.js';

function problemsOf(text: string): string[] {
  try {
    parseConfig('t.yaml', text);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message.split('\n');
  }
  throw new Error('expected an InputError');
}

const withTarget = (yaml: string) => `${EXAMPLE_CONFIG}\ntarget:\n${yaml}`;
const targetLine = EXAMPLE_CONFIG.split('\n').length + 1;

describe('target: section', () => {
  it('defaults to compose', () => {
    expect(parseConfig(EXAMPLE_CONFIG_FILE, EXAMPLE_CONFIG).target).toEqual({ kind: 'compose' });
  });

  it('accepts a TrueNAS app with a pinned certificate', () => {
    const c = parseConfig(
      't.yaml',
      withTarget(
        `  kind: truenas\n  url: wss://nas.lan/api/current\n  app: tailscale\n  apiKeyFile: truenas.key\n  tls:\n    fingerprint: ${'ab'.repeat(32)}\n`,
      ),
    );
    expect(c.target).toMatchObject({ kind: 'truenas', app: 'tailscale', apiKeyFile: 'truenas.key' });
  });

  it('reports each problem at its position', () => {
    const lines = problemsOf(
      withTarget('  kind: truenas\n  url: http://nas.lan/api/current\n  tls:\n    fingerprint: abc\n'),
    );
    expect(lines).toContain(
      `t.yaml:${targetLine + 2}:8 target.url: must be a wss:// or https:// URL like wss://nas.lan/api/current (TLS only)`,
    );
    expect(
      lines.some((l) =>
        l.startsWith(`t.yaml:${targetLine + 4}:18 target.tls.fingerprint: must be a SHA-256`),
      ),
    ).toBe(true);
    expect(
      lines.some((l) => /^t\.yaml:\d+:\d+ target(\.app)?: .*required for target\.kind truenas/.test(l)),
    ).toBe(true);
  });

  it('refuses TrueNAS settings on a compose target and both trust anchors at once', () => {
    expect(problemsOf(withTarget('  kind: compose\n  app: tailscale\n'))).toEqual([
      `t.yaml:${targetLine + 2}:8 target.app: applies only to target.kind truenas`,
    ]);
    const both = problemsOf(
      withTarget(
        `  kind: truenas\n  app: tailscale\n  tls:\n    fingerprint: ${'ab'.repeat(32)}\n    caFile: ca.pem\n`,
      ),
    );
    expect(both).toHaveLength(1);
    expect(both[0]).toMatch(/target\.tls: takes fingerprint or caFile, not both$/);
  });
});
