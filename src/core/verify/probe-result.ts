import type { ExecResult } from '../ports/exec.js';

/** What one TCP connection attempt showed, from wherever it was made. */
export type TcpOutcome = 'open' | 'refused' | 'timeout' | 'unreachable' | 'unresolved' | 'error';

export interface TcpResult {
  outcome: TcpOutcome;
  /** The observed line (nc's stderr, the socket error, the SOCKS5 reply). */
  detail: string;
}

/** A refusal comes from the target host's TCP stack, so it proves the host is reachable at L3. */
export function answered(outcome: TcpOutcome): boolean {
  return outcome === 'open' || outcome === 'refused';
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  );
}

/** busybox `nc -w 2 HOST PORT </dev/null`: exit 0 = connected; otherwise its stderr says why. */
export function classifyNc(r: ExecResult): TcpResult {
  const line = firstLine(r.stderr) || firstLine(r.stdout);
  if (r.exitCode === 0) return { outcome: 'open', detail: 'connected (nc exit 0)' };
  if (/connection refused/i.test(line)) return { outcome: 'refused', detail: line };
  if (/timed out|timeout/i.test(line)) return { outcome: 'timeout', detail: line };
  if (/bad address|can't resolve|unknown host|name or service not known/i.test(line))
    return { outcome: 'unresolved', detail: line };
  if (/no route to host|network is unreachable|host is unreachable/i.test(line))
    return { outcome: 'unreachable', detail: line };
  if (r.exitCode === 127 || /not found|invalid option|usage:/i.test(`${r.stderr}${r.stdout}`))
    return { outcome: 'error', detail: `nc is not usable in the container: ${line || `exit ${r.exitCode}`}` };
  // A silent failure after the -w deadline is how busybox reports a dropped SYN on some builds.
  return { outcome: 'timeout', detail: line || `no connection within the timeout (nc exit ${r.exitCode})` };
}

/** busybox nslookup (1.28 "Address 1: ip name" and 1.3x "Address: ip" formats). */
export function parseNslookup(r: ExecResult): { addresses: string[]; detail: string } {
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim());
  const nameAt = lines.findIndex((l) => /^Name:/.test(l));
  const addresses =
    nameAt < 0
      ? []
      : lines
          .slice(nameAt + 1)
          .map((l) => /^Address(?:\s+\d+)?:\s*([0-9a-fA-F.:]+)/.exec(l)?.[1])
          .filter((a): a is string => Boolean(a) && !a!.endsWith(':53'));
  const unique = [...new Set(addresses)];
  if (unique.length > 0) return { addresses: unique, detail: `resolves to ${unique.join(', ')}` };
  const err =
    lines.find((l) => /can't find|can't resolve|NXDOMAIN|SERVFAIL|timed out|no answer/i.test(l)) ??
    (lines.find(Boolean) || `nslookup exit ${r.exitCode}`);
  return { addresses: [], detail: err.replace(/^\*+\s*/, '') };
}
