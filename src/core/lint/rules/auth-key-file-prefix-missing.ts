import { replaceValue } from '../edits.js';
import { defineRule, type Report } from '../rule.js';
import { yamlScalar } from '../values.js';

/** Variables containerboot reads a secret from, where a `file:` prefix means "read this file". */
export const FILE_VARS = ['TS_AUTHKEY', 'TS_AUTH_KEY', 'TS_CLIENT_SECRET', 'TS_ID_TOKEN'] as const;

/** An absolute path (or ./relative path) with no spaces: what a secret file reference looks like. */
function looksLikePath(v: string): boolean {
  return /^(\/|\.\.?\/)[^\s]+$/.test(v) && !/^\/\//.test(v);
}

export const authKeyFilePrefixMissing = defineRule({
  id: 'auth-key-file-prefix-missing',
  severity: 'error',
  category: 'tailscale',
  description:
    'TS_AUTHKEY (or TS_CLIENT_SECRET) is a file path without the file: prefix, so containerboot sends the path itself as the key and the login fails.',
  source: 'ts-kb-1282',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      if (model.launcher(s) !== 'containerboot') continue;
      for (const name of FILE_VARS) {
        const v = model.environment(s).get(name);
        if (v?.value === undefined || v.interpolated || !looksLikePath(v.value.trim())) continue;
        out.push({
          path: v.path,
          message: `service "${s.name}": ${name} is the path ${v.value.trim()}, but containerboot reads a file only with the file: prefix — as written the path itself is sent as the key and the login fails; write ${name}=file:${v.value.trim()}`,
        });
      }
    }
    return out;
  },
  fix({ model }, finding) {
    const name = finding.path?.[1];
    const s = typeof name === 'string' ? model.service(name) : undefined;
    if (!s || !finding.path) return undefined;
    const v = [...model.environment(s).values()].find((e) => e.path.join('\0') === finding.path!.join('\0'));
    if (!v?.value) return undefined;
    const list = typeof v.path.at(-1) === 'number';
    const value = `file:${v.value.trim()}`;
    return replaceValue(model, v.path, yamlScalar(list ? `${v.name}=${value}` : value));
  },
});
