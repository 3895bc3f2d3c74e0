import type { FileResult } from '../engine.js';
import { DOCS_BASE_URL, type RuleMeta, type Severity } from '../rule.js';
import { ALL_RULE_META } from '../rules/index.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

export interface SarifOptions {
  /** Tool version for tool.driver.version. */
  version?: string;
  /** Rule metadata to describe (default: every known rule). */
  rules?: readonly RuleMeta[];
}

/**
 * SARIF 2.1.0 (one run) for GitHub code scanning: tool.driver.rules with help URIs, results with
 * ruleIndex, level and a region. File paths are given as relative URIs (forward slashes).
 */
export function toSarif(results: readonly FileResult[], options: SarifOptions = {}): Record<string, unknown> {
  const rules = options.rules ?? ALL_RULE_META;
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const driver: Record<string, unknown> = {
    name: 'tailbridge',
    informationUri: DOCS_BASE_URL,
    rules: rules.map((r) => ({
      id: r.id,
      name: pascal(r.id),
      shortDescription: { text: r.description },
      fullDescription: { text: `${r.description} Category: ${r.category}. See ${r.docs}.` },
      helpUri: `${DOCS_BASE_URL}${r.docs}`,
      help: { text: `See ${DOCS_BASE_URL}${r.docs}` },
      defaultConfiguration: { level: LEVEL[r.severity] },
      properties: { category: r.category, tags: [r.category] },
    })),
  };
  if (options.version) driver['version'] = options.version;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver },
        results: results.flatMap((r) =>
          r.findings.map((f) => {
            const result: Record<string, unknown> = {
              ruleId: f.ruleId,
              level: LEVEL[f.severity],
              message: { text: f.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: toUri(r.file) },
                    region: {
                      startLine: f.line,
                      startColumn: f.column,
                      endLine: Math.max(f.endLine, f.line),
                      endColumn: f.endLine > f.line ? f.endColumn : Math.max(f.endColumn, f.column + 1),
                    },
                  },
                },
              ],
            };
            const i = index.get(f.ruleId);
            if (i !== undefined) result['ruleIndex'] = i;
            return result;
          }),
        ),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

export function formatSarif(results: readonly FileResult[], options: SarifOptions = {}): string {
  return `${JSON.stringify(toSarif(results, options), null, 2)}\n`;
}

function toUri(file: string): string {
  return file
    .replace(/\\/g, '/')
    .replace(/^\.\//, '')
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, ch: string) => ch.toUpperCase());
}
