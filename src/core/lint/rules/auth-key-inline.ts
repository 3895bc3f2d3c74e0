import type { ComposeModel, Path, Service } from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';
import { composeArgv, isInterpolated, shellCommands, shellTokens, splitArgs } from '../values.js';

/** containerboot variables that carry a login secret. */
export const SECRET_VARS = ['TS_AUTHKEY', 'TS_AUTH_KEY', 'TS_CLIENT_SECRET'] as const;
/** `tailscale up` flags that carry a login secret. */
const SECRET_FLAGS = ['authkey', 'auth-key', 'client-secret'];
/** Tailscale auth keys and OAuth client secrets start like this. */
const TSKEY = /(^|["'=\s])tskey-\S/i;

const ADVICE =
  'move it to an env_file that is not committed (chmod 600) or to a Docker secret read with TS_AUTHKEY=file:/run/secrets/<name>, and rotate the key if this file was ever shared or committed';

/** A literal secret: not interpolated by Compose, not expanded by a shell, not a `file:` reference, not a path. */
function isLiteralSecret(raw: string): boolean {
  const v = raw.trim().replace(/^(['"])(.*)\1$/, '$2');
  return (
    v !== '' && !isInterpolated(raw) && !v.includes('$') && !v.startsWith('file:') && !/^\.?\.?\//.test(v)
  );
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

/** A word that is itself a literal Tailscale key (`tskey-auth-…`), not a variable holding one. */
function literalKeyWord(word: string): boolean {
  return TSKEY.test(word) && !word.includes('$');
}

/** What a command/entrypoint passes literally: secret flags, or bare tskey- words, through `sh -c` scripts. */
function scriptSecrets(argv: readonly string[]): string[] {
  const words = shellCommands(argv).flatMap((c) => c.argv);
  const flags = literalSecretFlags(words);
  if (flags.length > 0) return flags;
  return words.some(literalKeyWord) ? ['a tskey-… value'] : [];
}

function envReports(model: ComposeModel, s: Service, tailscale: boolean): Report[] {
  const out: Report[] = [];
  for (const v of model.environment(s).values()) {
    if (v.raw === undefined || v.interpolated) continue;
    const named = (SECRET_VARS as readonly string[]).includes(v.name);
    if (named && isLiteralSecret(v.raw)) {
      out.push({
        path: v.path,
        message: `service "${s.name}": ${v.name} holds a literal secret in the compose file (value not shown); anyone who can read the file or \`docker inspect\` can join nodes to your tailnet: ${ADVICE}`,
      });
    } else if (v.name === 'TS_EXTRA_ARGS' && tailscale) {
      const flags = literalSecretFlags(splitArgs(v.value ?? ''));
      if (flags.length > 0)
        out.push({
          path: v.path,
          message: `service "${s.name}": TS_EXTRA_ARGS passes ${flags.join(', ')} with a literal secret (value not shown); use TS_AUTHKEY from an env_file or a secret file instead: ${ADVICE}`,
        });
    } else if (!named && literalKeyWord(v.value ?? '')) {
      const hint = tailscale ? ' (containerboot reads the key only from TS_AUTHKEY or TS_AUTH_KEY)' : '';
      out.push({
        path: v.path,
        message: `service "${s.name}": ${v.name} holds a literal Tailscale key in the compose file (value not shown)${hint}: ${ADVICE}`,
      });
    }
  }
  return out;
}

function scriptReports(s: Service): Report[] {
  const out: Report[] = [];
  for (const key of ['entrypoint', 'command'] as const) {
    const v = s.value[key];
    const argv = composeArgv(v);
    if (!argv) continue;
    const found = scriptSecrets(argv);
    if (found.length === 0) continue;
    // Point at the list item that holds it, when the list form splits it out.
    let path: Path = [...s.path, key];
    if (Array.isArray(v)) {
      const i = v.findIndex(
        (item) =>
          scriptSecrets(shellTokens(String(item)).map((t) => t.text)).length > 0 ||
          /^--?(auth-?key|client-secret)$/.test(String(item)),
      );
      if (i !== -1) path = [...s.path, key, i];
    }
    out.push({
      path,
      message: `service "${s.name}": ${key}: passes ${found.join(', ')} with a literal secret (value not shown), readable in the file, in \`docker inspect\` and in the process list: ${ADVICE}`,
    });
  }
  return out;
}

export const authKeyInline = defineRule({
  id: 'auth-key-inline',
  severity: 'error',
  category: 'security',
  description:
    'A Tailscale auth key or OAuth client secret is written literally in the compose file (environment, TS_EXTRA_ARGS, or a command/entrypoint script, sh -c included).',
  source: 'ts-kb-1282',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.services()) {
      const tailscale = model.isTailscale(s);
      out.push(...envReports(model, s, tailscale));
      out.push(...scriptReports(s));
    }
    return out;
  },
});
