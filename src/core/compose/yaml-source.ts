import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { Problem } from '../problem.js';

/** A parsed YAML file that keeps its source, comments and node positions. */
export interface YamlSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export interface Position {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Parses YAML keeping comments and positions; syntax errors come back as positioned problems. */
export function parseYaml(file: string, text: string): { source: YamlSource; problems: Problem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    keepSourceTokens: true,
    merge: true,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const problems: Problem[] = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    const message =
      e.code === 'MULTIPLE_DOCS'
        ? 'a second YAML document starts here (---); a compose file holds one document'
        : firstLine(e.message);
    return { file, line: pos.line, column: pos.col, message };
  });
  return { source: { file, text, doc, lines }, problems };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

export function positionOfNode(source: YamlSource, node: Node | undefined | null): Position {
  const range = node?.range;
  if (!range) return { line: 1, column: 1, endLine: 1, endColumn: 1 };
  const start = source.lines.linePos(range[0]);
  const end = source.lines.linePos(range[1]);
  return { line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
}

/**
 * The node at a path of map keys and sequence indexes, or the deepest existing ancestor
 * (so a missing key points at the map that should hold it). `keyNode` asks for the key of
 * the last map entry instead of its value, which is where a reader looks for a bad key.
 */
export function nodeAtPath(
  source: YamlSource,
  path: readonly (string | number)[],
  keyNode = false,
): Node | undefined {
  let node: unknown = source.doc.contents;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return node as Node;
      if (keyNode && i === path.length - 1) return pair.key as Node;
      node = pair.value ?? pair.key;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) return node as Node;
      node = item;
    } else {
      return node as Node | undefined;
    }
  }
  return node as Node | undefined;
}

export function positionAt(
  source: YamlSource,
  path: readonly (string | number)[],
  keyNode = false,
): Position {
  return positionOfNode(source, nodeAtPath(source, path, keyNode));
}

/** JSON Pointer (`/services/a~1b/0`) → path segments. */
export function pointerToPath(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
