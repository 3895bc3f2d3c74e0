import {
  type Alias,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  Parser,
  type Scalar,
  visit,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { InputError } from '../../errors.js';
import type { Problem } from '../problem.js';
import type { ComposeEdit } from './edits.js';
import type { MergeNote } from './managed.js';
import { groupEdits, type Reconciled, Refusal, reconcileEdits } from './reconcile.js';
import { findPair } from './service-view.js';
import {
  blockSeq,
  commentBlock,
  commentLinesOf,
  detectStyle,
  entries,
  flowKey,
  isPlainObject,
  renderEntry,
  renderFlow,
  type Style,
  scalar,
} from './style.js';
import { validateComposeText } from './validate.js';
import { parseYaml, type YamlSource } from './yaml-source.js';

export interface MergeResult {
  /** The merged file. Equal to the input when nothing changed. */
  text: string;
  /**
   * Dotted paths of the edits that changed the text, in edit order (`services.tailscale`); empty
   * when the result equals the input (an edit undone by a later one still counts otherwise).
   */
  changed: string[];
  /** One line per user setting the merge removed or rewrote in another form, with why. */
  notes: MergeNote[];
}

/**
 * Applies compose edits to a user's file and keeps every byte outside the edited entries.
 *
 * Technique: each edit is located through the parsed AST (node ranges), turned into one splice
 * `[start, end) → replacement` on the current text, and the text is re-parsed before the next edit.
 * Nothing is found by searching the text and the document is never re-stringified.
 *
 * What an edited entry covers (its span): from the start of its key's line to the end of the line
 * holding the last content of its value, plus directly following comment lines indented deeper than
 * the key (they belong to the value). Comment lines above the key and blank lines after it are
 * outside the span and stay. On replacement the key text (quoting included) and a comment on the
 * key line are kept; comments inside the old value are dropped. New entries go after the last entry
 * of their mapping at the mapping's indentation; new top-level sections go after the last top-level
 * entry. New YAML is emitted in the file's style: its indent unit, sequence indentation and line ending.
 * Inside flow collections (`{a: 1}`) values are written in flow style and `comment` is not written.
 *
 * Each edit (a service put with its `set`s as one group) first goes through `reconcile.ts`: a put
 * of an existing service with a policy becomes edits of only the keys its mode owns, wherever the
 * user's value comes from; removals and form changes come back as `notes`; what cannot be done
 * without changing something else is refused with one positioned line. A `set` of a list merges
 * item by item (see {@link seqSplice}).
 *
 * A `put` onto an existing block mapping is merged key by key (see {@link structuralPut}): unchanged
 * keys keep their bytes, changed ones are rewritten, missing ones deleted and new ones appended, so
 * kept keys stay in the file's order and new keys come last (compose does not care about key order).
 * The result means exactly what a wholesale replace would; where the merge is not safe (anchors,
 * aliases, merge keys, flow style, no key in common) the whole entry is replaced as described above.
 */
export function mergeEdits(
  file: string,
  text: string,
  edits: readonly ComposeEdit[],
  options: MergeOptions = {},
): MergeResult {
  if (text.startsWith(BOM)) {
    // The byte order mark is not YAML content: merge without it and put it back.
    const inner = mergeEdits(file, text.slice(1), edits, options);
    return { ...inner, text: BOM + inner.text };
  }
  const original = load(file, text);
  const splices: Splice[] = [];
  const changed: string[] = [];
  const notes: MergeNote[] = [];
  let current = original;
  const refuse = (offset: number, message: string, refOffset?: number): never => {
    const ref = refOffset === undefined ? 0 : original.source.lines.linePos(mapBack(splices, refOffset)).line;
    throw new InputError([
      problemAt(original, mapBack(splices, offset), message.replace('{line}', String(ref))),
    ]);
  };
  for (const group of groupEdits(edits)) {
    let planned: Reconciled;
    try {
      planned = reconcileEdits(current.source, group, edits, options.baseDir);
    } catch (e) {
      if (e instanceof Refusal) refuse(e.offset, e.message);
      throw e;
    }
    notes.push(...planned.notes);
    for (const { edit, origin } of planned.edits) {
      let splice: Splice | undefined;
      try {
        splice = planEdit(current, edit);
      } catch (e) {
        if (e instanceof EditError) refuse(e.offset, e.message, e.ref);
        throw e;
      }
      if (!splice) continue;
      const next = current.text.slice(0, splice.start) + splice.insert + current.text.slice(splice.end);
      if (next === current.text) continue;
      splices.push(splice);
      if (!changed.includes(origin)) changed.push(origin);
      current = load(file, next, true);
    }
  }
  if (current.text === text) return { text, changed: [], notes: [] };
  checkResult(file, text, current.text);
  return { text: current.text, changed, notes };
}

const BOM = '\uFEFF';

export interface MergeOptions {
  /** Directory of the compose file: relative env file paths in it are compared with absolute ones. */
  baseDir?: string;
}

interface Splice {
  start: number;
  end: number;
  insert: string;
}

interface Ctx {
  file: string;
  text: string;
  source: YamlSource;
  root: YAMLMap;
  /** Offsets of line starts whose first non-blank token is a comment → that comment's column. */
  commentLines: Map<number, number>;
  /** Comment tokens as [start, end) offsets. */
  comments: [number, number][];
  style: Style;
}

/** A refused edit at an offset of the current text; `{line}` in the message is the line of `ref`. */
class EditError extends Error {
  constructor(
    readonly offset: number,
    message: string,
    readonly ref?: number,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Loading and checks

function load(file: string, text: string, generated = false): Ctx {
  const { source, problems } = parseYaml(file, text);
  if (problems.length > 0) {
    if (generated) throw new Error(`internal: merged YAML does not parse: ${problems[0]!.message}`);
    throw new InputError(problems);
  }
  const root = source.doc.contents;
  if (!isMap(root)) {
    const pos = root?.range ? source.lines.linePos(root.range[0]) : { line: 1, col: 1 };
    throw new InputError([
      {
        file,
        line: pos.line,
        column: pos.col,
        message: root
          ? 'the top level is not a mapping; expected a compose file with a services: section'
          : 'the file is empty; expected a compose file with a services: section',
      },
    ]);
  }
  const services = findPair(root, 'services');
  if (!services) {
    throw new InputError([
      {
        file,
        line: source.lines.linePos(root.range![0]).line,
        column: 1,
        message: 'no services: section; is this a compose file?',
      },
    ]);
  }
  if (services.value && !isMap(services.value) && !isEmptyValue(services.value)) {
    const pos = source.lines.linePos((services.value as Node).range![0]);
    throw new InputError([
      { file, line: pos.line, column: pos.col, message: 'services must be a mapping of service names' },
    ]);
  }
  const { comments, commentLines } = scanComments(text);
  return { file, text, source, root, comments, commentLines, style: detectStyle(text, source, root) };
}

function checkResult(file: string, before: string, after: string): void {
  const problems = validateComposeText(file, after);
  if (problems.length === 0) return;
  // Report against the user's file when the problem was already there; otherwise it comes from the edits.
  const existing = validateComposeText(file, before);
  if (existing.length > 0) throw new InputError(existing);
  throw new InputError(problems.map((p) => ({ ...p, message: `${p.message} (in the merged result)` })));
}

function problemAt(ctx: Ctx, offset: number, message: string): Problem {
  const pos = ctx.source.lines.linePos(offset);
  return { file: ctx.file, line: pos.line, column: pos.col, message };
}

/** Maps an offset in the current text back to the original text through the splices so far. */
function mapBack(splices: readonly Splice[], offset: number): number {
  let pos = offset;
  for (let i = splices.length - 1; i >= 0; i--) {
    const s = splices[i]!;
    if (pos >= s.start + s.insert.length) pos += s.end - s.start - s.insert.length;
    else if (pos >= s.start) pos = s.start;
  }
  return pos;
}

// ---------------------------------------------------------------------------------------------
// Planning one edit

function planEdit(ctx: Ctx, edit: ComposeEdit): Splice | undefined {
  const path = edit.path;
  if (path.length === 0) throw new Error('internal: empty edit path');
  const targets = aliasTargets(ctx);
  let map: YAMLMap = ctx.root;
  const ancestors: Node[] = [];
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const isLast = i === path.length - 1;
    const here = path.slice(0, i + 1).join('.');
    const pair = findPair(map, seg);
    if (!pair) {
      if (inherited(ctx, map, seg) && (!isLast || edit.op === 'delete')) {
        throw new EditError(
          map.range![0],
          `${here} comes from a <<: merge key; ${edit.op === 'delete' ? 'deleting' : 'editing inside'} it here would ${
            edit.op === 'delete' ? 'not remove it' : 'replace the whole inherited value'
          }. Move it out of the shared anchor first`,
        );
      }
      if (edit.op === 'delete') return undefined;
      checkAncestors(targets, ancestors, path.slice(0, i));
      return insertPair(ctx, map, path.slice(i), edit.value, edit.comment);
    }
    const value = pair.value as Node | null;
    if (isLast) {
      checkAncestors(targets, ancestors, path.slice(0, i));
      checkSubtree(targets, pair, here);
      if (edit.op === 'delete') return deletePair(ctx, map, pair);
      if (edit.op === 'put' || edit.op === 'set') {
        const merged = structuralPut(ctx, map, pair, path, edit.value, edit.comment);
        if (merged !== undefined) return diffSplice(ctx.text, merged);
      }
      return replacePair(ctx, map, pair, path.slice(i), edit.value, edit.comment);
    }
    if (isAlias(value)) {
      throw new EditError(
        value.range![0],
        `${here} is an alias (*${value.source}); tailbridge does not edit through aliases because that would change the anchored original. Write the value out in full first`,
      );
    }
    if (isMap(value) && value.items.length > 0) {
      ancestors.push(value);
      map = value;
      continue;
    }
    if (!value || isEmptyValue(value)) {
      if (edit.op === 'delete') return undefined;
      checkAncestors(targets, ancestors, path.slice(0, i));
      checkSubtree(targets, pair, here);
      return replacePair(ctx, map, pair, path.slice(i), edit.value, edit.comment);
    }
    throw new EditError(
      value.range![0],
      `${here} is ${describeNode(value)}, not a mapping, so ${path.join('.')} cannot be ${
        edit.op === 'delete' ? 'deleted' : 'set'
      }`,
    );
  }
  return undefined;
}

function describeNode(node: Node): string {
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return `a scalar (${JSON.stringify(node.value)})`;
  return 'not a mapping';
}

function isEmptyValue(node: unknown): boolean {
  if (isScalar(node)) return node.value === null || node.value === undefined;
  if (isMap(node)) return node.items.length === 0;
  return false;
}

function isMergePair(pair: Pair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === 'symbol';
}

function inherited(ctx: Ctx, map: YAMLMap, key: string): boolean {
  if (!map.items.some((p) => isMergePair(p as Pair))) return false;
  const js = map.toJS(ctx.source.doc, { maxAliasCount: -1 }) as unknown;
  return typeof js === 'object' && js !== null && Object.hasOwn(js, key);
}

// ---------------------------------------------------------------------------------------------
// Anchors and aliases

function aliasTargets(ctx: Ctx): Map<Node, Alias[]> {
  const targets = new Map<Node, Alias[]>();
  visit(ctx.source.doc, {
    Alias(_, alias) {
      const target = alias.resolve(ctx.source.doc);
      if (target) targets.set(target, [...(targets.get(target) ?? []), alias]);
    },
  });
  return targets;
}

/** Editing inside an anchored mapping would change every place that aliases it. */
function checkAncestors(targets: Map<Node, Alias[]>, ancestors: Node[], path: string[]): void {
  ancestors.forEach((node, i) => {
    const users = targets.get(node);
    if (users?.[0]) {
      throw new EditError(
        node.range![0],
        `${path.slice(0, i + 1).join('.')} is anchored as &${node.anchor} and reused by *${users[0].source} at line {line}; editing inside it would change that too. Give it its own copy first`,
        users[0].range![0],
      );
    }
  });
}

/** Replacing or deleting an entry must not remove an anchor that an alias elsewhere uses. */
function checkSubtree(targets: Map<Node, Alias[]>, pair: Pair, here: string): void {
  const inside = new Set<unknown>();
  for (const node of [pair.key, pair.value]) {
    if (!node) continue;
    inside.add(node);
    visit(node as Node, (_, n) => {
      inside.add(n);
    });
  }
  for (const [target, users] of targets) {
    if (!inside.has(target)) continue;
    const outside = users.find((a) => !inside.has(a));
    if (outside) {
      throw new EditError(
        target.range![0],
        `${here} holds the anchor &${target.anchor}, which *${outside.source} at line {line} reuses; replacing or deleting it would change or break that. Write that value out in full first`,
        outside.range![0],
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Spans

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

function lineEnd(text: string, pos: number): number {
  const i = text.indexOf('\n', pos);
  return i === -1 ? text.length : i + 1;
}

function column(ctx: Ctx, offset: number): number {
  return offset - lineStart(ctx.text, offset);
}

/** Offset just after the last source character that belongs to a node's content (comments excluded). */
function contentEnd(ctx: Ctx, node: Node | null | undefined, fallback: number): number {
  if (!node?.range) return fallback;
  if ((isMap(node) || isSeq(node)) && !node.flow) {
    const last = node.items.at(-1);
    if (!last) return Math.max(fallback, node.range[1]);
    if (isPair(last)) {
      const key = last.key as Node | null;
      return contentEnd(ctx, last.value as Node | null, key?.range ? keyEnd(last as Pair) : fallback);
    }
    return contentEnd(ctx, last as Node, fallback);
  }
  const [start, end] = node.range;
  if (start === end) return fallback; // an empty (null) value
  if (isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) {
    let e = end;
    while (e > start && /\s/.test(ctx.text[e - 1]!)) e--;
    return e;
  }
  return end;
}

/** Offset just after the `:` of a block pair (or after the key when no indicator is recorded). */
function keyEnd(pair: Pair): number {
  const key = pair.key as Node;
  const sep = (pair as { srcToken?: { sep?: { type: string; offset: number }[] } }).srcToken?.sep;
  const ind = sep?.find((t) => t.type === 'map-value-ind');
  return ind ? ind.offset + 1 : key.range![1];
}

interface EntrySpan {
  start: number;
  end: number;
  keyCol: number;
}

/** The lines of a block mapping entry: key line through its last content line and deeper trailing comments. */
function entrySpan(ctx: Ctx, pair: Pair): EntrySpan {
  const key = pair.key as Node;
  const keyStart = key.range![0];
  const start = lineStart(ctx.text, keyStart);
  if (!/^[ \t]*$/.test(ctx.text.slice(start, keyStart))) {
    throw new EditError(keyStart, 'tailbridge can only edit mapping entries that start their own line');
  }
  const keyCol = keyStart - start;
  let end = lineEnd(ctx.text, contentEnd(ctx, pair.value as Node | null, keyEnd(pair)));
  let probe = end;
  while (probe < ctx.text.length) {
    const next = lineEnd(ctx.text, probe);
    if (/^[ \t]*\r?\n?$/.test(ctx.text.slice(probe, next))) {
      probe = next;
      continue;
    }
    const col = ctx.commentLines.get(probe);
    if (col === undefined || col <= keyCol) break;
    probe = next;
    end = next;
  }
  return { start, end, keyCol };
}

/** The comment on the key's line, with the blanks before it, if any. */
function keyLineComment(ctx: Ctx, pair: Pair, span: EntrySpan): string | undefined {
  const from = keyEnd(pair);
  const to = lineEnd(ctx.text, from);
  const c = ctx.comments.find(([s]) => s >= from && s < to && s < span.end);
  if (!c) return undefined;
  let gap = c[0];
  while (gap > from && (ctx.text[gap - 1] === ' ' || ctx.text[gap - 1] === '\t')) gap--;
  return `${gap === c[0] ? ' ' : ''}${ctx.text.slice(gap, c[1])}`;
}

/** Comment text (without `#`) on the comment-only lines directly above a line start. */
function commentsAbove(ctx: Ctx, start: number): string[] {
  const out: string[] = [];
  let pos = start;
  while (pos > 0) {
    const prev = lineStart(ctx.text, pos - 1);
    const col = ctx.commentLines.get(prev);
    if (col === undefined) break;
    out.unshift(
      ctx.text
        .slice(prev + col + 1, pos)
        .replace(/\r?\n$/, '')
        .trim(),
    );
    pos = prev;
  }
  return out;
}

function scanComments(text: string): { comments: [number, number][]; commentLines: Map<number, number> } {
  const comments: [number, number][] = [];
  const walk = (token: unknown): void => {
    if (Array.isArray(token)) {
      for (const t of token) walk(t);
      return;
    }
    if (typeof token !== 'object' || token === null) return;
    const t = token as Record<string, unknown>;
    if (t.type === 'comment' && typeof t.offset === 'number' && typeof t.source === 'string') {
      comments.push([t.offset, t.offset + t.source.length]);
      return;
    }
    for (const k of ['start', 'key', 'sep', 'value', 'end', 'items', 'props']) if (k in t) walk(t[k]);
  };
  for (const token of new Parser().parse(text)) walk(token);
  comments.sort((a, b) => a[0] - b[0]);
  const commentLines = new Map<number, number>();
  for (const [s] of comments) {
    const ls = lineStart(text, s);
    if (/^[ \t]*$/.test(text.slice(ls, s))) commentLines.set(ls, s - ls);
  }
  return { comments, commentLines };
}

// ---------------------------------------------------------------------------------------------
// Splices

function insertPair(ctx: Ctx, map: YAMLMap, keys: string[], value: unknown, comment?: string): Splice {
  if (map.flow) {
    const last = map.items.at(-1) as Pair | undefined;
    const entry = `${flowKey(keys[0]!)}: ${renderFlow(nest(keys.slice(1), value))}`;
    if (!last) {
      const at = map.range![0] + 1;
      return { start: at, end: at, insert: entry };
    }
    const at = contentEnd(ctx, last.value as Node | null, keyEnd(last));
    return { start: at, end: at, insert: `, ${entry}` };
  }
  const first = map.items[0] as Pair;
  const col = column(ctx, (first.key as Node).range![0]);
  const last = map.items.at(-1) as Pair;
  const at = entrySpan(ctx, last).end;
  let prefix = at === ctx.text.length && !ctx.text.endsWith('\n') && at > 0 ? ctx.style.eol : '';
  if (usesBlankLines(ctx, map, at)) prefix += ctx.style.eol;
  const lines = renderEntry(ctx.style, col, keys, value, comment);
  return { start: at, end: at, insert: prefix + joinLines(lines, ctx.style.eol) };
}

function replacePair(
  ctx: Ctx,
  map: YAMLMap,
  pair: Pair,
  keys: string[],
  value: unknown,
  comment?: string,
): Splice {
  if (map.flow) {
    const v = pair.value as Node | null;
    const rendered = renderFlow(nest(keys.slice(1), value));
    if (v?.range && v.range[0] !== v.range[1]) {
      return { start: v.range[0], end: contentEnd(ctx, v, v.range[1]), insert: rendered };
    }
    const at = keyEnd(pair);
    const hasColon = at !== (pair.key as Node).range![1];
    return { start: at, end: at, insert: hasColon ? ` ${rendered}` : `: ${rendered}` };
  }
  const span = entrySpan(ctx, pair);
  const key = pair.key as Node;
  const keyText = ctx.text.slice(key.range![0], key.range![1]);
  // A comment already above an existing key is not added again (keeps merging idempotent).
  const above = commentsAbove(ctx, span.start);
  const wanted =
    keys.length === 1 && comment && commentLinesOf(comment).every((l) => above.includes(l.trim()));
  const lines = renderEntry(ctx.style, span.keyCol, keys, value, wanted ? undefined : comment, keyText);
  const trailing = keyLineComment(ctx, pair, span);
  if (trailing) {
    const keyLine = lines.findIndex((l) => !l.trimStart().startsWith('#'));
    lines[keyLine] += trailing;
  }
  return { start: span.start, end: span.end, insert: joinLines(lines, ctx.style.eol) };
}

function deletePair(ctx: Ctx, map: YAMLMap, pair: Pair): Splice {
  if (map.flow) {
    const idx = map.items.indexOf(pair as never);
    const end = (p: Pair) => contentEnd(ctx, p.value as Node | null, keyEnd(p));
    const prev = map.items[idx - 1] as Pair | undefined;
    const next = map.items[idx + 1] as Pair | undefined;
    if (prev) return { start: end(prev), end: end(pair), insert: '' };
    if (next) return { start: (pair.key as Node).range![0], end: (next.key as Node).range![0], insert: '' };
    return { start: (pair.key as Node).range![0], end: end(pair), insert: '' };
  }
  const span = entrySpan(ctx, pair);
  return { start: span.start, end: span.end, insert: '' };
}

/**
 * Whether a new entry should be set off by a blank line: the mapping's last entry is (after its
 * comments), or for the top level, the last entry is followed by a blank line.
 */
function usesBlankLines(ctx: Ctx, map: YAMLMap, insertAt: number): boolean {
  const items = map.items;
  const blank = (from: number) => /^[ \t]*\r?\n$/.test(ctx.text.slice(from, lineEnd(ctx.text, from)));
  if (map === ctx.root && insertAt < ctx.text.length && blank(insertAt)) return true;
  if (items.length < 2) return false;
  let pos = lineStart(ctx.text, (items.at(-1)!.key as Node).range![0]);
  while (pos > 0 && ctx.commentLines.has(lineStart(ctx.text, pos - 1))) pos = lineStart(ctx.text, pos - 1);
  return pos > 0 && blank(lineStart(ctx.text, pos - 1));
}

function nest(keys: string[], value: unknown): unknown {
  return keys.reduceRight<unknown>((v, k) => ({ [k]: v }), value);
}

function joinLines(lines: string[], eol: string): string {
  return lines.map((l) => l + eol).join('');
}

// ---------------------------------------------------------------------------------------------
// Structural merge of a put onto an existing mapping

/** One step of a structural merge, addressed by its full key path from the document root. */
type MergeStep =
  | { op: 'delete'; path: string[] }
  | { op: 'replace'; path: string[]; value: unknown }
  | { op: 'insert'; path: string[]; value: unknown }
  /** A block sequence merged item by item (see {@link seqSplice}). */
  | { op: 'seq'; path: string[]; value: unknown[] };

/**
 * A `put` onto an existing block mapping, merged key by key instead of replacing the whole entry,
 * so that whatever does not change keeps its bytes (comments, quoting, flow or block style).
 * Returns the new text, or undefined when the merge is not safe and the caller replaces wholesale.
 *
 * For the mapping and, recursively, for every nested mapping whose value changes:
 * - a key whose value is unchanged (its node's `toJS()` deep-equals the new value) is not touched;
 * - a key whose value changes is recursed into when both sides are mergeable mappings, otherwise
 *   only that entry's value is rewritten as `set` does (its key text, the comments above it and the
 *   comment on its key line stay; comments inside the old value go);
 * - a key missing from the new value is deleted together with the comment lines directly above it
 *   (unlike a `delete` edit, which keeps them: a wholesale replace dropped them too, and keeping
 *   them would leave comments about a key that is gone, duplicated on every later run when a `set`
 *   re-adds that key with its comment); when it is the mapping's last entry, the blank lines
 *   between it and the previous entry go too, so that deleting an appended entry undoes the append,
 *   and between blank lines the blank lines above it go, so that one separating blank line stays;
 * - a new key is appended at the end of its mapping in the file's style, as `set` does.
 * Sequences and scalars are compared as whole values. The put's comment is added above the key
 * unless already there, as on a wholesale replace.
 *
 * The result means exactly what the wholesale replace means (checked: both texts are parsed and
 * compared as JS, otherwise the wholesale replace is used); only key ORDER may differ, because kept
 * keys stay where the file has them and new keys come last (compose does not care about key order).
 *
 * Not merged (wholesale replace instead): flow mappings (the entry's or its parent's), an entry
 * holding any anchor, alias or `<<` merge key, tagged mappings, mappings with non-string keys,
 * an empty old or new mapping, no key in common, and anything the splicing helpers refuse.
 */
function structuralPut(
  ctx: Ctx,
  map: YAMLMap,
  pair: Pair,
  path: string[],
  value: unknown,
  comment: string | undefined,
): string | undefined {
  if (map.flow || !hasPlainSubtree(pair)) return undefined;
  const steps: MergeStep[] = [];
  if (mergeable(pair.value, value)) planMerge(ctx, pair.value, value as Record<string, unknown>, path, steps);
  else if (seqMergeable(ctx, pair.value, value)) steps.push({ op: 'seq', path, value: value as unknown[] });
  else return undefined;
  let text: string;
  try {
    let cur = ctx;
    for (const step of steps) cur = load(ctx.file, apply(cur.text, planStep(cur, step)), true);
    text = cur.text;
    if (comment) {
      const key = (findPairAt(cur, path).key as Node).range![0];
      const start = lineStart(cur.text, key);
      const above = commentsAbove(cur, start);
      if (!commentLinesOf(comment).every((l) => above.includes(l.trim()))) {
        const lines = commentBlock(' '.repeat(key - start), comment);
        text = apply(cur.text, { start, end: start, insert: joinLines(lines, ctx.style.eol) });
      }
    }
  } catch {
    return undefined; // e.g. an entry that does not start its own line: replace wholesale
  }
  const wholesale = apply(ctx.text, replacePair(ctx, map, pair, path.slice(-1), value, comment));
  return sameValue(documentJS(text), documentJS(wholesale)) ? text : undefined;
}

/** Whether an existing node and a new value are both mappings that {@link planMerge} can merge. */
function mergeable(node: unknown, value: unknown): node is YAMLMap {
  if (!isMap(node) || node.flow || node.tag || node.items.length === 0) return false;
  if (!isPlainObject(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const keys = new Set<string>();
  for (const item of node.items) {
    const key = item.key;
    if (!isScalar(key) || typeof key.value !== 'string' || keys.has(key.value)) return false;
    keys.add(key.value);
  }
  return entries(value).some(([k]) => keys.has(k));
}

/** No anchors, aliases or merge keys anywhere in the entry. */
function hasPlainSubtree(pair: Pair): boolean {
  let plain = true;
  for (const node of [pair.key, pair.value]) {
    if (!node) continue;
    if ((node as { anchor?: string }).anchor) return false;
    visit(node as Node, (_, n) => {
      if (isAlias(n) || (isPair(n) && isMergePair(n)) || (n as { anchor?: string }).anchor) {
        plain = false;
        return visit.BREAK;
      }
      return undefined;
    });
  }
  return plain;
}

function planMerge(
  ctx: Ctx,
  node: YAMLMap,
  value: Record<string, unknown>,
  path: string[],
  out: MergeStep[],
) {
  const wanted = new Map(entries(value));
  const pairs = node.items as Pair<Scalar<string>, Node | null>[];
  const existing = new Set(pairs.map((p) => p.key.value));
  // Deletions first, from the last entry up: the mapping never runs empty (a key is shared) and
  // every deleted trailing entry is the last one when it goes.
  for (const p of [...pairs].reverse())
    if (!wanted.has(p.key.value)) out.push({ op: 'delete', path: [...path, p.key.value] });
  for (const p of pairs) {
    const key = p.key.value;
    if (!wanted.has(key)) continue;
    const next = wanted.get(key);
    const current: unknown = p.value ? p.value.toJS(ctx.source.doc, { maxAliasCount: -1 }) : null;
    if (sameValue(current, normalize(next))) continue;
    if (mergeable(p.value, next))
      planMerge(ctx, p.value, next as Record<string, unknown>, [...path, key], out);
    else if (seqMergeable(ctx, p.value, next))
      out.push({ op: 'seq', path: [...path, key], value: next as unknown[] });
    else out.push({ op: 'replace', path: [...path, key], value: next });
  }
  for (const [key, next] of wanted)
    if (!existing.has(key)) out.push({ op: 'insert', path: [...path, key], value: next });
}

function planStep(ctx: Ctx, step: MergeStep): Splice {
  const parentPath = step.path.slice(0, -1);
  const key = step.path.at(-1)!;
  const parent = findPairAt(ctx, parentPath).value;
  if (!isMap(parent)) throw new Error(`internal: ${parentPath.join('.')} is no longer a mapping`);
  if (step.op === 'insert') return insertPair(ctx, parent, [key], step.value);
  const pair = findPair(parent, key);
  if (!pair) throw new Error(`internal: ${step.path.join('.')} is gone`);
  if (step.op === 'seq') return seqSplice(ctx, pair.value as YAMLSeq, step.value);
  if (step.op === 'replace') return replacePair(ctx, parent, pair, [key], step.value);
  return deleteWithComments(ctx, parent, pair);
}

/** A block mapping entry with the comment lines directly above it (see {@link structuralPut}). */
function deleteWithComments(ctx: Ctx, map: YAMLMap, pair: Pair): Splice {
  const span = entrySpan(ctx, pair);
  const idx = map.items.indexOf(pair as never);
  const prev = map.items[idx - 1] as Pair | undefined;
  const floor = prev ? entrySpan(ctx, prev).end : 0;
  if (prev && idx === map.items.length - 1) return { start: floor, end: span.end, insert: '' };
  let start = span.start;
  while (start > floor) {
    const above = lineStart(ctx.text, start - 1);
    const col = ctx.commentLines.get(above);
    if (above < floor || col === undefined || col > span.keyCol) break;
    start = above;
  }
  // Between blank lines, one blank line stays.
  const blank = (from: number) => /^[ \t]*\r?\n$/.test(ctx.text.slice(from, lineEnd(ctx.text, from)));
  if (span.end < ctx.text.length && blank(span.end)) {
    while (start > floor && blank(lineStart(ctx.text, start - 1))) start = lineStart(ctx.text, start - 1);
  }
  return { start, end: span.end, insert: '' };
}

function findPairAt(ctx: Ctx, path: string[]): Pair<Node, Node | null> {
  let map: unknown = ctx.root;
  let pair: Pair<Node, Node | null> | undefined;
  for (const seg of path) {
    pair = isMap(map) ? findPair(map, seg) : undefined;
    if (!pair) throw new Error(`internal: ${path.join('.')} not found`);
    map = pair.value;
  }
  if (!pair) throw new Error('internal: empty path');
  return pair;
}

function apply(text: string, splice: Splice): string {
  return text.slice(0, splice.start) + splice.insert + text.slice(splice.end);
}

/** The smallest splice turning `before` into `after`. */
function diffSplice(before: string, after: string): Splice {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before[start] === after[start]) start++;
  let tail = 0;
  while (tail < max - start && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  return { start, end: before.length - tail, insert: after.slice(start, after.length - tail) };
}

function documentJS(text: string): unknown {
  const { source, problems } = parseYaml('', text);
  if (problems.length > 0) throw new Error(`internal: merged YAML does not parse: ${problems[0]!.message}`);
  return source.doc.toJS({ maxAliasCount: -1 });
}

/** A new value as it reads back once written: no undefined properties, undefined list items as null. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalize(v)));
  if (isPlainObject(value) && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(entries(value).map(([k, v]) => [k, normalize(v)]));
  return value;
}

/** Deep equality of plain JS data; key order does not matter; anything but plain data is unequal. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]))
    );
  }
  const plain = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v));
  if (!plain(a) || !plain(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
}

// ---------------------------------------------------------------------------------------------
// Structural merge of a new list onto an existing block sequence

/**
 * Whether an existing node is a block sequence that {@link seqSplice} can merge a new list into:
 * every item starts its own line (`- ` first on it) and at least one item is kept.
 */
function seqMergeable(ctx: Ctx, node: unknown, value: unknown): node is YAMLSeq {
  if (!isSeq(node) || node.flow || node.tag || node.items.length === 0) return false;
  if (!Array.isArray(value) || value.length === 0) return false;
  const old = node.items.map((n) => toJS(ctx, n as Node));
  if (!value.some((v) => old.some((o) => sameValue(o, normalize(v))))) return false;
  return node.items.every((n) => dashOffset(ctx, node, n as Node) !== undefined);
}

/**
 * One splice turning a block sequence into `value`, item by item: items equal to a wanted one keep
 * their bytes (a comment on their line or on deeper lines after them included), items no longer
 * wanted go with the comment lines directly above them, and new items are written in the file's
 * style where the longest common subsequence puts them. A single-line scalar replaced by a scalar
 * at the same place keeps the comment on its line (as a replaced mapping value does).
 */
function seqSplice(ctx: Ctx, seq: YAMLSeq, value: unknown[]): Splice {
  const items = seq.items as Node[];
  const spans = items.map((n, i) => itemSpan(ctx, seq, n, i === 0 ? undefined : items[i - 1]));
  const old = items.map((n) => toJS(ctx, n));
  const wanted = value.map((v) => (v === undefined ? null : normalize(v)));
  const col = column(ctx, dashOffset(ctx, seq, items[0]!)!);
  const render = (v: unknown) => joinLines(blockSeq(ctx.style, [v], col), ctx.style.eol);
  let out = '';
  let pending: number[] = []; // deleted old items since the last kept one
  for (const step of lcsDiff(old, wanted)) {
    if (step.op === 'keep') {
      pending = [];
      out += ctx.text.slice(spans[step.i]!.lead, spans[step.i]!.end);
    } else if (step.op === 'delete') {
      pending.push(step.i);
    } else {
      const replaced = pending.shift();
      const inline =
        replaced === undefined ? undefined : replaceScalarItem(ctx, items[replaced]!, wanted[step.j]);
      out +=
        inline !== undefined
          ? ctx.text.slice(spans[replaced!]!.lead, spans[replaced!]!.start) + inline
          : render(wanted[step.j]);
    }
  }
  const start = spans[0]!.lead;
  const end = spans.at(-1)!.end;
  return { start, end, insert: out };
}

/**
 * The text of an item whose single-line scalar is replaced by another scalar (the rest of its
 * lines, such as a comment on the line, kept), or undefined when the item is not such a scalar.
 */
function replaceScalarItem(ctx: Ctx, node: Node, value: unknown): string | undefined {
  if (!isScalar(node) || !node.range || typeof value === 'object') return undefined;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') return undefined;
  if (typeof value === 'string' && value.includes('\n')) return undefined;
  const [start, end] = node.range;
  const from = lineStart(ctx.text, dashOffset(ctx, undefined, node) ?? start);
  if (ctx.text.slice(start, end).includes('\n')) return undefined;
  const spanEnd = lineEnd(ctx.text, end);
  return (
    ctx.text.slice(from, start) +
    scalar(value) +
    ctx.text.slice(end, spanEnd) +
    trailingDeeper(ctx, from, spanEnd)
  );
}

/** Comment lines right after `end` indented deeper than the line at `from` (they belong to it). */
function trailingDeeper(ctx: Ctx, from: number, end: number): string {
  const col = firstNonBlank(ctx.text, from) - from;
  let probe = end;
  let last = end;
  while (probe < ctx.text.length) {
    const next = lineEnd(ctx.text, probe);
    if (/^[ \t]*\r?\n?$/.test(ctx.text.slice(probe, next))) {
      probe = next;
      continue;
    }
    const c = ctx.commentLines.get(probe);
    if (c === undefined || c <= col) break;
    probe = next;
    last = next;
  }
  return ctx.text.slice(end, last);
}

function firstNonBlank(text: string, from: number): number {
  let i = from;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

interface ItemSpan {
  /** Start of the comment and blank lines directly above the item (bounded by the previous item). */
  lead: number;
  /** Start of the item's `- ` line. */
  start: number;
  /** End of its last content line plus following comment lines indented deeper than its `-`. */
  end: number;
}

function itemSpan(ctx: Ctx, seq: YAMLSeq, node: Node, prev: Node | undefined): ItemSpan {
  const dash = dashOffset(ctx, seq, node);
  if (dash === undefined) throw new Error('internal: sequence item without its own line');
  const start = lineStart(ctx.text, dash);
  const contentLineEnd = lineEnd(ctx.text, contentEnd(ctx, node, dash + 1));
  const end = contentLineEnd + trailingDeeper(ctx, start, contentLineEnd).length;
  const floor = prev ? itemSpan(ctx, seq, prev, undefined).end : lineStart(ctx.text, dash);
  let lead = start;
  while (lead > floor) {
    const above = lineStart(ctx.text, lead - 1);
    const blank = /^[ \t]*\r?\n$/.test(ctx.text.slice(above, lead));
    if (above < floor || (!blank && !ctx.commentLines.has(above))) break;
    lead = above;
  }
  return { lead, start, end };
}

/** Offset of the `-` of a block sequence item, when it is the first non-blank of its line. */
function dashOffset(ctx: Ctx, seq: YAMLSeq | undefined, node: Node): number | undefined {
  const tokens = (
    seq as
      | { srcToken?: { items?: { start: { type: string; offset: number }[]; value?: { offset: number } }[] } }
      | undefined
  )?.srcToken?.items;
  let offset: number | undefined;
  if (tokens && seq) {
    const i = seq.items.indexOf(node as never);
    offset = tokens[i]?.start.find((t) => t.type === 'seq-item-ind')?.offset;
  } else if (node.range) {
    // Without the sequence at hand: the `-` is the first non-blank on the item's line.
    const ls = lineStart(ctx.text, node.range[0]);
    const first = firstNonBlank(ctx.text, ls);
    if (ctx.text[first] === '-') offset = first;
  }
  if (offset === undefined) return undefined;
  return /^[ \t]*$/.test(ctx.text.slice(lineStart(ctx.text, offset), offset)) ? offset : undefined;
}

type DiffStep =
  | { op: 'keep'; i: number; j: number }
  | { op: 'delete'; i: number }
  | { op: 'insert'; j: number };

/** The longest-common-subsequence edit script from `a` to `b` (deletes before inserts in a gap). */
function lcsDiff(a: readonly unknown[], b: readonly unknown[]): DiffStep[] {
  const n = a.length;
  const m = b.length;
  const len: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      len[i]![j] = sameValue(a[i], b[j])
        ? len[i + 1]![j + 1]! + 1
        : Math.max(len[i + 1]![j]!, len[i]![j + 1]!);
  const steps: DiffStep[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && sameValue(a[i], b[j])) steps.push({ op: 'keep', i: i++, j: j++ });
    else if (j >= m || (i < n && len[i + 1]![j]! >= len[i]![j + 1]!)) steps.push({ op: 'delete', i: i++ });
    else steps.push({ op: 'insert', j: j++ });
  }
  return steps;
}

function toJS(ctx: Ctx, node: Node): unknown {
  return node.toJS(ctx.source.doc, { maxAliasCount: -1 });
}
