/**
 * netip.ParseAddrPort as containerboot uses it for TS_LOCAL_ADDR_PORT, TS_HEALTHCHECK_ADDR_PORT and
 * TS_DEBUG_ADDR_PORT: `a.b.c.d:port` or `[v6]:port`, a literal address (no host name, no empty host).
 */
export function parseAddrPort(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+(?:%[^\]]+)?)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  if (m[2]?.split('.').some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) return undefined;
  if (m[1] && !validV6(m[1].replace(/%.*$/, ''))) return undefined;
  return { host: m[1] ?? m[2]!, port };
}

function validV6(a: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(a) || (a.match(/::/g) ?? []).length > 1) return false;
  const parts = a.split(':');
  return parts.length >= 3 && parts.length <= 8 && parts.every((p) => p.length <= 4 || p.includes('.'));
}
