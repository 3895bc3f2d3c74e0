/** A positioned problem in a user's input. Lines and columns are 1-based. */
export interface Problem {
  file: string;
  line?: number;
  column?: number;
  message: string;
  /** The document path the problem is about, when known (schema errors). */
  path?: (string | number)[];
}

export function formatProblem(p: Problem): string {
  const where = p.line ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return `${where} ${p.message}`;
}
