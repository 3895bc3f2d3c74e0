import type { FileResult } from '../engine.js';
import { type Summary, summarize } from './summary.js';

/** Stable machine output (field order fixed; `formatVersion` bumps on breaking changes). */
export interface JsonReport {
  formatVersion: 1;
  files: {
    file: string;
    linted: boolean;
    findings: {
      ruleId: string;
      severity: 'error' | 'warning' | 'info';
      message: string;
      line: number;
      column: number;
      endLine: number;
      endColumn: number;
      fixable: boolean;
    }[];
  }[];
  summary: Summary;
}

export function toJsonReport(results: readonly FileResult[]): JsonReport {
  return {
    formatVersion: 1,
    files: results.map((r) => ({
      file: r.file,
      linted: r.linted,
      findings: r.findings.map((f) => ({
        ruleId: f.ruleId,
        severity: f.severity,
        message: f.message,
        line: f.line,
        column: f.column,
        endLine: f.endLine,
        endColumn: f.endColumn,
        fixable: f.fixable,
      })),
    })),
    summary: summarize(results),
  };
}

export function formatJson(results: readonly FileResult[]): string {
  return `${JSON.stringify(toJsonReport(results), null, 2)}\n`;
}
