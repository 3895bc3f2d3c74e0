import type { EdgeStatus, NodeKind, Topology, TopoNode } from './topology.js';

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const COL_W = 340;
const NODE_W = 190;
const NODE_H = 58;
const ROW_H = 100;
const PAD = 24;
const TOP = 36;
/** Room right of the last column for same-column edges and their labels. */
const RIGHT = 190;
/** Characters per label line (node 12px, edge 10.5px). */
const NODE_CHARS = 26;
const EDGE_CHARS = 24;

const FILL: Record<NodeKind, string> = {
  remote: '#fff8c5',
  tailnet: '#ddf4ff',
  tailscale: '#e8f0fe',
  host: '#f6f8fa',
  network: '#fbefff',
  macvlan: '#fbefff',
  service: '#dafbe1',
  router: '#f6f8fa',
  'lan-device': '#f6f8fa',
};
const STROKE: Record<EdgeStatus, string> = { verified: '#1a7f37', failed: '#cf222e', unverified: '#8c959f' };
const DASH: Record<EdgeStatus, string> = { verified: '', failed: '6 4', unverified: '2 4' };
const MARK: Record<EdgeStatus, string> = { verified: '✔ ', failed: '✖ ', unverified: '' };
const COLUMN_TITLES = ['Tailnet side', 'Tailnet', 'Tailscale', 'Docker / host / LAN', 'Services / LAN'];

