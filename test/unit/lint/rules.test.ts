import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintSource } from '../../../src/core/lint/engine.js';
import { RULES } from '../../../src/core/lint/rules/index.js';
import { EXPECTED_AUTH_STATE } from './expected-auth-state.js';
import { EXPECTED_CONTROL } from './expected-control.js';
import { EXPECTED_CORPUS } from './expected-corpus.js';
import { EXPECTED_NETWORKS } from './expected-networks.js';
import { EXPECTED_SERVE_SIDECAR } from './expected-serve-sidecar.js';
import { FIXTURES, fixture, lintFixture } from './helpers.js';

/** Every rule: the bad fixture reports it at these positions (line:col-endLine:endCol), the good one does not. */
const EXPECTED: Record<string, string[]> = {
  'host-network': ['4:19-4:23 warning'],
  'kernel-mode-missing-tun': ['11:9-11:34 warning'],
  'kernel-mode-missing-net-admin': ['7:9-7:23 error'],
  'forwarding-sysctls-missing': ['11:9-11:47 warning'],
  'sysctls-with-host-network': ['5:5-5:12 error'],
  'ts-userspace-invalid-bool': ['5:21-5:25 warning'],
  'image-not-pinned': ['3:12-3:46 warning'],
  'userspace-unneeded-privileges': ['5:9-5:18 warning'],
  ...EXPECTED_AUTH_STATE,
  ...EXPECTED_SERVE_SIDECAR,
  ...EXPECTED_NETWORKS,
  ...EXPECTED_CONTROL,
  ...EXPECTED_CORPUS,
};

describe('rule fixtures', () => {
  it('every registered rule has expectations, fixtures and a docs page', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(RULES.map((r) => r.id).sort());
    for (const r of RULES) {
      expect(existsSync(`${FIXTURES}${r.id}/bad.yaml`), r.id).toBe(true);
      expect(existsSync(`${FIXTURES}${r.id}/good.yaml`), r.id).toBe(true);
      expect(existsSync(new URL(`../../../${r.docs}`, import.meta.url)), r.docs).toBe(true);
      expect(r.docs).toBe(`docs/rules/${r.id}.md`);
    }
  });

  for (const [id, positions] of Object.entries(EXPECTED)) {
    it(`${id}: bad.yaml is reported at its position`, () => {
      const result = lintFixture(`${id}/bad.yaml`);
      expect(result.linted).toBe(true);
      const mine = result.findings.filter((f) => f.ruleId === id);
      expect(mine.map((f) => `${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.severity}`)).toEqual(
        positions,
      );
      expect(result.findings.filter((f) => f.ruleId === 'compose-schema')).toEqual([]);
    });
    it(`${id}: good.yaml is clean`, () => {
      const result = lintFixture(`${id}/good.yaml`);
      expect(result.linted).toBe(true);
      expect(result.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    });
  }

  it('host-network is info when the file header marks the documented fallback', () => {
    const result = lintFixture('host-network/fallback.yaml');
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.line])).toEqual([['host-network', 'info', 6]]);
  });

  it('host-network is info when the comment above the service marks the fallback', () => {
    const text = fixture('host-network/bad.yaml').replace(
      '  tailscale:',
      '  # tailbridge: fallback (ADR 3)\n  tailscale:',
    );
    const r = lintSource('compose.yaml', text);
    expect(r.findings.map((f) => [f.ruleId, f.severity])).toEqual([['host-network', 'info']]);
  });
});
