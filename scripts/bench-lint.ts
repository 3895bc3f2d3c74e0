/**
 * Lint benchmark, tailbridge side by side with dclint (`npm run bench:lint`; `npm run bench` runs it).
 * Not part of `npm test`.
 *
 * Builds a corpus of compose stacks in a temp dir — deterministic variations of the public corpus
 * (corpus/cases, real files), the rule fixtures and the generated compose of every mode — then runs
 * each tool in its own process on the same directory: tailbridge's whole `lint` command from dist/
 * (`npm run build` first) and dclint's DCLinter with its JSON formatter. Prints throughput, the ratio,
 * peak memory, and checks that tailbridge's findings match the recorded digest
 * (scripts/bench-lint.digest.json), so an optimisation that changes a finding is caught.
 *
 *   npm run bench:lint                         # 1110 stacks
 *   npm run bench:lint -- --stacks 300
 *   npm run bench:lint -- --profile            # also writes a CPU profile of tailbridge and prints its hot spots
 *   npm run bench:lint -- --update-digest      # after an intended change of findings
 *   npm run bench:lint -- --no-build           # reuse dist/
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../src/core/generate/index.js';
import type { JsonReport } from '../src/core/lint/format/json.js';
import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../src/core/model/example.js';
import { parseConfig } from '../src/core/model/load.js';
import { MODES } from '../src/core/model/modes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = path.join(ROOT, 'test/fixtures/lint');
const CORPUS = path.join(ROOT, 'corpus/cases');
const WORKER = path.join(ROOT, 'scripts/bench-lint-worker.mjs');
const DIGEST = path.join(ROOT, 'scripts/bench-lint.digest.json');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i === -1 ? Number.NaN : Number(process.argv[i + 1]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

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

/** The real corpus first (weighted twice: it is what users write), then fixtures and generated files. */
function bases(): string[] {
  const config = parseConfig(EXAMPLE_CONFIG_FILE, EXAMPLE_CONFIG);
  const real = readdirSync(CORPUS).map((slug) =>
    readFileSync(path.join(CORPUS, slug, 'compose.yaml'), 'utf8'),
  );
  return [
    ...real,
    ...real,
    ...yamlFiles(FIXTURES).map((f) => readFileSync(f, 'utf8')),
    ...MODES.map((m) => generate(config, m).compose),
  ];
}

/** One variation of a base text: header comment, image tag, LAN octet, trailing lines, CRLF. */
function vary(base: string, i: number, next: () => number): string {
  let t = base;
  const octet = 20 + Math.floor(next() * 200);
  if (next() < 0.5) t = t.replaceAll('192.168.20.', `192.168.${octet}.`);
  if (next() < 0.5)
    t = t.replaceAll('v1.102.3', `v1.${90 + Math.floor(next() * 13)}.${Math.floor(next() * 5)}`);
  if (next() < 0.3) t = t.replaceAll(':latest', ':stable');
  t = `# bench corpus stack ${i}\n${t}`;
  if (next() < 0.3) t = `${t}\n\n`;
  if (next() < 0.1) t = t.replace(/\n/g, '\r\n');
  return t;
}

