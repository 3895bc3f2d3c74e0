import type { EdgeStatus, NodeKind, Topology } from './topology.js';

/**
 * Text inside a quoted Mermaid label. Mermaid ends a quoted string at `"` and reads `#…;` as an
 * entity code, so both are written as entity codes; newlines become spaces; angle brackets are
 * coded so the label never turns into HTML.
 */
export function mermaidLabel(s: string): string {
  return s
    .replace(/\r?\n/g, ' ')
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;');
}

const SHAPE: Record<NodeKind, [string, string]> = {
  remote: ['(["', '"])'],
  tailnet: ['(("', '"))'],
  tailscale: ['[["', '"]]'],
  host: ['["', '"]'],
  network: ['{{"', '"}}'],
  macvlan: ['{{"', '"}}'],
  service: ['("', '")'],
  router: ['[/"', '"/]'],
  'lan-device': ['("', '")'],
};

const ARROW: Record<EdgeStatus, string> = { verified: '-->', failed: '-.->', unverified: '-.->' };
const MARK: Record<EdgeStatus, string> = { verified: '✔ ', failed: '✖ ', unverified: '' };
const STYLE: Record<EdgeStatus, string> = {
  verified: 'stroke:#1a7f37,stroke-width:2px',
  failed: 'stroke:#cf222e,stroke-width:2px,stroke-dasharray:6 4',
  unverified: 'stroke:#8c959f,stroke-width:1px,stroke-dasharray:2 4',
};

/**
 * The topology as a Mermaid `flowchart LR`: verified paths solid with ✔, failed paths dashed red
 * with ✖, unverified paths dotted grey with "(unverified)".
 */
export function renderMermaid(t: Topology): string {
  const out = ['flowchart LR'];
  for (const n of t.nodes) {
    const [open, close] = SHAPE[n.kind];
    out.push(`  ${n.id}${open}${mermaidLabel(n.label)}${close}`);
  }
  t.edges.forEach((e) => {
    const label = `${MARK[e.status]}${e.label}${e.status === 'unverified' ? ' (unverified)' : ''}`;
    out.push(`  ${e.from} ${ARROW[e.status]}|"${mermaidLabel(label)}"| ${e.to}`);
  });
  for (const status of ['verified', 'failed', 'unverified'] as const) {
    const idx = t.edges.flatMap((e, i) => (e.status === status ? [i] : []));
    if (idx.length > 0) out.push(`  linkStyle ${idx.join(',')} ${STYLE[status]}`);
  }
  out.push('  classDef tailscale fill:#e8f0fe,stroke:#1f4ed8', '  classDef lan fill:#f6f8fa,stroke:#57606a');
  const ts = t.nodes.filter((n) => n.kind === 'tailscale').map((n) => n.id);
  const lan = t.nodes.filter((n) => n.kind === 'router' || n.kind === 'lan-device').map((n) => n.id);
  if (ts.length > 0) out.push(`  class ${ts.join(',')} tailscale`);
  if (lan.length > 0) out.push(`  class ${lan.join(',')} lan`);
  return `${out.join('\n')}\n`;
}
