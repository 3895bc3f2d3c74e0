import type { Path } from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';
import { isInterpolated, splitArgs } from '../values.js';

/** containerboot variables that carry a login secret. */
export const SECRET_VARS = ['TS_AUTHKEY', 'TS_AUTH_KEY', 'TS_CLIENT_SECRET'] as const;
/** `tailscale up` flags that carry a login secret. */
const SECRET_FLAGS = ['authkey', 'auth-key', 'client-secret'];

const ADVICE =
  'move it to an env_file that is not committed (chmod 600) or to a Docker secret read with TS_AUTHKEY=file:/run/secrets/<name>, and rotate the key if this file was ever shared or committed';

/** A literal secret: not interpolated by Compose, not expanded by a shell, not a `file:` reference. */
function isLiteralSecret(raw: string): boolean {
  const v = raw.trim().replace(/^(['"])(.*)\1$/, '$2');
  return v !== '' && !isInterpolated(raw) && !v.includes('$') && !v.startsWith('file:');
}

/** Secret flags with a literal value in an argument list (`--authkey=x`, `--authkey x`); names only. */
function literalSecretFlags(args: readonly string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!.replace(/^['"]/, '');
    for (const f of SECRET_FLAGS) {
      for (const name of [`--${f}`, `-${f}`]) {
        let value: string | undefined;
        if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
        else if (arg === name) value = args[i + 1];
        if (value !== undefined && isLiteralSecret(value) && !found.includes(name)) found.push(name);
      }
    }
  }
  return found;
}

export const authKeyInline = defineRule({
  id: 'auth-key-inline',
  severity: 'error',
  category: 'security',
  description:
    'A Tailscale auth key or OAuth client secret is written literally in the compose file (environment, TS_EXTRA_ARGS or command).',
  source: 'ts-kb-1282',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      const env = model.environment(s);
      for (const name of SECRET_VARS) {
        const v = env.get(name);
        if (v?.raw === undefined || !isLiteralSecret(v.raw)) continue;
        out.push({
          path: v.path,
          message: `service "${s.name}": ${name} holds a literal secret in the compose file (value not shown); anyone who can read the file or \`docker inspect\` can join nodes to your tailnet: ${ADVICE}`,
        });
      }
      const extra = env.get('TS_EXTRA_ARGS');
      if (extra?.value !== undefined) {
        const flags = literalSecretFlags(splitArgs(extra.value));
        if (flags.length > 0)
          out.push({
            path: extra.path,
            message: `service "${s.name}": TS_EXTRA_ARGS passes ${flags.join(', ')} with a literal secret (value not shown); use TS_AUTHKEY from an env_file or a secret file instead: ${ADVICE}`,
          });
      }
      for (const key of ['entrypoint', 'command'] as const) {
        const v = s.value[key];
        const items: { text: string; path: Path }[] = Array.isArray(v)
          ? v.map((x, i) => ({ text: String(x), path: [...s.path, key, i] }))
          : typeof v === 'string'
            ? [{ text: v, path: [...s.path, key] }]
            : [];
        if (Array.isArray(v)) {
          // Exec form: `--authkey`, `tskey-…` may be separate items.
          const flags = literalSecretFlags(items.map((i) => i.text));
          if (flags.length === 0) continue;
          const at = items.find((i) => flags.some((f) => i.text === f || i.text.startsWith(`${f}=`)));
          out.push({
            path: at?.path ?? [...s.path, key],
            message: `service "${s.name}": ${key}: passes ${flags.join(', ')} with a literal secret (value not shown): ${ADVICE}`,
          });
          continue;
        }
        for (const item of items) {
          const flags = literalSecretFlags(splitArgs(item.text));
          if (flags.length === 0) continue;
          out.push({
            path: item.path,
            message: `service "${s.name}": ${key}: passes ${flags.join(', ')} with a literal secret (value not shown): ${ADVICE}`,
          });
        }
      }
    }
    return out;
  },
});
