import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { linkExists, probeTcp, showLink } from '../../src/adapters/host-network.js';
import { memoryIo } from '../../src/cli/io.js';
import { shim } from '../../src/commands/shim.js';
import { describeDocker } from '../lab/docker.js';
import { type MiniLan, quiet, startMiniLan, stopMiniLan } from '../lab/mini-lan.js';

// Own fixture (prefix tbdisc): bridge tbdisc1 = emulated LAN 198.19.1.0/24 (host .10, a LAN host .20
// in a netns for carrier), Docker macvlan network on it, a busybox "tailscale" container at .200.
const BR = 'tbdisc1';
const NS = 'tbdisc-lan1';
const NET = 'tbdisc-mv1';
const C1 = 'tbdisc-c1';
const SHIM = 'tbdisc-shim1';
const ADDRESS = '198.19.1.200';

const LAN: MiniLan = {
  bridge: BR,
  ns: NS,
  network: NET,
  container: C1,
  prefix: '198.19.1',
  ipRange: '198.19.1.200/30',
  address: ADDRESS,
};

const isRoot = process.getuid?.() === 0;

function cleanup() {
  quiet('ip', ['link', 'del', SHIM]);
  stopMiniLan(LAN);
}

let dir = '';

function config(
  name: string,
  macvlan: { address: string; ipRange: string; shimAddress: string },
  parent = BR,
): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    `version: 1
lan:
  subnet: 198.19.1.0/24
  gateway: 198.19.1.1
  parentInterface: ${parent}
  parentKind: bridge
  macvlan: { address: ${macvlan.address}, ipRange: ${macvlan.ipRange}, shimAddress: ${macvlan.shimAddress} }
host: { name: tbdisc, address: 198.19.1.10, platform: linux }
tailscale:
  hostname: tbdisc
  stateDir: ${dir}/state
  auth: { method: env_file, path: ${dir}/.env }
`,
  );
  return name;
}

const GOOD = { address: ADDRESS, ipRange: '198.19.1.200/30', shimAddress: '198.19.1.204' };

