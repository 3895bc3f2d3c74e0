import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../src/core/compose/diff.js';

describe('unifiedDiff', () => {
  it('is empty when nothing changed', () => {
    expect(unifiedDiff('compose.yaml', 'a: 1\n', 'a: 1\n')).toBe('');
  });

  it('writes a git-style unified diff with a/ and b/ labels', () => {
    const before = 'services:\n  a:\n    image: x\n';
    const after = 'services:\n  a:\n    image: y\n';
    expect(unifiedDiff('stacks/compose.yaml', before, after)).toBe(
      [
        '--- a/stacks/compose.yaml',
        '+++ b/stacks/compose.yaml',
        '@@ -1,3 +1,3 @@',
        ' services:',
        '   a:',
        '-    image: x',
        '+    image: y',
        '',
      ].join('\n'),
    );
  });
});
