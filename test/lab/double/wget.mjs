#!/usr/bin/node
// [tailscale-double] /bin/wget of the double image. Debian's busybox-static wget segfaults in these
// containers, and the compose healthcheck tailbridge generates runs `wget -q --spider URL`, so the image
// ships this small busybox-compatible replacement: -q, --spider, -O FILE|-, -T SECONDS, URL (http only).
// Exit 0 on 2xx/3xx, 1 otherwise, with busybox's wording on stderr.
import fs from 'node:fs';
import http from 'node:http';

const argv = process.argv.slice(2);
let quiet = false;
let spider = false;
let out;
let timeout = 10;
let url;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '-q' || a === '--quiet') quiet = true;
  else if (a === '--spider' || a === '-s') spider = true;
  else if (a === '-O') out = argv[++i];
  else if (a.startsWith('-O')) out = a.slice(2);
  else if (a === '-T') timeout = Number(argv[++i]);
  else if (a.startsWith('--timeout=')) timeout = Number(a.slice(10));
  else if (a === '-qO-' || a === '-qO') {
    quiet = true;
    out = '-';
  } else if (!a.startsWith('-')) url = a;
}
if (!url) {
  process.stderr.write(
    'BusyBox-compatible wget (tailscale-double)\nUsage: wget [-q] [--spider] [-O FILE] [-T SEC] URL\n',
  );
  process.exit(1);
}
const u = new URL(url.includes('://') ? url : `http://${url}`);
if (!quiet) process.stderr.write(`Connecting to ${u.host}\n`);
const req = http.get(
  {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || 80),
    path: `${u.pathname}${u.search}`,
    timeout: timeout * 1000,
  },
  (res) => {
    const code = res.statusCode ?? 0;
    if (code >= 400) {
      process.stderr.write(`wget: server returned error: HTTP/1.1 ${code} ${res.statusMessage}\n`);
      res.resume();
      res.on('end', () => process.exit(1));
      return;
    }
    if (spider) {
      if (!quiet) process.stderr.write('remote file exists\n');
      res.resume();
      res.on('end', () => process.exit(0));
      return;
    }
    const file = out ?? (u.pathname.split('/').pop() || 'index.html');
    const sink = file === '-' ? process.stdout : fs.createWriteStream(file);
    res.pipe(sink);
    res.on('end', () => setTimeout(() => process.exit(0), 10));
  },
);
req.on('timeout', () => {
  process.stderr.write('wget: download timed out\n');
  process.exit(1);
});
req.on('error', (e) => {
  process.stderr.write(
    `wget: can't connect to remote host (${u.hostname}): ${e.code === 'ECONNREFUSED' ? 'Connection refused' : e.message}\n`,
  );
  process.exit(1);
});
