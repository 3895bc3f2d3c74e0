import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { ComposeEdit } from '../../../src/core/compose/edits.js';
import { mergeEdits } from '../../../src/core/compose/merge.js';
import { validateComposeText } from '../../../src/core/compose/validate.js';
import { generate } from '../../../src/core/generate/index.js';
import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../../../src/core/model/example.js';
import { parseConfig } from '../../../src/core/model/load.js';
import { InputError } from '../../../src/errors.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/merge');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

const toJS = (text: string) => parseDocument(text, { merge: true }).toJS({ maxAliasCount: -1 });

/** The edits applied to plain data: what the merged file must mean (what a wholesale put gives). */
function expectedValue(original: unknown, edits: readonly ComposeEdit[]): unknown {
  const root = structuredClone(original) as Record<string, unknown>;
  for (const edit of edits) {
    let cur = root;
    for (const seg of edit.path.slice(0, -1)) {
      if (typeof cur[seg] !== 'object' || cur[seg] === null) {
        if (edit.op === 'delete') break;
        cur[seg] = {};
      }
      cur = cur[seg] as Record<string, unknown>;
    }
    const last = edit.path.at(-1)!;
    if (edit.op === 'delete') delete cur[last];
    else cur[last] = structuredClone(edit.value);
  }
  return root;
}

const put = (name: string, value: unknown, comment?: string): ComposeEdit => ({
  op: 'put',
  path: ['services', name],
  value,
  ...(comment ? { comment } : {}),
});

