/**
 * The `tailscale up` command line as containerboot builds it, for rules that read TS_EXTRA_ARGS.
 * Flag sets are transcribed from tailscale/tailscale at v1.102.3 (source id `tailscale-up-flags`):
 * cmd/tailscale/cli/up.go newUpFlagSet (Linux, cmd "up"), set.go newSetFlagSet, cmd/tailscaled
 * flags; the aliases from cli.go CleanUpArgs.
 */

/** `tailscale up` flags on Linux that take no value (Go boolean flags: `--x` or `--x=false`, never `--x false`). */
export const UP_BOOL_FLAGS: ReadonlySet<string> = new Set([
  'qr',
  'accept-routes',
  'accept-dns',
  'host-routes',
  'exit-node-allow-lan-access',
  'shields-up',
  'ssh',
  'advertise-connector',
  'advertise-exit-node',
  'report-posture',
  'snat-subnet-routes',
  'stateful-filtering',
  'json',
  'reset',
  'force-reauth',
]);

/** `tailscale up` flags on Linux that take a value. */
export const UP_VALUE_FLAGS: ReadonlySet<string> = new Set([
  'qr-format',
  'auth-key',
  'audience',
  'client-id',
  'client-secret',
  'id-token',
  'login-server',
  'exit-node',
  'advertise-tags',
  'hostname',
  'advertise-routes',
  'operator',
  'netfilter-mode',
  'timeout',
  'accept-risk',
]);

/** Old spellings the CLI rewrites before parsing (cli.go CleanUpArgs). */
export const UP_FLAG_ALIASES: Readonly<Record<string, string>> = {
  authkey: 'auth-key',
  'posture-checking': 'report-posture',
};

/** Flags only `tailscale set` has (set.go): containerboot passes TS_EXTRA_ARGS to `tailscale up`. */
export const SET_ONLY_FLAGS: ReadonlySet<string> = new Set([
  'auto-update',
  'update-check',
  'webclient',
  'remote-config',
  'sync',
  'relay-server-port',
  'relay-server-static-endpoints',
  'nickname',
]);

/** Flags of the `tailscaled` daemon (cmd/tailscaled): they belong in TS_TAILSCALED_EXTRA_ARGS. */
export const TAILSCALED_FLAGS: ReadonlySet<string> = new Set([
  'tun',
  'state',
  'statedir',
  'socket',
  'port',
  'socks5-server',
  'outbound-http-proxy-listen',
  'verbose',
  'debug',
  'no-logs-no-support',
  'config',
  'encrypt-state',
  'hardware-attestation',
  'bird-socket',
  'version',
  'cleanup',
]);

/** `tailscale` subcommands: a word like these in TS_EXTRA_ARGS is a second command, not a flag. */
export const SUBCOMMANDS: ReadonlySet<string> = new Set([
  'up',
  'down',
  'set',
  'get',
  'login',
  'logout',
  'switch',
  'configure',
  'syspolicy',
  'netcheck',
  'ip',
  'dns',
  'status',
  'metrics',
  'ping',
  'nc',
  'ssh',
  'funnel',
  'serve',
  'version',
  'web',
  'file',
  'bugreport',
  'cert',
  'lock',
  'licenses',
  'exit-node',
  'update',
  'whois',
  'debug',
  'drive',
  'completion',
]);

/**
 * Flags containerboot itself puts on the `tailscale up` line before TS_EXTRA_ARGS, with the variable
 * that makes it do so (cmd/containerboot/tailscaled.go tailscaleUp). `--accept-dns` is left out:
 * containerboot removes it from TS_EXTRA_ARGS itself (settings.go parseAcceptDNS).
 */
export const CONTAINERBOOT_UP_FLAGS: Readonly<Record<string, readonly string[]>> = {
  'auth-key': ['TS_AUTHKEY', 'TS_AUTH_KEY'],
  'client-id': ['TS_CLIENT_ID'],
  'client-secret': ['TS_CLIENT_SECRET'],
  'id-token': ['TS_ID_TOKEN'],
  audience: ['TS_AUDIENCE'],
  'advertise-routes': ['TS_ROUTES'],
  hostname: ['TS_HOSTNAME'],
};

/** One argument of TS_EXTRA_ARGS as the Go flag package reads it. */
export type UpArg =
  | { kind: 'flag'; name: string; written: string; value?: string; index: number }
  | { kind: 'word'; text: string; index: number };

/**
 * Reads an argument list the way Go's flag package does for `tailscale up`: `-x`/`--x`, `--x=v`,
 * `--x v` for value flags; the first word that is not a flag ends the flags (everything from there
 * on is a non-flag argument, which `tailscale up` refuses); `--` ends the flags too.
 */
export function parseUpArgs(args: readonly string[]): UpArg[] {
  const out: UpArg[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      for (let j = i + 1; j < args.length; j++) out.push({ kind: 'word', text: args[j]!, index: j });
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      for (let j = i; j < args.length; j++) out.push({ kind: 'word', text: args[j]!, index: j });
      break;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const raw = eq === -1 ? body : body.slice(0, eq);
    const name = UP_FLAG_ALIASES[raw] ?? raw;
    const flag: UpArg = { kind: 'flag', name, written: `--${raw}`, index: i };
    if (eq !== -1) flag.value = body.slice(eq + 1);
    else if (UP_VALUE_FLAGS.has(name) && i + 1 < args.length) flag.value = args[++i]!;
    out.push(flag);
  }
  return out;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The `tailscale up` flag closest to `name` (at most 2 edits away), for a hint. */
export function closestUpFlag(name: string): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const f of [...UP_BOOL_FLAGS, ...UP_VALUE_FLAGS]) {
    const d = editDistance(name, f);
    if (d < bestD) {
      best = f;
      bestD = d;
    }
  }
  return best;
}
