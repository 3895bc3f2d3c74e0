import { isMap, isPair, isScalar, isSeq, type Node, visit } from 'yaml';
import type { Path } from '../compose-model.js';
import { defineRule, type Report, type TextEdit } from '../rule.js';

const NAME = '${TS_CERT_DOMAIN}';

/** Offsets of `${TS_CERT_DOMAIN}` in `text` that Compose interpolates (preceded by an even run of `$`). */
export function unescapedCertDomain(text: string, from = 0, to = text.length): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(NAME, from); i !== -1 && i + NAME.length <= to; i = text.indexOf(NAME, i + 1)) {
    let run = 0;
    while (i - run - 1 >= from && text[i - run - 1] === '$') run++;
    if (run % 2 === 0) out.push(i);
  }
  return out;
}

export const serveConfigCertDomainInterpolated = defineRule({
  id: 'serve-config-cert-domain-interpolated',
  severity: 'error',
  category: 'tailscale',
  description:
    'A literal ${TS_CERT_DOMAIN} in the compose file is replaced by Compose (usually with nothing) before containerboot sees it; write $${TS_CERT_DOMAIN}.',
  source: 'compose-interpolation',
  check({ model, source }) {
    const out: Report[] = [];
    if (unescapedCertDomain(source.text).length === 0) return out; // nothing to find: skip the walk
    visit(source.doc, {
      Scalar(key, node, ancestors) {
        if (key === 'key' || typeof node.value !== 'string' || !node.value.includes(NAME)) return;
        const range = node.range;
        if (!range || unescapedCertDomain(source.text, range[0], range[1]).length === 0) return;
        const path: (string | number)[] = [];
        let prev: unknown = node;
        for (let i = ancestors.length - 1; i >= 0; i--) {
          const a = ancestors[i];
          if (isPair(a) && isScalar(a.key)) path.unshift(String(a.key.value));
          else if (isSeq(a)) path.unshift(a.items.indexOf(prev as Node));
          else if (isMap(a)) {
            // handled by the Pair above it
          }
          prev = a;
        }
        out.push({
          path: path as Path,
          position: model.rangePosition(range[0], range[1]),
          message: `${path.join('.')}: Compose interpolates ${NAME} itself when it reads this file (to an empty string unless the shell or .env sets TS_CERT_DOMAIN), so containerboot never sees the placeholder it replaces with the node's cert domain; escape it as $${NAME}`,
          data: { start: range[0], end: range[1] },
        });
      },
    });
    return out;
  },
  fix({ source }, finding) {
    const start = finding.data?.['start'];
    const end = finding.data?.['end'];
    if (typeof start !== 'number' || typeof end !== 'number') return undefined;
    const edits: TextEdit[] = unescapedCertDomain(source.text, start, end).map((o) => ({
      start: o,
      end: o,
      text: '$',
    }));
    return edits.length > 0 ? edits : undefined;
  },
});