describe('a mode merged into the TrueNAS host-mode file', () => {
  const original = fixture('truenas-host-mode.yaml');
  const config = parseConfig(EXAMPLE_CONFIG_FILE, EXAMPLE_CONFIG);
  const TODO = '    network_mode: host   # TODO: get rid of this (see notes)\n';
  const ENV_FILE = '    env_file:\n      - /mnt/Fast/docker/tailscale/.env   # TS_AUTHKEY lives here\n';
  const CAPS = '    cap_add:\n      - NET_ADMIN\n      - SYS_MODULE\n';
  const MODULES = '      # - /lib/modules:/lib/modules:ro   # only needed for SYS_MODULE\n';
  const HEAD = original.slice(0, original.indexOf('    image:'));
  const TAIL = '\n# end of file\n';
  const notes = (r: { notes: { path: string; message: string }[] }) =>
    r.notes.map((n) => `${n.path}: ${n.message}`);

  it('the fixture holds what the tests below look for', () => {
    for (const part of [TODO, ENV_FILE, CAPS, MODULES]) expect(original).toContain(part);
    expect(original.endsWith(`${MODULES}${TAIL}`)).toBe(true);
  });

  describe('host mode', () => {
    const edits = generate(config, 'host').edits;
    const result = mergeEdits('compose.yaml', original, edits);
    const ts = () => toJS(result.text).services.tailscale;

    it('keeps every key and entry the mode does not own, byte for byte with its comments', () => {
      for (const part of [TODO, ENV_FILE, CAPS, MODULES, TAIL]) expect(result.text).toContain(part);
      const unchanged = original.slice(
        original.indexOf('    container_name:'),
        original.indexOf('    environment:'),
      );
      expect(result.text.startsWith(`${HEAD}    image: tailscale/tailscale:v1.102.3\n${unchanged}`)).toBe(
        true,
      );
    });

    it('edits the list environment item by item, in its list form', () => {
      expect(result.text).toContain(
        '    environment:\n      - TS_STATE_DIR=/var/lib/tailscale\n      - TS_EXTRA_ARGS=--advertise-tags=tag:homelab\n      - TS_HOSTNAME=truenas\n',
      );
      expect(ts().environment).toContain('TS_ROUTES=192.168.20.0/24');
    });

    it('moves the tun device out of volumes and says why, one line per setting', () => {
      expect(ts().volumes).toEqual(['/mnt/Fast/docker/tailscale:/var/lib/tailscale']);
      expect(ts().devices).toEqual(['/dev/net/tun:/dev/net/tun']);
      expect(notes(result)).toEqual([
        expect.stringMatching(
          /^services\.tailscale\.environment\.TS_EXTRA_ARGS: --advertise-routes removed: /,
        ),
        expect.stringMatching(
          /^services\.tailscale\.volumes: \/dev\/net\/tun removed: a device, not a volume/,
        ),
      ]);
    });

    it('keeps the file order for kept keys and appends new ones', () => {
      expect(Object.keys(ts())).toEqual([
        'image',
        'container_name',
        'restart',
        'hostname',
        'network_mode',
        'cap_add',
        'env_file',
        'environment',
        'volumes',
        'healthcheck',
        'devices',
      ]);
      expect(validateComposeText('compose.yaml', result.text)).toEqual([]);
      expect(result.changed).toEqual([
        'services.tailscale',
        'services.tailscale.volumes',
        'services.tailscale.healthcheck',
        'services.tailscale.devices',
      ]);
    });

    it('is idempotent', () => {
      expect(mergeEdits('compose.yaml', result.text, edits)).toEqual({
        text: result.text,
        changed: [],
        notes: [],
      });
    });
  });

  describe('userspace mode', () => {
    const edits = generate(config, 'userspace').edits;
    const result = mergeEdits('compose.yaml', original, edits);

    it('removes network_mode, the capabilities and the tun mount, saying why for each', () => {
      expect(result.text).not.toContain('network_mode');
      expect(result.text).not.toContain('# TODO');
      expect(result.text).not.toContain('cap_add');
      expect(notes(result).map((n) => n.slice(0, n.indexOf(' removed:')))).toEqual([
        'services.tailscale.environment.TS_EXTRA_ARGS: --advertise-routes',
        'services.tailscale.volumes: /dev/net/tun',
        'services.tailscale.network_mode:',
        'services.tailscale.cap_add: NET_ADMIN',
        'services.tailscale.cap_add: SYS_MODULE',
      ]);
    });

    it('keeps env_file and the list environment, and joins the app networks', () => {
      expect(result.text).toContain(
        `    hostname: truenas\n${ENV_FILE}    environment:\n      - TS_STATE_DIR=`,
      );
      expect(toJS(result.text).services.tailscale.networks).toEqual([
        'default',
        'jellyfin_network',
        'arr_network',
      ]);
      expect(result.text.endsWith(`    name: arr_network\n${TAIL}`)).toBe(true);
      expect(validateComposeText('compose.yaml', result.text)).toEqual([]);
    });

    it('is idempotent', () => {
      expect(mergeEdits('compose.yaml', result.text, edits)).toEqual({
        text: result.text,
        changed: [],
        notes: [],
      });
    });

    it('switching back to host mode afterwards removes the networks it joined, saying why', () => {
      const back = mergeEdits('compose.yaml', result.text, generate(config, 'host').edits);
      const ts = toJS(back.text).services.tailscale;
      expect(ts.network_mode).toBe('host');
      expect(ts).not.toHaveProperty('networks');
      expect(ts.cap_add).toEqual(['NET_ADMIN']);
      expect(notes(back)).toContainEqual(
        'services.tailscale.networks: removed: network_mode: host cannot be combined with networks:',
      );
    });
  });
});

