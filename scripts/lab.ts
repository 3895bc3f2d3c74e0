/**
 * The real Tailscale + Headscale lab for people and CI (see README, Development):
 *   npm run lab -- build [--compose-v2]  binaries, CA and image (reused when unchanged); optionally
 *                                        docker compose v2 as a plugin in its own DOCKER_CONFIG dir
 *   npm run lab -- up [--manual-routes] [--userspace] [--target truenas]
 *                                        start it; prints LAB_DIR=<dir> (tailbridge.yaml, compose.yaml);
 *                                        --target truenas: the TrueNAS middleware TEST DOUBLE beside it, the
 *                                        stack installed as custom app `tailscale` (needs build --compose-v2)
 *   npm run lab -- status [--json]       what runs
 *   npm run lab -- down                  remove everything it created
 * Needs root, Docker, Go, openssl, busybox-static and iptables.
 */
import { buildLab, ensureComposeV2, existingBuild } from '../test/lab/real/build.js';
import { labDown, labStatus, labUp } from '../test/lab/real/lab.js';
import { readDoubleState, truenasLabDown, truenasLabUp } from '../test/lab/truenas/lab.js';

const [command = 'status', ...flags] = process.argv.slice(2);
const json = flags.includes('--json');
const log = (line: string) => console.error(`lab: ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  switch (command) {
    case 'build': {
      const t = Date.now();
      const b = buildLab(log);
      for (const [step, ms] of Object.entries(b.durations)) log(`${step}: ${seconds(ms)}`);
      console.log(`image ${b.image.ref} (${b.image.built ? 'built' : 'unchanged'}, inputs ${b.image.hash})`);
      if (flags.includes('--compose-v2')) console.log(`DOCKER_CONFIG=${ensureComposeV2(log)}`);
      console.log(`build took ${seconds(Date.now() - t)}`);
      return 0;
    }
    case 'up': {
      const t = Date.now();
      const options = {
        routePolicy: flags.includes('--manual-routes') ? ('manual' as const) : ('auto' as const),
        userspace: flags.includes('--userspace'),
        log,
      };
      const targetAt = flags.indexOf('--target');
      const kind = targetAt >= 0 ? flags[targetAt + 1] : 'compose';
      if (kind !== 'compose' && kind !== 'truenas')
        throw new Error(`--target compose | truenas, not ${kind}`);
      const lab = kind === 'truenas' ? await truenasLabUp(options) : await labUp(options);
      for (const [step, ms] of Object.entries(lab.durations)) log(`${step}: ${seconds(ms)}`);
      log(`up took ${seconds(Date.now() - t)}`);
      console.log(`LAB_DIR=${lab.dir}`);
      return 0;
    }
    case 'down': {
      await truenasLabDown();
      const r = await labDown();
      if (json) console.log(JSON.stringify(r, null, 2));
      else
        console.log(
          `removed ${r.containers} containers, ${r.networks} networks, ${r.namespaces.length} namespaces, ${r.links.length} links${r.hostTailscale.length ? `, ${r.hostTailscale.length} tailscaled leftovers` : ''}`,
        );
      return 0;
    }
    case 'status': {
      const s = labStatus(existingBuild());
      if (json) console.log(JSON.stringify(s, null, 2));
      else {
        console.log(`lab dir     ${s.labDir} (${s.up ? 'up' : 'down'})`);
        console.log(
          `headscale   ${s.headscale.pid ? `pid ${s.headscale.pid}` : 'not running'} ${s.headscale.url}`,
        );
        console.log(
          `remote      ${s.remote.pid ? `pid ${s.remote.pid} ${s.remote.backendState ?? ''} ${(s.remote.tailscaleIPs ?? []).join(' ')}` : 'not running'}`,
        );
        console.log(
          `nas         ${s.nas.container} ${s.nas.backendState ?? 'not running'} ${(s.nas.tailscaleIPs ?? []).join(' ')}`,
        );
        console.log(`routes      ${s.routePolicy ?? '-'} approval`);
        const double = readDoubleState();
        if (double) console.log(`truenas     ${double.url} (middleware TEST DOUBLE, pid ${double.pid})`);
        console.log(
          `objects     ${s.containers} containers, ${s.networks} networks, namespaces: ${s.namespaces.join(' ') || '-'}, links: ${s.links.join(' ') || '-'}`,
        );
      }
      return 0;
    }
    default:
      console.error(
        `usage: npm run lab -- build [--compose-v2] | up [--manual-routes] [--userspace] [--target compose|truenas] | down | status [--json]`,
      );
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`lab: ${(e as Error).message}`);
    process.exit(1);
  },
);
