import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { formatNote } from '../../../src/core/compose/managed.js';
import { mergeEdits } from '../../../src/core/compose/merge.js';
import { generate } from '../../../src/core/generate/index.js';
import type { Mode } from '../../../src/core/model/modes.js';
import { InputError } from '../../../src/errors.js';
import { variant } from '../generate/helpers.js';

/** What merging a mode into a user's file keeps, converts, removes (saying why) and refuses. */

const STRESS = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/merge-stress');
const stress = (name: string) => readFileSync(path.join(STRESS, name, 'compose.yaml'), 'utf8');
const toJS = (text: string) => parseDocument(text, { merge: true }).toJS({ maxAliasCount: -1 });

/** The example homelab with one app on `media` and the auth key in an env file. */
const config = (
  change: (raw: Record<string, never>) => void = () => {},
  stateDir = '/mnt/Fast/docker/tailscale',
) =>
  variant((raw) => {
    const r = raw as unknown as Record<string, Record<string, unknown>>;
    r['tailscale']!['auth'] = { method: 'env_file', path: './tailscale.env' };
    r['tailscale']!['stateDir'] = stateDir;
    r['tailscale']!['tags'] = [];
    (r as Record<string, unknown>)['services'] = [{ name: 'jellyfin', port: 8096, network: 'media' }];
    change(raw as never);
  });

const merge = (text: string, mode: Mode, cfg = config()) =>
  mergeEdits('compose.yaml', text, generate(cfg, mode).edits);
const lines = (r: ReturnType<typeof merge>) => r.notes.map(formatNote);

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('the example of issue 13 (a merge key with restart and logging)', () => {
  const text = stress('issue-example');

  it.each(['userspace', 'serve', 'macvlan', 'host'] as const)(
    '%s keeps <<: *common, the logging settings and the # state comment',
    (mode) => {
      const r = merge(text, mode);
      expect(r.text).toContain(
        'x-common: &common\n  restart: unless-stopped\n  logging: { driver: json-file, options: { max-size: "10m" } }\n',
      );
      expect(r.text).toContain('  tailscale:\n    <<: *common\n');
      expect(r.text).toContain('      - /mnt/Fast/docker/tailscale:/var/lib/tailscale # state\n');
      const ts = toJS(r.text).services.tailscale;
      expect(ts.logging).toEqual({ driver: 'json-file', options: { 'max-size': '10m' } });
      expect(ts.restart).toBe('unless-stopped');
      // restart comes from the merge key; no explicit copy is added next to it.
      expect(r.text.match(/restart:/g)).toHaveLength(1);
    },
  );

  it('says why for each removed setting, one line each', () => {
    expect(lines(merge(text, 'userspace'))).toEqual([
      expect.stringMatching(
        /^services\.tailscale\.environment\.TS_EXTRA_ARGS: --advertise-routes removed: .*\[containerboot-up-args\]$/,
      ),
      expect.stringMatching(
        /^services\.tailscale\.volumes: \/dev\/net\/tun removed: userspace networking .*\[containerboot-env\]$/,
      ),
      expect.stringMatching(/^services\.tailscale\.network_mode: removed: .*\[docker-host-network\]$/),
      expect.stringMatching(
        /^services\.tailscale\.cap_add: NET_ADMIN removed: userspace networking .*\[containerboot-env\]$/,
      ),
    ]);
  });
});

