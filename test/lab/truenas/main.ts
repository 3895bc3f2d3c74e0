/**
 * Runs the TrueNAS middleware TEST DOUBLE as a process (the lab starts it detached):
 *   tsx test/lab/truenas/main.ts <dir> <api-key-file> [port]
 * Writes <dir>/double.json ({url, port, fingerprint, socketPath}) once it listens; stops on SIGTERM
 * after the running jobs end.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTrueNasDouble } from './double.js';

const [dir, keyFile, port] = process.argv.slice(2);
if (!dir || !keyFile) {
  console.error('usage: main.ts <dir> <api-key-file> [port]');
  process.exit(2);
}
const apiKey = readFileSync(keyFile, 'utf8').trim();
const double = await startTrueNasDouble({
  dir,
  apiKey,
  compose: true,
  ...(port ? { port: Number(port) } : {}),
});
writeFileSync(
  path.join(dir, 'double.json'),
  `${JSON.stringify({ url: double.url, port: double.port, fingerprint: double.fingerprint, socketPath: double.socketPath, pid: process.pid }, null, 2)}\n`,
);
console.error(`[truenas double] listening on ${double.url} (TEST DOUBLE of the TrueNAS middleware)`);
const stop = async () => {
  await double.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
