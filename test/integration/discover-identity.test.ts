/**
 * First run must not harm (issue 8), on the REAL lab (real tailscale v1.102.3 + Headscale v0.29.2,
 * test/lab/real): the NAS has TWO interfaces and its default route is on another one than the LAN
 * (this machine's uplink; the LAN is tbr-lan0). The NAS's real tailscale runs the way the NAS
 * did: host networking, TS_HOSTNAME, TS_ROUTES=<the LAN>, --accept-routes in TS_EXTRA_ARGS, the auth
 * key in an env file named in compose. `init --discover` must draft a config that keeps the node's
 * name, routes and env file; an apply of a draft that renames the node or drops its route is refused
 * without the flag; the draft as drafted moves the node off host networking as the same node.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { Discovery } from '../../src/core/discover/index.js';
import { parseConfig } from '../../src/core/model/load.js';
import { describeDocker } from '../lab/docker.js';
import { HEADSCALE_URL } from '../lab/real/headscale.js';
import { LAB_UP_TIMEOUT, labDown, labUp, type RealLab } from '../lab/real/lab.js';
import { tryRun } from '../lab/real/sh.js';
import {
  composeDown,
  composeUp,
  containerStatus,
  hostModeCompose,
  NAS_CONTAINER,
  NAS_HOSTNAME,
  STACK_FILES,
  waitRunning,
} from '../lab/real/stack.js';
import { NET } from '../lab/real/topology.js';

const SUBNET = NET.lanSubnet;
const COMPOSE = hostModeCompose().replace(
  `TS_EXTRA_ARGS=--login-server=${HEADSCALE_URL}`,
  `TS_EXTRA_ARGS=--login-server=${HEADSCALE_URL} --accept-routes`,
);

const containerId = () => tryRun('docker', ['inspect', '-f', '{{.Id}}', NAS_CONTAINER]).stdout.trim();

/** The draft with one value replaced (the line that holds `key:`). */
const withValue = (text: string, key: string, value: string) =>
  text.replace(new RegExp(`^(\\s*${key}: ).*$`, 'm'), `$1${value}`);

