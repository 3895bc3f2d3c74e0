/**
 * Value helpers shared by rules: Compose interpolation and Go's boolean parsing.
 * Pure functions, no YAML here.
 */

/**
 * True when Compose will substitute something in `value` at `docker compose up` time:
 * `${VAR}`, `${VAR:-default}`, `${VAR?err}`, `$VAR`. `$$` is an escaped literal `$` and does
 * not count. Rules must not judge a value that is interpolated: its real value is unknown.
 */
export function isInterpolated(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '$') continue;
    const next = value[i + 1];
    if (next === '$') {
      i++;
      continue;
    }
    if (next === '{' || (next !== undefined && /[A-Za-z_]/.test(next))) return true;
  }
  return false;
}

/** The literal Compose passes to the container for a value that is not interpolated (`$$` → `$`). */
export function unescapeDollars(value: string): string {
  return value.replace(/\$\$/g, '$');
}

/** Go's strconv.ParseBool: exactly these spellings; anything else is an error. */
export function parseGoBool(value: string): boolean | undefined {
  switch (value) {
    case '1':
    case 't':
    case 'T':
    case 'TRUE':
    case 'true':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'FALSE':
    case 'false':
    case 'False':
      return false;
    default:
      return undefined;
  }
}

/** Splits a command-line string on whitespace the way containerboot splits TS_EXTRA_ARGS. */
export function splitArgs(value: string): string[] {
  return value.split(/\s+/).filter((s) => s.length > 0);
}

/**
 * The value of a `--flag=value` / `--flag value` / boolean `--flag` in an argument list
 * (last one wins, like Go's flag package). `true` for a bare boolean flag; undefined if absent.
 */
export function flagValue(args: readonly string[], flag: string): string | true | undefined {
  let result: string | true | undefined;
  const names = [`--${flag}`, `-${flag}`];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    for (const name of names) {
      if (arg === name) {
        const next = args[i + 1];
        result = next !== undefined && !next.startsWith('-') && !isBoolLiteral(next) ? next : true;
      } else if (arg.startsWith(`${name}=`)) {
        result = arg.slice(name.length + 1);
      }
    }
  }
  return result;
}

function isBoolLiteral(s: string): boolean {
  return parseGoBool(s) !== undefined;
}

/**
 * Removes every `--flag=value` / `-flag=value` / `--flag value` / bare `--flag` from an argument list.
 * Returns the remaining arguments and the flag's last value (like {@link flagValue}).
 */
export function removeFlag(
  args: readonly string[],
  flag: string,
): { rest: string[]; value: string | true | undefined } {
  const names = [`--${flag}`, `-${flag}`];
  const rest: string[] = [];
  let value: string | true | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = names.find((n) => arg === n || arg.startsWith(`${n}=`));
    if (name === undefined) {
      rest.push(arg);
      continue;
    }
    if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
    else {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('-') && !isBoolLiteral(next)) {
        value = next;
        i++;
      } else value = true;
    }
  }
  return { rest, value };
}

/** The flag names (`--accept-routes=true` → `--accept-routes`) in an argument list, in order, without repeats. */
export function flagNames(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (!a.startsWith('-')) continue;
    const name = a.split('=')[0]!;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * The container-side target of a `volumes:` entry: short syntax `[source:]target[:mode]` (a Windows
 * drive letter in the source is kept together) or long syntax `{target}`; undefined when unknown.
 */
export function volumeTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') {
    const parts = entry.split(':');
    if (parts.length >= 3 && /^[A-Za-z]$/.test(parts[0]!) && /^[\\/]/.test(parts[1]!))
      parts.splice(0, 2, `${parts[0]}:${parts[1]}`);
    return parts.length === 1 ? parts[0] : parts[1];
  }
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
    const t = (entry as Record<string, unknown>)['target'];
    return typeof t === 'string' ? t : undefined;
  }
  return undefined;
}

/** The host-side source of a `volumes:` entry (short `source:target` or long `{source}`); undefined if none. */
export function volumeSource(entry: unknown): string | undefined {
  if (typeof entry === 'string') {
    const parts = entry.split(':');
    if (parts.length >= 3 && /^[A-Za-z]$/.test(parts[0]!) && /^[\\/]/.test(parts[1]!))
      return `${parts[0]}:${parts[1]}`;
    return parts.length >= 2 ? parts[0] : undefined;
  }
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
    const s = (entry as Record<string, unknown>)['source'];
    return typeof s === 'string' ? s : undefined;
  }
  return undefined;
}

