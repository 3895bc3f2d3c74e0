import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { FileResult } from '../../../src/core/lint/engine.js';
import { formatJson } from '../../../src/core/lint/format/json.js';
import { formatSarif, toSarif } from '../../../src/core/lint/format/sarif.js';
import { formatText } from '../../../src/core/lint/format/text.js';
import { ALL_RULE_META } from '../../../src/core/lint/rules/index.js';
import { fixture, lintFixture, lintText } from './helpers.js';

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { rules: { id: string; helpUri: string; defaultConfiguration: unknown }[] } };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      locations: { physicalLocation: unknown }[];
    }[];
  }[];
}

function results(): FileResult[] {
  return [
    lintFixture('seed/option-d-host.yaml'),
    lintFixture('kernel-mode-missing-tun/bad.yaml'),
    lintText('services:\n  a:\n    image: x\n    image: y\n'),
    lintFixture('image-not-pinned/good.yaml'),
  ];
}

/** The official SARIF 2.1.0 schema (draft-04), vendored from @microsoft/jest-sarif; see its NOTICE.md. */
function sarifValidator() {
  const schema = JSON.parse(fixture('sarif/sarif-2.1.0-rtm.5.json')) as Record<string, unknown>;
  // draft-04 → draft-07: the only draft-04-specific keywords in this schema are `$schema` and the root `id`.
  delete schema['$schema'];
  schema['$id'] = schema['id'];
  delete schema['id'];
  // unicodeRegExp: false — the schema's language pattern has a stray `]` that only non-unicode regexps accept.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => URL.canParse(s, 'file:///base/'));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv.compile(schema);
}

describe('formatters', () => {
  it('text: grouped by file, file:line:col severity message rule-id, summary, no color by default', () => {
    const out = formatText(results());
    expect(out.includes('\u001b[')).toBe(false);
    expect(out).toContain(
      'test/fixtures/lint/kernel-mode-missing-tun/bad.yaml\ntest/fixtures/lint/kernel-mode-missing-tun/bad.yaml:11:9  warning  service "tailscale" mounts /dev/net/tun',
    );
    expect(out).toContain(
      'compose.yaml:4:5  error  duplicate key: each key may appear once in a mapping  yaml-syntax',
    );
    expect(out).toMatch(
      /✖ 4 problems \(1 error, 3 warnings, 0 info\) in 4 files\n {2}1 fixable with --fix\n$/,
    );
  });

  it('text: colors only when asked', () => {
    expect(formatText(results(), { color: true }).includes('\u001b[')).toBe(true);
    expect(formatText([lintFixture('image-not-pinned/good.yaml')])).toBe('✔ no problems in 1 file\n');
  });

  it('json: stable shape', () => {
    const json = JSON.parse(formatJson(results()));
    expect(Object.keys(json)).toEqual(['formatVersion', 'files', 'summary']);
    expect(json.files[2]).toEqual({
      file: 'compose.yaml',
      linted: false,
      findings: [
        {
          ruleId: 'yaml-syntax',
          severity: 'error',
          message: 'duplicate key: each key may appear once in a mapping',
          line: 4,
          column: 5,
          endLine: 4,
          endColumn: 6,
          fixable: false,
        },
      ],
    });
    expect(json.summary).toEqual({ files: 4, linted: 3, errors: 1, warnings: 3, infos: 0, fixable: 1 });
  });

  it('sarif: valid against the official SARIF 2.1.0 schema', () => {
    const validate = sarifValidator();
    const log = JSON.parse(formatSarif(results(), { version: '0.1.0' }));
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('sarif: the validator does reject a broken log', () => {
    const validate = sarifValidator();
    const log = toSarif(results()) as { runs: { results: Record<string, unknown>[] }[] };
    log.runs[0]!.results[0]!['level'] = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('sarif: rule metadata, help URIs, result locations', () => {
    const log = toSarif(results()) as unknown as SarifLog;
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    const rules = log.runs[0]!.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(ALL_RULE_META.map((r) => r.id));
    const tun = rules.find((r) => r.id === 'kernel-mode-missing-tun');
    expect(tun?.helpUri).toMatch(/^https:\/\/.+\/docs\/rules\/kernel-mode-missing-tun\.md$/);
    expect(tun?.defaultConfiguration).toEqual({ level: 'warning' });
    const res = log.runs[0]!.results.find((r) => r.ruleId === 'kernel-mode-missing-tun');
    expect(rules[res!.ruleIndex]!.id).toBe('kernel-mode-missing-tun');
    expect(res!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'test/fixtures/lint/kernel-mode-missing-tun/bad.yaml' },
      region: { startLine: 11, startColumn: 9, endLine: 11, endColumn: 34 },
    });
    const info = toSarif([lintFixture('host-network/fallback.yaml')]) as unknown as SarifLog;
    expect(info.runs[0]!.results[0]!.level).toBe('note');
  });
});
