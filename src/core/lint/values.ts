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
