import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/**
 * A unified diff (`--- a/<file>` / `+++ b/<file>`, 3 lines of context) from `before` to `after`;
 * the empty string when they are equal. `file` is shown as given (use a path relative to the cwd).
 */
export function unifiedDiff(file: string, before: string, after: string): string {
  if (before === after) return '';
  const name = file.replace(/\\/g, '/');
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}
