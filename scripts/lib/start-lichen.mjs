// What `npm start` does after the Node check: installs what is missing (the Debian packages of the servers
// Lichen runs itself, when run as root; the npm dependencies), bundles, then becomes `lichen run` with every
// service in this one process, with Lichen's own NATS and Redis unless LICHEN_NATS_URL / LICHEN_REDIS_URL name
// servers of yours. Arguments pass through: `npm start -- health-exporter` runs only that service.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureDebianPackages } from './debian-packages.mjs';
import { ensureDependencies, root, run, say } from './workspace.mjs';

const ownServers = [!process.env.LICHEN_NATS_URL && 'nats-server', !process.env.LICHEN_REDIS_URL && 'redis-server'].filter(
  Boolean,
);
try {
  ensureDebianPackages(ownServers);
  ensureDependencies();
  say('building...');
  run('npx', ['nx', 'run', 'cli:bundle', '--output-style=static'], { stdio: ['ignore', 'ignore', 'inherit'] });
} catch (error) {
  say(error.message);
  process.exit(1);
}

// The same process becomes `lichen run`, from the bundle the image ships: one Node process for the whole
// runtime, as on a device.
process.argv.splice(2, process.argv.length, 'run', ...process.argv.slice(2));
await import(pathToFileURL(join(root, 'libs', 'cli', 'dist', 'bundle', 'lichen.mjs')).href);
