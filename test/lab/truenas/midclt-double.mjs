#!/usr/bin/env node
// TEST DOUBLE of TrueNAS's `midclt` (truenas/api_client truenas_api_client/__init__.py `main`):
//   midclt call [-j] [-jp progressbar|description] <method> [json args…]
// Each argument is parsed as JSON (else kept as a string); an int or str result is printed as is,
// anything else as JSON; a failed call prints its error on stderr and exits 1. It talks to the
// middleware double's local socket ($TAILBRIDGE_MIDCLT_SOCKET), where sessions are authenticated
// like root's on the NAS. With -j it follows the job with core.get_jobs and prints descriptions on stderr.
import WebSocket from 'ws';

const argv = process.argv.slice(2);
if (argv[0] !== 'call') {
  process.stderr.write('midclt double: only `call` is implemented\n');
  process.exit(2);
}
let job = false;
let i = 1;
for (; i < argv.length; i++) {
  if (argv[i] === '-j' || argv[i] === '--job') job = true;
  else if (argv[i] === '-jp' || argv[i] === '--job-print') i++;
  else if (argv[i] === '-q' || argv[i] === '--quiet') {
  } else break;
}
const method = argv[i];
const params = argv.slice(i + 1).map((a) => {
  try {
    return JSON.parse(a);
  } catch {
    return a;
  }
});
const socket = process.env.TAILBRIDGE_MIDCLT_SOCKET;
if (!socket) {
  process.stderr.write('Failed to run middleware call. Daemon not running?\n');
  process.exit(1);
}
const ws = new WebSocket(`ws+unix://${socket}:/api/current`);
let next = 1;
const pending = new Map();
ws.on('message', (d) => {
  const m = JSON.parse(String(d));
  const p = pending.get(m.id);
  if (!p) return;
  pending.delete(m.id);
  if (m.error) p.reject(m.error);
  else p.resolve(m.result);
});
const call = (method, params) =>
  new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  });
const print = (rv) =>
  process.stdout.write(`${typeof rv === 'number' || typeof rv === 'string' ? rv : JSON.stringify(rv)}\n`);
ws.on('error', () => {
  process.stderr.write('Failed to run middleware call. Daemon not running?\n');
  process.exit(1);
});
ws.on('open', async () => {
  try {
    let rv = await call(method, params);
    if (job) {
      let last = '';
      for (;;) {
        const [j] = await call('core.get_jobs', [[['id', '=', rv]]]);
        const desc = j.progress.description;
        if (desc && desc !== last) process.stderr.write(`${desc}\n`);
        last = desc ?? last;
        if (j.state === 'SUCCESS') {
          rv = j.result;
          break;
        }
        if (j.state === 'FAILED' || j.state === 'ABORTED') throw { data: { reason: j.error } };
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    print(rv);
    ws.close();
  } catch (e) {
    process.stderr.write(`${e?.data?.reason ?? e?.message ?? String(e)}\n`);
    ws.close();
    process.exitCode = 1;
  }
});