function buildCorpus(dir: string, stacks: number): { bytes: number; bases: number } {
  const all = bases();
  const next = rng(42);
  let bytes = 0;
  for (let i = 0; i < stacks; i++) {
    const text = vary(all[i % all.length]!, i, next);
    const sub = path.join(dir, `group${String(Math.floor(i / 100)).padStart(2, '0')}`, `stack${i}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, 'compose.yaml'), text);
    bytes += Buffer.byteLength(text);
  }
  return { bytes, bases: all.length };
}

interface WorkerResult {
  tool: string;
  files: number;
  findings: number;
  wallMs: number;
  cpuMs: number;
  maxRssMiB: number;
  heapPeakMiB: number;
  report?: JsonReport;
}

function run(tool: string, dir: string, nodeArgs: string[] = []): WorkerResult {
  const out = execFileSync(process.execPath, [...nodeArgs, WORKER, tool, dir], {
    cwd: ROOT,
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  return JSON.parse(out) as WorkerResult;
}

/** A digest of tailbridge's findings that does not depend on the temp dir's name. */
function digestOf(report: JsonReport, dir: string): string {
  const lines = report.files.flatMap((f) =>
    f.findings.map((x) =>
      [
        path.relative(dir, f.file),
        x.ruleId,
        x.severity,
        x.line,
        x.column,
        x.endLine,
        x.endColumn,
        x.message,
      ].join('\t'),
    ),
  );
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

/** Self time per function from a .cpuprofile, top `n`. */
function hotSpots(profileFile: string, n = 15): string[] {
  const p = JSON.parse(readFileSync(profileFile, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/')}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `  ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
}

function main(): void {
  const stacks = arg('stacks', 1110);
  if (!flag('no-build')) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const dir = mkdtempSync(path.join(tmpdir(), 'tailbridge-bench-'));
  try {
    const corpus = buildCorpus(dir, stacks);
    // tailbridge takes seconds, dclint minutes: run tailbridge before and after dclint and report the
    // median, so a burst of load on a shared machine moves one sample, not the ratio.
    const tbRuns = [run('tailbridge', dir)];
    const dc = run('dclint', dir);
    tbRuns.push(run('tailbridge', dir), run('tailbridge', dir));
    const tb = [...tbRuns].sort((a, b) => a.wallMs - b.wallMs)[1]!;
    const digest = digestOf(tb.report!, dir);
    const recorded = (() => {
      try {
        return JSON.parse(readFileSync(DIGEST, 'utf8')) as { stacks: number; digest: string };
      } catch {
        return undefined;
      }
    })();
    if (flag('update-digest') || (!recorded && stacks === 1110))
      writeFileSync(DIGEST, `${JSON.stringify({ stacks, findings: tb.findings, digest }, null, 2)}\n`);
    const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
    const rate = (r: WorkerResult) => r.files / (r.wallMs / 1000);
    const cpuRate = (r: WorkerResult) => r.files / (r.cpuMs / 1000);
    const row = (r: WorkerResult) =>
      `${r.tool.padEnd(11)} ${String(r.files).padStart(5)}  ${(r.wallMs / 1000).toFixed(2).padStart(7)} s  ${rate(r).toFixed(0).padStart(7)} files/s  ${(r.cpuMs / 1000).toFixed(2).padStart(7)} s  ${cpuRate(r).toFixed(0).padStart(7)} files/s  ${String(r.findings).padStart(6)}  ${r.maxRssMiB.toFixed(1).padStart(7)} MiB  ${r.heapPeakMiB.toFixed(1).padStart(7)} MiB`;
    const same =
      recorded === undefined || recorded.stacks !== stacks
        ? `not compared (recorded for ${recorded?.stacks ?? 'no'} stacks)`
        : recorded.digest === digest
          ? 'same as recorded'
          : 'DIFFERENT from the recorded digest — findings changed (run with --update-digest if that is intended)';
    const lines = [
      `lint benchmark — Node ${process.version}, ${process.platform}/${process.arch}`,
      `corpus:     ${stacks} stacks (${mib(corpus.bytes)} MiB), variations of ${corpus.bases} bases: the public corpus, the rule fixtures, the generated compose of every mode`,
      '',
      `tool        files     wall   throughput (wall)      CPU   throughput (CPU)  findings  peak RSS  peak heap`,
      row(tb),
      row(dc),
      '',
      `tailbridge is ${(rate(tb) / rate(dc)).toFixed(1)}× dclint's throughput on the same files by wall time, ${(cpuRate(tb) / cpuRate(dc)).toFixed(1)}× by CPU time (each tool's whole lint path, in its own process, start-up excluded; tailbridge: median of ${tbRuns.map((r) => (r.wallMs / 1000).toFixed(2)).join(', ')} s wall)`,
      `findings digest: sha256 ${digest.slice(0, 16)}… ${same}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (flag('profile')) {
      const profDir = mkdtempSync(path.join(tmpdir(), 'tailbridge-prof-'));
      run('tailbridge', dir, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))!;
      process.stdout.write(
        `\nCPU profile: ${path.join(profDir, file)}\nself time, top functions:\n${hotSpots(path.join(profDir, file)).join('\n')}\n`,
      );
    }
    if (same.startsWith('DIFFERENT')) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
