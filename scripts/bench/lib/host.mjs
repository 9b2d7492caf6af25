// Facts about the machine the benchmark runs on: binaries on PATH, their versions, load, free ports.

import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';

/** Absolute path of `binary` as the shell finds it on PATH, or undefined. */
export function which(binary) {
  const found = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', binary], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** First line of what `command args` prints (stdout, then stderr), e.g. a version; '' when it prints nothing. */
export function firstLine(command, args) {
  const out = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  return `${out.stdout ?? ''}${out.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

/** The 1, 5 and 15 minute load averages, as strings with two decimals. */
export function loadavgNow() {
  return loadavg().map((l) => l.toFixed(2));
}

/** A TCP port free on 127.0.0.1 right now (never 9100, node_exporter's default port). */
export async function freePort() {
  for (;;) {
    const port = await new Promise((ok, ko) => {
      const server = createServer();
      server.once('error', ko);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => ok(port));
      });
    });
    if (port !== 9100) return port;
  }
}
