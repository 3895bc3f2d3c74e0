import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Problem } from '../problem.js';
import composeSpec from './spec/compose-spec.json' with { type: 'json' };
import { parseYaml, pointerToPath, positionAt, type YamlSource } from './yaml-source.js';

/**
 * The validator `npm run build` generated from the same schema and options
 * (scripts/build-compose-validator.ts → dist/core/compose/spec/compose-validator.js); absent when
 * running from src/, and then compiled on first use.
 */
const precompiled = (await import(new URL('./spec/compose-validator.js', import.meta.url).href).then(
  (m: { default: ValidateFunction }) => m.default,
  () => undefined,
)) as ValidateFunction | undefined;

let compiled: ValidateFunction | undefined = precompiled;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strict: false });
    compiled = ajv.compile(composeSpec);
  }
  return compiled;
}

/** True when the build-time validator is in use (for tests and the benchmark). */
export function usesPrecompiledValidator(): boolean {
  return precompiled !== undefined && compiled === precompiled;
}

/**
 * Validates a parsed compose file against the Compose Specification and reports every
 * error (not only the first) at the line and column of the offending YAML node. `value` is the
 * document as plain data, when the caller has it already (the linter does).
 */
export function validateCompose(
  source: YamlSource,
  value: unknown = source.doc.toJS({ maxAliasCount: 10_000 }),
): Problem[] {
  const validate = validator();
  if (validate(value)) return [];
  return dedupe(validate.errors ?? []).map((e) => toProblem(source, e));
}

/** Validates compose text; YAML syntax errors are returned instead of schema errors. */
export function validateComposeText(file: string, text: string): Problem[] {
  const { source, problems } = parseYaml(file, text);
  return problems.length > 0 ? problems : validateCompose(source);
}

function toProblem(source: YamlSource, e: ErrorObject): Problem {
  const path = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') {
    const extra = String(params.additionalProperty);
    const pos = positionAt(source, [...path, extra], true);
    return {
      file: source.file,
      line: pos.line,
      column: pos.column,
      message: `${describe(path)}: property "${extra}" is not allowed (compose-spec)`,
      path: [...typed(path), extra],
    };
  }
  const pos = positionAt(source, path);
  return {
    file: source.file,
    line: pos.line,
    column: pos.column,
    message: `${describe(path)}: ${e.message ?? e.keyword} (compose-spec)`,
    path: typed(path),
  };
}

/** JSON-pointer segments with sequence indexes as numbers (the lint path notation). */
function typed(path: string[]): (string | number)[] {
  return path.map((p) => (/^(0|[1-9]\d*)$/.test(p) ? Number(p) : p));
}

function describe(path: string[]): string {
  return path.length === 0 ? 'file' : path.join('.');
}

/**
 * `oneOf`/`anyOf` produce one error per failed branch plus a summary; keep the most specific
 * error per location so the user sees one line per actual problem.
 */
function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const key = e.instancePath;
    byPath.set(key, [...(byPath.get(key) ?? []), e]);
  }
  const out: ErrorObject[] = [];
  for (const group of byPath.values()) {
    const specific = group.filter((e) => !['oneOf', 'anyOf', 'if', 'not'].includes(e.keyword));
    const seen = new Set<string>();
    for (const e of specific.length > 0 ? specific : group.slice(0, 1)) {
      const sig = `${e.keyword}:${JSON.stringify(e.params)}`;
      if (seen.has(sig)) continue;
      seen.add(sig);
      out.push(e);
    }
  }
  // A type error under a oneOf where another branch matched a nested error is noise; keep deepest paths first.
  return out.filter(
    (e) =>
      !(e.keyword === 'type' && out.some((o) => o !== e && o.instancePath.startsWith(`${e.instancePath}/`))),
  );
}
