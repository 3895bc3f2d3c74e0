import { describe, expect, it } from 'vitest';
import { controlApiUrl, controlServer, magicDnsName } from '../../../src/core/control/server.js';
import { EXAMPLE_CONFIG } from '../../../src/core/model/example.js';
import { parseConfig } from '../../../src/core/model/load.js';
import { InputError } from '../../../src/errors.js';

const HS = 'tags: [tag:homelab]\n  controlServer: https://hs.example.net';

function parse(text: string) {
  return parseConfig('t.yaml', text);
}
function problems(text: string): string[] {
  try {
    parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message.split('\n');
  }
  throw new Error('expected an InputError');
}
const withTs = (extra: string) => EXAMPLE_CONFIG.replace('tags: [tag:homelab]', `${HS}\n${extra}`);

describe('control server in the model', () => {
  it("derives the kind: Tailscale's hosts are tailscale, any other URL is headscale", () => {
    expect(controlServer(parse(EXAMPLE_CONFIG)).kind).toBe('tailscale');
    expect(controlServer(parse(withTs(''))).kind).toBe('headscale');
    const explicit = parse(withTs('  control: { kind: tailscale }'));
    expect(controlServer(explicit).kind).toBe('tailscale');
  });

  it('names the API: the login server for Headscale, api.tailscale.com for Tailscale, or the configured URL', () => {
    expect(controlApiUrl(parse(EXAMPLE_CONFIG))).toBe('https://api.tailscale.com');
    expect(controlApiUrl(parse(withTs('')))).toBe('https://hs.example.net');
    expect(controlApiUrl(parse(withTs('  control: { api: { url: "https://hs-api.example.net/" } }')))).toBe(
      'https://hs-api.example.net',
    );
  });

  it('MagicDNS names follow the base domain, or name what is missing', () => {
    expect(magicDnsName(parse(EXAMPLE_CONFIG), 'truenas')).toBe('truenas.<tailnet>.ts.net');
    expect(magicDnsName(parse(withTs('')), 'truenas')).toBe('truenas.<dns.base_domain>');
    expect(magicDnsName(parse(withTs('  control: { baseDomain: ts.example.net }')), 'truenas')).toBe(
      'truenas.ts.example.net',
    );
  });

  it('reads credentials from a named file or environment variable only', () => {
    const c = parse(withTs('  control: { api: { apiKey: { env: HEADSCALE_API_KEY }, caFile: ./ca.pem } }'));
    expect(c.tailscale.control?.api?.apiKey).toEqual({ env: 'HEADSCALE_API_KEY' });
    expect(problems(withTs('  control: { api: { apiKey: { file: a, env: B } } }'))[0]).toMatch(
      /tailscale\.control\.api\.apiKey: name exactly one of file/,
    );
    expect(problems(withTs('  control: { api: { apiKey: {} } }'))[0]).toMatch(/name exactly one/);
    expect(problems(withTs('  control: { api: { apiKey: { env: "not a name" } } }'))[0]).toMatch(
      /must be the NAME of an environment variable/,
    );
  });

  it('refuses a key written where its file or variable name belongs, without echoing it', () => {
    const lines = problems(withTs('  control: { api: { apiKey: { file: hskey-api-abcdEFGH-secretpart } } }'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^t\.yaml:\d+:\d+ inline Tailscale\/Headscale key/);
    expect(lines.join('\n')).not.toContain('secretpart');
  });

  it('refuses OAuth against Headscale (no OAuth clients there)', () => {
    expect(
      problems(withTs('  control: { api: { oauth: { clientId: k1, clientSecret: { file: s } } } }'))[0],
    ).toMatch(/Headscale has no OAuth clients/);
    const oauthLogin = withTs('').replace(
      /auth:\n\s+method: env_file\n\s+path: \S+.*\n/,
      'auth: { method: oauth, clientSecretFile: ./oauth.secret }\n',
    );
    expect(problems(oauthLogin)[0]).toMatch(
      /tailscale\.auth\.method: oauth mints keys at api\.tailscale\.com/,
    );
  });

  it('oauth login needs exactly one of clientSecretFile or clientIdEnvFile', () => {
    const both = EXAMPLE_CONFIG.replace(
      /auth:\n\s+method: env_file\n\s+path: \S+.*\n/,
      'auth: { method: oauth, clientSecretFile: a, clientIdEnvFile: b }\n',
    );
    expect(problems(both)[0]).toMatch(/tailscale\.auth: oauth needs exactly one of/);
  });
});

describe('plan on Headscale', () => {
  it('blocks mode B (serve) with the source, keeps the sidecar mode', async () => {
    const { planModes } = await import('../../../src/core/plan/index.js');
    const hs = planModes(parse(withTs('')));
    const serve = hs.blockers.filter((b) => b.mode === 'serve' && b.severity === 'blocks');
    expect(serve.map((b) => b.source)).toContain('headscale-features');
    expect(serve.find((b) => b.source === 'headscale-features')?.message).toMatch(
      /Headscale, which has no Serve, Funnel and HTTPS certificates/,
    );
    expect(hs.order).not.toContain('serve');
    expect(hs.dropped.find((d) => d.mode === 'serve')?.reason).toMatch(/^blocked: .*Headscale/);
    expect(hs.blockers.some((b) => b.mode === 'sidecar' && b.source === 'headscale-features')).toBe(false);
    const ts = planModes(parse(EXAMPLE_CONFIG));
    expect(ts.blockers.some((b) => b.source === 'headscale-features')).toBe(false);
  });

  it('serve URLs use the configured base domain', async () => {
    const { generate } = await import('../../../src/core/generate/index.js');
    const g = generate(parse(withTs('  control: { baseDomain: ts.example.net }')), 'serve');
    expect(g.header).toContain('jellyfin: https://truenas.ts.example.net:8096');
  });
});

describe('merging into a compose file that already names the login server', () => {
  it('keeps exactly one --login-server (two make the real `tailscale up` exit 2: flag provided multiple times)', async () => {
    const { mergeEdits } = await import('../../../src/core/compose/merge.js');
    const { generate } = await import('../../../src/core/generate/index.js');
    const { labConfigYaml, hostModeCompose } = await import('../../lab/real/stack.js');
    const lab = parse(labConfigYaml('/lab'));
    const merged = mergeEdits('compose.yaml', hostModeCompose(), generate(lab, 'userspace').edits);
    const extra = /TS_EXTRA_ARGS=(.*)/.exec(merged.text)?.[1] ?? '';
    expect(extra.match(/--login-server/g)).toHaveLength(1);
    expect(extra).toBe('--login-server=https://198.19.0.10');
  });
});
