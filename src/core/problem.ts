/** A positioned problem in a user's input. Lines and columns are 1-based. */
export interface Problem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = p.line ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return `${where} ${p.message}`;
}