describeDocker.skipIf(!isRoot)('shim apply|remove|status on a real macvlan network', () => {
  beforeAll(() => {
    cleanup();
    dir = mkdtempSync(path.join(tmpdir(), 'tbdisc-shim-'));
    startMiniLan(LAN);
  });

  afterEach(() => quiet('ip', ['link', 'del', SHIM]));

  afterAll(() => {
    cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const opts = (file: string, more: Record<string, unknown> = {}) => ({
    config: file,
    interfaceName: SHIM,
    ...more,
  });

  it('before: host → container fails; apply --yes: passes and is kept; status healthy; remove: fails again', async () => {
    const file = config('good.yaml', GOOD);
    expect((await probeTcp(ADDRESS, 9, 1500)).reachable).toBe(false);
    const before = memoryIo({ cwd: dir });
    expect(await shim('status', opts(file), before)).toBe(1);
    expect(before.out.join('\n')).toMatch(/does not exist/);

    const io = memoryIo({ cwd: dir });
    expect(await shim('apply', opts(file, { yes: true }), io)).toBe(0);
    const out = io.out.join('\n');
    expect(out).toMatch(/pass .*answered \((refused|connected)/);
    expect(out).toMatch(/kept \(--yes and the probe passed\)/);
    expect(out).toContain("SHIM='tbdisc-shim1'");
    expect(out).toMatch(/systemctl daemon-reload/);
    expect(await showLink(SHIM)).toMatchObject({
      kind: 'macvlan',
      parent: BR,
      macvlanMode: 'bridge',
      up: true,
      ipv4: ['198.19.1.204/32'],
      routes: ['198.19.1.200/30'],
    });
    expect((await probeTcp(ADDRESS, 9, 1500)).reachable).toBe(true);

    const status = memoryIo({ cwd: dir });
    expect(await shim('status', opts(file, { json: true }), status)).toBe(0);
    expect(JSON.parse(status.out.join(''))).toMatchObject({ healthy: true, interface: SHIM });

    const again = memoryIo({ cwd: dir });
    expect(await shim('apply', opts(file, { yes: true }), again)).toBe(0);
    expect(again.out.join('\n')).toMatch(/already exists/);

    const rm = memoryIo({ cwd: dir });
    expect(await shim('remove', opts(file), rm)).toBe(0);
    expect(rm.out.join('')).toBe(`removed ${SHIM}`);
    expect(await linkExists(SHIM)).toBe(false);
    expect((await probeTcp(ADDRESS, 9, 1500)).reachable).toBe(false);
    const rm2 = memoryIo({ cwd: dir });
    expect(await shim('remove', opts(file), rm2)).toBe(0);
    expect(rm2.out.join('')).toMatch(/not present/);
  }, 60_000);

  it('a failing probe (nothing at the address) with --yes is reverted; --yes --force keeps it', async () => {
    const file = config('wrong.yaml', {
      address: '198.19.1.201',
      ipRange: '198.19.1.200/30',
      shimAddress: '198.19.1.204',
    });
    const io = memoryIo({ cwd: dir });
    expect(await shim('apply', opts(file, { yes: true, json: true }), io)).toBe(1);
    const r = JSON.parse(io.out.join(''));
    expect(r).toMatchObject({ created: true, kept: false, probe: { reachable: false } });
    expect(r.reason).toMatch(/reverted: the probe failed/);
    expect(await linkExists(SHIM)).toBe(false);

    const forced = memoryIo({ cwd: dir });
    expect(await shim('apply', opts(file, { yes: true, force: true }), forced)).toBe(1);
    expect(await linkExists(SHIM)).toBe(true);
    const status = memoryIo({ cwd: dir });
    expect(await shim('status', opts(file), status)).toBe(1);
    expect(status.out.join('\n')).toMatch(/fail {2}probe/);
  }, 60_000);

  it('no terminal and no --yes: reverted even when the probe passes; a TTY answer y keeps it, a timeout reverts', async () => {
    const file = config('good2.yaml', GOOD);
    const io = memoryIo({ cwd: dir });
    expect(await shim('apply', opts(file), io)).toBe(1);
    expect(io.out.join('\n')).toMatch(/reverted: no terminal/);
    expect(await linkExists(SHIM)).toBe(false);

    const questions: string[] = [];
    const yes = Object.assign(memoryIo({ cwd: dir, isTTY: true }), {
      confirm: async (q: string, ms: number) => {
        questions.push(`${q}|${ms}`);
        return true;
      },
    });
    expect(await shim('apply', opts(file, { timeoutSeconds: 5 }), yes)).toBe(0);
    expect(questions).toEqual([`keep the shim ${SHIM}? [y/N] (reverts in 5 s) |5000`]);
    expect(await linkExists(SHIM)).toBe(true);
    quiet('ip', ['link', 'del', SHIM]);

    const no = Object.assign(memoryIo({ cwd: dir, isTTY: true }), { confirm: async () => false });
    expect(await shim('apply', opts(file), no)).toBe(1);
    expect(await linkExists(SHIM)).toBe(false);
  }, 60_000);

  it('a missing parent or no lan.macvlan is a one-line error (exit 2)', async () => {
    const file = config('noparent.yaml', GOOD, 'tbdisc-nope');
    await expect(shim('apply', opts(file, { yes: true }), memoryIo({ cwd: dir }))).rejects.toThrow(
      /lan.parentInterface tbdisc-nope does not exist/,
    );
    writeFileSync(
      path.join(dir, 'nomac.yaml'),
      `version: 1
lan: { subnet: 198.19.1.0/24, gateway: 198.19.1.1, parentInterface: ${BR} }
host: { name: tbdisc, address: 198.19.1.10 }
tailscale: { hostname: tbdisc, stateDir: /tmp/x, auth: { method: env_file, path: /tmp/x/.env } }
`,
    );
    await expect(shim('status', { config: 'nomac.yaml' }, memoryIo({ cwd: dir }))).rejects.toThrow(
      /lan.macvlan is not set/,
    );
  });
});