describe('keys the mode does not own keep their effective value', () => {
  it('labels, logging, deploy, dns, extra_hosts, ulimits, a user healthcheck, restart and hostname stay', () => {
    const text = stress('user-settings');
    for (const mode of ['userspace', 'macvlan', 'host'] as const) {
      const before = toJS(text).services.tailscale;
      const after = toJS(merge(text, mode).text).services.tailscale;
      for (const key of [
        'labels',
        'logging',
        'deploy',
        'dns',
        'dns_search',
        'extra_hosts',
        'ulimits',
        'healthcheck',
        'restart',
        'hostname',
        'security_opt',
        'tmpfs',
        'user',
        'init',
      ])
        expect(after[key], `${mode} ${key}`).toEqual(before[key]);
      expect(after.environment.TS_ACCEPT_DNS).toBe('false');
      expect(after.volumes).toContain('/lib/modules:/lib/modules:ro');
    }
  });

  it('keeps the user’s own TS_EXTRA_ARGS flags and replaces only the ones tailbridge.yaml sets', () => {
    const text = stress('comments-everywhere');
    const r = merge(text, 'host');
    expect(r.text).toContain('      TS_EXTRA_ARGS: --ssh # flags\n');
    expect(lines(r)).toContainEqual(expect.stringMatching(/TS_EXTRA_ARGS: --advertise-routes removed/));
  });

  it('writes an aliased environment out in full and leaves the anchor and its other user alone', () => {
    const text = stress('anchors-everywhere');
    const r = merge(text, 'userspace', config(undefined, '/srv/tailscale'));
    expect(r.text).toContain('x-env: &tsenv\n  TS_STATE_DIR: /var/lib/tailscale\n  TS_USERSPACE: "false"\n');
    expect(toJS(r.text).services.backup).toEqual(toJS(text).services.backup);
    expect(lines(r)).toContainEqual(
      'services.tailscale.environment: written out in full (it was the alias *tsenv, whose anchor is left as it is)',
    );
  });

  it('overrides a capability inherited through a merge key with the service’s own key', () => {
    const r = merge(stress('anchors-everywhere'), 'userspace', config(undefined, '/srv/tailscale'));
    expect(r.text).toContain('    cap_add: []\n');
    expect(r.text).toContain('  cap_add: [NET_ADMIN]   # inherited, not in the service itself\n');
    expect(lines(r)).toContainEqual(
      expect.stringMatching(
        /^services\.tailscale\.cap_add: written in the service, overriding the one from <<: \*restart/,
      ),
    );
  });

  it('recognises the auth env file written relative to the compose file', () => {
    const text =
      'services:\n  tailscale:\n    image: tailscale/tailscale:v1.80.0\n    env_file: [./ts.env]   # the key\n';
    const cfg = config((raw) => {
      (raw as unknown as { tailscale: Record<string, unknown> }).tailscale['auth'] = {
        method: 'env_file',
        path: '/srv/stack/ts.env',
      };
    });
    const r = mergeEdits('compose.yaml', text, generate(cfg, 'host').edits, { baseDir: '/srv/stack' });
    expect(r.text).toContain('    env_file: [./ts.env]   # the key\n');
    expect(toJS(r.text).services.tailscale.env_file).toEqual(['./ts.env']);
  });

  it('keeps a network the file defines instead of declaring it external', () => {
    const text =
      'services:\n  tailscale:\n    image: tailscale/tailscale:v1.80.0\n    network_mode: host\n  jellyfin:\n    image: jellyfin/jellyfin:10.9.11\n    networks: [media]\nnetworks:\n  media:\n    driver: bridge\n';
    const r = merge(text, 'userspace');
    expect(toJS(r.text).networks.media).toEqual({ driver: 'bridge' });
    expect(toJS(r.text).services.tailscale.networks).toEqual(['default', 'media']);
  });
});

describe('forms are converted only when needed, and then said', () => {
  it('a list of networks becomes a mapping when macvlan needs a fixed address', () => {
    const text =
      'services:\n  tailscale:\n    image: tailscale/tailscale:v1.80.0\n    networks:\n      - media   # the apps\n';
    const r = merge(text, 'macvlan');
    expect(toJS(r.text).services.tailscale.networks).toEqual({
      media: null,
      lan: { ipv4_address: '192.168.20.200' },
    });
    expect(lines(r)).toContainEqual(
      expect.stringMatching(/^services\.tailscale\.networks: rewritten as a mapping: /),
    );
  });

  it('a service on the default network only implicitly stays on it when macvlan lists networks', () => {
    const text =
      'services:\n  tailscale:\n    image: tailscale/tailscale:v1.80.0\n    environment: {TS_STATE_DIR: /var/lib/tailscale}\n';
    const r = merge(text, 'macvlan');
    expect(Object.keys(toJS(r.text).services.tailscale.networks)).toEqual(['default', 'lan', 'media']);
  });

  it('a list environment stays a list', () => {
    const r = merge(stress('issue-example'), 'host');
    expect(toJS(r.text).services.tailscale.environment).toContain('TS_USERSPACE=false');
    expect(lines(r).some((l) => l.includes('rewritten'))).toBe(false);
  });
});

