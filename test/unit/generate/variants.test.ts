import { describe, expect, it } from 'vitest';
import { validateComposeText } from '../../../src/core/compose/validate.js';
import { generate } from '../../../src/core/generate/index.js';
import type { ServeConfig } from '../../../src/core/generate/serve-config.js';
import { shimInterfaceName } from '../../../src/core/generate/shim-script.js';
import { MODES } from '../../../src/core/model/modes.js';
import { TailbridgeError } from '../../../src/errors.js';
import { parseCompose, variant } from './helpers.js';

describe('secret_file auth', () => {
  const config = variant((c) => {
    c.tailscale.auth = { method: 'secret_file', path: '/mnt/Fast/docker/tailscale/authkey' };
  });

  it.each(MODES)('%s mounts the key as a compose secret', (mode) => {
    const g = generate(config, mode);
    const doc = parseCompose(g.compose);
    expect(doc.secrets).toEqual({ ts_authkey: { file: '/mnt/Fast/docker/tailscale/authkey' } });
    const ts = doc.services[mode === 'sidecar' ? 'ts-jellyfin' : 'tailscale'];
    expect(ts.secrets).toEqual(['ts_authkey']);
    expect(ts.environment.TS_AUTHKEY).toBe('file:/run/secrets/ts_authkey');
    expect(ts.env_file).toBeUndefined();
    expect(validateComposeText('x.yaml', g.compose)).toEqual([]);
  });
});

describe('oauth auth', () => {
  it('uses the env file with client credentials', () => {
    const config = variant((c) => {
      c.tailscale.auth = { method: 'oauth', clientIdEnvFile: '/mnt/Fast/docker/tailscale/oauth.env' };
    });
    const ts = parseCompose(generate(config, 'userspace').compose).services.tailscale;
    expect(ts.env_file).toEqual(['/mnt/Fast/docker/tailscale/oauth.env']);
    expect(ts.environment.TS_EXTRA_ARGS).toContain('--advertise-tags=tag:homelab');
  });

  it.each(MODES)('%s refuses oauth without tags', (mode) => {
    const config = variant((c) => {
      c.tailscale.auth = { method: 'oauth', clientIdEnvFile: '/x/oauth.env' };
      c.tailscale.tags = [];
    });
    expect(() => generate(config, mode)).toThrow(TailbridgeError);
    expect(() => generate(config, mode)).toThrow(/oauth needs tailscale\.tags/);
  });
});

describe('macvlan preconditions', () => {
  it('throws a one-line error without lan.macvlan', () => {
    const config = variant((c) => {
      delete c.lan.macvlan;
    });
    expect(() => generate(config, 'macvlan')).toThrow(TailbridgeError);
    expect(() => generate(config, 'macvlan')).toThrow(/^macvlan mode needs lan\.macvlan[^\n]*$/);
    expect(() => generate(config, 'userspace')).not.toThrow();
  });

  it('throws when the fixed address is outside the LAN', () => {
    const config = variant((c) => {
      c.lan.macvlan!.address = '10.0.0.5';
    });
    expect(() => generate(config, 'macvlan')).toThrow(/outside lan\.subnet/);
  });

  it('names the shim so TrueNAS leaves it alone, within the 15-character limit', () => {
    const truenas = variant(() => {});
    const linux = variant((c) => {
      c.host.platform = 'linux';
    });
    expect(shimInterfaceName(truenas)).toBe('tailscale-shim');
    expect(shimInterfaceName(linux)).toBe('ts-shim');
    for (const name of [shimInterfaceName(truenas), shimInterfaceName(linux)])
      expect(name.length).toBeLessThanOrEqual(15);
    const script = generate(linux, 'macvlan').files[0]!.content;
    expect(script).toContain("SHIM='ts-shim'");
    expect(script).toContain('systemd oneshot');
  });
});

describe('serve with a tcp service and a port clash', () => {
  const config = variant((c) => {
    c.services = [
      ...(c.services ?? []),
      { name: 'postgres', port: 5432, protocol: 'tcp', network: 'db_network' },
      { name: 'vault', port: 8096, protocol: 'https', network: 'db_network' },
    ];
  });
  const g = generate(config, 'serve');
  const serve = JSON.parse(g.files[0]!.content) as ServeConfig;

  it('forwards tcp services with TCPForward', () => {
    expect(serve.TCP['5432']).toEqual({ TCPForward: 'postgres:5432' });
  });

  it('moves a clashing app to the next free port and proxies https with https+insecure', () => {
    expect(serve.Web?.['${TS_CERT_DOMAIN}:8097']?.Handlers['/']).toEqual({
      Proxy: 'https+insecure://vault:8096',
    });
    expect(serve.Web?.['${TS_CERT_DOMAIN}:8096']?.Handlers['/']).toEqual({ Proxy: 'http://jellyfin:8096' });
    expect(Object.keys(serve.TCP)).toHaveLength(5);
  });

  it('joins the new network and still validates', () => {
    expect(parseCompose(g.compose).services.tailscale.networks).toContain('db_network');
    expect(validateComposeText('x.yaml', g.compose)).toEqual([]);
  });
});

