import { describe, expect, it } from 'vitest';
import { MODES } from '../../../src/core/model/modes.js';
import { renderHtmlReport, renderSvg, topology } from '../../../src/core/report/index.js';
import { config, macvlanRun, report, restoredRun, SECRET } from './fixtures.js';

describe('topology', () => {
  it('models the userspace paths and marks them from the checks', () => {
    const t = topology(
      config,
      'userspace',
      report('userspace', { 'L4.lan:printer': { evidence: 'timeout' } }),
    );
    const labels = t.nodes.map((n) => n.label);
    expect(labels).toEqual(
      expect.arrayContaining([
        'Remote device (tailnet client)',
        'Tailnet (WireGuard)',
        'tailscale container tailscale (userspace netstack)',
        'Docker host truenas 192.168.20.22',
        'LAN 192.168.20.0/24 · gateway 192.168.20.1',
        'Docker network jellyfin_network',
        'jellyfin :8096',
        'printer 192.168.20.30:631',
      ]),
    );
    // The hop's own checks (route approved, gateway reachable) passed: the hop is not blamed for an
    // end-to-end failure; the end-to-end edge from the remote device carries it.
    const route = t.edges.find((e) => e.label === 'subnet route 192.168.20.0/24')!;
    expect(route).toMatchObject({ kind: 'hop', status: 'verified' });
    expect(route.checks.sort()).toEqual(['L2.lan:gateway', 'L3.route:192.168.20.0/24']);
    const e2e = t.edges.find((e) => e.label === 'end to end: LAN via the subnet route')!;
    expect(e2e).toMatchObject({ kind: 'end-to-end', status: 'failed', checks: ['L4.lan:printer'] });
    const dns = t.edges.find((e) => e.label === 'Docker DNS jellyfin:8096')!;
    expect(dns).toMatchObject({ status: 'verified', checks: ['L2.dns:jellyfin', 'L2.tcp:jellyfin'] });
  });

  it('macvlan has the LAN network and the shim; unverified without a report', () => {
    const t = topology(config, 'macvlan');
    expect(t.nodes.some((n) => n.kind === 'macvlan' && n.label.includes('eno1'))).toBe(true);
    expect(t.edges.find((e) => e.label.startsWith('shim 192.168.20.204'))).toMatchObject({
      status: 'unverified',
    });
    expect(t.edges.every((e) => e.status === 'unverified')).toBe(true);
  });

  it('every edge joins known nodes and node ids are safe', () => {
    for (const mode of MODES) {
      const t = topology(config, mode, report(mode));
      const ids = new Set(t.nodes.map((n) => n.id));
      for (const n of t.nodes) expect(n.id).toMatch(/^n_[A-Za-z0-9_]+$/);
      for (const e of t.edges) {
        expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
      }
      expect(t.edges.filter((e) => e.status === 'verified').length).toBeGreaterThan(0);
    }
  });
});

describe('renderSvg', () => {
  it('is deterministic, well-formed enough, and colours edges by status', () => {
    const t = topology(
      config,
      'userspace',
      report('userspace', { 'L4.lan:printer': { evidence: 'timeout' } }),
    );
    const a = renderSvg(t);
    expect(renderSvg(t)).toBe(a);
    expect(a.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(a.trimEnd().endsWith('</svg>')).toBe(true);
    expect(a).toContain('class="edge failed"');
    expect(a).toContain('class="edge verified"');
    expect(a).toContain('stroke-dasharray="6 4"');
    expect(a.match(/<g class="node /g)).toHaveLength(t.nodes.length);
    expect(a.match(/<path class="edge /g)).toHaveLength(t.edges.length);
    expect(a).not.toMatch(/NaN|undefined/);
  });

  it('edge labels never overlap, in any mode, with failures and end-to-end paths drawn', () => {
    const failing = {
      'L4.lan:printer': { evidence: 'timeout' },
      'L2.lan:device:printer': { evidence: 'timeout' },
    };
    for (const mode of MODES) {
      const t = topology(config, mode, report(mode, mode === 'sidecar' ? {} : failing));
      const svg = renderSvg(t);
      const boxes = [
        ...svg.matchAll(
          /<rect class="edge-label" x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"/g,
        ),
      ].map((m) => ({ x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) }));
      expect(boxes.length, mode).toBe(t.edges.length);
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!;
          const b = boxes[j]!;
          const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
          expect(apart, `${mode}: label ${i} and ${j} overlap`).toBe(true);
        }
      const [, vw, vh] = /viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"/.exec(svg)!.map(Number);
      for (const b of boxes) expect(b.y + b.h, `${mode}: a label below the picture`).toBeLessThanOrEqual(vh!);
      expect(vw).toBeGreaterThan(0);
    }
  });

  it('escapes labels', () => {
    const t = topology(config, 'host');
    t.nodes[0]!.label = '<script>alert("x")</script> & co';
    const svg = renderSvg(t);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
  });
});

describe('renderHtmlReport', () => {
  const html = renderHtmlReport(macvlanRun(), { number: 3 });

  it('is one self-contained file with inline SVG diagrams', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\bsrc=/i);
    expect(html).not.toMatch(/@import|url\(http/i);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('<style>');
    // The only URLs: plain anchors to sources, in-page footnote anchors, the SVG namespace.
    for (const m of html.matchAll(/href="([^"]+)"/g)) expect(m[1]).toMatch(/^(https:\/\/|#fn-|docs\/)/);
  });

  it('renders every Markdown link as a link — the seed note’s relative one too — never as raw Markdown', () => {
    const text = html.replace(/<pre>[\s\S]*?<\/pre>/g, '');
    expect(text).not.toMatch(/\]\([^)\s]+\)/);
    expect(html).toContain('<a href="docs/tailscale-without-host-mode.md">seed-note</a>');
  });

  it('fits its column: the SVG scales to the figure instead of a fixed pixel width', () => {
    for (const m of html.matchAll(/<svg [^>]*>/g)) {
      expect(m[0]).toContain('width="100%"');
      expect(m[0]).not.toMatch(/ width="\d+"/);
    }
    expect(html).toContain('figure svg { display: block; width: 100%; max-width: 100%; height: auto; }');
  });

  it('has the same content as the record', () => {
    expect(html).toContain('<h1>0003. Tailscale network mode: macvlan (C)</h1>');
    expect(html).toContain('<th>A userspace</th>');
    expect(html).toContain(
      '❌ measured: <code>L2.lan:device:printer</code>, <code>L4.lan:printer</code> failed',
    );
    expect(html).toContain('<h3>Phase 1 — userspace (A): ❌ failed</h3>');
    expect(html).toContain('tailbridge rollback --config tailbridge.yaml');
    expect(html).toContain('<li id="fn-subnetRouting-A">');
    expect(html).toContain(
      '<a href="https://tailscale.com/kb/1177/kernel-vs-userspace-routers">ts-kb-1177</a>',
    );
  });

  it('redacts secrets', () => {
    const run = restoredRun();
    run.final.verify!.checks.find((c) => c.id === 'L3.hostname')!.evidence = `truenas ${SECRET}`;
    const out = renderHtmlReport(run);
    expect(out).not.toContain('SECRET123');
    expect(out).toContain('tskey-[REDACTED]');
  });
});
