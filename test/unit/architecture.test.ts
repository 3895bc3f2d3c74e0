import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering of docs/architecture.md, checked on the import statements of src/:
 * cli → commands → workflows → core, adapters implement the ports core defines, render renders.
 */
const SRC = path.resolve(import.meta.dirname, '../../src');

interface Import {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Static `from '…'`, side-effect `import '…'` and dynamic `import('…')` of relative paths, as paths relative to src/. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const pattern = /\bfrom\s+'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)|^import\s+'(\.[^']+)'/gm;
  const specs = [...text.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? m[3]!);
  const from = path.relative(SRC, file).split(path.sep).join('/');
  return specs.map((spec) => ({
    from,
    to: path
      .relative(SRC, path.resolve(path.dirname(file), spec))
      .split(path.sep)
      .join('/')
      .replace(/\.js$/, '.ts'),
  }));
}

const ALL = sourceFiles(SRC).flatMap(importsOf);
const layer = (p: string) => p.split('/')[0]!;
const isCommand = (p: string) => p.startsWith('commands/') && !p.startsWith('commands/shared/');
const show = (list: Import[]) => list.map((i) => `${i.from} → ${i.to}`);

describe('architecture: layers point one way', () => {
  it('finds the imports it checks', () => {
    expect(ALL.length).toBeGreaterThan(500);
    expect(ALL.some((i) => i.from.startsWith('core/') && i.to.startsWith('core/'))).toBe(true);
  });

  it('core imports nothing from adapters, commands, cli, workflows or render', () => {
    const outward = ['adapters', 'commands', 'cli', 'workflows', 'render'];
    expect(show(ALL.filter((i) => layer(i.from) === 'core' && outward.includes(layer(i.to))))).toEqual([]);
  });

  it('no command imports another command (shared helpers live in commands/shared)', () => {
    expect(show(ALL.filter((i) => isCommand(i.from) && isCommand(i.to) && i.from !== i.to))).toEqual([]);
    expect(show(ALL.filter((i) => i.from.startsWith('commands/shared/') && isCommand(i.to)))).toEqual([]);
  });

  it('workflows import neither commands nor cli nor render', () => {
    const above = ['commands', 'cli', 'render'];
    expect(show(ALL.filter((i) => layer(i.from) === 'workflows' && above.includes(layer(i.to))))).toEqual([]);
  });

  it('adapters import neither commands, cli nor workflows', () => {
    const above = ['commands', 'cli', 'workflows'];
    expect(show(ALL.filter((i) => layer(i.from) === 'adapters' && above.includes(layer(i.to))))).toEqual([]);
  });
});
