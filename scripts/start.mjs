// `npm start`: runs Lichen on this machine: installs and builds what is missing, starts NATS and Redis if
// none is reachable, then runs every service that exists so far until Ctrl-C.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureDependencies, ensureServers, root, run, say, stopChild } from './lib/workspace.mjs';

const services = ['health-exporter'];

ensureDependencies();
say('building...');
run('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], { stdio: ['ignore', 'ignore', 'inherit'] });
const stopServers = await ensureServers();

const children = services.map((service) => {
  const child = spawn(process.execPath, [join(root, 'services', service, 'dist', 'main.js')], {
    stdio: 'inherit',
    env: process.env,
  });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      say(`${service} stopped (${signal ?? `exit ${code}`}); stopping Lichen`);
      void shutdown(1);
    }
  });
  return child;
});

const metricsPort = process.env.LICHEN_METRICS_PORT ?? '9100';
say(`running ${services.join(', ')}. Metrics: http://127.0.0.1:${metricsPort}/metrics  Health: npx lichen health  Stop: Ctrl-C`);

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  await Promise.all(children.map((child) => stopChild(child)));
  await stopServers();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
