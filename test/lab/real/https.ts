import { request } from 'node:https';

export interface HttpsResponse {
  status: number;
  body: string;
}

/** One HTTPS request trusting only `ca` (the lab CA); JSON body when given. */
export function httpsRequest(
  url: string,
  o: { ca: string; method?: string; token?: string; body?: unknown; timeoutMs?: number },
): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const req = request(url, {
      method: o.method ?? 'GET',
      ca: o.ca,
      headers,
      timeout: o.timeoutMs ?? 10_000,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${o.method ?? 'GET'} ${url}: no answer`)));
    req.on('error', reject);
    req.end(payload);
  });
}
