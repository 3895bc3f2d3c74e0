// @vitest-environment jsdom
/**
 * Every Mermaid diagram tailbridge emits goes through Mermaid's own parser (mermaid 11, in jsdom:
 * its sanitizer needs a DOM), and the parser is shown to reject broken syntax.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MODES } from '../../../src/core/model/modes.js';
import { renderDecisionRecord, renderMermaid, topology } from '../../../src/core/report/index.js';
import { config, macvlanRun, report, restoredRun } from './fixtures.js';

type Mermaid = { parse: (text: string) => Promise<unknown> };
let mermaid: Mermaid;

beforeAll(async () => {
  mermaid = ((await import('mermaid')) as unknown as { default: Mermaid }).default;
});

const parse = (text: string) => mermaid.parse(text);

describe('Mermaid output parses', () => {
  for (const mode of MODES) {
    it(`${mode}: unverified, all verified, and with failed paths`, async () => {
      const failing: Record<string, { evidence: string }> =
        mode === 'sidecar'
          ? { 'L4.sidecar:jellyfin': { evidence: 'socks5: connection refused' } }
          : { 'L3.route:192.168.20.0/24': { evidence: 'route not approved' } };
      for (const rep of [undefined, report(mode), report(mode, failing)]) {
        const text = renderMermaid(topology(config, mode, rep));
        await expect(parse(text), text).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
      }
      const failed = renderMermaid(topology(config, mode, report(mode, failing)));
      expect(failed).toMatch(/-\.->\|"✖ /);
      expect(renderMermaid(topology(config, mode, report(mode)))).toMatch(/-->\|"✔ /);
    });
  }

  it('every diagram embedded in the records', async () => {
    for (const md of [renderDecisionRecord(macvlanRun()), renderDecisionRecord(restoredRun())]) {
      const blocks = [...md.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
      expect(blocks.length).toBeGreaterThan(1);
      for (const b of blocks) await expect(parse(b)).resolves.toBeTruthy();
    }
  });

  it('labels with quotes, #, angle brackets, pipes and brackets', async () => {
    const t = topology(config, 'userspace');
    t.nodes[0]!.label = 'he said "hi" #1 <b>|[x]{y}(z);';
    t.edges[0]!.label = 'a "quoted" | piped #label <tag> -->';
    await expect(parse(renderMermaid(t))).resolves.toBeTruthy();
  });
});

describe('the parser rejects broken syntax', () => {
  it.each([
    ['unterminated quote', 'flowchart LR\n  a["A -->'],
    ['bad edge label', 'flowchart LR\n a --> |x| b]]'],
    ['unquoted parentheses in a label', 'flowchart LR\n  a[A (x)] --> b'],
    ['linkStyle for a link that does not exist', 'flowchart LR\n  a --> b\n  linkStyle 5 stroke:#c00'],
  ])('%s', async (_name, text) => {
    await expect(parse(text)).rejects.toThrow();
  });

  it('an emitted diagram with one quote removed', async () => {
    const good = renderMermaid(topology(config, 'macvlan', report('macvlan')));
    await expect(parse(good.replace('"]]', ']]'))).rejects.toThrow();
  });
});
