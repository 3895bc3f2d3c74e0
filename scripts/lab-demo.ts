/**
 * Runs tailbridge end to end on the REAL LAB (test/lab/real: real tailscale and Headscale, the NAS's
 * host-mode stack, busybox apps, a remote device) and prints what each command prints — the source of
 * the README's example output and docs/examples/. Needs root, Go (first build) and a running Docker
 * engine; holds the lab (run it under flock /tmp/tailbridge-reallab.lock).
 * Usage: npx tsx scripts/lab-demo.ts [outDir]
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { memoryIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { labDown, labUp } from '../test/lab/real/lab.js';
import { NAS_HOSTNAME, STACK_FILES, writeFastHealth } from '../test/lab/real/stack.js';

const out = path.resolve(process.argv[2] ?? 'lab-demo-output');
mkdirSync(out, { recursive: true });
try {
  const lab = await labUp({ routePolicy: 'auto', log: (l) => console.log(`lab: ${l}`) });
  const dir = lab.dir;
  const config = path.join(dir, STACK_FILES.config);
  writeFileSync(
    config,
    readFileSync(config, 'utf8').replace(
      'paths:\n  compose: compose.yaml\n',
      'paths:\n  compose: compose.yaml\n  notes: ai/SESSION_NOTES.md\n  decisions: docs/decisions\n',
    ),
  );
  // Demo speed only: the generated healthcheck polls every 30 s.
  writeFastHealth(dir);
  writeFileSync(
    path.join(dir, 'renamed.yaml'),
    readFileSync(config, 'utf8').replace(`  hostname: ${NAS_HOSTNAME}\n`, '  hostname: nas\n'),
  );
  const steps: [string, string[]][] = [
    ['plan', ['plan']],
    ['migrate-dry-run', ['migrate', '--dry-run']],
    ['migrate', ['migrate', '--yes', '--probe', '--timeout', '90']],
    ['verify', ['verify', '--probe']],
    ['history', ['history']],
    ['report', ['report']],
    // A config that would rename the node: refused before anything changes.
    ['apply-renamed', ['-c', 'renamed.yaml', 'apply', '--mode', 'userspace', '--yes']],
    // Undo the last change (migrate's userspace apply), then: nothing left to undo.
    ['rollback', ['rollback', '--yes']],
    ['rollback-again', ['rollback', '--yes']],
    ['history-after', ['history']],
    // A first run on this host: the draft keeps the running node.
    ['init-discover', ['-c', 'draft.yaml', 'init', '--discover']],
    ['plan-draft', ['-c', 'draft.yaml', 'plan']],
  ];
  const secrets = [
    lab.state.apiKey,
    readFileSync(path.join(dir, STACK_FILES.env), 'utf8').split('=')[1]!.trim(),
  ];
  for (const [name, args] of steps) {
    const io = memoryIo({ cwd: dir });
    const code = await main(args, io);
    const text = `$ tailbridge ${args.filter((a) => !a.startsWith('/')).join(' ')}\n${[...io.out, ...io.err].join('\n')}\n(exit ${code})\n`;
    if (secrets.some((s) => text.includes(s))) throw new Error(`${name}: the output holds a key`);
    writeFileSync(path.join(out, `${name}.txt`), text.split(dir).join('.'));
    console.log(`${name}: exit ${code}`);
  }
  cpSync(path.join(dir, 'docs'), path.join(out, 'docs'), { recursive: true });
  writeFileSync(
    path.join(out, 'draft.yaml'),
    readFileSync(path.join(dir, 'draft.yaml'), 'utf8').split(dir).join('.'),
  );
} finally {
  await labDown();
}