/** Splits a label into lines of at most `max` characters (word boundaries; long words hard-split). */
function lines(label: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of label.split(' ')) {
    let w = word;
    while (w.length > max) {
      if (cur) out.push(cur);
      out.push(w.slice(0, max));
      w = w.slice(max);
      cur = '';
    }
    if (!cur) cur = w;
    else if (`${cur} ${w}`.length <= max) cur = `${cur} ${w}`;
    else {
      out.push(cur);
      cur = w;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** An edge label's box (top-left corner, size) and its text lines. */
export interface LabelBox {
  x: number;
  y: number;
  w: number;
  h: number;
  lines: string[];
  color: string;
}

const GAP = 2;
const overlaps = (a: LabelBox, b: LabelBox) =>
  a.x < b.x + b.w + GAP && b.x < a.x + a.w + GAP && a.y < b.y + b.h + GAP && b.y < a.y + a.h + GAP;

/**
 * Labels moved apart so no two overlap: in order of their wanted height, each label that touches
 * one already placed moves down just below it, until it is clear of all of them. Deterministic.
 */
export function separateLabels(labels: readonly LabelBox[]): LabelBox[] {
  const placed: LabelBox[] = [];
  const order = labels.map((l, i) => ({ l, i })).sort((a, b) => a.l.y - b.l.y || a.l.x - b.l.x || a.i - b.i);
  for (const { l } of order) {
    const box = { ...l };
    for (let guard = 0; guard < 200; guard++) {
      const hit = placed.find((p) => overlaps(box, p));
      if (!hit) break;
      box.y = hit.y + hit.h + GAP + 0.5;
    }
    placed.push(box);
  }
  return placed;
}

/** Point of the cubic Bézier p0 → p3 at parameter t. */
function bezier(t: number, p: [number, number][]): [number, number] {
  const u = 1 - t;
  const w = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
  return [p.reduce((a, q, i) => a + q[0] * w[i]!, 0), p.reduce((a, q, i) => a + q[1] * w[i]!, 0)];
}

/**
 * Node order within each column: model order, then (left to right) sorted by the mean row of the
 * nodes they connect to in earlier columns, which keeps most edges from crossing. Deterministic.
 */
function order(t: Topology): Map<string, number> {
  const row = new Map<string, number>();
  for (let c = 0; c <= 4; c++) {
    const inColumn = t.nodes.filter((n) => n.column === c);
    const key = (n: TopoNode, i: number) => {
      const linked = t.edges
        .flatMap((e) => (e.to === n.id ? [e.from] : e.from === n.id ? [e.to] : []))
        .map((id) => row.get(id))
        .filter((r): r is number => r !== undefined);
      return linked.length === 0 ? i : linked.reduce((a, b) => a + b, 0) / linked.length + i / 1000;
    };
    inColumn
      .map((n, i) => ({ n, k: key(n, i) }))
      .sort((a, b) => a.k - b.k)
      .forEach(({ n }, i) => {
        row.set(n.id, i);
      });
  }
  return row;
}

/**
 * The topology as a standalone SVG with a deterministic layered layout: one column per layer
 * (tailnet side → tailscale container → Docker networks / host → services / LAN), nodes in model
 * order within a column; edges as curves coloured by status (green verified, red dashed failed,
 * grey dotted unverified) with their label at the midpoint.
 */
export function renderSvg(t: Topology): string {
  const pos = new Map<string, { x: number; y: number; n: TopoNode }>();
  const perColumn = [0, 0, 0, 0, 0];
  const rowOf = order(t);
  for (const n of t.nodes) {
    perColumn[n.column]!++;
    pos.set(n.id, { x: PAD + n.column * COL_W, y: TOP + PAD + rowOf.get(n.id)! * ROW_H, n });
  }
  const rows = Math.max(1, ...perColumn);
  const width = PAD * 2 + 4 * COL_W + NODE_W + RIGHT;
  const height = TOP + PAD * 2 + (rows - 1) * ROW_H + NODE_H + 20;
  const id = `topo-${t.mode}`;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-title" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px;height:auto" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<title id="${id}-title">${escapeXml(`Topology ${t.title}`)}</title>`,
    '<defs>',
    ...(['verified', 'failed', 'unverified'] as const).map(
      (s) =>
        `<marker id="${id}-arrow-${s}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${STROKE[s]}"/></marker>`,
    ),
    '</defs>',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  COLUMN_TITLES.forEach((title, c) => {
    if (t.nodes.some((n) => n.column === c))
      out.push(
        `<text x="${PAD + c * COL_W + NODE_W / 2}" y="${TOP - 8}" text-anchor="middle" fill="#57606a" font-weight="600">${escapeXml(title)}</text>`,
      );
  });
  const labels: LabelBox[] = [];
  t.edges.forEach((e, i) => {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) return;
    let x1: number;
    let y1: number;
    let x2: number;
    let y2: number;
    let d: string;
    let at: [number, number];
    if (a.n.column === b.n.column) {
      // Same column: leave and enter on the right side, bulging out.
      x1 = a.x + NODE_W;
      y1 = a.y + NODE_H / 2 + (a.y < b.y ? 8 : -8);
      x2 = b.x + NODE_W;
      y2 = b.y + NODE_H / 2 + (a.y < b.y ? -8 : 8);
      const bulge = 40 + (i % 3) * 12;
      d = `M${x1},${y1} C${x1 + bulge},${y1} ${x2 + bulge},${y2} ${x2},${y2}`;
      at = bezier(0.5, [
        [x1, y1],
        [x1 + bulge, y1],
        [x2 + bulge, y2],
        [x2, y2],
      ]);
      at = [at[0] + 8 + (EDGE_CHARS * 5.6) / 2, at[1]];
    } else {
      const forward = a.x < b.x;
      x1 = forward ? a.x + NODE_W : a.x;
      x2 = forward ? b.x : b.x + NODE_W;
      y1 = a.y + NODE_H / 2;
      y2 = b.y + NODE_H / 2;
      const mid = (x1 + x2) / 2;
      d = `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
      // Fan-outs put their labels near the target so siblings do not stack on one spot.
      const fanOut = t.edges.filter(
        (o) => o.from === e.from && pos.get(o.to)?.n.column === b.n.column,
      ).length;
      at = bezier(fanOut > 1 ? 0.72 : 0.5, [
        [x1, y1],
        [mid, y1],
        [mid, y2],
        [x2, y2],
      ]);
    }
    const dash = DASH[e.status] ? ` stroke-dasharray="${DASH[e.status]}"` : '';
    const title = `${MARK[e.status]}${e.label} — ${e.status}${e.checks.length > 0 ? ` (${e.checks.join(', ')})` : ''}`;
    out.push(
      `<path class="edge ${e.status}" d="${d}" fill="none" stroke="${STROKE[e.status]}" stroke-width="${e.status === 'verified' ? 2 : 1.5}"${dash} marker-end="url(#${id}-arrow-${e.status})"><title>${escapeXml(title)}</title></path>`,
    );
    const [lx, ly] = at;
    const textLines = lines(`${MARK[e.status]}${e.label}`, EDGE_CHARS);
    const w = Math.max(...textLines.map((l) => l.length)) * 5.8 + 8;
    const h = textLines.length * 13 + 2;
    labels.push({ x: lx - w / 2, y: ly - h / 2, w, h, lines: textLines, color: STROKE[e.status] });
  });
  const placed = separateLabels(labels);
  const bottom = Math.max(height, ...placed.map((l) => l.y + l.h + PAD));
  if (bottom > height) {
    out[0] = out[0]!.replace(`viewBox="0 0 ${width} ${height}"`, `viewBox="0 0 ${width} ${bottom}"`);
    out.splice(
      out.indexOf(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`),
      1,
      `<rect x="0" y="0" width="${width}" height="${bottom}" fill="#ffffff"/>`,
    );
  }
  const labelSvg = placed.flatMap((l) => [
    `<rect class="edge-label" x="${l.x.toFixed(1)}" y="${l.y.toFixed(1)}" width="${l.w.toFixed(1)}" height="${l.h}" rx="3" fill="#ffffff" fill-opacity="0.9"/>`,
    ...l.lines.map(
      (text, k) =>
        `<text x="${(l.x + l.w / 2).toFixed(1)}" y="${(l.y + 11 + k * 13).toFixed(1)}" text-anchor="middle" font-size="10.5" fill="${l.color}">${escapeXml(text)}</text>`,
    ),
  ]);
  for (const { x, y, n } of pos.values()) {
    const ls = lines(n.label, NODE_CHARS).slice(0, 3);
    const rx = n.kind === 'service' || n.kind === 'remote' ? 18 : 4;
    out.push(
      `<g class="node ${n.kind}"><rect x="${x}" y="${y}" width="${NODE_W}" height="${NODE_H}" rx="${rx}" fill="${FILL[n.kind]}" stroke="#57606a"/>`,
    );
    const first = y + NODE_H / 2 - ((ls.length - 1) * 15) / 2 + 4;
    ls.forEach((l, k) => {
      out.push(
        `<text x="${x + NODE_W / 2}" y="${first + k * 15}" text-anchor="middle" fill="#1f2328">${escapeXml(l)}</text>`,
      );
    });
    out.push('</g>');
  }
  out.push(...labelSvg, '</svg>');
  return `${out.join('\n')}\n`;
}
