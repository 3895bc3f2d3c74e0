import { describe, expect, it } from 'vitest';
import { SOURCES } from '../../../src/core/facts/sources.js';
import { planModes } from '../../../src/core/plan/index.js';
import {
  displayWidth,
  mdCell,
  renderBoxTable,
  renderPlanMarkdown,
  renderPlanTable,
  stripAnsi,
  wrap,
} from '../../../src/render/index.js';
import { example, withRequirements } from '../plan/fixtures.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
const ANSI = /\u001b\[/;

describe('text helpers', () => {
  it('counts ✔ ✖ ◐ as one column, wide emoji as two, ignores ANSI', () => {
    expect(displayWidth('✔ yes')).toBe(5);
    expect(displayWidth('◐ partial')).toBe(9);
    expect(displayWidth('✅')).toBe(2);
    expect(displayWidth('⚠️')).toBe(1);
    expect(displayWidth('\u001b[32m✔ yes\u001b[39m')).toBe(5);
  });

  it('wraps on words and hard-splits long words', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrap('', 10)).toEqual(['']);
  });

  it('pads box tables by display width', () => {
    const t = renderBoxTable([
      ['a', 'b'],
      ['✔ yes', '◐ partial'],
    ]);
    const widths = t.split('\n').map(displayWidth);
    expect(new Set(widths).size).toBe(1);
  });

  it('escapes pipes, newlines and angle brackets in Markdown cells', () => {
    expect(mdCell('a|b\nc <port>')).toBe('a\\|b c &lt;port&gt;');
  });
});

describe('renderPlanTable', () => {
  const plan = planModes(example());

  it('matches the snapshot without colour', async () => {
    await expect(renderPlanTable(plan, { color: false })).toMatchFileSnapshot('__snapshots__/plan.txt');
  });

  it('colours only when asked', () => {
    expect(renderPlanTable(plan, { color: true })).toMatch(ANSI);
    expect(renderPlanTable(plan, { color: false })).not.toMatch(ANSI);
    expect(stripAnsi(renderPlanTable(plan, { color: true }))).toBe(renderPlanTable(plan, { color: false }));
  });

  it.each([100, 80])('fits in %i columns', (width) => {
    for (const line of renderPlanTable(plan, { color: false, width }).split('\n'))
      expect(displayWidth(line), line).toBeLessThanOrEqual(width);
  });

  it('shows cells, reasons with sources, attempt order and blockers', () => {
    const text = renderPlanTable(planModes(example(), { parentKind: 'wifi' }), { color: false });
    expect(text).toContain('✔ yes');
    expect(text).toContain('✖ no');
    expect(text).toContain('◐ partial');
    expect(text).toContain('[ts-kb-1177]');
    expect(text).toMatch(/Attempt order\n {2}1\. userspace \(A\)/);
    expect(text).toMatch(/macvlan +✖ blocks +parent eno1 is Wi-Fi/);
    expect(text).toContain('seed note said: unknown');
    expect(text).not.toMatch(/10-20|10–20/);
  });
});

describe('renderPlanMarkdown', () => {
  it('matches the snapshot', async () => {
    await expect(renderPlanMarkdown(planModes(example()))).toMatchFileSnapshot('__snapshots__/plan.md');
  });

  it('has a well-formed matrix table, footnoted reasons and source links', () => {
    const plan = planModes(withRequirements({ reachAtTailscaleIp: true }), { parentKind: 'wifi' });
    const md = renderPlanMarkdown(plan);
    const lines = md.split('\n');
    const start = lines.indexOf('## Decision matrix') + 2;
    const table = lines.slice(start, start + 2 + plan.matrix.length);
    for (const l of table) expect(l.replace(/\\\|/g, '').split('|').length - 2, l).toBe(6);
    for (const row of plan.matrix)
      for (const letter of ['A', 'B', 'C', 'D', 'S']) {
        const id = `[^${row.id}-${letter}]`;
        expect(md).toContain(`${id}:`);
        expect(md.split(id).length - 1, id).toBe(2);
      }
    expect(md).toContain(`(${SOURCES['ts-kb-1177'].url})`);
    expect(md).toContain('✅');
    expect(md).toContain('❌');
    expect(md).toContain('⚠️');
    expect(md).toMatch(/- ⛔ \*\*macvlan\*\* — blocks: parent eno1 is Wi-Fi/);
    expect(md).toMatch(/## Attempt order\n\n1\. serve \(B\)|## Attempt order\n\n1\. sidecar \(S\)/);
    expect(md).toContain('&lt;tailscale-ip&gt;');
    expect(md).not.toMatch(/10-20|10–20/);
  });
});
