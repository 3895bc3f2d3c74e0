import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryIo } from '../../../src/cli/io.js';
import { lintCommand } from '../../../src/commands/lint.js';
import { lintSource } from '../../../src/core/lint/engine.js';
import { mergeSettings, parseRuleFlag } from '../../../src/core/lint/settings.js';
import { EXAMPLE_CONFIG } from '../../../src/core/model/example.js';
import { InputError, TailbridgeError } from '../../../src/errors.js';
import { fixture } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tailbridge-lint-settings-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A file with one host-network warning, one image-not-pinned warning and a capabilities-unused warning. */
const FILE = [
  'services:',
  '  tailscale:',
  '    image: tailscale/tailscale:latest',
  '    network_mode: host',
  '    cap_add: [NET_ADMIN, SYS_ADMIN]',
  '    devices: [/dev/net/tun:/dev/net/tun]',
  '    environment: [TS_USERSPACE=false, TS_STATE_DIR=/var/lib/tailscale]',
  '    volumes: [./state:/var/lib/tailscale]',
  '',
].join('\n');

async function runJson(extra: { rule?: string[] } = {}, cwd = dir) {
  const io = memoryIo({ cwd });
  const code = await lintCommand({ paths: ['compose.yaml'], json: true, ...extra }, io);
  const report = JSON.parse(io.out.join('')) as {
    files: { findings: { ruleId: string; severity: string }[] }[];
  };
  const found = Object.fromEntries(report.files[0]!.findings.map((f) => [f.ruleId, f.severity]));
  return { code, found };
}

async function expectInputError(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(TailbridgeError);
  expect((e as TailbridgeError).exitCode).toBe(2);
  return (e as Error).message;
}

describe('per-rule configuration', () => {
  beforeEach(async () => writeFile(path.join(dir, 'compose.yaml'), FILE));

  it('defaults apply without any configuration', async () => {
    const { code, found } = await runJson();
    expect(code).toBe(0);
    expect(found).toEqual({
      'host-network': 'warning',
      'image-not-pinned': 'warning',
      'capabilities-unused': 'warning',
    });
  });

  it('precedence: tailbridge.yaml lint: < .tailbridgerc (nearest, searched upward) < --rule', async () => {
    const config = `${EXAMPLE_CONFIG.trimEnd()}\nlint:\n  rules:\n    host-network: error\n    image-not-pinned: error\n    capabilities-unused: error\n`;
    await writeFile(path.join(dir, 'tailbridge.yaml'), config);
    let r = await runJson();
    expect(r.found).toEqual({
      'host-network': 'error',
      'image-not-pinned': 'error',
      'capabilities-unused': 'error',
    });
    expect(r.code).toBe(1);

    // .tailbridgerc one directory up overrides the config file for the rules it names.
    const sub = path.join(dir, 'stack');
    await mkdir(sub);
    await writeFile(path.join(sub, 'compose.yaml'), FILE);
    await writeFile(path.join(sub, 'tailbridge.yaml'), config);
    await writeFile(
      path.join(dir, '.tailbridgerc'),
      'rules:\n  host-network: info\n  image-not-pinned: off\n',
    );
    r = await runJson({}, sub);
    expect(r.found).toEqual({ 'host-network': 'info', 'capabilities-unused': 'error' });

    // --rule beats both.
    r = await runJson({ rule: ['host-network=off', 'capabilities-unused=warning'] }, sub);
    expect(r.found).toEqual({ 'capabilities-unused': 'warning' });
    expect(r.code).toBe(0);
  });

  it('.tailbridgerc may be JSON and carries rule options', async () => {
    await writeFile(
      path.join(dir, '.tailbridgerc'),
      JSON.stringify({ rules: { 'capabilities-unused': { options: { allow: ['SYS_ADMIN'] } } } }),
    );
    expect((await runJson()).found['capabilities-unused']).toBeUndefined();
  });

  it('an unknown rule id or a bad option is one positioned line and exit 2', async () => {
    await writeFile(
      path.join(dir, '.tailbridgerc'),
      'rules:\n  host-netwrok: off\n  capabilities-unused:\n    options:\n      allow: SYS_ADMIN\n',
    );
    const message = await expectInputError(runJson());
    expect(message.split('\n')).toEqual([
      '.tailbridgerc:5:14 rules.capabilities-unused.options.allow: Invalid input: expected array, received string',
      '.tailbridgerc:2:3 rules: unknown rule "host-netwrok"',
    ]);
    await writeFile(path.join(dir, '.tailbridgerc'), 'rules:\n  host-network: loud\n');
    expect(await expectInputError(runJson())).toBe(
      '.tailbridgerc:2:17 rules.host-network: must be one of off, info, warning, error, or a mapping',
    );
  });

  it('an unknown rule or level in --rule is one line and exit 2', async () => {
    expect(await expectInputError(runJson({ rule: ['host-netwrk=off'] }))).toBe(
      '--rule host-netwrk=off: unknown rule "host-netwrk" (did you mean "host-network"?)',
    );
    expect(await expectInputError(runJson({ rule: ['host-network=loud'] }))).toBe(
      '--rule host-network=loud: level must be one of off, info, warning, error',
    );
    expect(await expectInputError(runJson({ rule: ['host-network'] }))).toContain('write --rule <rule-id>=');
  });

  it('tailbridge.yaml lint: errors are positioned too', async () => {
    await writeFile(
      path.join(dir, 'tailbridge.yaml'),
      `${EXAMPLE_CONFIG.trimEnd()}\nlint:\n  rules:\n    no-such-rule: off\n`,
    );
    const e = await runJson().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/^tailbridge\.yaml:\d+:5 lint\.rules: unknown rule "no-such-rule"$/);
  });
});

describe('levels in the engine', () => {
  it('a configured level replaces the default, but a documented info note stays info', () => {
    const settings = mergeSettings(new Map([['host-network', { level: 'error' as const }]]));
    const marked = fixture('host-network/fallback.yaml');
    expect(lintSource('c.yaml', marked, { settings }).findings.map((f) => f.severity)).toEqual(['info']);
    const plain = fixture('host-network/bad.yaml');
    expect(
      lintSource('c.yaml', plain, { settings })
        .findings.filter((f) => f.ruleId === 'host-network')
        .map((f) => f.severity),
    ).toEqual(['error']);
  });

  it('compose-schema and invalid-suppression can be turned off; rule options reach the rule', () => {
    const text = 'services:\n  a:\n    image: x\n    bogus: 1\n';
    expect(lintSource('c.yaml', text).findings.map((f) => f.ruleId)).toEqual(['compose-schema']);
    const off = mergeSettings(new Map([['compose-schema', { level: 'off' as const }]]));
    expect(lintSource('c.yaml', text, { settings: off }).findings).toEqual([]);
    const allow = mergeSettings(new Map([['system-dir-mounted', { options: { allow: ['/var/lib'] } }]]));
    expect(
      lintSource('c.yaml', fixture('system-dir-mounted/bad.yaml'), { settings: allow }).findings.filter(
        (f) => f.ruleId === 'system-dir-mounted',
      ),
    ).toEqual([]);
  });

  it('parseRuleFlag accepts every level and only configurable rules', () => {
    for (const level of ['off', 'info', 'warning', 'error'])
      expect(parseRuleFlag(`image-not-pinned=${level}`)).toEqual({ id: 'image-not-pinned', level });
    expect(parseRuleFlag('yaml-syntax=off')).toHaveProperty('error');
    expect(parseRuleFlag('compose-schema=warning')).toEqual({ id: 'compose-schema', level: 'warning' });
  });
});
