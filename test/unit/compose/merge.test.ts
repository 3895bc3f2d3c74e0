import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, parseDocument, type YAMLMap } from 'yaml';
import type { ComposeEdit } from '../../../src/core/compose/edits.js';
import { mergeEdits } from '../../../src/core/compose/merge.js';
import { validateComposeText } from '../../../src/core/compose/validate.js';
import { InputError } from '../../../src/errors.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/merge');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

const TAILSCALE = {
  image: 'tailscale/tailscale:v1.76.6',
  hostname: 'truenas',
  restart: 'unless-stopped',
  environment: {
    TS_STATE_DIR: '/var/lib/tailscale',
    TS_EXTRA_ARGS: '--advertise-routes=192.168.20.0/24',
    TS_USERSPACE: 'false',
  },
  devices: ['/dev/net/tun:/dev/net/tun'],
  cap_add: ['NET_ADMIN'],
  volumes: ['/mnt/Fast/docker/tailscale:/var/lib/tailscale'],
  healthcheck: { test: ['CMD', 'tailscale', 'status', '--peers=false'], interval: '30s', retries: 3 },
  networks: { tailnet: { ipv4_address: '172.30.0.2' } },
};

const COMMON: ComposeEdit[] = [
  {
    op: 'put',
    path: ['services', 'tailscale'],
    value: TAILSCALE,
    comment: 'Managed by tailbridge (mode: bridge)',
  },
  {
    op: 'put',
    path: ['networks', 'tailnet'],
    value: { driver: 'bridge', ipam: { config: [{ subnet: '172.30.0.0/24' }] } },
    comment: 'tailbridge: bridge network shared with the tailscale container',
  },
];

/** Per fixture: the common edits plus realistic set/delete on an app service. */
const CASES: Record<string, ComposeEdit[]> = {
  'truenas-host-mode.yaml': [
    ...COMMON,
    { op: 'set', path: ['services', 'tailscale', 'labels', 'com.example.managed-by'], value: 'tailbridge' },
  ],
  'media-anchors.yaml': [
    ...COMMON,
    { op: 'set', path: ['services', 'jellyfin', 'networks'], value: ['default', 'tailnet'] },
    { op: 'delete', path: ['services', 'jellyfin', 'ports'] },
    { op: 'set', path: ['services', 'sonarr', 'restart'], value: 'always' },
  ],
  'four-space.yaml': [
    ...COMMON,
    { op: 'set', path: ['services', 'homeassistant', 'environment', 'TS_HOST'], value: 'tailscale' },
    { op: 'delete', path: ['services', 'homeassistant', 'ports'] },
  ],
  'flow-style.yaml': [
    ...COMMON,
    { op: 'set', path: ['services', 'adguard', 'labels', 'tailscale.expose'], value: 'true' },
    { op: 'set', path: ['services', 'whoami', 'networks'], value: ['default', 'tailnet'] },
    { op: 'delete', path: ['services', 'adguard', 'ports'] },
  ],
  'crlf.yaml': [
    ...COMMON,
    {
      op: 'set',
      path: ['services', 'vaultwarden', 'environment', 'DOMAIN'],
      value: 'https://vault.tail1234.ts.net',
    },
    { op: 'delete', path: ['services', 'vaultwarden', 'ports'] },
  ],
  'doc-start.yaml': [
    ...COMMON,
    { op: 'set', path: ['services', 'nextcloud', 'depends_on'], value: ['db', 'tailscale'] },
    { op: 'delete', path: ['services', 'db', 'restart'] },
  ],
  'version-38.yaml': [
    ...COMMON,
    {
      op: 'set',
      path: ['services', 'webserver', 'environment', 'PAPERLESS_URL'],
      value: 'https://paperless.tail1234.ts.net',
    },
    { op: 'delete', path: ['services', 'webserver', 'ports'] },
  ],
};

// ---------------------------------------------------------------------------------------------
// An independent computation of the edited spans in the original, from the AST.

const lineStart = (t: string, p: number) => t.lastIndexOf('\n', p - 1) + 1;
const lineEnd = (t: string, p: number) => {
  const i = t.indexOf('\n', p);
  return i === -1 ? t.length : i + 1;
};

function findPair(map: YAMLMap, key: string): Pair<Node, Node | null> | undefined {
  return map.items.find((p) => isScalar(p.key) && String(p.key.value) === key) as
    | Pair<Node, Node | null>
    | undefined;
}

