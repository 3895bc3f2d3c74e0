import { Document, isMap, isSeq, type Node, visit, type YAMLMap } from 'yaml';
import type { YamlSource } from './yaml-source.js';

/** How a file writes YAML, so that new text reads like the user's own. */
export interface Style {
  /** Columns per nesting level of mappings. */
  unit: number;
  /** Column of `-` relative to the key that owns a block sequence (0 = not indented). */
  seqOffset: number;
  eol: string;
}

// ---------------------------------------------------------------------------------------------
// Style detection

export function detectStyle(text: string, source: YamlSource, root: YAMLMap): Style {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let unit: number | undefined;
  let seqOffset: number | undefined;
  const col = (offset: number) => source.lines.linePos(offset).col - 1;
  visit(root, {
    Pair(_, pair) {
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      if (!key?.range || !value?.range) return;
      if (unit === undefined && isMap(value) && !value.flow && value.items[0]) {
        const d = col((value.items[0].key as Node).range![0]) - col(key.range[0]);
        if (d > 0) unit = d;
      }
      if (seqOffset === undefined && isSeq(value) && !value.flow && value.items.length > 0) {
        const d = col(value.range[0]) - col(key.range[0]);
        if (d >= 0 && source.lines.linePos(value.range[0]).line !== source.lines.linePos(key.range[0]).line)
          seqOffset = d;
      }
      if (unit !== undefined && seqOffset !== undefined) return visit.BREAK;
      return undefined;
    },
  });
  return { unit: unit ?? 2, seqOffset: seqOffset ?? unit ?? 2, eol };
}

// ---------------------------------------------------------------------------------------------
// Rendering new YAML in the file's style

/**
 * Lines (without line endings) for `keys[0]: { keys[1]: ... value }` at column `col`. `comment`
 * goes above the innermost key; `firstKeyText` keeps the user's spelling of an existing key.
 */
export function renderEntry(
  style: Style,
  col: number,
  keys: string[],
  value: unknown,
  comment?: string,
  firstKeyText?: string,
): string[] {
  const lines: string[] = [];
  keys.forEach((key, i) => {
    const c = col + i * style.unit;
    const pad = ' '.repeat(c);
    const keyText = i === 0 && firstKeyText !== undefined ? firstKeyText : blockKey(key);
    if (i < keys.length - 1) {
      lines.push(`${pad}${keyText}:`);
      return;
    }
    if (comment) lines.push(...commentBlock(pad, comment));
    const [head, ...rest] = afterKey(style, value, c);
    lines.push(`${pad}${keyText}:${head}`, ...rest);
  });
  return lines;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function entries(obj: Record<string, unknown>): [string, unknown][] {
  return Object.entries(obj).filter(([, v]) => v !== undefined);
}

/** What follows `key:` for a value owned by a key at column `col`: the rest of the key line, then more lines. */
export function afterKey(style: Style, value: unknown, col: number): string[] {
  if (isPlainObject(value) && entries(value).length > 0)
    return ['', ...blockMap(style, value, col + style.unit)];
  if (Array.isArray(value) && value.length > 0) return ['', ...blockSeq(style, value, col + style.seqOffset)];
  if (typeof value === 'string' && isLiteralBlock(value)) return literalBlock(value, col + style.unit);
  return [` ${scalar(value)}`];
}

export function blockMap(style: Style, obj: Record<string, unknown>, col: number): string[] {
  const pad = ' '.repeat(col);
  const lines: string[] = [];
  for (const [k, v] of entries(obj)) {
    const [head, ...rest] = afterKey(style, v, col);
    lines.push(`${pad}${blockKey(k)}:${head}`, ...rest);
  }
  return lines;
}

export function blockSeq(style: Style, items: unknown[], col: number): string[] {
  const pad = ' '.repeat(col);
  const lines: string[] = [];
  for (const item of items) {
    let inner: string[];
    if (isPlainObject(item) && entries(item).length > 0) inner = blockMap(style, item, col + 2);
    else if (Array.isArray(item) && item.length > 0) inner = blockSeq(style, item, col + 2);
    else if (typeof item === 'string' && isLiteralBlock(item)) {
      const [head, ...rest] = literalBlock(item, col + 2);
      lines.push(`${pad}-${head}`, ...rest);
      continue;
    } else {
      lines.push(`${pad}- ${scalar(item === undefined ? null : item)}`);
      continue;
    }
    lines.push(`${pad}- ${inner[0]!.slice(col + 2)}`, ...inner.slice(1));
  }
  return lines;
}

export function isLiteralBlock(s: string): boolean {
  // Leading blanks, tabs, CR and other control characters are written double-quoted instead.
  if (!s.includes('\n') || /^[ \t\n]/.test(s)) return false;
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if ((code < 0x20 && ch !== '\n') || code === 0x7f) return false;
  }
  return true;
}

export function literalBlock(s: string, col: number): string[] {
  const trailing = /\n*$/.exec(s)![0].length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = trailing === 0 ? s : s.slice(0, s.length - (chomp === '+' ? 1 : trailing));
  const pad = ' '.repeat(col);
  return [` |${chomp}`, ...body.split('\n').map((l) => (l ? pad + l : ''))];
}

/** A single-line YAML scalar as the `yaml` library writes it (quoting only when needed). */
export function scalar(value: unknown): string {
  if (isPlainObject(value)) return '{}';
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'string' && value.includes('\n')) return JSON.stringify(value);
  const out = new Document(value).toString({ lineWidth: 0 }).trimEnd();
  return out.includes('\n') ? JSON.stringify(value) : out;
}

export function blockKey(key: string): string {
  return scalar(key);
}

export function flowKey(key: string): string {
  return flowScalar(key);
}

export function flowScalar(value: unknown): string {
  const out = scalar(value);
  return /^[^'"].*[,[\]{}]/.test(out) || /^[,[\]{}]/.test(out) ? JSON.stringify(value) : out;
}

/** A value in flow style on one line (`{a: 1, b: [x, y]}`). */
export function renderFlow(value: unknown): string {
  if (isPlainObject(value))
    return `{${entries(value)
      .map(([k, v]) => `${flowKey(k)}: ${renderFlow(v)}`)
      .join(', ')}}`;
  if (Array.isArray(value)) return `[${value.map((v) => renderFlow(v === undefined ? null : v)).join(', ')}]`;
  return flowScalar(value);
}

export function commentLinesOf(comment: string): string[] {
  return comment.trimEnd().split('\n');
}

export function commentBlock(pad: string, comment: string): string[] {
  return commentLinesOf(comment).map((l) => (l ? `${pad}# ${l}` : `${pad}#`));
}
