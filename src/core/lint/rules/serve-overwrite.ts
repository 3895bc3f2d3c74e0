import { defineRule, type Report } from '../rule.js';
import { serviceScripts } from '../values.js';

/** What one `tailscale serve --bg …` call sets: a web handler (port + mount path) or a TCP forwarder. */
interface ServeCall {
  text: string;
  kind: 'web' | 'tcp';
  proto: 'HTTP' | 'HTTPS' | 'TCP';
  port: string;
  mount: string;
  service: string;
  at: (string | number)[];
}

const VALUE_FLAGS = new Set([
  'https',
  'http',
  'tcp',
  'tls-terminated-tcp',
  'set-path',
  'service',
  'proxy-protocol',
  'accept-app-caps',
  'socket',
]);

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

function normalizeMount(path: string): string {
  const p = path.startsWith('/') ? path : `/${path}`;
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/**
 * Parses one `tailscale [--socket=…] serve …` argv. Returns 'reset' for `serve reset`, undefined for
 * calls that set nothing persistent (no --bg, status, off, unknown or interpolated values).
 */
export function parseServe(argv: readonly string[]): Omit<ServeCall, 'at' | 'text'> | 'reset' | undefined {
  if (basename(argv[0] ?? '') !== 'tailscale') return undefined;
  let i = 1;
  while (i < argv.length && argv[i]!.startsWith('-')) i += argv[i]!.includes('=') ? 1 : 2; // global flags
  if (argv[i] !== 'serve') return undefined;
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let j = i + 1; j < argv.length; j++) {
    const a = argv[j]!;
    const m = /^--?([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      positional.push(a);
      continue;
    }
    const name = m[1]!;
    if (m[2] !== undefined) flags.set(name, m[2]);
    else if (VALUE_FLAGS.has(name) && argv[j + 1] !== undefined) flags.set(name, argv[++j]!);
    else flags.set(name, true);
  }
  if (positional[0] === 'reset') return 'reset';
  if (
    positional.length === 0 ||
    ['status', 'get-config', 'set-config', 'advertise', 'clear', 'drain'].includes(positional[0]!)
  )
    return undefined;
  if (positional.includes('off')) return undefined;
  // Pre-1.52 syntax (`serve https / http://…`) or anything we cannot read: skip.
  if (['http', 'https', 'tcp', 'tls-terminated-tcp'].includes(positional[0]!)) return undefined;
  const bg = flags.get('bg');
  if (bg === undefined || bg === 'false' || bg === '0') return undefined;
  if ([...flags.values(), ...positional].some((v) => typeof v === 'string' && v.includes('$')))
    return undefined;
  const service = typeof flags.get('service') === 'string' ? (flags.get('service') as string) : '';
  const tcp = flags.get('tcp') ?? flags.get('tls-terminated-tcp');
  if (typeof tcp === 'string') return { kind: 'tcp', proto: 'TCP', port: tcp, mount: '', service };
  if (tcp === true) return undefined;
  const http = flags.get('http');
  const https = flags.get('https');
  const proto = http !== undefined ? 'HTTP' : 'HTTPS';
  const port =
    typeof http === 'string' ? http : typeof https === 'string' ? https : http === true ? '80' : '443';
  const setPath = flags.get('set-path');
  if (setPath === true) return undefined;
  return { kind: 'web', proto, port, mount: normalizeMount(setPath ?? '/'), service };
}

export const serveOverwrite = defineRule({
  id: 'serve-overwrite',
  severity: 'error',
  category: 'tailscale',
  description:
    'Several `tailscale serve --bg` calls set the same port and mount path: each replaces the previous handler.',
  source: 'serve-config',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.services()) {
      const calls: ServeCall[] = [];
      const groups: ServeCall[][] = [];
      const flush = () => {
        const byKey = new Map<string, ServeCall[]>();
        for (const c of calls) {
          const key = `${c.service}|${c.kind}|${c.port}|${c.mount}`;
          byKey.set(key, [...(byKey.get(key) ?? []), c]);
        }
        for (const g of byKey.values()) if (g.length > 1) groups.push(g);
        calls.length = 0;
      };
      for (const script of serviceScripts(s.value)) {
        for (const cmd of script.commands) {
          const parsed = parseServe(cmd.argv);
          if (parsed === 'reset') flush();
          else if (parsed) calls.push({ ...parsed, text: cmd.argv.join(' '), at: script.at });
        }
      }
      flush();
      for (const g of groups) {
        const first = g[0]!;
        const last = g.at(-1)!;
        const what =
          first.kind === 'tcp'
            ? `the TCP forwarder on port ${first.port}`
            : `the ${first.proto} :${first.port} handler for ${first.mount}`;
        out.push({
          path: [...s.path, ...last.at],
          message: `service "${s.name}": ${g.map((c) => `\`${c.text}\``).join(', ')} all set ${what}${first.service ? ` of ${first.service}` : ''}; each call replaces the previous one, so only \`${last.text}\` stays; give each backend its own port (--https=8443) or path (--set-path=/b), best in one TS_SERVE_CONFIG file`,
          data: { calls: g.map((c) => c.text) },
        });
      }
    }
    return out;
  },
});