describe('conflicts are removed with a reason; what cannot be merged safely is refused', () => {
  it('ports on a macvlan-only service go, with why', () => {
    const text =
      'services:\n  tailscale:\n    image: tailscale/tailscale:v1.80.0\n    ports: ["41641:41641/udp"]\n';
    const r = merge(
      text,
      'macvlan',
      config((raw) => {
        (raw as Record<string, unknown>)['services'] = [];
      }),
    );
    expect(toJS(r.text).services.tailscale).not.toHaveProperty('ports');
    expect(lines(r)).toContainEqual(
      expect.stringMatching(
        /^services\.tailscale\.ports: removed: Docker ignores ports: .*\[docker-macvlan-no-ports\]$/,
      ),
    );
  });

  it('never prints the value of an inline auth key', () => {
    const r = merge(stress('env-forms'), 'userspace');
    const out = lines(r).join('\n');
    expect(out).toContain('services.tailscale.environment: TS_AUTHKEY removed');
    expect(out).not.toContain('CANARY');
    expect(r.text).not.toContain('CANARY');
  });

  it('refuses to remove network_mode that comes from a shared anchor, and keeps host mode working', () => {
    const text = stress('merge-key-conflict');
    expect(refusal(() => merge(text, 'userspace'))).toMatch(
      /^compose\.yaml:8:5 services\.tailscale\.network_mode comes from <<: \*hostnet and cannot be removed without changing the anchor/,
    );
    expect(toJS(merge(text, 'host').text).services.homebridge).toEqual(toJS(text).services.homebridge);
  });

  it('refuses a service that extends one in another file, and a service other services extend', () => {
    expect(refusal(() => merge(stress('extends-other-file'), 'host'))).toMatch(
      /^compose\.yaml:3:5 services\.tailscale extends a service in base\.yaml; /,
    );
    const base =
      'services:\n  tailscale:\n    image: tailscale/tailscale:v1.80.0\n  other:\n    extends: tailscale\n';
    expect(refusal(() => merge(base, 'host'))).toMatch(
      /^compose\.yaml:2:3 services\.tailscale is extended by services\.other/,
    );
  });

  it('refuses to redefine a network another service uses', () => {
    const text =
      'services:\n  tailscale:\n    image: tailscale/tailscale:v1.80.0\n  app:\n    image: nginx:1.27\n    networks: [lan]\nnetworks:\n  lan:\n    driver: bridge\n';
    expect(refusal(() => merge(text, 'macvlan'))).toMatch(
      /^compose\.yaml:9:5 networks\.lan is already defined differently and used by services\.app/,
    );
  });

  it('a removed setting inherited through extends is refused, an added one is written locally', () => {
    const text = stress('extends-same-file');
    const r = merge(text, 'macvlan');
    expect(toJS(r.text).services['ts-base']).toEqual(toJS(text).services['ts-base']);
    const hostBase =
      'services:\n  base:\n    image: tailscale/tailscale:v1.80.0\n    network_mode: host\n  tailscale:\n    extends: {service: base}\n';
    expect(refusal(() => merge(hostBase, 'userspace'))).toMatch(
      /services\.tailscale\.network_mode comes from the service it extends/,
    );
  });
});

describe('an anchored list the mode must change', () => {
  it('is refused when another service reuses it', () => {
    expect(refusal(() => merge(stress('anchors-everywhere'), 'userspace'))).toMatch(
      /^compose\.yaml:24:7 services\.tailscale\.volumes holds the anchor &tsvols, which \*tsvols at line 33 reuses/,
    );
  });
});
