/** Tailscale auth keys, API keys and OAuth client secrets: `tskey-auth-…`, `tskey-api-…`, `tskey-client-…`. */
const TSKEY = /tskey-[A-Za-z0-9_-]*/g;
/** KEY=value of the auth variables, in case a value without the tskey- prefix shows up in evidence. */
const AUTH_ASSIGNMENT =
  /\b(TS_AUTHKEY|TS_AUTH_KEY|TS_CLIENT_SECRET|TS_ID_TOKEN)=("[^"]*"|'[^']*'|[^\s"'`,;|&<]+)/g;

export const REDACTED = '[REDACTED]';

/** Replaces every Tailscale key (and auth variable value) in `text` with `tskey-[REDACTED]`. */
export function redact(text: string): string {
  return text.replace(TSKEY, `tskey-${REDACTED}`).replace(AUTH_ASSIGNMENT, `$1=${REDACTED}`);
}

/** A deep copy of a JSON value with every string (and key) redacted. */
export function redactJson<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [redact(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
}
