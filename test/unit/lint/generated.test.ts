import { describe, expect, it } from 'vitest';
import { generate } from '../../../src/core/generate/index.js';
import { lintSource } from '../../../src/core/lint/engine.js';
import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../../../src/core/model/example.js';
import { parseConfig } from '../../../src/core/model/load.js';
import { MODES } from '../../../src/core/model/modes.js';

describe('generated compose files lint clean', () => {
  const config = parseConfig(EXAMPLE_CONFIG_FILE, EXAMPLE_CONFIG);
  for (const mode of MODES) {
    it(mode, () => {
      const compose = generate(config, mode).compose;
      const r = lintSource(`${mode}.compose.yaml`, compose, { config });
      expect(r.linted).toBe(true);
      const shown = r.findings.filter((f) => f.severity !== 'info');
      expect(shown.map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`)).toEqual([]);
      if (mode === 'host') expect(r.findings.find((f) => f.ruleId === 'host-network')?.severity).toBe('info');
    });
  }
});
