/** Small, dependency-free helpers for terminal and Markdown output. */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/** Emoji-presentation code points below U+1F300 (✅ ❌ ❓ ⛔ …), which terminals draw two columns wide. */
const WIDE_EMOJI = new Set([
  0x231a, 0x231b, 0x23e9, 0x23ea, 0x23eb, 0x23ec, 0x23f0, 0x23f3, 0x25fd, 0x25fe, 0x2614, 0x2615, 0x267f,
  0x2693, 0x26a1, 0x26aa, 0x26ab, 0x26bd, 0x26be, 0x26c4, 0x26c5, 0x26ce, 0x26d4, 0x26ea, 0x26f2, 0x26f3,
  0x26f5, 0x26fa, 0x26fd, 0x2705, 0x270a, 0x270b, 0x2728, 0x274c, 0x274e, 0x2753, 0x2754, 0x2755, 0x2757,
  0x2795, 0x2796, 0x2797, 0x27b0, 0x27bf, 0x2b1b, 0x2b1c, 0x2b50, 0x2b55,
]);

/** Rough terminal width: combining marks and variation selectors 0, East Asian wide and emoji 2, rest 1 (✔ ✖ ◐ are 1). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of stripAnsi(s)) {
    const cp = ch.codePointAt(0)!;
    if (
      (cp >= 0x300 && cp <= 0x36f) ||
      (cp >= 0xfe00 && cp <= 0xfe0f) ||
      cp === 0x200d ||
      (cp >= 0x200b && cp <= 0x200f)
    )
      continue;
    if (
      WIDE_EMOJI.has(cp) ||
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x1f300 && cp <= 0x1faff) ||
      (cp >= 0x20000 && cp <= 0x3fffd)
    )
      w += 2;
    else w += 1;
  }
  return w;
}

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/** Word-wraps plain text to `width` columns; words longer than the width are hard-split. */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((x) => x.length > 0)) {
    let rest = word;
    while (displayWidth(rest) > w) {
      if (line) {
        lines.push(line);
        line = '';
      }
      const chars = [...rest];
      let head = '';
      while (chars.length > 0 && displayWidth(head + chars[0]) <= w) head += chars.shift();
      lines.push(head);
      rest = chars.join('');
    }
    if (!rest) continue;
    if (!line) line = rest;
    else if (displayWidth(`${line} ${rest}`) <= w) line = `${line} ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** Lines of `text` wrapped to `width`, the first prefixed with `first`, the rest indented to match. */
export function hanging(first: string, text: string, width: number): string[] {
  const indent = ' '.repeat(displayWidth(first));
  return wrap(text, width - displayWidth(first)).map((l, i) => (i === 0 ? first : indent) + l);
}

export interface TableOptions {
  /** Total width to fit in; the widest columns wrap when the natural width is larger. */
  width?: number;
  /** Applied to border characters (e.g. dim). */
  border?: (s: string) => string;
  /** Minimum width a column may shrink to. */
  minColumn?: number;
}

/**
 * A box-drawing table. Row 0 is the header. Cells may carry ANSI colour only when they are
 * not wrapped (colour codes are not split); plain text wraps to fit `width`.
 */
export function renderBoxTable(rows: string[][], options: TableOptions = {}): string {
  const border = options.border ?? ((s: string) => s);
  const cols = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, c) =>
    Math.max(1, ...rows.map((r) => displayWidth(r[c] ?? ''))),
  );
  const min = options.minColumn ?? 8;
  if (options.width !== undefined) {
    const overhead = 3 * cols + 1;
    let excess = widths.reduce((a, b) => a + b, 0) + overhead - options.width;
    while (excess > 0) {
      const widest = widths.indexOf(Math.max(...widths));
      if ((widths[widest] ?? 0) <= min) break;
      widths[widest] = widths[widest]! - 1;
      excess--;
    }
  }
  const line = (l: string, m: string, r: string) =>
    border(l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r);
  const out: string[] = [line('┌', '┬', '┐')];
  rows.forEach((row, i) => {
    const cells = widths.map((w, c) => {
      const text = row[c] ?? '';
      if (displayWidth(text) <= w) return [text];
      // Keep a leading marker ("* ") or indent on continuation lines.
      const plain = stripAnsi(text);
      const lead = /^(?:\* |\s+)/.exec(plain)?.[0] ?? '';
      const indent = ' '.repeat(lead.length);
      return wrap(plain.slice(lead.length), w - lead.length).map((l, k) => (k === 0 ? lead : indent) + l);
    });
    const height = Math.max(...cells.map((c) => c.length));
    for (let k = 0; k < height; k++)
      out.push(
        border('│') +
          cells.map((c, ci) => ` ${padEnd(c[k] ?? '', widths[ci]!)} `).join(border('│')) +
          border('│'),
      );
    if (i === 0 && rows.length > 1) out.push(line('├', '┼', '┤'));
  });
  out.push(line('└', '┴', '┘'));
  return out.join('\n');
}

/** Escapes text for a Markdown table cell: pipes, newlines, and angle brackets (so <port> is not HTML). */
export function mdCell(s: string): string {
  return mdText(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Escapes free Markdown text so placeholders like <tailscale-ip> are not taken for HTML. */
export function mdText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
