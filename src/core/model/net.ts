/** Small IPv4/CIDR helpers for the model and planner (IPv6 prefixes are accepted but not computed on). */

export function parseIPv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  base: number;
  bits: number;
  first: number;
  last: number;
}

export function parseCidr(cidr: string): Cidr | undefined {
  const [ip, len] = cidr.split('/');
  const addr = ip === undefined ? undefined : parseIPv4(ip);
  const bits = len === undefined ? 32 : Number(len);
  if (addr === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const base = (addr & mask) >>> 0;
  return { base, bits, first: base, last: (base | (~mask >>> 0)) >>> 0 };
}

export function isIPv4Cidr(s: string): boolean {
  return /\//.test(s) && parseCidr(s) !== undefined;
}

export function isIPv6Cidr(s: string): boolean {
  return /^[0-9a-fA-F:]+\/\d{1,3}$/.test(s) && s.includes(':');
}

export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = parseIPv4(ip);
  return c !== undefined && a !== undefined && a >= c.first && a <= c.last;
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x !== undefined && y !== undefined && x.first <= y.last && y.first <= x.last;
}

/** True when every address of `inner` lies inside `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const i = parseCidr(inner);
  const o = parseCidr(outer);
  return i !== undefined && o !== undefined && i.first >= o.first && i.last <= o.last;
}

export function rangeOverlapsCidr(start: string, end: string, cidr: string): boolean {
  const s = parseIPv4(start);
  const e = parseIPv4(end);
  const c = parseCidr(cidr);
  return s !== undefined && e !== undefined && c !== undefined && s <= c.last && c.first <= e;
}

export function ipInRange(ip: string, start: string, end: string): boolean {
  const a = parseIPv4(ip);
  const s = parseIPv4(start);
  const e = parseIPv4(end);
  return a !== undefined && s !== undefined && e !== undefined && a >= s && a <= e;
}
