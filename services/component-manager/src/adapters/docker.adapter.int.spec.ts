import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureDockerEngine,
  requireCommand,
  runCommand,
  startServerProcess,
  waitFor,
  type DockerEngine,
  type ServerProcess,
} from '@lichen/testing';
import type { ComponentSpec } from '../domain/component/component-spec.js';
import type { ComponentExit, LaunchContext, LogEntry } from '../domain/runtime/component-runtime.js';
import { DockerAdapter } from './docker.adapter.js';
import { componentSpec } from '../../test/fakes/component-spec.js';

// The Docker runtime against the machine's engine: what an operator would see with `docker ps` and `docker logs`.
const root = fileURLToPath(new URL('../../../..', import.meta.url));
const deviceId = `t-docker-${randomBytes(3).toString('hex')}`;
const appImage = `${deviceId}/app:1`;
const REGISTRY_PORT = 5101;
/** Accepts connections and never answers: a registry that hangs. */
const SILENT_REGISTRY_PORT = 5102;
const registry = `127.0.0.1:${REGISTRY_PORT}`;
const pushedImage = `${registry}/${deviceId}/pulled:1`;
const missingImage = `${registry}/${deviceId}/missing:1`;
// The registry's htpasswd entry for tester / lichen-pw (bcrypt, cost 4 to keep each request fast).
const REGISTRY_USER = 'tester';
const REGISTRY_PASSWORD = 'lichen-pw';
const REGISTRY_HTPASSWD = 'tester:$2b$04$vy8L41YWUQF5wGYQYZlu.OqV7bT4.D6h2XZQDtbRI96WiKgB6fkvG';
const legacyBuilder = { ...process.env, DOCKER_BUILDKIT: '0' };

let engine: DockerEngine | undefined;
let registryServer: ServerProcess | undefined;
let silentRegistry: Server | undefined;
const silentSockets = new Set<Socket>();
let work = '';
let dockerConfigDir = '';
let adapter: DockerAdapter;
const logged: { event: string; fields: Record<string, unknown> }[] = [];
const exits: (ComponentExit & { receivedAt: number })[] = [];

const context: LaunchContext = { fingerprint: 'fp-1', deployment: 'dep-1', env: { LICHEN_COMPONENT: 'from-context' } };

function specFor(name: string, overrides: Partial<ComponentSpec> = {}): ComponentSpec {
  return componentSpec(name, {
    version: '1.0.0',
    runtime: 'docker',
    image: appImage,
    process: undefined,
    restart: { policy: 'never', onConfigChange: false },
    health: { startupTimeoutMs: 10_000 },
    timeouts: { installMs: 20_000, shutdownMs: 1_000 },
    pullPolicy: 'never',
    ...overrides,
  });
}

const deadline = (ms = 10_000) => AbortSignal.timeout(ms);

/** The first line of the component's output that matches, following it for at most `ms`. */
async function lineOf(name: string, match: RegExp, ms = 5_000): Promise<LogEntry> {
  const signal = AbortSignal.timeout(ms);
  for await (const entry of adapter.logs(name, { tail: 100, follow: true, signal })) {
    if (match.test(entry.line)) return entry;
  }
  throw new Error(`${name} wrote no line matching ${match} within ${ms} ms`);
}

async function exitOf(name: string, ms = 5_000): Promise<ComponentExit & { receivedAt: number }> {
  return waitFor(() => exits.find((exit) => exit.name === name), { timeoutMs: ms, intervalMs: 10, what: `the exit of ${name}` });
}

async function inspect(name: string): Promise<{
  Config: { Labels: Record<string, string> };
  HostConfig: Record<string, unknown> & { RestartPolicy: { Name: string } };
}> {
  return JSON.parse(await runCommand('docker', ['inspect', `lichen-${deviceId}-${name}`]))[0];
}

async function imageExists(image: string): Promise<boolean> {
  return runCommand('docker', ['image', 'inspect', image]).then(
    () => true,
    () => false,
  );
}