/** Offset after the last content of a node: block collections end with their last item. */
function lastContent(node: Node | null | undefined, fallback: number): number {
  if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) {
    const last = node.items.at(-1)!;
    if (isPair(last)) return lastContent(last.value as Node | null, (last.key as Node).range![1]);
    return lastContent(last as Node, fallback);
  }
  return node?.range && node.range[1] > node.range[0] ? node.range[1] : fallback;
}

/** End of an entry: its last content line plus following comment lines indented deeper than its key. */
function entryEnd(text: string, pair: Pair<Node, Node | null>): number {
  const keyStart = pair.key.range![0];
  const keyCol = keyStart - lineStart(text, keyStart);
  let e = lastContent(pair.value, pair.key.range![1]);
  while (e > keyStart && /\s/.test(text[e - 1]!)) e--;
  let end = lineEnd(text, e);
  let probe = end;
  while (probe < text.length) {
    const line = text.slice(probe, lineEnd(text, probe));
    if (/^\s*$/.test(line)) probe = lineEnd(text, probe);
    else if (/^\s*#/.test(line) && line.search(/#/) > keyCol) {
      probe = lineEnd(text, probe);
      end = probe;
    } else break;
  }
  return end;
}

/** [start, end) spans in `text` that the edits may touch (zero-width at insertion points). */
function editedSpans(text: string, edits: readonly ComposeEdit[]): [number, number][] {
  const doc = parseDocument(text, { merge: true });
  const spans: [number, number][] = [];
  for (const edit of edits) {
    let map = doc.contents as YAMLMap;
    for (let i = 0; i < edit.path.length; i++) {
      if (map.flow) {
        spans.push([map.range![0], map.range![1]]);
        break;
      }
      const pair = findPair(map, edit.path[i]!);
      if (!pair) {
        if (edit.op !== 'delete') {
          const last = map.items.at(-1) as Pair<Node, Node | null>;
          const at = entryEnd(text, last);
          spans.push([at, at]);
        }
        break;
      }
      const value = pair.value;
      if (i === edit.path.length - 1 || !isMap(value) || value.items.length === 0) {
        spans.push([lineStart(text, pair.key.range![0]), entryEnd(text, pair)]);
        break;
      }
      map = value;
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged.at(-1);
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([...s]);
  }
  return merged;
}

function untouchedRegions(text: string, spans: [number, number][]): string[] {
  const regions: string[] = [];
  let pos = 0;
  for (const [s, e] of spans) {
    regions.push(text.slice(pos, s));
    pos = e;
  }
  regions.push(text.slice(pos));
  return regions;
}

/** The edits applied to plain data: what the merged file must mean. */
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

const toJS = (text: string) => parseDocument(text, { merge: true }).toJS({ maxAliasCount: -1 });

function commentLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => /^\s*#/.test(l));
}

// ---------------------------------------------------------------------------------------------

