// One side of `npm run bench:lint`, in its own process so each tool's peak memory is its own.
//   node scripts/bench-lint-worker.mjs tailbridge|dclint <corpus dir>
// Prints one JSON line: { tool, files, findings, wallMs, cpuMs, maxRssMiB, heapPeakMiB, report }.
// tailbridge runs its whole `lint` command from dist/ (discovery, reading, env_files, lint, JSON
// output); dclint runs DCLinter.lintFiles + its JSON formatter — each tool's command path without
// process start-up, on the same files.
import { performance } from 'node:perf_hooks';

const [tool, dir] = process.argv.slice(2);
if (!tool || !dir) {
  process.stderr.write('usage: bench-lint-worker.mjs tailbridge|dclint <dir>\n');
  process.exit(2);
}

/** CPU time (user + system) since `start`, in ms: steadier than wall time on a shared machine. */
function cpuSince(start) {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

let heapPeak = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
}, 10);

async function runTailbridge() {
  const { lint } = await import('../dist/commands/lint.js');
  let out = '';
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await lint({ paths: [dir], recursive: true, format: 'json' }, { stdout: (s) => (out += s), cwd: dir });
  const wallMs = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  const report = JSON.parse(out);
  const findings = report.files.reduce((n, f) => n + f.findings.length, 0);
  return { files: report.files.length, findings, wallMs, cpuMs, report };
}

async function runDclint() {
  const { DCLinter } = await import('dclint');
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const linter = new DCLinter({ rules: {}, quiet: true, debug: false, exclude: [] });
  const results = linter.lintFiles([dir], true);
  const out = await linter.formatResults(results, 'json');
  const wallMs = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  const findings = results.reduce((n, r) => n + r.messages.length, 0);
  if (!out) throw new Error('dclint produced no output');
  return { files: results.length, findings, wallMs, cpuMs };
}

const result = tool === 'tailbridge' ? await runTailbridge() : await runDclint();
clearInterval(sampler);
heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
const mib = (n) => Math.round((n / 1024 / 1024) * 10) / 10;
process.stdout.write(
  `${JSON.stringify({
    tool,
    ...result,
    maxRssMiB: mib(process.resourceUsage().maxRSS * 1024),
    heapPeakMiB: mib(heapPeak),
  })}\n`,
);