beforeAll(async () => {
  engine = await ensureDockerEngine();
  await runCommand('bash', [join(root, 'scripts/docker/import-base-images.sh'), 'node-base'], { cwd: root });
  work = await mkdtemp(join(tmpdir(), `${deviceId}-`));

  // The component image: says what reached its environment, on both streams, then waits.
  const app = join(work, 'app');
  await mkdir(app);
  await writeFile(
    join(app, 'Dockerfile'),
    'FROM lichen/node-base:local\n' +
      'CMD ["sh", "-c", "echo \\"greeting=$GREETING component=$LICHEN_COMPONENT\\"; echo to-stderr >&2; exec sleep 3600"]\n',
  );
  await runCommand('docker', ['build', '-q', '-t', appImage, app], { env: legacyBuilder });

  // A registry that asks for a login, and the credentials for it where `docker login` would write them.
  registryServer = await startServerProcess({
    name: 'docker-registry',
    command: requireCommand('docker-registry', 'docker-registry'),
    port: REGISTRY_PORT,
    args: (dataDir) => ['serve', join(dataDir, 'config.yml')],
    beforeStart: async (dataDir) => {
      await writeFile(join(dataDir, 'htpasswd'), `${REGISTRY_HTPASSWD}\n`);
      await writeFile(
        join(dataDir, 'config.yml'),
        [
          'version: 0.1',
          'log: { level: warn }',
          `storage: { filesystem: { rootdirectory: ${join(dataDir, 'data')} } }`,
          `http: { addr: "${registry}" }`,
          `auth: { htpasswd: { realm: lichen-test, path: ${join(dataDir, 'htpasswd')} } }`,
        ].join('\n'),
      );
    },
  });
  dockerConfigDir = join(work, 'docker-config');
  await mkdir(dockerConfigDir);
  const auth = Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64');
  await writeFile(join(dockerConfigDir, 'config.json'), JSON.stringify({ auths: { [registry]: { auth } } }));

  // A tiny image (static busybox, nothing else) pushed there and removed here, so only a pull brings it back.
  const pulled = join(work, 'pulled');
  await mkdir(pulled);
  await copyFile(requireCommand('busybox', 'busybox-static'), join(pulled, 'busybox'));
  await writeFile(
    join(pulled, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nCMD ["/bin/busybox", "echo", "pulled-image-ran"]\n',
  );
  await runCommand('docker', ['build', '-q', '-t', pushedImage, pulled], { env: legacyBuilder });
  await runCommand('docker', ['--config', dockerConfigDir, 'push', pushedImage]);
  await runCommand('docker', ['image', 'rm', pushedImage]);

  silentRegistry = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silentRegistry!.listen(SILENT_REGISTRY_PORT, '127.0.0.1', resolve));

  adapter = new DockerAdapter({ deviceId, dockerConfigDir, log: (event, fields) => logged.push({ event, fields }) });
  adapter.onExit((exit) => exits.push({ ...exit, receivedAt: Date.now() }));
}, 60_000);

afterAll(async () => {
  await adapter?.close();
  const ids = (await runCommand('docker', ['ps', '-aq', '--filter', `label=lichen.device=${deviceId}`]).catch(() => ''))
    .split('\n')
    .filter(Boolean);
  if (ids.length > 0) await runCommand('docker', ['rm', '-f', ...ids]).catch((error) => console.error(error));
  await runCommand('docker', ['image', 'rm', '-f', appImage, pushedImage]).catch(() => undefined);
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => (silentRegistry ? silentRegistry.close(resolve) : resolve(undefined)));
  await registryServer?.stop({ removeData: true });
  if (work) await rm(work, { recursive: true, force: true });
  await engine?.release();
});

