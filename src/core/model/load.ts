import { isScalar, visit } from 'yaml';
import type { ZodError } from 'zod';
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
  const raw = source.doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new InputError([{ file, line: 1, column: 1, message: 'config must be a YAML mapping' }]);
  const result = Config.safeParse(raw);
  if (result.success) return result.data;
  throw new InputError(zodProblems(result.error, (path, isKey) => positionAt(source, path, isKey), file));
}

function zodProblems(
  error: ZodError,
  locate: (path: (string | number)[], isKey: boolean) => { line: number; column: number },
  file: string,
): Problem[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      const pos = locate([...path, key], true);
      return { file, ...pos, message: `${label(path)}: unknown key "${issue.keys.join('", "')}"` };
    }
    const pos = locate(path, false);
    return { file, ...pos, message: `${label(path)}: ${issue.message}` };
  });
}

function label(path: (string | number)[]): string {
  return path.length === 0
    ? 'config'
    : path
        .map((p) => (typeof p === 'number' ? `[${p}]` : p))
        .join('.')
        .replace(/\.\[/g, '[');
}