describe('mergeEdits on realistic compose files', () => {
  for (const [name, edits] of Object.entries(CASES)) {
    describe(name, () => {
      const original = fixture(name);
      const result = mergeEdits(name, original, edits);

      it('keeps every byte outside the edited entries, in order', () => {
        const spans = editedSpans(original, edits);
        expect(spans.length).toBeGreaterThan(0);
        const regions = untouchedRegions(original, spans);
        // Prefix before the first edited span and suffix after the last are identical.
        expect(result.text.startsWith(regions[0]!)).toBe(true);
        expect(result.text.endsWith(regions.at(-1)!)).toBe(true);
        // Every untouched region appears verbatim and in order.
        let cursor = 0;
        for (const region of regions) {
          const at = result.text.indexOf(region, cursor);
          expect(
            at,
            `region not found in order: ${JSON.stringify(region.slice(0, 80))}`,
          ).toBeGreaterThanOrEqual(cursor);
          cursor = at + region.length;
        }
      });

      it('keeps every comment that lies outside the edited entries', () => {
        const spans = editedSpans(original, edits);
        const outside = untouchedRegions(original, spans).join('');
        const kept = commentLines(result.text);
        for (const line of commentLines(outside)) expect(kept).toContain(line);
      });

      it('means the original plus the edits, and validates', () => {
        expect(validateComposeText(name, result.text)).toEqual([]);
        expect(toJS(result.text)).toEqual(expectedValue(toJS(original), edits));
        expect(result.changed).toEqual(edits.map((e) => e.path.join('.')));
      });

      it('keeps the line endings of the file', () => {
        const crlf = original.includes('\r\n');
        expect(/(^|[^\r])\n/.test(result.text)).toBe(!crlf);
        if (crlf) expect(result.text.split('\n').length).toBe(result.text.split('\r\n').length);
      });

      it('is idempotent', () => {
        const again = mergeEdits(name, result.text, edits);
        expect(again.text).toBe(result.text);
        expect(again.changed).toEqual([]);
      });
    });
  }

  it('writes new entries in the file style (4-space indent, non-indented sequences)', () => {
    const result = mergeEdits('f.yaml', fixture('four-space.yaml'), COMMON);
    expect(result.text).toContain(
      [
        '    # Managed by tailbridge (mode: bridge)',
        '    tailscale:',
        '        image: tailscale/tailscale:v1.76.6',
      ].join('\n'),
    );
    expect(result.text).toContain('        devices:\n        - /dev/net/tun:/dev/net/tun\n');
    expect(result.text).toContain('            test:\n            - CMD\n');
    expect(result.text).toContain('\nnetworks:\n    # tailbridge: bridge network');
  });

  it('writes flow entries into flow mappings', () => {
    const result = mergeEdits('f.yaml', fixture('flow-style.yaml'), CASES['flow-style.yaml']!);
    expect(result.text).toContain(
      'networks: {default: {name: dns}, tailnet: {driver: bridge, ipam: {config: [{subnet: 172.30.0.0/24}]}}}\n',
    );
    expect(result.text).toContain(
      `labels: {com.example.role: dns, "com.example.team": 'home', tailscale.expose: "true"}`,
    );
    expect(result.text).toContain(
      'whoami: {image: "traefik/whoami:v1.10", ports: ["8080:80"], networks: [default, tailnet]}',
    );
  });
});