describe('DockerAdapter', () => {
  it('says whether an engine answers, within a second', async () => {
    expect(await adapter.available()).toBe(true);
    const nowhere = new DockerAdapter({ deviceId, socketPath: join(work, 'nobody.sock') });
    const started = Date.now();
    expect(await nowhere.available()).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_500);
    await nowhere.close();
  });

  it('starts a component that is listed running with its labels, its environment reaching the process', async () => {
    const spec = specFor('greeter', {
      env: { GREETING: 'hello', LICHEN_COMPONENT: 'from-spec' },
      resources: { memoryBytes: 64 * 1024 * 1024, cpus: 0.5 },
    });
    const instance = await adapter.start(spec, context, deadline());
    expect(instance).toMatchObject({
      name: 'greeter',
      runtime: 'docker',
      status: 'running',
      fingerprint: 'fp-1',
      deployment: 'dep-1',
    });

    // The launch context wins over the spec's own env.
    const greeting = await lineOf('greeter', /^greeting=/);
    expect(greeting).toMatchObject({ stream: 'stdout', line: 'greeting=hello component=from-context' });
    expect(Math.abs(greeting.time.getTime() - Date.now())).toBeLessThan(10_000);
    expect(await lineOf('greeter', /to-stderr/)).toMatchObject({ stream: 'stderr', line: 'to-stderr' });
    const whole: LogEntry[] = [];
    for await (const entry of adapter.logs('greeter', { tail: 10, follow: false, signal: deadline() })) whole.push(entry);
    expect(whole.map(({ stream, line }) => `${stream}:${line}`).sort()).toEqual([
      'stderr:to-stderr',
      'stdout:greeting=hello component=from-context',
    ]);

    const listed = (await adapter.list()).filter((each) => each.name === 'greeter');
    expect(listed).toEqual([
      expect.objectContaining({ id: instance.id, status: 'running', fingerprint: 'fp-1', deployment: 'dep-1' }),
    ]);
    expect(listed[0]?.startedAt?.getTime()).toBeGreaterThan(Date.now() - 10_000);

    const { Config, HostConfig } = await inspect('greeter');
    expect(Config.Labels).toMatchObject({
      'lichen.component': 'greeter',
      'lichen.device': deviceId,
      'lichen.fingerprint': 'fp-1',
      'lichen.deployment': 'dep-1',
      'lichen.version': '1.0.0',
    });
    expect(HostConfig).toMatchObject({ Init: true, NetworkMode: 'host', Memory: 64 * 1024 * 1024, NanoCpus: 500_000_000 });
    expect(HostConfig.RestartPolicy.Name).toBe('no');

    // Starting it again replaces the container.
    const again = await adapter.start(spec, { ...context, fingerprint: 'fp-2' }, deadline());
    expect(again.id).not.toBe(instance.id);
    expect((await adapter.list()).filter((each) => each.name === 'greeter')).toEqual([
      expect.objectContaining({ id: again.id, fingerprint: 'fp-2', status: 'running' }),
    ]);
  });

  it('reports a component that exits with code 3 within a second, and lists it exited', async () => {
    const instance = await adapter.start(specFor('quitter', { command: ['sh', '-c', 'exit 3'] }), context, deadline());
    const started = Date.now();
    const exit = await exitOf('quitter');
    expect(exit).toMatchObject({ name: 'quitter', id: instance.id, exitCode: 3, oomKilled: false });
    expect(exit.receivedAt - started).toBeLessThan(1_000);
    expect((await adapter.list()).find((each) => each.name === 'quitter')).toMatchObject({ status: 'exited', exitCode: 3 });
  });

  it('reports a component killed over its memory limit as OOM-killed', async () => {
    const spec = specFor('hog', {
      resources: { memoryBytes: 16 * 1024 * 1024 },
      command: ['node', '-e', 'console.log("allocating"); const kept = []; for (;;) kept.push(Buffer.alloc(1 << 20, 1));'],
    });
    await adapter.start(spec, context, deadline());
    const exit = await exitOf('hog', 10_000);
    // It ran, then the kernel killed it: not a start that failed.
    expect((await lineOf('hog', /allocating/)).line).toBe('allocating');
    expect(exit).toMatchObject({ name: 'hog', oomKilled: true, exitCode: 137, signal: 'SIGKILL' });
    expect((await adapter.list()).find((each) => each.name === 'hog')).toMatchObject({ status: 'exited', oomKilled: true });
  });

  it('stops a component at once on SIGTERM, one that ignores it after its timeout, and removes both', async () => {
    let started = Date.now();
    await adapter.stop('greeter', 5_000, deadline());
    // tini passes SIGTERM on to `sleep`, which ends: no waiting for the timeout.
    expect(Date.now() - started).toBeLessThan(2_000);

    await adapter.start(
      specFor('stubborn', { command: ['sh', '-c', "trap '' TERM; echo ready; while true; do sleep 1; done"] }),
      context,
      deadline(),
    );
    await lineOf('stubborn', /^ready$/);
    started = Date.now();
    await adapter.stop('stubborn', 1_000, deadline());
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(3_000);
    expect(await exitOf('stubborn')).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });

    const left = await runCommand('docker', ['ps', '-aq', '--filter', `name=^lichen-${deviceId}-(greeter|stubborn)$`]);
    expect(left.trim()).toBe('');
    expect((await adapter.list()).map((each) => each.name)).not.toContain('stubborn');
    // Nothing to stop is no error.
    await adapter.stop('never-started', 1_000, deadline());
  });

  it('pulls an image from a registry with the credentials in config.json', async () => {
    expect(await imageExists(pushedImage)).toBe(false);
    const spec = specFor('pulled', { image: pushedImage, pullPolicy: 'if-not-present' });
    await adapter.install(spec, deadline(20_000));
    expect(await imageExists(pushedImage)).toBe(true);
    await adapter.install({ ...spec, pullPolicy: 'always' }, deadline(20_000));

    await adapter.start(spec, context, deadline());
    expect((await lineOf('pulled', /pulled-image-ran/)).line).toBe('pulled-image-ran');
  });

  it('fails a pull with the image and the registry reason, and a missing image under `never` clearly', async () => {
    await expect(
      adapter.install(specFor('absent', { image: missingImage, pullPolicy: 'if-not-present' }), deadline(20_000)),
    ).rejects.toThrow(new RegExp(`pulling image ${missingImage} from ${registry} failed: .*(not found|unknown)`, 'i'));

    const anonymous = new DockerAdapter({ deviceId, dockerConfigDir: join(work, 'no-credentials') });
    await expect(
      anonymous.install(specFor('pulled', { image: pushedImage, pullPolicy: 'always' }), deadline(20_000)),
    ).rejects.toThrow(new RegExp(`pulling image ${pushedImage} .*(auth|unauthorized)`, 'i'));
    await anonymous.close();

    await expect(
      adapter.install(specFor('absent', { image: missingImage, pullPolicy: 'never' }), deadline()),
    ).rejects.toMatchObject({
      code: 'IMAGE_MISSING',
      message: expect.stringMatching(
        new RegExp(`image ${missingImage} of component absent is not on this device.*pull policy is never`),
      ),
    });
  });

  it('gives up a pull at once when its signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('install timed out');
    setTimeout(() => controller.abort(reason), 300);
    const started = Date.now();
    const hanging = specFor('hanging', { image: `127.0.0.1:${SILENT_REGISTRY_PORT}/${deviceId}/hangs:1`, pullPolicy: 'always' });
    await expect(adapter.install(hanging, controller.signal)).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('runs a health check command inside the container', async () => {
    const spec = specFor('checked', { env: { GREETING: 'hi' }, command: ['sh', '-c', 'touch /tmp/ready; exec sleep 3600'] });
    await adapter.start(spec, context, deadline());
    const withCheck = (command: string[]) => ({
      ...spec,
      health: { startupTimeoutMs: 10_000, check: { command, intervalMs: 1_000 } },
    });

    expect(await adapter.runCheck(withCheck(['sh', '-c', 'test -f /tmp/ready && test "$GREETING" = hi']), deadline())).toBe(true);
    expect(await adapter.runCheck(withCheck(['sh', '-c', 'exit 1']), deadline())).toBe(false);
    await adapter.stop('checked', 1_000, deadline());
    expect(await adapter.runCheck(withCheck(['true']), deadline())).toBe(false);
  });

  it('reports an exit that happened while the engine was out of reach, once it answers again', async () => {
    const proxy = socketProxy(join(work, 'engine.sock'), '/var/run/docker.sock');
    await proxy.open();
    const events: string[] = [];
    const proxied = new DockerAdapter({ deviceId, socketPath: proxy.path, log: (event) => events.push(event) });
    const seen: ComponentExit[] = [];
    proxied.onExit((exit) => seen.push(exit));
    try {
      await waitFor(() => proxy.connections() > 0, { what: 'the event stream to connect' });
      await proxy.cut();
      await adapter.start(specFor('blinker', { command: ['sh', '-c', 'exit 5'] }), context, deadline());
      await exitOf('blinker');
      await waitFor(() => events.includes('docker.events.lost'), { what: 'the loss to be logged' });
      expect(seen).toEqual([]);

      await proxy.open();
      await waitFor(() => seen.find((exit) => exit.name === 'blinker'), { timeoutMs: 5_000, what: 'the replayed exit' });
      expect(seen.filter((exit) => exit.name === 'blinker')).toEqual([
        expect.objectContaining({ exitCode: 5, oomKilled: false }),
      ]);
      expect(events).toEqual(['docker.events.lost', 'docker.events.restored']);
    } finally {
      await proxied.close();
      await proxy.cut();
    }
  });
});

/** A unix socket in front of the engine's, that can be cut (every connection dropped, new ones refused) and opened again. */
function socketProxy(path: string, target: string) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  return {
    path,
    connections: () => sockets.size,
    open: () =>
      new Promise<void>((resolve, reject) => {
        server = createServer((client) => {
          const upstream = connect(target);
          for (const socket of [client, upstream]) {
            sockets.add(socket);
            socket.on('error', () => undefined);
            socket.on('close', () => {
              sockets.delete(socket);
              client.destroy();
              upstream.destroy();
            });
          }
          client.pipe(upstream).pipe(client);
        });
        server.once('error', reject);
        server.listen(path, resolve);
      }),
    cut: async () => {
      const closed = new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
      for (const socket of sockets) socket.destroy();
      await closed;
      server = undefined;
    },
  };
}
