import type { FileResult } from '../engine.js';

export interface Summary {
  files: number;
  linted: number;
  errors: number;
  warnings: number;
  infos: number;
  fixable: number;
}

export function summarize(results: readonly FileResult[]): Summary {
  const s: Summary = { files: results.length, linted: 0, errors: 0, warnings: 0, infos: 0, fixable: 0 };
  for (const r of results) {
    if (r.linted) s.linted++;
    for (const f of r.findings) {
      if (f.severity === 'error') s.errors++;
      else if (f.severity === 'warning') s.warnings++;
      else s.infos++;
      if (f.fixable) s.fixable++;
    }
  }
  return s;
}