/** True when `dir` is `mount` or lies below it (both absolute container paths; trailing slashes ignored). */
export function isUnderPath(dir: string, mount: string): boolean {
  const norm = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  const d = norm(dir);
  const m = norm(mount);
  return d === m || m === '/' || d.startsWith(`${m}/`);
}

/**
 * `text` as a YAML scalar for a fix: plain when that is unambiguous (no indicators, `: `, ` #`,
 * leading/trailing space, or text YAML would read as another type), else double-quoted.
 */
export function yamlScalar(text: string): string {
  const plainSafe =
    text.length > 0 &&
    !/^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(text.replace(/^-(?=[^\s])/, 'x')) &&
    !/:(\s|$)|\s#|\s$|[\r\n\t]/.test(text) &&
    !/^(?:true|false|yes|no|on|off|null|~|[-+]?[0-9][0-9_.:eE+-]*)$/i.test(text);
  return plainSafe ? text : JSON.stringify(text);
}

/** A shell token: a word with its quotes removed, or an operator (`;`, `&`, `&&`, `||`, `|`, newline, `(`, `)`). */
export interface ShellToken {
  text: string;
  op: boolean;
}

/**
 * Splits shell text into words and operators the way `sh` (and Compose, for string `command:`) does:
 * '…' and "…" quoting, backslash escapes, `#` comments at the start of a word. Expansions (`$X`)
 * are kept as written.
 */
export function shellTokens(text: string): ShellToken[] {
  const out: ShellToken[] = [];
  let word = '';
  let inWord = false;
  const flush = () => {
    if (inWord) out.push({ text: word, op: false });
    word = '';
    inWord = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end === -1 ? text.length : end;
      word += text.slice(i + 1, stop);
      inWord = true;
      i = stop;
    } else if (c === '"') {
      inWord = true;
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && /["\\$`\n]/.test(text[i + 1] ?? '')) i++;
        word += text[i] ?? '';
      }
    } else if (c === '\\') {
      if (text[i + 1] === '\n') i++;
      else {
        word += text[i + 1] ?? '';
        inWord = true;
        i++;
      }
    } else if (c === '#' && !inWord) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      flush();
    } else if (c === '\n' || c === ';' || c === '(' || c === ')') {
      flush();
      out.push({ text: c, op: true });
    } else if (c === '&' || c === '|') {
      flush();
      const double = text[i + 1] === c;
      out.push({ text: double ? c + c : c, op: true });
      if (double) i++;
    } else {
      word += c;
      inWord = true;
    }
  }
  flush();
  return out;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh']);
const PREFIXES = new Set(['exec', 'nohup', 'command', 'env', 'sudo', 'time']);

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/**
 * The simple commands an argv runs: itself, or, for `sh -c 'script'` (also `-ec`, `-xc`…), the
 * commands of the script, recursively. Leading `VAR=value`, `exec`, `nohup`, `env` are dropped.
 * Each command carries the operator that ended it (`&` = started in the background).
 */
export function shellCommands(argv: readonly string[], depth = 0): { argv: string[]; background: boolean }[] {
  const words = [...argv];
  while (
    words.length > 0 &&
    (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!) || PREFIXES.has(words[0]!) || /^-/.test(words[0]!))
  ) {
    // Options of a prefix (env -i, nohup --) are dropped with it.
    words.shift();
  }
  if (words.length === 0) return [];
  if (SHELLS.has(basename(words[0]!)) && depth < 4) {
    const c = words.findIndex((w, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(w));
    const script = c === -1 ? undefined : words[c + 1];
    if (script !== undefined) return shellScriptCommands(script, depth + 1);
  }
  return [{ argv: words, background: false }];
}

/** The simple commands of a shell script (see {@link shellCommands}). */
export function shellScriptCommands(script: string, depth = 0): { argv: string[]; background: boolean }[] {
  const out: { argv: string[]; background: boolean }[] = [];
  let current: string[] = [];
  const end = (op: string | undefined) => {
    const cmds = shellCommands(current, depth);
    if (op === '&') for (const c of cmds) c.background = true;
    out.push(...cmds);
    current = [];
  };
  for (const t of shellTokens(script)) {
    if (t.op) end(t.text);
    else current.push(t.text);
  }
  end(undefined);
  return out;
}