describeDocker('first run on a two-interface host keeps the running node (real lab)', () => {
  let lab: RealLab;
  let work = '';
  let key = '';
  const stackFile = (f: string) => path.join(lab.dir, f);

  async function tailbridge(...args: string[]) {
    const io = memoryIo({ cwd: work });
    const code = await main(args, io);
    const out = io.out.join('\n');
    const err = io.err.join('\n');
    for (const s of [key, lab.state.apiKey]) expect(`${out}${err}`.includes(s)).toBe(false);
    return { code, out, err };
  }

  beforeAll(async () => {
    lab = await labUp({ routePolicy: 'auto' });
    key = readFileSync(stackFile(STACK_FILES.env), 'utf8').split('=')[1]!.trim();
    await composeDown(lab.dir);
    writeFileSync(stackFile(STACK_FILES.compose), COMPOSE);
    await composeUp(lab.dir);
    await waitRunning(NAS_CONTAINER);
    // tailbridge.yaml of the lab is not the user's: the draft is written in an empty directory.
    work = mkdtempSync(path.join(tmpdir(), 'tbr-identity-work-'));
  }, LAB_UP_TIMEOUT);

  afterAll(async () => {
    if (work) rmSync(work, { recursive: true, force: true });
    await labDown();
  }, 300_000);

  it('discover reads the node from what runs: LAN from the route’s interface, identity, env file; the key never', async () => {
    const r = await tailbridge('discover', '--json');
    expect(r.code, r.err).toBe(0);
    const d = JSON.parse(r.out) as Discovery;
    expect(d.defaultInterface).not.toBe(NET.lanBridge);
    expect(d.lan).toMatchObject({ interface: NET.lanBridge, subnet: SUBNET, source: 'advertised-route' });
    const ts = d.tailscale.find((t) => t.name === NAS_CONTAINER)!;
    expect(ts.identity).toMatchObject({
      hostname: NAS_HOSTNAME,
      machineName: NAS_HOSTNAME,
      routes: [SUBNET],
      acceptRoutes: true,
      stateDir: stackFile(STACK_FILES.state),
    });
    expect(ts.envFiles).toEqual([
      { path: stackFile(STACK_FILES.env), names: ['TS_AUTHKEY'], holdsAuth: true },
    ]);
    expect(d.parents.find((p) => p.name === NET.lanBridge)).toMatchObject({
      usable: true,
      recommended: true,
    });
    expect(d.parents.find((p) => p.name === 'tbr-lc-lan')).toMatchObject({
      kind: 'veth',
      usable: false,
      useInstead: NET.lanBridge,
    });
  });

  it('init --discover drafts a config that keeps name, routes, flags, state and env file, with the LAN router from the route via it', async () => {
    expect((await tailbridge('init', '--discover')).code).toBe(0);
    const file = path.join(work, 'tailbridge.yaml');
    const text = readFileSync(file, 'utf8');
    const c = parseConfig(file, text);
    expect(c.lan.subnet).toBe(SUBNET);
    expect(c.lan.parentInterface).toBe(NET.lanBridge);
    expect(c.host.address).toBe(NET.nas);
    // The NAS reaches the internet segment through the router: a route via it on the LAN interface.
    expect(c.lan.gateway).toBe(NET.gateway);
    expect(text).toContain(`gateway: ${NET.gateway}   # a route via it on ${NET.lanBridge}`);
    expect(c.tailscale).toMatchObject({
      containerName: NAS_CONTAINER,
      hostname: NAS_HOSTNAME,
      advertiseRoutes: [SUBNET],
      acceptRoutes: true,
      stateDir: stackFile(STACK_FILES.state),
      auth: { method: 'env_file', path: stackFile(STACK_FILES.env) },
    });
    // The node logged in to Headscale: the draft keeps its control server (prefs ControlURL).
    expect(c.tailscale.controlServer).toBe(HEADSCALE_URL);
    expect(text).toContain(`controlServer: ${HEADSCALE_URL}   # tailscale debug prefs (ControlURL)`);
    expect(c.paths.compose).toBe(stackFile(STACK_FILES.compose));
    expect((await tailbridge('plan')).code).toBe(0);
  });

  it('apply refuses a draft that renames the node or swaps its route, each change on its own line; nothing changes', async () => {
    const file = path.join(work, 'tailbridge.yaml');
    const good = readFileSync(file, 'utf8');
    const before = { id: containerId(), compose: readFileSync(stackFile(STACK_FILES.compose), 'utf8') };
    writeFileSync(file, withValue(withValue(good, 'hostname', 'vm'), 'advertiseRoutes', '[192.0.2.0/24]'));
    const both = await tailbridge('apply', '--mode', 'userspace', '--yes');
    expect(both.code).toBe(2);
    expect(both.err.split('\n')).toEqual([
      'not applied: the new configuration would alter the running tailscale node (nothing was changed):',
      expect.stringMatching(
        new RegExp(`^ {2}renames the node ${NAS_HOSTNAME} → vm .* — pass --allow-rename to allow it$`),
      ),
      expect.stringMatching(
        /^ {2}changes the advertised route 198\.18\.20\.0\/24 → 192\.0\.2\.0\/24: .* — pass --allow-route-change to allow it$/,
      ),
    ]);
    writeFileSync(file, withValue(good, 'advertiseRoutes', '[]'));
    const dropped = await tailbridge('apply', '--mode', 'userspace', '--yes');
    expect(dropped.code).toBe(2);
    expect(dropped.err).toMatch(
      /drops the advertised route 198\.18\.20\.0\/24: .* — pass --allow-route-change to allow it/,
    );
    writeFileSync(file, withValue(good, 'hostname', 'vm'));
    const renamed = await tailbridge('apply', '--mode', 'userspace', '--yes', '--allow-route-change');
    expect(renamed.code).toBe(2);
    expect(renamed.err).toMatch(new RegExp(`renames the node ${NAS_HOSTNAME} → vm`));
    expect(containerId()).toBe(before.id);
    expect(readFileSync(stackFile(STACK_FILES.compose), 'utf8')).toBe(before.compose);
    expect(existsSync(stackFile('.tailbridge/history'))).toBe(false);
    writeFileSync(file, good);
  });

  it('apply of the draft as drafted moves the node off host networking and keeps its name, routes and state', async () => {
    const r = await tailbridge('apply', '--mode', 'userspace', '--yes', '--timeout', '90');
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain(
      `identity: ${NAS_CONTAINER} keeps its name, routes, exit node, tags, accept-routes and state directory`,
    );
    await waitRunning(NAS_CONTAINER);
    const st = containerStatus(NAS_CONTAINER) as { Self?: { HostName?: string; DNSName?: string } };
    expect(st.Self?.HostName).toBe(NAS_HOSTNAME);
    expect(st.Self?.DNSName?.split('.')[0]).toBe(NAS_HOSTNAME); // the same node: not tbr-nas-1
    const env = JSON.parse(tryRun('docker', ['inspect', NAS_CONTAINER]).stdout)[0].Config.Env as string[];
    expect(env).toContain(`TS_ROUTES=${SUBNET}`);
    expect(env).toContain(`TS_HOSTNAME=${NAS_HOSTNAME}`);
    const nodes = await lab.headscale.nodes(lab.state.apiKey);
    expect(nodes.filter((n) => n.name.startsWith(NAS_HOSTNAME))).toHaveLength(1);
    const written = readFileSync(stackFile(STACK_FILES.compose), 'utf8');
    expect(written).toContain('# The tailscale stack as it runs today on the NAS (host networking).');
    expect(written).not.toContain('network_mode: host');
  }, 300_000);
});
