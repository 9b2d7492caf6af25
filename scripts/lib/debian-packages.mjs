// Debian packages that `npm test` and `npm start` need (servers, Docker, Prometheus): installed when missing, as
// root, or named in the one command to run. Plain Node, no dependencies: it runs before npm install.
import { spawnSync } from 'node:child_process';
import { run, say } from './workspace.mjs';

/** The packages of `packages` that dpkg does not list as installed; all of them on a machine without dpkg. */
export function missingDebianPackages(packages) {
  // One dpkg-query for all: it prints the known ones and exits 1 when some are unknown, which is not an error here.
  const query = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...packages], { encoding: 'utf8' });
  if (query.error) return packages;
  const installed = new Set(
    query.stdout
      .split('\n')
      .filter((line) => line.endsWith(' install ok installed'))
      .map((line) => line.split(' ')[0].split(':')[0]),
  );
  return packages.filter((name) => !installed.has(name));
}

/**
 * Makes sure the Debian packages are installed. As root, installs the missing ones with apt-get; otherwise throws
 * an error whose message is the command to run. Without recommended packages: `prometheus` would pull in
 * `prometheus-node-exporter`, whose service takes port 9100, Lichen's metrics port.
 */
export function ensureDebianPackages(packages) {
  if (spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).error) {
    say(`not a Debian machine (no dpkg-query): make sure the programs of ${packages.join(' ')} are installed`);
    return;
  }
  const missing = missingDebianPackages(packages);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing Debian packages; install them with: sudo apt-get install --no-install-recommends ${missing.join(' ')}`,
    );
  }
  say(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], { env });
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
}
