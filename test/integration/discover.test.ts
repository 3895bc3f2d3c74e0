import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DockerodeEngine } from '../../src/adapters/docker/engine.js';
import { memoryIo } from '../../src/cli/io.js';
import { discover } from '../../src/commands/discover.js';
import { init } from '../../src/commands/init.js';
import type { Discovery } from '../../src/core/discover/index.js';
import { parseConfig } from '../../src/core/model/load.js';
import { describeDocker } from '../lab/docker.js';
import { ensureBusyboxImage } from '../lab/images.js';
import { type MiniLan, quiet, sh, startMiniLan, stopMiniLan } from '../lab/mini-lan.js';

// Own fixture (prefix tbdisc): bridge tbdisc0 = an emulated LAN 198.18.30.0/24 (not 198.19.0.0/24: that is the
// real lab's internet segment, routed from this host while the lab runs) with one LAN host in a
// netns, a Docker macvlan network on it, a plain busybox container on it and a docker-compose (v1)
// project with a "tailscale" stand-in (busybox + TS_* env) on the macvlan network.
const BR = 'tbdisc0';
const NS = 'tbdisc-lan0';
const NET = 'tbdisc-mv0';
const C0 = 'tbdisc-c0';
const PROJECT = 'tbdisc';

const LAN: MiniLan = {
  bridge: BR,
  ns: NS,
  network: NET,
  container: C0,
  prefix: '198.18.30',
  ipRange: '198.18.30.192/27',
  address: '198.18.30.200',
};

const isRoot = process.getuid?.() === 0;

let dir = '';
let composeFile = '';

function composeDown() {
  if (composeFile) quiet('docker-compose', ['-p', PROJECT, '-f', composeFile, 'down', '-t', '1']);
}

function cleanup() {
  composeDown();
  quiet('docker', ['rm', '-f', `${PROJECT}_ts_1`, `${PROJECT}_web_1`]);
  quiet('docker', ['network', 'rm', `${PROJECT}_default`]);
  stopMiniLan(LAN);
}

