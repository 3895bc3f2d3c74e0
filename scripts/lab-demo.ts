/**
 * Runs tailbridge end to end on the TEST LAB (emulated LAN 198.18.0.0/24, the tailscale TEST DOUBLE,
 * busybox apps) and prints what each command prints — the source of the README's example output.
 * Needs root and a running Docker engine. Usage: npx tsx scripts/lab-demo.ts [outDir]
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { memoryIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { createControlPlane, LAB_AUTH_KEY } from '../test/lab/control.js';
import { hostModeCompose, labConfigYaml, labOverride } from '../test/lab/homelab.js';
import { ensureBusyboxImage, ensureTailscaleDoubleImage } from '../test/lab/images.js';
import {
  acquireLabLock,
  addShim,
  cleanupLab,
  LAN,
  removeShim,
  startApps,
  startLan,
} from '../test/lab/lan.js';

const out = path.resolve(process.argv[2] ?? 'lab-demo-output');
mkdirSync(out, { recursive: true });
const release = await acquireLabLock();
let dir = '';
const DROP = ['DOCKER-USER', '-o', LAN.bridge, '-m', 'comment', '--comment', 'tblab-demo', '-j', 'DROP'];
try {
  cleanupLab(); // also removes earlier tblab-project-* dirs, so make ours after it
  dir = mkdtempSync(path.join(tmpdir(), 'tblab-project-demo-'));
  ensureBusyboxImage();
  ensureTailscaleDoubleImage();
  startLan();
  startApps();
  const control = createControlPlane({ approvals: { routes: { truenas: [LAN.subnet] } } });
  mkdirSync(path.join(dir, 'state'));
  writeFileSync(path.join(dir, 'tailscale.env'), `TS_AUTHKEY=${LAB_AUTH_KEY}\n`, { mode: 0o600 });
  const config = labConfigYaml({
    stateDir: path.join(dir, 'state'),
    envFile: path.join(dir, 'tailscale.env'),
    hostname: 'truenas',
    containerName: 'tailscale',
  }).replace(
    'paths:\n  compose: compose.yaml\n',
    'paths:\n  compose: compose.yaml\n  notes: ai/SESSION_NOTES.md\n  decisions: docs/decisions\n',
  );
  writeFileSync(
    path.join(dir, 'tailbridge.yaml'),
    `${config}verify:\n  lanTargets:\n    - { name: lanhost, address: ${LAN.lanHost}, port: ${LAN.lanHostPort} }\n  probe:\n    volumes: ["${control.dir}:/tailnet"]\n    environment: { TAILNET_CONTROL_DIR: /tailnet }\n    timeoutSeconds: 30\n`,
  );
  writeFileSync(
    path.join(dir, 'compose.yaml'),
    hostModeCompose({ container: 'tailscale', hostname: 'truenas', tun: true }),
  );
  writeFileSync(path.join(dir, 'compose.override.yaml'), labOverride(control.dir));
  writeFileSync(
    path.join(dir, 'fast-health.yaml'),
    stringify({
      services: { tailscale: { healthcheck: { interval: '1s', start_period: '1s', retries: 3 } } },
    }),
  );
  const files = ['-f', 'compose.yaml', '-f', 'compose.override.yaml', '-f', 'fast-health.yaml'];
  execFileSync('docker-compose', ['-p', 'tblab-demo', ...files, 'up', '-d'], { cwd: dir, stdio: 'ignore' });
  addShim();
  execFileSync('iptables', ['-I', ...DROP]);

  const target = [
    '-p',
    'tblab-demo',
    '--override',
    path.join(dir, 'compose.override.yaml'),
    path.join(dir, 'fast-health.yaml'),
  ];
  const steps: [string, string[]][] = [
    ['plan', ['plan']],
    ['migrate-dry-run', ['migrate', '--dry-run', ...target]],
    ['migrate', ['migrate', '--yes', '--probe', '--timeout', '60', ...target]],
    ['verify', ['verify', '--probe']],
    ['history', ['history', ...target]],
    ['report', ['report', ...target]],
    // A config that would rename the node: refused before anything changes.
    ['apply-renamed', ['-c', 'renamed.yaml', 'apply', '--mode', 'userspace', '--yes', ...target]],
    // Undo the last change (migrate's macvlan apply), then: nothing left to undo.
    ['rollback', ['rollback', '--yes', ...target]],
    ['rollback-again', ['rollback', '--yes', ...target]],
    ['history-after', ['history', ...target]],
    // A first run on this host: the draft keeps the running node; plan refuses its TODO.
    ['init-discover', ['-c', 'draft.yaml', 'init', '--discover']],
    ['plan-draft', ['-c', 'draft.yaml', 'plan']],
  ];
  writeFileSync(
    path.join(dir, 'renamed.yaml'),
    readFileSync(path.join(dir, 'tailbridge.yaml'), 'utf8').replace('hostname: truenas', 'hostname: nas'),
  );
  for (const [name, args] of steps) {
    const io = memoryIo({ cwd: dir });
    const code = await main(args, io);
    const text = `$ tailbridge ${args.filter((a) => !a.startsWith('/')).join(' ')}\n${[...io.out, ...io.err].join('\n')}\n(exit ${code})\n`;
    writeFileSync(path.join(out, `${name}.txt`), text.split(dir).join('.'));
    console.log(`${name}: exit ${code}`);
  }
  cpSync(path.join(dir, 'docs'), path.join(out, 'docs'), { recursive: true });
  writeFileSync(
    path.join(out, 'draft.yaml'),
    readFileSync(path.join(dir, 'draft.yaml'), 'utf8').split(dir).join('.'),
  );
} finally {
  try {
    execFileSync('iptables', ['-D', ...DROP], { stdio: 'ignore' });
  } catch {}
  try {
    execFileSync('docker-compose', ['-p', 'tblab-demo', '-f', 'compose.yaml', 'down', '--remove-orphans'], {
      cwd: dir,
      stdio: 'ignore',
    });
  } catch {}
  removeShim();
  cleanupLab();
  if (dir) rmSync(dir, { recursive: true, force: true });
  release();
}
