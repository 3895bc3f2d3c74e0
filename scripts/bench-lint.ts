/**
 * Lint benchmark (`npm run bench`, not part of `npm test`): builds a corpus of compose files in a
 * temp dir — deterministic variations of every fixture under test/fixtures/lint plus the generated
 * compose of every mode — lints it through the real command path (`lint()` with a throwaway io,
 * JSON output, the example homelab config) and prints throughput, findings and memory. The temp dir
 * is removed afterwards.
 *
 *   npm run bench                 # 3000 files
 *   npm run bench -- --files 500
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lint } from '../src/commands/lint.js';
import { generate } from '../src/core/generate/index.js';
import { lintSource } from '../src/core/lint/engine.js';
import type { JsonReport } from '../src/core/lint/format/json.js';
import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../src/core/model/example.js';
import { parseConfig } from '../src/core/model/load.js';
import { MODES } from '../src/core/model/modes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = path.join(ROOT, 'test/fixtures/lint');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i === -1 ? Number.NaN : Number(process.argv[i + 1]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

/** Small deterministic PRNG (mulberry32), so every run lints the same corpus. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

/** One variation of a base text: header comment, image tag, LAN octet, trailing lines, CRLF. */
function vary(base: string, i: number, next: () => number): string {
  let t = base;
  const octet = 20 + Math.floor(next() * 200);
  if (next() < 0.5) t = t.replaceAll('192.168.20.', `192.168.${octet}.`);
  if (next() < 0.5)
    t = t.replaceAll('v1.102.3', `v1.${90 + Math.floor(next() * 13)}.${Math.floor(next() * 5)}`);
  if (next() < 0.3) t = t.replaceAll(':latest', ':stable');
  t = `# bench corpus file ${i}\n${t}`;
  if (next() < 0.3) t = `${t}\n\n`;
  if (next() < 0.1) t = t.replace(/\n/g, '\r\n');
  return t;
}

async function main(): Promise<void> {
  const count = arg('files', 3000);
  const config = parseConfig(EXAMPLE_CONFIG_FILE, EXAMPLE_CONFIG);
  const bases = [
    ...yamlFiles(FIXTURES).map((f) => readFileSync(f, 'utf8')),
    ...MODES.map((m) => generate(config, m).compose),
  ];
  const dir = mkdtempSync(path.join(tmpdir(), 'tailbridge-bench-'));
  try {
    const next = rng(42);
    const texts: string[] = [];
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const text = vary(bases[i % bases.length] as string, i, next);
      const sub = path.join(dir, `p${String(Math.floor(i / 100)).padStart(3, '0')}`, `s${i}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(path.join(sub, 'compose.yaml'), text);
      texts.push(text);
      bytes += Buffer.byteLength(text);
    }

    // 1. The real command path: discover + read + lint + JSON output, with a throwaway io.
    let out = '';
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 5);
    const t0 = performance.now();
    await lint(
      { paths: [dir], recursive: true, format: 'json', config },
      { stdout: (s) => (out += s), cwd: dir },
    );
    const wall = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    const report = JSON.parse(out) as JsonReport;
    const findings = report.files.reduce((n, f) => n + f.findings.length, 0);
    const bySeverity = { error: 0, warning: 0, info: 0 };
    for (const f of report.files) for (const x of f.findings) bySeverity[x.severity]++;
    const notLinted = report.files.filter((f) => !f.linted).length;

    // 2. The engine alone on the same texts (no fs, no output formatting).
    const t1 = performance.now();
    let engineFindings = 0;
    for (const [i, text] of texts.entries())
      engineFindings += lintSource(`f${i}.yaml`, text, { config }).findings.length;
    const engineWall = (performance.now() - t1) / 1000;

    const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
    const lines = [
      `tailbridge lint benchmark — Node ${process.version}, ${process.platform}/${process.arch}`,
      `corpus:        ${report.files.length} files (${mib(bytes)} MiB) from ${bases.length} bases (fixtures + ${MODES.length} generated modes); ${notLinted} not lintable by design`,
      `command path:  ${wall.toFixed(2)} s wall, ${(report.files.length / wall).toFixed(0)} files/s (discover, read, lint, JSON output)`,
      `engine only:   ${engineWall.toFixed(2)} s wall, ${(texts.length / engineWall).toFixed(0)} files/s (lintSource on in-memory texts)`,
      `findings:      ${findings} (${bySeverity.error} error, ${bySeverity.warning} warning, ${bySeverity.info} info); engine-only pass: ${engineFindings}`,
      `memory:        peak RSS ${mib(process.resourceUsage().maxRSS * 1024)} MiB (maxRSS), heapUsed ${mib(heapBefore)} → peak ${mib(heapPeak)} MiB during the command path`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
