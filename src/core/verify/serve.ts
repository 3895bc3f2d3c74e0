import { CONTROL_LABEL, HEADSCALE_LACKS } from '../control/server.js';
import type { ExpectedContainer, ServeEndpoint } from './expectations.js';
import type { TailscaleStatus } from './tailnet.js';
import { type Check, fail, pass, skip } from './types.js';

/** `tailscale serve status --json` (ipn.ServeConfig) as far as verify reads it. */
export interface ServeStatusJson {
  TCP?: Record<string, { HTTPS?: boolean; HTTP?: boolean; TCPForward?: string }> | null;
  Web?: Record<
    string,
    { Handlers?: Record<string, { Proxy?: string; Path?: string; Text?: string }> }
  > | null;
}

export interface ServeEvidence {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A handler found on a port: `host:port/path → backend`. */
interface Handler {
  where: string;
  backend: string;
}

const norm = (u: string) => u.replace(/\/+$/, '');

function handlersOn(cfg: ServeStatusJson, port: number): Handler[] {
  return Object.entries(cfg.Web ?? {})
    .filter(([k]) => k.endsWith(`:${port}`))
    .flatMap(([k, v]) =>
      Object.entries(v.Handlers ?? {}).map(([p, x]) => ({
        where: `${k}${p}`,
        backend: x.Proxy ?? (x.Path ? `file ${x.Path}` : x.Text !== undefined ? 'text' : '?'),
      })),
    );
}

function parseServe(serve: ServeEvidence): ServeStatusJson | { error: string } {
  const text = serve.stdout.trim();
  if (!text)
    return serve.exitCode === 0 ? {} : { error: (serve.stderr || 'no output').trim().split('\n')[0]! };
  try {
    return JSON.parse(text.slice(text.indexOf('{'))) as ServeStatusJson;
  } catch {
    return { error: (serve.stderr || serve.stdout).trim().split('\n')[0]! };
  }
}

function missingPortHint(exp: ExpectedContainer, e: ServeEndpoint, certDomains: string[]): string {
  if (e.kind === 'https' && exp.control.kind === 'headscale')
    return `${CONTROL_LABEL.headscale} has no ${HEADSCALE_LACKS} (CertDomains empty), so containerboot does not apply a serve config with HTTPS ports; mode B needs Tailscale's control plane`;
  if (e.kind === 'https' && certDomains.length === 0)
    return 'HTTPS certificates are off for the tailnet (CertDomains empty), so containerboot did not apply a config with HTTPS ports: admin console → DNS → HTTPS Certificates';
  return `is TS_SERVE_CONFIG set and the serve.json directory mounted? docker logs ${exp.containerName} | grep serve`;
}

/**
 * L3 serve checks, one per service (`L3.serve:<service>`): the port must carry a handler whose backend
 * is that service. A second `tailscale serve --bg` on the same port and path replaces the first, so a
 * handler being there proves nothing until its backend is compared.
 */
export function evaluateServe(
  exp: ExpectedContainer,
  st: TailscaleStatus,
  serve: ServeEvidence | undefined,
  id: (s: string) => string,
): Check[] {
  const base = (e: ServeEndpoint) => ({
    id: id(`serve:${e.service}`),
    layer: 'L3' as const,
    title: `serve port ${e.port} → ${e.service}`,
    source: 'serve-config' as const,
  });
  if (!serve) return exp.serve.map((e) => skip(base(e), 'serve status not read'));
  const cfg = parseServe(serve);
  if ('error' in cfg)
    return exp.serve.map((e) => fail(base(e), `tailscale serve status --json: ${cfg.error}`));
  const certDomains = st.CertDomains ?? [];
  return exp.serve.map((e) => {
    const tcp = cfg.TCP?.[String(e.port)];
    if (!tcp)
      return fail(
        base(e),
        `port ${e.port} not in the serve config (TCP ports: ${Object.keys(cfg.TCP ?? {}).join(', ') || 'none'})`,
        missingPortHint(exp, e, certDomains),
      );
    if (e.kind === 'tcp') {
      const got = tcp.TCPForward ?? (tcp.HTTPS || tcp.HTTP ? 'a web handler' : '?');
      return got === e.target
        ? pass(base(e), `TCP ${e.port} → ${got}`)
        : fail(
            base(e),
            `TCP ${e.port} → ${got}, not ${e.target}`,
            `another serve configuration replaced ${e.service}'s forward on port ${e.port}: give each service its own port (tailbridge generate --mode serve) and do not run tailscale serve by hand next to TS_SERVE_CONFIG`,
          );
    }
    const handlers = handlersOn(cfg, e.port);
    if (handlers.length === 0)
      return fail(
        base(e),
        tcp.TCPForward
          ? `TCP ${e.port} → ${tcp.TCPForward} (a raw forward, not a web handler)`
          : `TCP ${e.port} has no web handler`,
        `another serve configuration took port ${e.port}; re-apply the generated serve.json`,
      );
    const text = handlers.map((h) => `${h.where} → ${h.backend}`).join(', ');
    const mine = handlers.filter((h) => norm(h.backend) === norm(e.target));
    if (mine.length === 0)
      return fail(
        base(e),
        `${text}; none reaches ${e.service} (${e.target})`,
        `a handler on the same port and path replaces the previous one, so ${e.service}'s handler is gone: give each service its own port (tailbridge generate --mode serve) and do not run tailscale serve --bg by hand next to TS_SERVE_CONFIG`,
      );
    if (tcp.HTTPS && certDomains.length === 0)
      return fail(base(e), `${text}; CertDomains empty`, missingPortHint(exp, e, certDomains));
    return pass(base(e), mine.map((h) => `${h.where} → ${h.backend}`).join(', '));
  });
}
