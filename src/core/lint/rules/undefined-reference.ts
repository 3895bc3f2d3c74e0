import { isRecord } from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';
import { isInterpolated, volumeSource } from '../values.js';

type Kind = 'configs' | 'secrets' | 'networks' | 'volumes';

function declared(root: Record<string, unknown>, kind: Kind): Set<string> {
  const v = root[kind];
  return new Set(isRecord(v) ? Object.keys(v) : []);
}

/** Names a service refers to under `kind`, with their index/key for positions. */
interface Ref {
  name: string;
  at: (string | number)[];
}

function references(service: Record<string, unknown>, kind: Kind): Ref[] {
  const v = service[kind];
  if (kind === 'networks' && isRecord(v)) return Object.keys(v).map((name) => ({ name, at: [kind, name] }));
  if (!Array.isArray(v)) return [];
  return v.flatMap((item, i): Ref[] => {
    if (kind === 'volumes') {
      const src = volumeSource(item);
      const type = isRecord(item) ? item['type'] : 'volume';
      // A named volume: no path separator, not ~ or . relative, not a bind/tmpfs entry.
      if (src === undefined || type !== 'volume' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(src)) return [];
      return [{ name: src, at: [kind, i] }];
    }
    const name = typeof item === 'string' ? item : isRecord(item) ? item['source'] : undefined;
    return typeof name === 'string' ? [{ name, at: [kind, i] }] : [];
  });
}

export const undefinedReference = defineRule({
  id: 'undefined-reference',
  severity: 'error',
  category: 'schema',
  description:
    'A service uses a config, secret, network or named volume the file does not declare at the top level, so `docker compose` refuses the project.',
  source: 'compose-references',
  check({ model }) {
    if (model.root['include'] !== undefined) return []; // included files may declare them
    const out: Report[] = [];
    for (const kind of ['configs', 'secrets', 'networks', 'volumes'] as const) {
      const have = declared(model.root, kind);
      if (kind === 'networks') have.add('default');
      for (const s of model.services()) {
        if (s.value['extends'] !== undefined) continue;
        for (const r of references(s.value, kind)) {
          if (have.has(r.name) || isInterpolated(r.name)) continue;
          out.push({
            path: [...s.path, ...r.at],
            message: `service "${s.name}" uses the ${kind.slice(0, -1)} "${r.name}", which is not declared under the top-level ${kind}:, so \`docker compose\` refuses to start the project ("refers to undefined ${kind.slice(0, -1)} ${r.name}"); declare it or fix the name`,
          });
        }
      }
    }
    return out;
  },
});
