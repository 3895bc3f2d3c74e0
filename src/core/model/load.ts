import { isScalar, visit } from 'yaml';
import type { ZodError, ZodType, z } from 'zod';
import { InputError } from '../../errors.js';
import { parseYaml, positionAt, positionOfNode } from '../compose/yaml-source.js';
import type { Problem } from '../problem.js';
import { Config, type HomelabConfig } from './config.js';

/** Tailscale keys (tskey-…) and Headscale keys (hskey-auth-…, hskey-api-…); the masked form hskey-…-*** is not a secret. */
const SECRET_LITERAL = /(tskey-[A-Za-z0-9-]+|hskey-[a-z]+-[A-Za-z0-9]+-(?!\*\*\*)[A-Za-z0-9])/;

/** Parses and validates a tailbridge.yaml text. Throws InputError with one positioned problem per issue. */
export function parseConfig(file: string, text: string): HomelabConfig {
  const { source, problems } = parseYaml(file, text);
  if (problems.length > 0) throw new InputError(problems);
  const secrets: Problem[] = [];
  visit(source.doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && SECRET_LITERAL.test(node.value)) {
        const pos = positionOfNode(source, node);
        secrets.push({
          file,
          line: pos.line,
          column: pos.column,
          message:
            'inline Tailscale/Headscale key: put it in a file or environment variable and name that here (tailscale.auth, tailscale.control.api)',
        });
      }
    },
  });
  if (secrets.length > 0) throw new InputError(secrets);
  return validated(file, source, Config);
}

/**
 * Parses a YAML (or JSON) settings file such as .tailbridgerc against `schema`. Throws InputError
 * with one positioned problem per issue (unknown rule ids and bad options included).
 */
export function parseSettingsFile<S extends ZodType>(file: string, text: string, schema: S): z.output<S> {
  const { source, problems } = parseYaml(file, text);
  if (problems.length > 0) throw new InputError(problems);
  return validated(file, source, schema);
}

function validated<S extends ZodType>(
  file: string,
  source: ReturnType<typeof parseYaml>['source'],
  schema: S,
): z.output<S> {
  const raw = source.doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new InputError([{ file, line: 1, column: 1, message: `${file} must be a YAML mapping` }]);
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new InputError(zodProblems(result.error, (path, isKey) => positionAt(source, path, isKey), file));
}

function zodProblems(
  error: ZodError,
  locate: (path: (string | number)[], isKey: boolean) => { line: number; column: number },
  file: string,
): Problem[] {
  return error.issues.flatMap(specific).map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      const pos = locate([...path, key], true);
      const what = path.at(-1) === 'rules' ? 'unknown rule' : 'unknown key';
      return { file, ...pos, message: `${label(path)}: ${what} "${issue.keys.join('", "')}"` };
    }
    const pos = locate(path, false);
    return { file, ...pos, message: `${label(path)}: ${issue.message}` };
  });
}

type Issue = ZodError['issues'][number];

/**
 * A union's issue says only "Invalid input"; report the branch that got furthest instead (for
 * `rule: { level, options }` that is the object branch, with the path of the bad option).
 */
function specific(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union' || !('errors' in issue) || issue.errors.length === 0) return [issue];
  const depth = (branch: Issue[]) => Math.max(...branch.map((i) => i.path.length));
  const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0]!;
  if (depth(best) === 0) {
    const values = issue.errors.flat().find((i) => i.code === 'invalid_value');
    if (values && 'values' in values)
      return [{ ...issue, message: `must be one of ${values.values.join(', ')}, or a mapping` } as Issue];
    return [issue];
  }
  return best.flatMap((i) => specific({ ...i, path: [...issue.path, ...i.path] } as Issue));
}

function label(path: (string | number)[]): string {
  return path.length === 0
    ? 'config'
    : path
        .map((p) => (typeof p === 'number' ? `[${p}]` : p))
        .join('.')
        .replace(/\.\[/g, '[');
}
