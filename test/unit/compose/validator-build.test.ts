import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { AJV_OPTIONS, validatorSource } from '../../../scripts/build-compose-validator.js';
import composeSpec from '../../../src/core/compose/spec/compose-spec.json' with { type: 'json' };

const dir = mkdtempSync(path.join(tmpdir(), 'tailbridge-validator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the build-time compose validator', () => {
  it('reports exactly what the runtime-compiled validator reports, on every corpus file', async () => {
    const file = path.join(dir, 'compose-validator.mjs');
    writeFileSync(
      file,
      `import { createRequire } from 'node:module';\nconst require = createRequire(${JSON.stringify(
        pathToFileURL(path.join(process.cwd(), 'package.json')).href,
      )});\n${validatorSource().replace(/^"use strict";/, '')}`,
    );
    const built = (await import(pathToFileURL(file).href)).default as ValidateFunction;
    const runtime = new Ajv2020({ ...AJV_OPTIONS }).compile(composeSpec);
    const cases = path.join(process.cwd(), 'corpus/cases');
    const texts = readdirSync(cases).map((c) => readFileSync(path.join(cases, c, 'compose.yaml'), 'utf8'));
    texts.push('services:\n  a:\n    image: x\n    bogus: 1\n    cap_add: [A, A]\n');
    let invalid = 0;
    for (const text of texts) {
      const doc = parseDocument(text, { merge: true });
      if (doc.errors.length > 0) continue;
      const value = doc.toJS();
      const a = built(value);
      const b = runtime(value);
      expect(a).toBe(b);
      expect(JSON.stringify(built.errors ?? null)).toBe(JSON.stringify(runtime.errors ?? null));
      if (!a) invalid++;
    }
    expect(invalid).toBeGreaterThanOrEqual(3);
  });
});