describe('put onto an existing mapping, key by key', () => {
  const base = [
    'services:',
    '  # the app',
    '  app:',
    '    image: "nginx:1.27"   # pinned',
    '    restart: unless-stopped',
    '    # where it listens',
    '    ports: ["80:80"]   # http only',
    '    environment:',
    '      TZ: "UTC"   # keep',
    '      MODE: dev   # switch for prod',
    '      # a removed one',
    '      OLD: x',
    '      LAST: y',
    '    labels: {a: b}',
    '',
    '    command: ["nginx", "-g", "daemon off;"]',
    '  db:',
    '    image: postgres:16',
    '',
  ].join('\n');
  const value = {
    image: 'nginx:1.27',
    restart: 'always',
    ports: ['80:80'],
    environment: { TZ: 'UTC', MODE: 'prod', NEW: 'z' },
    labels: { a: 'b' },
  };

  it('keeps equal values as written, replaces changed ones, recurses into mappings and deletes the rest', () => {
    const result = mergeEdits('c.yaml', base, [put('app', value)]);
    expect(result.text).toBe(
      [
        'services:',
        '  # the app',
        '  app:',
        '    image: "nginx:1.27"   # pinned',
        '    restart: always',
        '    # where it listens',
        '    ports: ["80:80"]   # http only',
        '    environment:',
        '      TZ: "UTC"   # keep',
        '      MODE: prod   # switch for prod',
        '      NEW: z',
        '    labels: {a: b}',
        '  db:',
        '    image: postgres:16',
        '',
      ].join('\n'),
    );
    expect(toJS(result.text)).toEqual(expectedValue(toJS(base), [put('app', value)]));
    expect(result.changed).toEqual(['services.app']);
    expect(mergeEdits('c.yaml', result.text, [put('app', value)])).toEqual({
      text: result.text,
      changed: [],
      notes: [],
    });
  });

  it('changes nothing when the value is equal, however it is written', () => {
    const same = toJS(base).services.app;
    expect(mergeEdits('c.yaml', base, [put('app', same)])).toEqual({ text: base, changed: [], notes: [] });
  });

  it('adds the put comment above the kept key once', () => {
    const same = toJS(base).services.app;
    const { text } = mergeEdits('c.yaml', base, [put('app', same, 'managed by tailbridge')]);
    expect(text).toBe(base.replace('  app:\n', '  # managed by tailbridge\n  app:\n'));
    expect(mergeEdits('c.yaml', text, [put('app', same, 'managed by tailbridge')]).changed).toEqual([]);
  });

  it('drops the comments above a deleted key, so a set that re-adds it stays idempotent', () => {
    const text = 'services:\n  app:\n    image: x\n    # old comment\n    restart: always\n    init: true\n';
    const edits: ComposeEdit[] = [
      put('app', { image: 'x', init: true }),
      { op: 'set', path: ['services', 'app', 'restart'], value: 'no', comment: 'why not' },
    ];
    const once = mergeEdits('c.yaml', text, edits);
    expect(once.text).toBe(
      'services:\n  app:\n    image: x\n    init: true\n    # why not\n    restart: no\n',
    );
    expect(mergeEdits('c.yaml', once.text, edits)).toEqual({ text: once.text, changed: [], notes: [] });
  });

  it('deletes a trailing key with the blank lines before it, undoing an append', () => {
    const text =
      'services:\n  app:\n    image: x\n\n    init: true\n\n    # note\n    restart: always\n  db:\n    image: y\n';
    const { text: out } = mergeEdits('c.yaml', text, [put('app', { image: 'x', init: true })]);
    expect(out).toBe('services:\n  app:\n    image: x\n\n    init: true\n  db:\n    image: y\n');
  });

  it('keeps one blank line where a key between blank lines is deleted', () => {
    const text = 'services:\n  app:\n    image: x\n\n    # note\n    restart: always\n\n    init: true\n';
    const { text: out } = mergeEdits('c.yaml', text, [put('app', { image: 'x', init: true })]);
    expect(out).toBe('services:\n  app:\n    image: x\n\n    init: true\n');
  });
});

