import { parseGoBool, splitArgs } from '../lint/values.js';

/** Flags of `tailscale up` whose value is a credential. */
const SECRET_FLAGS = ['authkey', 'auth-key', 'client-secret', 'client-id', 'id-token'];
const REDACTED = '…redacted';

/**
 * TS_EXTRA_ARGS with every credential replaced: the values of --authkey/--auth-key/--client-secret
 * (as `--flag=value` or `--flag value`) and any `tskey-…` token. Containerboot appends this string
 * to `tailscale up`, so users sometimes put the auth key there; tailbridge never keeps it.
 */
export function redactExtraArgs(value: string): string {
  const args = splitArgs(value);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = /^--?([a-z-]+)/.exec(arg)?.[1];
    if (name && SECRET_FLAGS.includes(name)) {
      if (arg.includes('=')) out.push(`${arg.slice(0, arg.indexOf('='))}=${REDACTED}`);
      else {
        out.push(arg);
        if (args[i + 1] !== undefined && !args[i + 1]!.startsWith('-')) {
          out.push(REDACTED);
          i++;
        }
      }
      continue;
    }
    out.push(arg.replace(/tskey-[A-Za-z0-9_-]+/g, REDACTED));
  }
  return out.join(' ');
}

/** What TS_EXTRA_ARGS asks of the node (only the flags tailbridge models). */
export interface ExtraArgsIntent {
  acceptRoutes?: boolean;
  exitNode?: boolean;
  tags?: string[];
  routes?: string[];
  hostname?: string;
}

/** Reads --accept-routes, --advertise-exit-node, --advertise-tags, --advertise-routes, --hostname (last wins). */
export function extraArgsIntent(value: string): ExtraArgsIntent {
  const out: ExtraArgsIntent = {};
  const args = splitArgs(value);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--?([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) continue;
    const [, name, inline] = m;
    const bool = () => (inline === undefined ? true : (parseGoBool(inline) ?? true));
    const text = () => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || next.startsWith('-')) return '';
      i++;
      return next;
    };
    const list = (s: string) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    if (name === 'accept-routes') out.acceptRoutes = bool();
    else if (name === 'advertise-exit-node') out.exitNode = bool();
    else if (name === 'advertise-tags') out.tags = list(text());
    else if (name === 'advertise-routes') out.routes = list(text());
    else if (name === 'hostname') out.hostname = text();
  }
  return out;
}