describeDocker.skipIf(!isRoot)('discover on this machine (real engine, own fixture)', () => {
  beforeAll(() => {
    const image = ensureBusyboxImage();
    cleanup();
    startMiniLan(LAN);

    dir = mkdtempSync(path.join(tmpdir(), 'tbdisc-'));
    mkdirSync(path.join(dir, 'state'));
    composeFile = path.join(dir, 'docker-compose.yml');
    writeFileSync(
      composeFile,
      `version: "2.4"
services:
  web:
    image: ${image}
    command: ["httpd", "-f", "-p", "8080"]
    ports: ["127.0.0.1:18931:8080"]
  ts:
    image: ${image}
    command: ["sleep", "3600"]
    environment:
      TS_USERSPACE: "false"
      TS_STATE_DIR: /var/lib/tailscale
      TS_HOSTNAME: tbdisc-ts
      TS_AUTHKEY: tskey-not-a-real-key
    volumes: ["./state:/var/lib/tailscale"]
    networks:
      lan: { ipv4_address: 198.18.30.201 }
networks:
  lan:
    external: true
    name: ${NET}
`,
    );
    sh('docker-compose', ['-p', PROJECT, '-f', composeFile, 'up', '-d']);
  });

  afterAll(() => {
    cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the fixture bridge, the macvlan network, used addresses, compose labels and the tailscale stand-in', async () => {
    const io = memoryIo();
    expect(await discover({ json: true }, io)).toBe(0);
    const d = JSON.parse(io.out.join('')) as Discovery & { environment: Record<string, unknown> };

    expect(d.interfaces.find((i) => i.name === BR)).toMatchObject({
      kind: 'bridge',
      ipv4: ['198.18.30.10/24'],
    });
    expect(d.interfaces.find((i) => i.name === `${BR}p`)).toMatchObject({ kind: 'veth', master: BR });
    expect(d.parents.find((p) => p.name === BR)).toMatchObject({ kind: 'bridge', usable: true });

    expect(d.docker.reachable).toBe(true);
    expect(d.docker.networks.find((n) => n.name === NET)).toMatchObject({
      driver: 'macvlan',
      parent: BR,
      parentExists: true,
      subnets: ['198.18.30.0/24'],
      ipRanges: ['198.18.30.192/27'],
    });

    const used = d.usedAddresses.filter((u) => u.subnet === '198.18.30.0/24');
    expect(used.find((u) => u.address === '198.18.30.200')?.by).toMatch(new RegExp(`container ${C0}`));
    expect(used.find((u) => u.address === '198.18.30.201')?.by).toMatch(/container tbdisc_ts_1/);
    expect(used.some((u) => u.address === '198.18.30.10')).toBe(true);

    const web = d.docker.containers.find((c) => c.name === `${PROJECT}_web_1`)!;
    expect(web.compose).toMatchObject({
      project: PROJECT,
      service: 'web',
      workingDir: dir,
      configFiles: [composeFile],
    });
    expect(web.publishedPorts).toContainEqual({
      container: '8080/tcp',
      hostIp: '127.0.0.1',
      hostPort: '18931',
    });

    const ts = d.tailscale.find((t) => t.name === `${PROJECT}_ts_1`)!;
    expect(ts).toMatchObject({
      mode: 'macvlan',
      userspace: false,
      macvlanAddress: '198.18.30.201',
      macvlanNetwork: NET,
      composeFile,
      hostname: 'tbdisc-ts',
      stateDir: { source: path.join(dir, 'state'), destination: '/var/lib/tailscale' },
    });
    // env values other than the readable TS_* switches never reach tailbridge
    expect(io.out.join('')).not.toContain('tskey-not-a-real-key');
    expect(d.environment).toMatchObject({ tunDevice: expect.any(Boolean) });
    // Bridge networks only: the macvlan network's subnet is the LAN itself, not a Docker bridge.
    const bridge = d.docker.networks.find((n) => n.name === `${PROJECT}_default`)!;
    expect(d.environment.dockerNetworkSubnets).toEqual(expect.arrayContaining(bridge.subnets));
    expect(d.environment.dockerNetworkSubnets).not.toContain('198.18.30.0/24');
  });

  it('prints the readable report with every section', async () => {
    const io = memoryIo();
    expect(await discover({}, io)).toBe(0);
    const text = io.out.join('\n');
    for (const section of [
      'Host & LAN',
      'Macvlan parents',
      'Docker networks',
      'Containers',
      'Tailscale container',
      'Used addresses',
      'Planner environment',
    ])
      expect(text).toContain(section);
    expect(text).toMatch(
      new RegExp(`${NET} +macvlan +198\\.18\\.30\\.0/24 range 198\\.18\\.30\\.192/27 parent ${BR}`),
    );
    expect(text).toMatch(/198\.18\.30\.200 +198\.18\.30\.0\/24 +container tbdisc-c0/);
    expect(text).toMatch(/tbdisc_ts_1 .* mode macvlan/);
  });

  it('engine unreachable: host facts still printed, one line about Docker, exit 2', async () => {
    const engine = new DockerodeEngine(
      new Docker({ socketPath: path.join(tmpdir(), 'tbdisc-no-such.sock') }),
    );
    const io = memoryIo();
    expect(await discover({}, io, { engine })).toBe(2);
    const text = io.out.join('\n');
    expect(text).toContain(BR);
    expect(text).toMatch(/Docker engine not reachable at/);
    const jio = memoryIo();
    expect(await discover({ json: true }, jio, { engine })).toBe(2);
    const d = JSON.parse(jio.out.join('')) as Discovery;
    expect(d.docker.reachable).toBe(false);
    expect(d.interfaces.some((i) => i.name === BR)).toBe(true);
    expect(jio.err.join('')).toMatch(/not reachable/);
  });

  it('init --discover writes a valid draft, refuses to overwrite, and keeps a backup with --force', async () => {
    const io = memoryIo({ cwd: dir });
    expect(await init({ discover: true }, io)).toBe(0);
    const file = path.join(dir, 'tailbridge.yaml');
    const text = readFileSync(file, 'utf8');
    const config = parseConfig(file, text);
    expect(config.host.name.length).toBeGreaterThan(0);
    expect(text).toContain('TODO');
    expect(io.out.join('')).toMatch(/drafted from this host/);
    await expect(init({ discover: true }, memoryIo({ cwd: dir }))).rejects.toThrow(/already exists/);
    expect(await init({ discover: true, force: true }, memoryIo({ cwd: dir }))).toBe(0);
    expect(readdirSync(path.join(dir, '.tailbridge', 'backups')).length).toBe(1);
  });
});
