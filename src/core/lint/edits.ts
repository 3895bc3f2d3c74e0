import { isMap, isSeq, type Node } from 'yaml';
import type { ComposeModel, Path } from './compose-model.js';
import type { TextEdit } from './rule.js';

/**
 * Fix helpers: minimal text insertions computed from YAML node ranges. Nothing is re-serialised,
 * so comments, quoting and layout elsewhere stay byte-identical. Each helper returns undefined when
 * it cannot edit safely (path through an anchor, flow/block shapes it does not handle); the rule
 * then reports the finding without a fix.
 */

/** Adds `item` (a YAML scalar as text) to the sequence at `path`, creating `key: [item]` if missing. */
export function addListItem(
  model: ComposeModel,
  mapPath: Path,
  key: string,
  item: string,
): TextEdit[] | undefined {
  const loc = model.locate([...mapPath, key]);
  if (loc.viaAnchor) return undefined;
  if (!loc.found) {
    const step = indentStep(model, mapPath);
    return addMapEntry(model, mapPath, `${key}:`, [`${' '.repeat(step)}- ${item}`]);
  }
  if (!isSeq(loc.node)) return undefined;
  return appendToSeq(model, loc.node, item);
}

/** Adds `key: value` to the map at `[...mapPath, key]`, creating the map (`key:\n  name: value`) if missing. */
export function addMapItem(
  model: ComposeModel,
  mapPath: Path,
  key: string,
  name: string,
  value: string,
): TextEdit[] | undefined {
  const loc = model.locate([...mapPath, key]);
  if (loc.viaAnchor) return undefined;
  if (!loc.found) {
    const step = indentStep(model, mapPath);
    return addMapEntry(model, mapPath, `${key}:`, [`${' '.repeat(step)}${name}: ${value}`]);
  }
  return addMapEntry(model, [...mapPath, key], `${name}: ${value}`, []);
}

/**
 * Adds an entry to the block or flow map at `mapPath`: `first` at the map's indentation, then
 * `more` lines indented relative to it. Flow maps accept only a single-line entry.
 */
export function addMapEntry(
  model: ComposeModel,
  mapPath: Path,
  first: string,
  more: string[],
): TextEdit[] | undefined {
  const loc = model.locate(mapPath);
  if (!loc.found || loc.viaAnchor || !isMap(loc.node)) return undefined;
  const map = loc.node;
  const text = model.source.text;
  if (map.flow) {
    if (more.length > 0) return undefined;
    const close = closingBracket(text, map as Node, '}');
    if (close === undefined) return undefined;
    return [{ start: close, end: close, text: map.items.length > 0 ? `, ${first}` : first }];
  }
  const firstPair = map.items[0];
  const lastPair = map.items.at(-1);
  const keyStart = (firstPair?.key as Node | undefined)?.range?.[0];
  const lastEnd = ((lastPair?.value as Node | null)?.range ??
    (lastPair?.key as Node | undefined)?.range)?.[1];
  if (keyStart === undefined || lastEnd === undefined) return undefined;
  const indent = ' '.repeat(model.source.lines.linePos(keyStart).col - 1);
  const eol = eolOf(text);
  const at = lineEnd(text, lastEnd);
  const lines = [first, ...more].map((l) => `${eol}${indent}${l}`).join('');
  return [{ start: at, end: at, text: lines }];
}

/** Appends `item` to a block (`- x`) or flow (`[x]`) sequence. */
export function appendToSeq(model: ComposeModel, seq: Node, item: string): TextEdit[] | undefined {
  if (!isSeq(seq)) return undefined;
  const text = model.source.text;
  if (seq.flow) {
    const close = closingBracket(text, seq, ']');
    if (close === undefined) return undefined;
    return [{ start: close, end: close, text: seq.items.length > 0 ? `, ${item}` : item }];
  }
  const start = seq.range?.[0];
  const last = seq.items.at(-1) as Node | undefined;
  const lastEnd = last?.range?.[1];
  if (start === undefined || lastEnd === undefined || text[start] !== '-') return undefined;
  const indent = ' '.repeat(model.source.lines.linePos(start).col - 1);
  const at = lineEnd(text, lastEnd);
  return [{ start: at, end: at, text: `${eolOf(text)}${indent}- ${item}` }];
}

/** Replaces the scalar at `path` with `text` (its exact source range; quotes included). */
export function replaceValue(model: ComposeModel, path: Path, text: string): TextEdit[] | undefined {
  const loc = model.locate(path);
  const range = loc.node?.range;
  if (!loc.found || loc.viaAnchor || !range) return undefined;
  return [{ start: range[0], end: range[1], text }];
}

/**
 * Indentation step of the file at `mapPath`: how far the map's keys are indented relative to its
 * own key (e.g. services → ts → 2). Defaults to 2.
 */
export function indentStep(model: ComposeModel, mapPath: Path): number {
  if (mapPath.length === 0) return 2;
  const loc = model.locate(mapPath);
  const ownKey = loc.pair?.key as Node | undefined;
  const firstKey = isMap(loc.node) ? (loc.node.items[0]?.key as Node | undefined) : undefined;
  const a = ownKey?.range?.[0];
  const b = firstKey?.range?.[0];
  if (a === undefined || b === undefined) return 2;
  const step = model.source.lines.linePos(b).col - model.source.lines.linePos(a).col;
  return step > 0 ? step : 2;
}

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Offset of the end of the line containing `offset` (before `\r\n`/`\n`), so a trailing comment stays put. */
function lineEnd(text: string, offset: number): number {
  // Block collections may end after their last newline: step back over trailing whitespace first.
  let o = offset;
  while (o > 0 && /\s/.test(text[o - 1]!)) o--;
  let i = text.indexOf('\n', o);
  if (i === -1) return text.length;
  if (text[i - 1] === '\r') i--;
  return i;
}

function closingBracket(text: string, node: Node, bracket: string): number | undefined {
  const r = node.range;
  if (!r) return undefined;
  const i = text.lastIndexOf(bracket, r[1]);
  return i >= r[0] ? i : undefined;
}

/**
 * Removes item `index` of the block or flow sequence at `seqPath`: a block item loses its whole line
 * (with its trailing comment); a flow item loses itself and one separating comma. Undefined when the
 * sequence comes through an anchor, would become empty, or has a shape this does not handle.
 */
export function removeSeqItem(model: ComposeModel, seqPath: Path, index: number): TextEdit[] | undefined {
  const loc = model.locate(seqPath);
  if (!loc.found || loc.viaAnchor || !isSeq(loc.node) || loc.node.items.length < 2) return undefined;
  const seq = loc.node;
  const item = seq.items[index] as Node | undefined;
  const r = item?.range;
  if (!r) return undefined;
  const text = model.source.text;
  if (seq.flow) {
    const next = seq.items[index + 1] as Node | undefined;
    if (next?.range) return [{ start: r[0], end: next.range[0], text: '' }];
    const prev = seq.items[index - 1] as Node | undefined;
    return prev?.range ? [{ start: prev.range[1], end: r[1], text: '' }] : undefined;
  }
  // Block item: from the start of its line to the start of the next line.
  const lineStart = text.lastIndexOf('\n', r[0] - 1) + 1;
  if (!/^[ \t]*-[ \t]/.test(text.slice(lineStart, r[0]))) return undefined;
  const nl = text.indexOf('\n', lineEnd(text, r[1]));
  const end = nl === -1 ? text.length : nl + 1;
  if (text.slice(lineEnd(text, r[1]), end).trim() !== '' && nl !== -1) return undefined;
  return [{ start: lineStart, end, text: '' }];
}