describe('mergeEdits entry handling', () => {
  const base = [
    '# header',
    'services:',
    '  # the app',
    '  app:',
    '    image: nginx:1.27   # pinned',
    '    network_mode: host   # TODO remove',
    '    ports:',
    '      - "80:80"',
    '      # - "443:443"',
    '',
    '  # the db',
    '  db:',
    '    image: postgres:16',
    'volumes:',
    '  data:',
    '',
  ].join('\n');

  it('replaces a scalar keeping the key and the comment on its line', () => {
    const { text } = mergeEdits('c.yaml', base, [
      { op: 'set', path: ['services', 'app', 'network_mode'], value: 'service:tailscale' },
    ]);
    expect(text).toBe(
      base.replace('network_mode: host   # TODO', 'network_mode: service:tailscale   # TODO'),
    );
  });

  it('deletes an entry with the comments inside it and keeps its siblings and the comments around', () => {
    const { text } = mergeEdits('c.yaml', base, [{ op: 'delete', path: ['services', 'app', 'ports'] }]);
    expect(text).toBe(base.replace('    ports:\n      - "80:80"\n      # - "443:443"\n', ''));
  });

  it('puts onto an entry key by key, keeping the comment above the key and dropping those of removed keys', () => {
    const { text, changed } = mergeEdits('c.yaml', base, [
      { op: 'put', path: ['services', 'app'], value: { image: 'nginx:1.28' }, comment: 'managed' },
    ]);
    // image is set as `set` does (the comment on its key line stays); network_mode and ports go.
    expect(text).toBe(
      base.replace(
        / {2}app:\n[\s\S]*?# - "443:443"\n/,
        '  # managed\n  app:\n    image: nginx:1.28   # pinned\n',
      ),
    );
    expect(changed).toEqual(['services.app']);
    // The comment is not added twice.
    expect(
      mergeEdits('c.yaml', text, [
        { op: 'put', path: ['services', 'app'], value: { image: 'nginx:1.28' }, comment: 'managed' },
      ]).text,
    ).toBe(text);
  });

  it('replaces a whole entry when the new value shares no key with it, dropping the comments inside', () => {
    const { text } = mergeEdits('c.yaml', base, [
      { op: 'put', path: ['services', 'app'], value: { build: '.' }, comment: 'managed' },
    ]);
    expect(text).toBe(
      base.replace(/ {2}app:\n[\s\S]*?# - "443:443"\n/, '  # managed\n  app:\n    build: .\n'),
    );
  });

  it('creates intermediate maps, also under an empty value', () => {
    const { text } = mergeEdits('c.yaml', base, [
      { op: 'set', path: ['volumes', 'data', 'driver'], value: 'local' },
      { op: 'set', path: ['services', 'db', 'labels', 'backup'], value: 'daily', comment: 'nightly dump' },
    ]);
    expect(text).toContain('volumes:\n  data:\n    driver: local\n');
    expect(text).toContain(
      '    image: postgres:16\n    labels:\n      # nightly dump\n      backup: daily\nvolumes:',
    );
  });

  it('appends a missing top-level section after the last one', () => {
    const { text } = mergeEdits('c.yaml', base, [{ op: 'put', path: ['networks', 'tailnet'], value: {} }]);
    expect(text).toBe(`${base}networks:\n  tailnet: {}\n`);
  });

  it('adds a newline before appending to a file without a final newline', () => {
    const { text } = mergeEdits('c.yaml', 'services:\n  a:\n    image: x', [
      { op: 'put', path: ['services', 'b'], value: { image: 'y' } },
    ]);
    expect(text).toBe('services:\n  a:\n    image: x\n  b:\n    image: y\n');
  });

  it('writes multi-line strings as literal blocks and quotes what needs quoting', () => {
    const { text } = mergeEdits('c.yaml', base, [
      {
        op: 'set',
        path: ['services', 'db', 'command'],
        value: 'sh -c\nexec postgres\n',
      },
      { op: 'set', path: ['services', 'db', 'user'], value: '1000' },
      { op: 'set', path: ['services', 'db', 'environment'], value: { YES: 'yes', EMPTY: '', HASH: 'a #b' } },
    ]);
    const db = toJS(text).services.db;
    expect(db).toMatchObject({
      command: 'sh -c\nexec postgres\n',
      user: '1000',
      environment: { YES: 'yes', EMPTY: '', HASH: 'a #b' },
    });
    expect(text).toContain('    command: |\n      sh -c\n      exec postgres\n');
  });

  it('reports nothing changed for a delete of a missing key', () => {
    expect(mergeEdits('c.yaml', base, [{ op: 'delete', path: ['services', 'app', 'nope'] }])).toEqual({
      text: base,
      changed: [],
      notes: [],
    });
  });
});

describe('mergeEdits errors', () => {
  const catchError = (fn: () => unknown): InputError => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return e as InputError;
    }
    throw new Error('expected an InputError');
  };

  it('reports invalid YAML with line and column', () => {
    const e = catchError(() => mergeEdits('bad.yaml', 'services:\n  a:\n    image: [x,\n', COMMON));
    expect(e.problems[0]).toMatchObject({
      file: 'bad.yaml',
      line: expect.any(Number),
      column: expect.any(Number),
    });
    expect(e.message).toMatch(/^bad\.yaml:\d+:\d+ /);
  });

  it('rejects a file that is not a compose mapping', () => {
    expect(catchError(() => mergeEdits('l.yaml', '- a\n- b\n', COMMON)).message).toMatch(
      /^l\.yaml:1:1 .*not a mapping/,
    );
    expect(catchError(() => mergeEdits('e.yaml', '# nothing\n', COMMON)).message).toMatch(/empty/);
    expect(catchError(() => mergeEdits('n.yaml', 'volumes:\n  a:\n', COMMON)).message).toMatch(
      /no services:/,
    );
  });

  it('refuses to replace or delete an entry holding an anchor used elsewhere', () => {
    const text =
      'services:\n  a:\n    image: x\n    environment: &env\n      TZ: UTC\n  b:\n    image: y\n    environment: *env\n';
    for (const edit of [
      { op: 'put', path: ['services', 'a'], value: { image: 'z' } },
      { op: 'delete', path: ['services', 'a'] },
      { op: 'set', path: ['services', 'a', 'environment'], value: { TZ: 'Europe/Berlin' } },
    ] satisfies ComposeEdit[]) {
      const e = catchError(() => mergeEdits('m.yaml', text, [edit]));
      expect(e.message).toMatch(
        /^m\.yaml:5:7 services\.a(\.environment)? holds the anchor &env, which \*env at line 8 reuses/,
      );
    }
    // Editing the entry that uses the alias is fine: the anchored original is untouched.
    const ok = mergeEdits('m.yaml', text, [{ op: 'put', path: ['services', 'b'], value: { image: 'y' } }]);
    expect(ok.text).toBe(
      'services:\n  a:\n    image: x\n    environment: &env\n      TZ: UTC\n  b:\n    image: y\n',
    );
    // An anchor used only inside the replaced entry goes with it.
    const inner = 'services:\n  a:\n    image: x\n    labels: &l {k: v}\n    x-copy: *l\n';
    expect(
      mergeEdits('m.yaml', inner, [{ op: 'put', path: ['services', 'a'], value: { image: 'z' } }]).text,
    ).toBe('services:\n  a:\n    image: z\n');
  });

  it('refuses to edit inside an anchored mapping', () => {
    const text = fixture('media-anchors.yaml');
    expect(
      catchError(() =>
        mergeEdits('m.yaml', text, [{ op: 'set', path: ['x-common', 'restart'], value: 'always' }]),
      ).message,
    ).toMatch(/x-common is anchored as &common and reused by \*common/);
  });

  it('writes an aliased or merge-key value out in the service, leaving the anchor alone, and says so', () => {
    const text = fixture('media-anchors.yaml');
    const env = { PUID: '568', PGID: '568', TZ: 'Europe/Berlin', X: '1' };
    for (const [service, message] of [
      ['radarr', /^written out in full \(it was the alias \*env/],
      ['sonarr', /^written in the service, overriding the one from <<: \*common/],
    ] as const) {
      const result = mergeEdits('m.yaml', text, [
        { op: 'set', path: ['services', service, 'environment', 'X'], value: '1' },
      ]);
      const after = toJS(result.text);
      expect(after.services[service].environment).toEqual(env);
      expect(after['x-common']).toEqual(toJS(text)['x-common']);
      expect(after.services.jellyfin).toEqual(toJS(text).services.jellyfin);
      expect(result.text).toContain('  environment: &env\n');
      expect(result.notes).toEqual([
        { path: `services.${service}.environment`, message: expect.stringMatching(message) },
      ]);
    }
  });

  it('reports positions in the original file even after earlier edits moved lines', () => {
    const text = 'services:\n  a:\n    image: x\nx-ref: &r {k: 1}\nx-use: *r\n';
    const e = catchError(() =>
      mergeEdits('p.yaml', text, [
        { op: 'put', path: ['services', 'b'], value: { image: 'y', environment: { A: '1', B: '2' } } },
        { op: 'set', path: ['x-ref', 'k2'], value: 2 },
      ]),
    );
    expect(e.problems[0]).toMatchObject({ line: 4, column: 11 });
    expect(e.message).toMatch(/x-ref is anchored as &r and reused by \*r at line 5/);
  });

  it('refuses a result that does not validate', () => {
    const e = catchError(() =>
      mergeEdits('v.yaml', 'services:\n  a:\n    image: x\n', [
        { op: 'put', path: ['services', 'b'], value: { bogus: 1 } },
      ]),
    );
    expect(e.message).toMatch(/services\.b: property "bogus" is not allowed .*\(in the merged result\)/);
  });

  it('sets a variable of a list environment as a list item', () => {
    const result = mergeEdits('s.yaml', fixture('truenas-host-mode.yaml'), [
      { op: 'set', path: ['services', 'tailscale', 'environment', 'TS_USERSPACE'], value: 'true' },
    ]);
    expect(result.text).toContain(
      '      - TS_EXTRA_ARGS=--advertise-routes=192.168.20.0/24\n      - TS_USERSPACE=true\n    volumes:',
    );
  });
});

// Guard the helpers above against silently matching nothing.
describe('test helpers', () => {
  it('find the spans of existing entries', () => {
    const text = 'services:\n  a:\n    image: x\n    # inside\n  # above b\n  b:\n    image: y\n';
    const spans = editedSpans(text, [{ op: 'delete', path: ['services', 'a'] }]);
    expect(spans).toEqual([[10, text.indexOf('  # above b')]]);
    expect(isPair(parseDocument(text).contents && (parseDocument(text).contents as YAMLMap).items[0])).toBe(
      true,
    );
  });
});