describe('IPv6 route, exit node and accept-routes', () => {
  const config = variant((c) => {
    c.tailscale.advertiseRoutes = ['192.168.20.0/24', 'fd00:20::/64'];
    c.tailscale.exitNode = true;
    c.tailscale.acceptRoutes = true;
  });

  it('puts both routes in TS_ROUTES and the flags in TS_EXTRA_ARGS', () => {
    const ts = parseCompose(generate(config, 'macvlan').compose).services.tailscale;
    expect(ts.environment.TS_ROUTES).toBe('192.168.20.0/24,fd00:20::/64');
    expect(ts.environment.TS_EXTRA_ARGS).toBe(
      '--advertise-tags=tag:homelab --accept-routes --advertise-exit-node',
    );
    expect(ts.sysctls['net.ipv6.conf.all.forwarding']).toBe(1);
  });

  it('warns about IPv6 forwarding and the accept-routes loop in kernel modes only', () => {
    for (const mode of ['macvlan', 'host'] as const) {
      const g = generate(config, mode);
      expect(g.notes.some((n) => n.source === 'kernel-netns-ipv6')).toBe(true);
      expect(g.notes.find((n) => n.source === 'accept-routes-loop')?.text).toMatch(/^WARNING/);
    }
    expect(generate(config, 'userspace').notes.some((n) => n.source === 'accept-routes-loop')).toBe(false);
  });

  it('asks to approve the exit node too', () => {
    const step = generate(config, 'userspace').manualSteps.find((s) => s.startsWith('Approve'));
    expect(step).toContain('the exit node');
    expect(step).toContain('"exitNode": ["tag:homelab"]');
  });
});

describe('no services', () => {
  const config = variant((c) => {
    c.services = [];
  });

  it('still generates the router modes but not serve or sidecar', () => {
    for (const mode of ['userspace', 'macvlan', 'host'] as const)
      expect(validateComposeText('x.yaml', generate(config, mode).compose)).toEqual([]);
    expect(() => generate(config, 'serve')).toThrow(TailbridgeError);
    expect(() => generate(config, 'sidecar')).toThrow(TailbridgeError);
  });
});

describe('control servers and OAuth', () => {
  it('mounts an OAuth client secret file as a compose secret read by tailscale up (file:)', () => {
    const config = variant((c) => {
      c.tailscale.auth = { method: 'oauth', clientSecretFile: '/mnt/Fast/docker/tailscale/oauth.secret' };
    });
    const g = generate(config, 'userspace');
    const doc = parseCompose(g.compose);
    expect(doc.secrets).toEqual({ ts_client_secret: { file: '/mnt/Fast/docker/tailscale/oauth.secret' } });
    const ts = doc.services.tailscale;
    expect(ts.secrets).toEqual(['ts_client_secret']);
    expect(ts.environment.TS_CLIENT_SECRET).toBe('file:/run/secrets/ts_client_secret');
    expect(ts.environment.TS_AUTHKEY).toBeUndefined();
    expect(ts.environment.TS_EXTRA_ARGS).toContain('--advertise-tags=tag:homelab');
    expect(g.notes.some((n) => n.source === 'containerboot-oauth')).toBe(true);
    expect(validateComposeText('x.yaml', g.compose)).toEqual([]);
  });

  it.each(MODES)('%s on Headscale: tags come from the pre-auth key, never --advertise-tags', (mode) => {
    const config = variant((c) => {
      c.tailscale.controlServer = 'https://hs.example.net';
    });
    const g = generate(config, mode);
    const doc = parseCompose(g.compose);
    for (const svc of Object.values(doc.services) as { environment?: Record<string, string> }[]) {
      const extra = svc.environment?.TS_EXTRA_ARGS;
      if (extra === undefined) continue;
      expect(extra).toContain('--login-server=https://hs.example.net');
      expect(extra).not.toContain('--advertise-tags');
    }
    expect(g.notes.some((n) => n.source === 'headscale-tags')).toBe(true);
    expect(g.manualSteps.join('\n')).toContain(
      'headscale preauthkeys create --user <id> --reusable --tags tag:homelab',
    );
  });
});
