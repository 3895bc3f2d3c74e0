import { isMode, type Mode } from '../model/modes.js';
import { allReportsByMode } from './evidence.js';
import { type RecordOptions, renderDecisionRecord } from './record.js';
import { redact } from './redact.js';
import { escapeXml, renderSvg } from './svg.js';
import { topology } from './topology.js';
import type { MigrationRun } from './types.js';

const CSS = `
:root { color-scheme: light; }
body { font: 15px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #fff; margin: 0; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { font-size: 1.7em; border-bottom: 1px solid #d0d7de; padding-bottom: .3em; }
h2 { font-size: 1.35em; border-bottom: 1px solid #d0d7de; padding-bottom: .25em; margin-top: 2em; }
h3 { font-size: 1.1em; margin-top: 1.6em; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa; padding: .1em .3em; border-radius: 4px; }
pre { background: #f6f8fa; padding: 12px 16px; border-radius: 6px; overflow-x: auto; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 12px 0; font-size: 13.5px; display: block; overflow-x: auto; }
th, td { border: 1px solid #d0d7de; padding: 6px 10px; vertical-align: top; text-align: left; }
th { background: #f6f8fa; }
figure { margin: 16px 0; overflow-x: auto; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; }
figure svg { display: block; width: 100%; max-width: 100%; height: auto; }
sup a { text-decoration: none; }
.footnotes { font-size: 13px; color: #57606a; border-top: 1px solid #d0d7de; margin-top: 3em; }
.footnotes li:target { background: #fff8c5; }
details summary { cursor: pointer; color: #57606a; }
`;

/** Inline Markdown of the record (already HTML-escaped outside code spans) → HTML. */
function inline(s: string): string {
  const parts: string[] = [];
  const re = /``\s(.+?)\s``|`([^`]+)`/g;
  let last = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    parts.push(prose(s.slice(last, m.index)));
    parts.push(`<code>${escapeXml(m[1] ?? m[2] ?? '')}</code>`);
    last = m.index + m[0].length;
  }
  parts.push(prose(s.slice(last)));
  return parts.join('');
}

function prose(s: string): string {
  return (
    s
      .replace(/\[\^([A-Za-z0-9-]+)\]/g, '<sup><a href="#fn-$1">$1</a></sup>')
      // Links: web addresses and relative paths (the seed note's docs/… path); no other scheme.
      .replace(/\[([^\]]+)\]\(([^)\s"]+)\)/g, (all, text: string, url: string) =>
        /^https?:\/\//.test(url) || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)
          ? `<a href="${url}">${text}</a>`
          : all,
      )
      .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
  );
}

function splitRow(line: string): string[] {
  const cells = line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/);
  return cells.map((c) => c.trim().replace(/\\\|/g, '|'));
}

/**
 * The subset of Markdown the decision record uses (headings, lists, tables, fenced code,
 * footnotes, topology markers) → HTML body. `figure(mode)` renders a topology marker.
 */
export function recordToHtml(markdown: string, figure: (mode: Mode) => string): string {
  const lines = markdown.split('\n');
  const out: string[] = [];
  const footnotes: string[] = [];
  let list: 'ul' | 'ol' | undefined;
  let pendingFigure: Mode | undefined;
  const closeList = () => {
    if (list) out.push(`</${list}>`);
    list = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = /^<!-- tailbridge:topology ([a-z]+) -->$/.exec(line);
    if (marker) {
      closeList();
      if (marker[1] && isMode(marker[1])) pendingFigure = marker[1];
      continue;
    }
    if (line.startsWith('```')) {
      closeList();
      const lang = line.slice(3).trim();
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
      const pre = `<pre><code${lang ? ` class="language-${escapeXml(lang)}"` : ''}>${escapeXml(body.join('\n'))}</code></pre>`;
      if (lang === 'mermaid' && pendingFigure) {
        out.push(
          `<figure>${figure(pendingFigure)}</figure>`,
          `<details><summary>Mermaid source</summary>${pre}</details>`,
        );
        pendingFigure = undefined;
      } else out.push(pre);
      continue;
    }
    const fn = /^\[\^([A-Za-z0-9-]+)\]: (.*)$/.exec(line);
    if (fn) {
      footnotes.push(`<li id="fn-${fn[1]}"><strong>${fn[1]}</strong>: ${inline(fn[2] ?? '')}</li>`);
      continue;
    }
    const heading = /^(#{1,4}) (.*)$/.exec(line);
    if (heading) {
      closeList();
      const level = heading[1]!.length;
      out.push(`<h${level}>${inline(heading[2] ?? '')}</h${level}>`);
      continue;
    }
    if (line.startsWith('|')) {
      closeList();
      const rows: string[][] = [];
      for (; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(splitRow(lines[i]!));
      i--;
      const [head, , ...body] = rows;
      out.push(
        '<table>',
        `<thead><tr>${(head ?? []).map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead>`,
        `<tbody>${body.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('\n')}</tbody>`,
        '</table>',
      );
      continue;
    }
    const item = /^(- |\d+\. )(.*)$/.exec(line);
    if (item) {
      const kind = item[1] === '- ' ? 'ul' : 'ol';
      if (list !== kind) {
        closeList();
        out.push(`<${kind}>`);
        list = kind;
      }
      out.push(`<li>${inline(item[2] ?? '')}</li>`);
      continue;
    }
    if (line.trim() === '') {
      closeList();
      continue;
    }
    closeList();
    out.push(`<p>${inline(line)}</p>`);
  }
  closeList();
  if (footnotes.length > 0)
    out.push('<section class="footnotes"><h2>Why each cell</h2><ol>', ...footnotes, '</ol></section>');
  return out.join('\n');
}

/**
 * The decision record as one self-contained HTML file: inline CSS, inline SVG topology diagrams,
 * no scripts and no external resources (source links are plain anchors). Secrets are redacted.
 */
export function renderHtmlReport(run: MigrationRun, options: RecordOptions = {}): string {
  const md = renderDecisionRecord(run, options);
  const reports = allReportsByMode(run);
  const body = recordToHtml(md, (mode) => renderSvg(topology(run.config, mode, reports.get(mode))));
  const title = /^# (.*)$/m.exec(md)?.[1] ?? 'tailbridge decision record';
  return redact(
    [
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>${title}</title>`,
      `<style>${CSS}</style>`,
      '</head>',
      '<body>',
      '<main>',
      body,
      '</main>',
      '</body>',
      '</html>',
      '',
    ].join('\n'),
  );
}
