import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  composeProject,
  ensureDockerEngine,
  freePort,
  runCommand,
  waitFor,
  type ComposeProject,
  type DockerEngine,
} from '@lichen/testing';

// What a user gets from `docker-compose --profile monitoring up`: every Lichen service in one container, its
// metrics on the host and Prometheus scraping it, the component manager running docker components on the host's
// engine and process components in the container, with images built here from local bases (no registry is reachable).
const root = fileURLToPath(new URL('../..', import.meta.url));
const project = `lichen-e2e-${randomBytes(4).toString('hex')}`;
const lichenImage = `${project}/lichen:e2e`;
// The device id names and labels the containers the component manager starts: this run's alone.
const deviceId = project;

let engine: DockerEngine | undefined;
let compose: ComposeProject | undefined;
let metricsPort = 0;
let prometheusPort = 0;

/** Values of a metric in Prometheus's text format, ignoring labels. */
function valuesOf(metrics: string, name: string): number[] {
  const line = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
  return [...metrics.matchAll(line)].map((match) => Number(match[1]));
}

async function scrape(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

/** Adds the containers' last log lines to a failure, since they say why far better than a timeout. */
async function withLogs<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const logs = await compose?.run(['logs', '--no-color', '--tail', '40']).catch(() => '');
    throw new Error(`${(error as Error).message}\n--- docker-compose logs ---\n${logs}`, { cause: error });
  }
}

beforeAll(async () => {
  engine = await ensureDockerEngine();
  await runCommand('bash', [join(root, 'scripts/docker/import-base-images.sh')], { cwd: root });
  await runCommand('npx', ['nx', 'run', 'cli:bundle'], { cwd: root });

  metricsPort = await freePort();
  prometheusPort = await freePort();
  compose = composeProject({
    name: project,
    file: join(root, 'compose/docker-compose.yml'),
    cwd: root,
    env: {
      LICHEN_NATS_IMAGE: 'lichen/nats:local',
      LICHEN_REDIS_IMAGE: 'lichen/redis:local',
      LICHEN_PROMETHEUS_IMAGE: 'lichen/prometheus:local',
      LICHEN_BASE_IMAGE: 'lichen/node-base:local',
      LICHEN_IMAGE_PREFIX: project,
      LICHEN_VERSION: 'e2e',
      LICHEN_DEVICE_ID: deviceId,
      // The project's network, named so that a docker component can join it; this run's alone.
      LICHEN_NETWORK: project,
      LICHEN_METRICS_PORT: String(metricsPort),
      LICHEN_PROMETHEUS_PORT: String(prometheusPort),
      // docker-compose 1.29 builds through the engine's API: no buildx needed.
      COMPOSE_DOCKER_CLI_BUILD: '0',
      DOCKER_BUILDKIT: '0',
    },
  });
  await withLogs(() => compose!.run(['--profile', 'monitoring', 'up', '-d', '--build']));
});

afterAll(async () => {
  // Always, even after a failure: the components' containers (outside the project, and on its network), then the
  // containers, network and volumes of this project, then its own image. The lichen/*:local bases stay, as a
  // cache for the next run.
  await removeComponentContainers().catch((error) => console.error(error));
  await compose?.run(['--profile', 'monitoring', 'down', '-v', '--remove-orphans', '--timeout', '5']).catch((error) => {
    console.error(error);
  });
  await runCommand('docker', ['image', 'rm', '--force', lichenImage]).catch(() => undefined);
  await engine?.release();
});

/** Removes the containers the component manager started for this run's device. */
async function removeComponentContainers(): Promise<void> {
  const ids = (await runCommand('docker', ['ps', '-aq', '--filter', `label=lichen.device=${deviceId}`]))
    .split('\n')
    .filter(Boolean);
  if (ids.length > 0) await runCommand('docker', ['rm', '-f', ...ids]);
}

/** Deploys a document with the `lichen` command inside the lichen container; returns what it printed. */
function deploy(document: object): Promise<string> {
  // The document goes in through the environment: `docker-compose exec` has no way to pass a file.
  return withLogs(() =>
    compose!.run(
      [
        'exec',
        '-T',
        '-e',
        `LICHEN_E2E_DOCUMENT=${JSON.stringify(document)}`,
        'lichen',
        'sh',
        '-c',
        'printf %s "$LICHEN_E2E_DOCUMENT" > /tmp/deployment.json && node /app/lichen.mjs deploy -f /tmp/deployment.json',
      ],
      { timeoutMs: 180_000 },
    ),
  );
}

