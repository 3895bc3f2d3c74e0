import type { ComposeModel, EnvVar, Service } from '../compose-model.js';
import { replaceValue } from '../edits.js';
import { defineRule, type Report } from '../rule.js';
import { shellTokens, yamlScalar } from '../values.js';

/** Variables holding an argument list (split on whitespace, quotes kept): any quote character is literal. */
const ARG_LISTS = new Set(['TS_EXTRA_ARGS', 'TS_TAILSCALED_EXTRA_ARGS']);

function wrapped(v: string): boolean {
  return v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0];
}

/** The value the author meant: quotes removed the way a shell would; undefined when that is not one value. */
export function unquoted(name: string, value: string): string | undefined {
  if (ARG_LISTS.has(name)) {
    const words = shellTokens(value);
    if (words.some((w) => w.op || /\s/.test(w.text))) return undefined;
    return words.map((w) => w.text).join(' ');
  }
  return wrapped(value) ? value.slice(1, -1) : undefined;
}

/** The TS_* variables of a service whose value carries quote characters containerboot passes on as-is. */
export function quotedVars(model: ComposeModel, s: Service): EnvVar[] {
  return [...model.environment(s).values()].filter((v) => {
    if (!v.name.startsWith('TS_') || v.value === undefined) return false;
    return ARG_LISTS.has(v.name) ? /["']/.test(v.value) : wrapped(v.value);
  });
}

export const envLiteralQuotes = defineRule({
  id: 'env-literal-quotes',
  severity: 'error',
  category: 'tailscale',
  description:
    'A TS_* variable carries quote characters that Compose passes on literally (`- KEY="value"` in list form, or quotes inside TS_EXTRA_ARGS), so containerboot sees a different value.',
  source: 'compose-env-list',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      if (model.launcher(s) !== 'containerboot') continue;
      for (const v of quotedVars(model, s)) {
        const effect = ARG_LISTS.has(v.name)
          ? 'containerboot splits it on whitespace only, so the quote characters reach the command line and the command refuses or misreads the argument'
          : `containerboot gets the quote characters as part of the value (${v.name} is then ${describe(v)})`;
        out.push({
          path: v.path,
          message: `service "${s.name}": ${v.name} is written with quotes that are part of the value — in the list form \`- KEY=value\` Compose keeps everything after =, quotes included; ${effect}; write it without quotes (quote the whole list item if YAML needs it: - "${v.name}=…")`,
        });
      }
    }
    return out;
  },
  fix({ model }, finding) {
    const name = finding.path?.[1];
    const s = typeof name === 'string' ? model.service(name) : undefined;
    if (!s || !finding.path) return undefined;
    const v = [...model.environment(s).values()].find((e) => samePath(e.path, finding.path!));
    if (!v?.value || v.interpolated) return undefined;
    const fixed = unquoted(v.name, v.value);
    if (fixed === undefined) return undefined;
    const listForm = typeof v.path.at(-1) === 'number';
    return replaceValue(model, v.path, yamlScalar(listForm ? `${v.name}=${fixed}` : fixed));
  },
});

function describe(v: EnvVar): string {
  const inner = v.value!.slice(1, -1);
  if (v.name === 'TS_AUTHKEY' || v.name === 'TS_AUTH_KEY' || v.name === 'TS_CLIENT_SECRET')
    return inner === '' ? 'a key of two quote characters, which the control server rejects' : 'not the key';
  if (v.name === 'TS_USERSPACE' || v.name.startsWith('TS_ENABLE') || v.name === 'TS_AUTH_ONCE')
    return 'not a boolean strconv.ParseBool accepts, so the default is used';
  return 'not what you wrote between the quotes';
}

function samePath(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