/** Compose's argv for a `command:`/`entrypoint:` value: a list as is, a string split like a shell. */
export function composeArgv(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (typeof value === 'string') return shellTokens(value).map((t) => t.text);
  return undefined;
}

/** One script-bearing key of a service and the simple commands it runs. */
export interface ServiceScript {
  key: 'entrypoint' | 'command' | 'healthcheck';
  /** Path below the service: ['command'], ['entrypoint'] or ['healthcheck', 'test']. */
  at: (string | number)[];
  commands: { argv: string[]; background: boolean }[];
}

/**
 * The commands a service's `entrypoint:`/`command:` (joined, as Docker runs them) and healthcheck
 * `test:` (CMD, CMD-SHELL or string form) run. Takes the resolved service value; pure.
 */
export function serviceScripts(service: Record<string, unknown>): ServiceScript[] {
  const out: ServiceScript[] = [];
  const entrypoint = composeArgv(service['entrypoint']);
  const command = composeArgv(service['command']);
  if (entrypoint !== undefined || command !== undefined) {
    const argv = [...(entrypoint ?? []), ...(command ?? [])];
    const key = entrypoint !== undefined && entrypoint.length > 0 ? 'entrypoint' : 'command';
    out.push({ key, at: [key], commands: shellCommands(argv) });
  }
  const hc = service['healthcheck'];
  const test =
    typeof hc === 'object' && hc !== null && !Array.isArray(hc)
      ? (hc as Record<string, unknown>)['test']
      : undefined;
  if (typeof test === 'string') {
    out.push({ key: 'healthcheck', at: ['healthcheck', 'test'], commands: shellScriptCommands(test) });
  } else if (Array.isArray(test) && test.length > 0) {
    const [kind, ...rest] = test.map((t) => String(t));
    const commands =
      kind === 'CMD-SHELL' ? shellScriptCommands(rest.join(' ')) : kind === 'CMD' ? shellCommands(rest) : [];
    out.push({ key: 'healthcheck', at: ['healthcheck', 'test'], commands });
  }
  return out;
}

/** True when the service defines a healthcheck that runs (not `disable: true`, not `test: [NONE]`). */
export function hasHealthcheck(service: Record<string, unknown>): boolean {
  const hc = service['healthcheck'];
  if (typeof hc !== 'object' || hc === null || Array.isArray(hc)) return false;
  const h = hc as Record<string, unknown>;
  if (h['disable'] === true) return false;
  const test = h['test'];
  if (Array.isArray(test)) return test.length > 0 && String(test[0]) !== 'NONE';
  return typeof test === 'string' ? test.trim() !== '' : false;
}

/**
 * `depends_on:` entries: list form (`- ts`, condition undefined = service_started) or map form
 * (`ts: {condition: …}`), with the path below the service.
 */
export function dependsOnEntries(
  service: Record<string, unknown>,
): { name: string; condition?: string; form: 'list' | 'map'; at: (string | number)[] }[] {
  const d = service['depends_on'];
  if (Array.isArray(d))
    return d.map((n, i) => ({ name: String(n), form: 'list' as const, at: ['depends_on', i] }));
  if (typeof d === 'object' && d !== null) {
    return Object.entries(d as Record<string, unknown>).map(([name, v]) => {
      const c = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)['condition'] : undefined;
      const e: { name: string; condition?: string; form: 'map'; at: (string | number)[] } = {
        name,
        form: 'map',
        at: ['depends_on', name],
      };
      if (typeof c === 'string') e.condition = c;
      return e;
    });
  }
  return [];
}

/**
 * `text` with every `${VAR:-default}` / `${VAR-default}` replaced by its default: what Compose uses
 * when the variable is unset. Undefined when a substitution has no default (`${VAR}`, `$VAR`, `${VAR:?err}`).
 */
export function interpolationDefaults(text: string): string | undefined {
  let unknown = false;
  const out = text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?([^}]*)\}|\$[A-Za-z_][A-Za-z0-9_]*/g,
    (m, _v, def, rest) => {
      if (m === '$$') return '$';
      if (def === undefined || rest) unknown = true;
      return def ?? '';
    },
  );
  return unknown ? undefined : out;
}
