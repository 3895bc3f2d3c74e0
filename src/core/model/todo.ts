import { isNode, visit } from 'yaml';
import { parseYaml, positionOfNode } from '../compose/yaml-source.js';
import type { Problem } from '../problem.js';

const TODO = /^\s*TODO\b:?\s*(.*)$/;

/**
 * The values of a tailbridge.yaml still marked `# TODO …` (as `init --discover` drafts what it cannot
 * know): one positioned problem each, at the value. A TODO on a line of its own (a commented-out
 * optional key) is advice and not reported. Pure.
 */
export function todoProblems(file: string, text: string): Problem[] {
  const { source, problems } = parseYaml(file, text);
  if (problems.length > 0) return [];
  const out: Problem[] = [];
  visit(source.doc, {
    Node(_key, node) {
      const comment = isNode(node) ? node.comment : undefined;
      const m = comment ? TODO.exec(comment) : null;
      if (!m) return;
      const pos = positionOfNode(source, node);
      out.push({
        file,
        line: pos.line,
        column: pos.column,
        message: `TODO not filled in${m[1] ? `: ${m[1]}` : ''} (set the value, then delete the TODO comment)`,
      });
    },
  });
  return out;
}