describe('set onto an existing block sequence, item by item', () => {
  const base = [
    'services:',
    '  ts:',
    '    volumes:',
    '      # the state',
    '      - ./state:/var/lib/tailscale # state',
    '      - /dev/net/tun:/dev/net/tun',
    '',
    '      - keep:/keep   # k',
    '        # deeper note about keep',
    '      # - /lib/modules:/lib/modules',
    '    environment:',
    '      - A=1 # a',
    '      - "B=2"',
    '',
  ].join('\n');
  const set = (key: string, value: unknown[], comment?: string): ComposeEdit => ({
    op: 'set',
    path: ['services', 'ts', key],
    value,
    ...(comment ? { comment } : {}),
  });

  it('keeps unchanged items with their comments, drops removed ones and appends new ones', () => {
    const edit = set('volumes', ['./state:/var/lib/tailscale', 'keep:/keep', 'new:/new']);
    const result = mergeEdits('c.yaml', base, [edit]);
    expect(result.text).toBe(
      base
        .replace('      - /dev/net/tun:/dev/net/tun\n', '')
        .replace(
          '        # deeper note about keep\n',
          '        # deeper note about keep\n      - new:/new\n',
        ),
    );
    expect(toJS(result.text)).toEqual(expectedValue(toJS(base), [edit]));
    expect(mergeEdits('c.yaml', result.text, [edit]).changed).toEqual([]);
  });

  it('replaces a changed scalar item in place, keeping the comment on its line', () => {
    const edit = set('environment', ['A=3', 'B=2', 'C=4']);
    const result = mergeEdits('c.yaml', base, [edit]);
    expect(result.text).toBe(
      base.replace('- A=1 # a', '- A=3 # a').replace('      - "B=2"\n', '      - "B=2"\n      - C=4\n'),
    );
    expect(toJS(result.text)).toEqual(expectedValue(toJS(base), [edit]));
  });

  it('replaces the whole list when no item is kept', () => {
    const edit = set('environment', ['X=1']);
    const result = mergeEdits('c.yaml', base, [edit]);
    expect(result.text).not.toContain('# a');
    expect(toJS(result.text).services.ts.environment).toEqual(['X=1']);
  });
});

describe('put falls back to the wholesale replace', () => {
  const catchError = (fn: () => unknown): InputError => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return e as InputError;
    }
    throw new Error('expected an InputError');
  };
  const value = { image: 'b', network_mode: 'host' };

  it('for an anchored service (and refuses, as before, when the anchor is used elsewhere)', () => {
    const text =
      'services:\n  tailscale: &ts\n    image: a\n    network_mode: host   # TODO\n  app:\n    image: x\n';
    // Wholesale: the anchor and the comment on the unchanged network_mode go.
    expect(mergeEdits('a.yaml', text, [put('tailscale', value)]).text).toBe(
      'services:\n  tailscale:\n    image: b\n    network_mode: host\n  app:\n    image: x\n',
    );
    const e = catchError(() => mergeEdits('a.yaml', `${text}x-copy: *ts\n`, [put('tailscale', value)]));
    expect(e.message).toMatch(
      /^a\.yaml:3:5 services\.tailscale holds the anchor &ts, which \*ts at line 7 reuses/,
    );
  });

  it('for an entry holding an anchor and alias of its own', () => {
    const text = [
      'services:',
      '  tailscale:',
      '    image: a',
      '    network_mode: host   # TODO',
      '    labels: &l',
      '      a: b',
      '    x-l: *l',
      '',
    ].join('\n');
    expect(mergeEdits('a.yaml', text, [put('tailscale', { ...value, labels: { a: 'b' } })]).text).toBe(
      'services:\n  tailscale:\n    image: b\n    network_mode: host\n    labels:\n      a: b\n',
    );
  });

  it('for a service with a <<: merge key', () => {
    const text = fixture('media-anchors.yaml');
    const jellyfin = toJS(text).services.jellyfin as Record<string, unknown>;
    const { text: out } = mergeEdits('m.yaml', text, [
      put('jellyfin', { ...jellyfin, image: 'jellyfin/jellyfin:10.10.0' }),
    ]);
    expect(out).not.toContain('# Intel QuickSync'); // inside the entry: gone, as with any wholesale replace
    expect(out).not.toContain('    <<: *common\n    image: jellyfin');
    expect(out).toContain('    <<: *common\n    image: lscr.io/linuxserver/sonarr');
    expect(toJS(out).services.jellyfin).toEqual({ ...jellyfin, image: 'jellyfin/jellyfin:10.10.0' });
  });

  it('for a flow mapping', () => {
    const text = fixture('flow-style.yaml');
    const { text: out } = mergeEdits('f.yaml', text, [
      put('whoami', { image: 'traefik/whoami:v1.11', ports: ['8080:80'] }),
    ]);
    expect(out).toBe(
      text.replace(
        '  whoami: {image: "traefik/whoami:v1.10", ports: ["8080:80"]}\n',
        '  whoami:\n    image: traefik/whoami:v1.11\n    ports:\n      - 8080:80\n',
      ),
    );
  });
});
