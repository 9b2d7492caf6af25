// Set-up shared by `npm start` and `npm test`: dependencies, build, and the servers Lichen needs.
// Plain Node with no dependencies: it runs before anything is installed or built, so it cannot use @lichen/testing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dataRoot = join(root, '.lichen', 'data');

export function say(message) {
  process.stderr.write(`lichen: ${message}\n`);
}

/** Runs a command in the repo, output shown; throws when it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw new Error(`cannot run ${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

/** Installs npm dependencies when node_modules is missing or older than the lockfile. */
export function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  say('installing dependencies (npm ci)...');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

export function isListening(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntilListening(port, child, name) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; its log is in ${dataRoot}`);
    if (await isListening(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not listen on ${port} within 15 s`);
}

function hasCommand(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * The device's NATS (JetStream, monitoring on 8222) and Redis (AOF on): used as they are when something
 * already listens on their ports, started here with data under .lichen/data otherwise. Returns a stop
 * function for what it started.
 */
export async function ensureServers({ natsPort = 4222, natsMonitorPort = 8222, redisPort = 6379 } = {}) {
  const started = [];
  const servers = [
    {
      name: 'nats-server',
      port: natsPort,
      package: 'nats-server',
      args: (dir) => ['-a', '127.0.0.1', '-p', String(natsPort), '-m', String(natsMonitorPort), '-js', '-sd', dir],
    },
    {
      name: 'redis-server',
      port: redisPort,
      package: 'redis-server',
      args: (dir) => [
        '--bind',
        '127.0.0.1',
        '--port',
        String(redisPort),
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
      ],
    },
  ];
  for (const server of servers) {
    if (await isListening(server.port)) continue;
    if (!hasCommand(server.name)) throw new Error(`${server.name} is not installed: apt-get install ${server.package}`);
    const dir = join(dataRoot, server.name.replace('-server', ''));
    mkdirSync(dir, { recursive: true });
    const child = spawn(server.name, server.args(dir), { cwd: dir, stdio: 'ignore' });
    await waitUntilListening(server.port, child, server.name);
    say(`started ${server.name} on 127.0.0.1:${server.port} (data in ${dir})`);
    started.push(child);
  }
  return async () => {
    await Promise.all(started.map((child) => stopChild(child)));
  };
}

export function stopChild(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}
