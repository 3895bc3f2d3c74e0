import { Lexer, LineCounter } from 'yaml';

/**
 * Inline suppressions:
 *
 *   # tailbridge-disable-next-line host-network, image-not-pinned -- documented fallback, see ADR 3
 *
 * The comment applies to the next line that holds YAML content (blank lines and other comments in
 * between are skipped, so several suppression comments can be stacked). `-- reason` is required.
 * Comments are found with the YAML lexer, so text inside block scalars is never mistaken for one.
 */
export interface Suppression {
  /** Line of the comment. */
  line: number;
  column: number;
  endColumn: number;
  /** The content line it applies to (0 when no content follows). */
  target: number;
  ruleIds: string[];
  reason?: string;
}

const DIRECTIVE = /^#\s*tailbridge-disable-next-line\b(.*)$/;

export function parseSuppressions(text: string): Suppression[] {
  // Most files have none: skip the second lexing pass then.
  if (!text.includes('tailbridge-disable-next-line')) return [];
  const lines = new LineCounter();
  let offset = 0;
  const comments: { line: number; column: number; text: string }[] = [];
  const contentLines = new Set<number>();
  // LineCounter only learns newlines from the Parser; compute them directly.
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  for (const s of starts) lines.addNewLine(s);
  const lineOf = (o: number) => lines.linePos(o);
  for (const token of new Lexer().lex(text)) {
    // The lexer's control tokens (document start, scalar, flow end) are not in the source text.
    if (token === '\x02' || token === '\x18' || token === '\x1f') continue;
    const start = offset;
    offset += token.length;
    if (token.startsWith('#')) {
      const pos = lineOf(start);
      comments.push({ line: pos.line, column: pos.col, text: token });
    } else if (token.trim() !== '') {
      // Content (scalars, indicators): mark every line the token spans.
      const a = lineOf(start).line;
      const b = lineOf(Math.max(start, offset - 1)).line;
      for (let l = a; l <= b; l++) contentLines.add(l);
    }
  }
  const maxLine = starts.length;
  const out: Suppression[] = [];
  for (const c of comments) {
    const m = DIRECTIVE.exec(c.text);
    if (!m) continue;
    const body = m[1]!;
    const dash = body.indexOf('--');
    const idsText = dash === -1 ? body : body.slice(0, dash);
    const reason = dash === -1 ? '' : body.slice(dash + 2).trim();
    let target = 0;
    for (let l = c.line + 1; l <= maxLine; l++) {
      if (contentLines.has(l)) {
        target = l;
        break;
      }
    }
    const s: Suppression = {
      line: c.line,
      column: c.column,
      endColumn: c.column + c.text.length,
      target,
      ruleIds: idsText
        .split(/[\s,]+/)
        .map((x) => x.trim())
        .filter((x) => x),
    };
    if (reason) s.reason = reason;
    out.push(s);
  }
  return out;
}