/** The `lichen` command inside the lichen container, as an operator runs it there: `docker-compose exec lichen ...`. */
function lichen(...args: string[]): Promise<string> {
  return compose!.run(['exec', '-T', 'lichen', 'node', '/app/lichen.mjs', ...args], { timeoutMs: 120_000 });
}

describe('docker compose deployment', () => {
  it('serves the health of the device, the bus and Redis on the host port', async () => {
    const metrics = await withLogs(() =>
      waitFor(
        async () => {
          const text = await scrape();
          const up = ['lichen_bus_connected', 'lichen_nats_up', 'lichen_redis_up'].every((name) => valuesOf(text, name)[0] === 1);
          return up ? text : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: 'the exporter to report NATS and Redis up' },
      ),
    );

    expect(valuesOf(metrics, 'lichen_bus_connected')).toEqual([1]);
    expect(valuesOf(metrics, 'lichen_nats_up')).toEqual([1]);
    expect(valuesOf(metrics, 'lichen_redis_up')).toEqual([1]);
    // Every service runs in the one container, and each passes its readiness checks.
    expect(metrics).toMatch(/^lichen_service_ready\{service="health-exporter"\} 1$/m);
    expect(metrics).toMatch(/^lichen_service_ready\{service="component-manager"\} 1$/m);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status).toBe(200);
    // Read from the host's /proc mounted into the container, not from the container's cgroup.
    const memTotalKiB = Number(/^MemTotal:\s+(\d+) kB$/m.exec(await readFile('/proc/meminfo', 'utf8'))?.[1]);
    expect(valuesOf(metrics, 'lichen_host_memory_total_bytes')).toEqual([memTotalKiB * 1024]);
  });

  it('is scraped by Prometheus in the monitoring profile', async () => {
    const query = new URL(`http://127.0.0.1:${prometheusPort}/api/v1/query`);
    query.searchParams.set('query', 'up{job="lichen"}');
    const result = await withLogs(() =>
      waitFor(
        async () => {
          const body = (await (await fetch(query, { signal: AbortSignal.timeout(5_000) })).json()) as {
            data?: { result?: { metric: Record<string, string>; value: [number, string] }[] };
          };
          const series = body.data?.result ?? [];
          return series.length > 0 ? series : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 1_000, what: 'Prometheus to scrape the exporter' },
      ),
    );

    expect(result).toHaveLength(1);
    expect(result[0]?.metric.instance).toBe('lichen:9100');
    expect(result[0]?.value[1]).toBe('1');
  });

  it('runs the component manager: lichen components answers inside the container', async () => {
    const list = await withLogs(() => lichen('components', '--json'));
    expect(JSON.parse(list)).toEqual({});
  });

  it('runs NATS with the users Lichen writes: the operator logs in with the credentials Lichen keeps, nobody without a user', async () => {
    // The users file the nats container includes, written by the lichen container through their shared volume.
    const users = await compose!.run(['exec', '-T', 'nats', 'cat', '/etc/nats/users/users.conf']);
    expect(users).toMatch(/user: "lichen"/);
    expect(users).toMatch(/user: "operator"/);
    expect(users).not.toMatch(/lichen-pending/);
    // The CLI above logged in as the operator, with the file Lichen keeps for it, readable by Lichen's user alone.
    const credentials = await compose!.run([
      'exec',
      '-T',
      'lichen',
      'stat',
      '-c',
      '%a',
      '/var/lib/lichen/operator-credentials.json',
    ]);
    expect(credentials.trim()).toBe('600');
    // A client without a user, from the lichen container, speaking NATS's protocol itself.
    const anonymous = `const s=require('net').connect(4222,'nats');let t='';const done=()=>{console.log(t.trim());process.exit(0)};s.on('data',(d)=>{t+=d;if(/-ERR|PONG/.test(t))done()}).on('close',done).on('error',done);s.write('CONNECT {"verbose":false}\\r\\nPING\\r\\n');setTimeout(done,10000)`;
    const refused = await compose!.run(['exec', '-T', 'lichen', 'node', '-e', anonymous]);
    expect(refused).toMatch(/^-ERR 'Authorization Violation'$/m);
    expect(refused).not.toMatch(/PONG/);
    expect(valuesOf(await scrape(), 'lichen_bus_connected')).toEqual([1]);
  });

  it('deploys a process component into the lichen container and a docker component onto the host engine', async () => {
    // Both log in to NATS the way a component does, at the LICHEN_NATS_URL they are given (nats://nats:4222) as the
    // LICHEN_NATS_USER with the LICHEN_NATS_PASSWORD they are given, speaking NATS's protocol, and exit 1 when they
    // are refused or cut off: RUNNING (alive past the settle time) means they got in.
    const reachNats = `const e=process.env,u=new URL(e.LICHEN_NATS_URL),s=require('net').connect(+u.port,u.hostname);let said=false;s.on('data',(d)=>{const t=String(d);if(/-ERR/.test(t))process.exit(1);if(!said){said=true;s.write('CONNECT '+JSON.stringify({user:e.LICHEN_NATS_USER,pass:e.LICHEN_NATS_PASSWORD,verbose:false})+'\\r\\nPING\\r\\n')}if(/PING/.test(t))s.write('PONG\\r\\n')}).on('error',()=>process.exit(1)).on('close',()=>process.exit(1))`;
    const document = {
      apiVersion: 'lichen.dev/v1',
      kind: 'Deployment',
      metadata: { name: 'compose-e2e', revision: 1 },
      components: {
        'in-process': { version: '1.0.0', process: { run: `exec node -e "${reachNats}"` } },
        'in-docker': {
          version: '1.0.0',
          image: 'lichen/node-base:local',
          pullPolicy: 'never',
          command: ['node', '-e', reachNats],
          network: project,
        },
      },
    };
    const deployed = await deploy(document);
    expect(deployed).toMatch(/SUCCEEDED/);

    const { components } = JSON.parse(await lichen('components', '--json')) as {
      components: { name: string; runtime: string; state: string }[];
    };
    expect(
      components.map(({ name, runtime, state }) => ({ name, runtime, state })).sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual([
      { name: 'in-docker', runtime: 'docker', state: 'COMPONENT_STATE_RUNNING' },
      { name: 'in-process', runtime: 'process', state: 'COMPONENT_STATE_RUNNING' },
    ]);
    // The docker component is a container of the host's engine, named and labelled after the device.
    const containers = await runCommand('docker', [
      'ps',
      '--filter',
      `label=lichen.device=${deviceId}`,
      '--format',
      '{{.Names}}',
    ]);
    expect(containers.trim()).toBe(`lichen-${deviceId}-in-docker`);
  });

  it('holds a component to its permissions, and counts what NATS refused it in /metrics', async () => {
    // Logs in with what it is given, then publishes on a subject its permissions do not allow.
    const rogue = `const e=process.env,u=new URL(e.LICHEN_NATS_URL),s=require('net').connect(+u.port,u.hostname);s.on('data',(d)=>{if(/PING/.test(String(d)))s.write('PONG\\r\\n')});s.write('CONNECT '+JSON.stringify({user:e.LICHEN_NATS_USER,pass:e.LICHEN_NATS_PASSWORD,verbose:false})+'\\r\\nPUB lichen.deploy.apply 1\\r\\nx\\r\\n');setInterval(()=>{},1e9)`;
    const deployed = await deploy({
      apiVersion: 'lichen.dev/v1',
      kind: 'Deployment',
      metadata: { name: 'compose-e2e', revision: 2 },
      components: { rogue: { version: '1.0.0', process: { run: `exec node -e "${rogue}"` } } },
    });
    expect(deployed).toMatch(/SUCCEEDED/);
    // Read from NATS's log, which the nats container shares with the lichen container.
    const violation = /^lichen_bus_permission_violations_total\{user="component-rogue",kind="publish"\} 1$/m;
    await withLogs(() =>
      waitFor(async () => violation.test(await scrape()), {
        timeoutMs: 30_000,
        intervalMs: 500,
        what: "the rogue component's refused publish in /metrics",
      }),
    );
  });
});
