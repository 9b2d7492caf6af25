import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentVariable, loadConfig } from '@lichen/config';
import { hostConfigShape } from '@lichen/host';
import { syncAgent } from '@lichen/sync-agent';
import {
  composeProject,
  ensureDockerEngine,
  freePort,
  requireCommand,
  runCommand,
  waitFor,
  type ComposeProject,
  type DockerEngine,
} from '@lichen/testing';

// What a user gets from `docker-compose --profile monitoring up`: every Lichen service in one container, its
// metrics on the host and Prometheus scraping it, the component manager running docker components on the host's
// engine and process components in the container, the sync agent without a cloud until one is configured, with images
// built here from local bases (no registry is reachable). Then what `docker-compose config` makes of the cloud's
// variables, without an engine.
const root = fileURLToPath(new URL('../..', import.meta.url));
const project = `lichen-e2e-${randomBytes(4).toString('hex')}`;
const lichenImage = `${project}/lichen:e2e`;
// The device id names and labels the containers the component manager starts: this run's alone.
const deviceId = project;

let engine: DockerEngine | undefined;
let compose: ComposeProject | undefined;
let metricsPort = 0;
let prometheusPort = 0;
/** A temporary folder; the cloud certificates folder the stack mounts is inside it, and does not exist at `up`. */
let scratch = '';
let cloudCerts = '';

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
  beforeAll(async () => {
    engine = await ensureDockerEngine();
    await runCommand('bash', [join(root, 'scripts/docker/import-base-images.sh')], { cwd: root });
    await runCommand('npx', ['nx', 'run', 'cli:bundle'], { cwd: root });

    metricsPort = await freePort();
    prometheusPort = await freePort();
    scratch = await mkdtemp(join(tmpdir(), 'lichen-compose-e2e-'));
    cloudCerts = join(scratch, 'cloud-certs');
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
        // No cloud, whatever the machine's environment or a compose/.env says; a certificates folder that is not there.
        LICHEN_CLOUD_URL: '',
        LICHEN_CLOUD_CERTS: cloudCerts,
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
    // The engine made the certificates folder, as root.
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

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
    expect(metrics).toMatch(/^lichen_service_ready\{service="sync-agent"\} 1$/m);
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

  it('runs the sync agent without a cloud: lichen cloud says the link is disabled, the spool is kept in JetStream on its volume', async () => {
    const status = await withLogs(() => lichen('cloud'));
    expect(status).toMatch(/^link\s+disabled: no cloud is configured \(set LICHEN_CLOUD_URL\)/m);
    expect(status).toMatch(/^spool\s+0 waiting/m);
    // The spool is a JetStream stream on file storage, bounded by the agent's default, in the store NATS keeps in /data:
    // the nats-data volume, which outlives the container.
    const jsz = JSON.parse(
      await compose!.run(['exec', '-T', 'nats', 'wget', '-q', '-O', '-', 'http://127.0.0.1:8222/jsz?streams=true&config=true']),
    ) as {
      config: { store_dir: string };
      account_details?: { stream_detail?: { name: string; config: { storage: string; max_bytes: number } }[] }[];
    };
    const streams = (jsz.account_details ?? []).flatMap((account) => account.stream_detail ?? []);
    expect(streams.find((stream) => stream.name === 'LICHEN_CLOUD_OUT')?.config).toMatchObject({
      storage: 'file',
      max_bytes: 1024 ** 3,
    });
    expect(jsz.config.store_dir).toMatch(/^\/data(\/|$)/);
    const file = parse(await readFile(join(root, 'compose/docker-compose.yml'), 'utf8')) as {
      services: { nats: { volumes: string[] } };
      volumes: Record<string, unknown>;
    };
    expect(file.services.nats.volumes).toContain('nats-data:/data');
    expect(file.volumes).toHaveProperty('nats-data');
  });

  it('mounts the cloud certificates folder read-only, made by the engine when it was missing', async () => {
    // LICHEN_CLOUD_CERTS named a folder that did not exist at `up`: the stack came up all the same.
    expect((await stat(cloudCerts)).isDirectory()).toBe(true);
    await writeFile(join(cloudCerts, 'ca.crt'), 'the broker CA\n');
    expect(await compose!.run(['exec', '-T', 'lichen', 'cat', '/etc/lichen/cloud/ca.crt'])).toBe('the broker CA\n');
    await expect(compose!.run(['exec', '-T', 'lichen', 'sh', '-c', 'echo key > /etc/lichen/cloud/tls.key'])).rejects.toThrow(
      /Read-only file system/,
    );
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

describe('docker compose configuration', () => {
  // docker-compose 1.29 prints a bind mount as the short `source:target:mode` string.
  type Service = { environment: Record<string, string>; volumes: string[] };

  /**
   * The lichen service as `docker-compose config` resolves it for `environment`, and nothing else: none of the
   * machine's LICHEN_* variables, and an empty file instead of a compose/.env that may sit on this machine.
   */
  async function resolved(environment: Record<string, string>): Promise<Service> {
    const scratch = await mkdtemp(join(tmpdir(), 'lichen-compose-config-'));
    try {
      const envFile = join(scratch, 'empty.env');
      await writeFile(envFile, '');
      const machine = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LICHEN_')));
      const file = join(root, 'compose/docker-compose.yml');
      const output = await runCommand(
        requireCommand('docker-compose', 'docker-compose'),
        ['--env-file', envFile, '-p', 'lichen-config', '-f', file, 'config'],
        { env: { ...machine, ...environment }, cwd: root },
      );
      return (parse(output) as { services: Record<string, Service> }).services['lichen']!;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  const agentVariables = Object.keys(syncAgent.config).map((key) => environmentVariable(key));

  it("passes every variable of the sync agent and the spool through, empty when unset: no cloud, the agent's defaults", async () => {
    const lichen = await resolved({});
    const cloud = Object.keys(lichen.environment).filter((name) => name.startsWith('LICHEN_CLOUD_'));
    expect(cloud.sort()).toEqual([...agentVariables].sort());
    for (const name of [...agentVariables, 'LICHEN_SPOOL_MAX_BYTES', 'LICHEN_SPOOL_MAX_AGE']) {
      expect(lichen.environment[name], name).toBe('');
    }
    // An empty variable is an unset one: the agent has no cloud, and the spool its default bounds.
    const agent = loadConfig(syncAgent.config, lichen.environment);
    expect(agent.cloudUrl).toBeUndefined();
    expect(agent.cloudCaFile).toBeUndefined();
    expect(agent).toMatchObject({ cloudProtocol: '5', cloudHeartbeatTopic: 'lichen/{thing}/heartbeat' });
    expect(loadConfig(hostConfigShape, lichen.environment)).toMatchObject({
      spoolMaxBytes: 1024 ** 3,
      spoolMaxAge: 168 * 3_600_000,
    });
    // The certificates folder beside the compose file, read-only.
    expect(lichen.volumes).toContain(`${join(root, 'compose/cloud-certs')}:/etc/lichen/cloud:ro`);
  });

  it('gives the agent the cloud of the environment, its certificates from the folder LICHEN_CLOUD_CERTS names', async () => {
    const lichen = await resolved({
      LICHEN_CLOUD_URL: 'mqtts://a1b2c3-ats.iot.eu-west-1.amazonaws.com:8883',
      LICHEN_CLOUD_THING_NAME: 'press-7',
      LICHEN_CLOUD_CERTS: '/srv/lichen/press-7',
      LICHEN_CLOUD_CA_FILE: '/etc/lichen/cloud/ca.crt',
      LICHEN_CLOUD_CERT_FILE: '/etc/lichen/cloud/tls.crt',
      LICHEN_CLOUD_KEY_FILE: '/etc/lichen/cloud/tls.key',
      LICHEN_CLOUD_SUBSCRIPTIONS: 'factory/line-3/cmd/#,ota/+',
      LICHEN_CLOUD_PROTOCOL: '3.1.1',
      LICHEN_SPOOL_MAX_BYTES: '256MiB',
      LICHEN_SPOOL_MAX_AGE: '24h',
    });
    expect(loadConfig(syncAgent.config, lichen.environment)).toMatchObject({
      cloudUrl: 'mqtts://a1b2c3-ats.iot.eu-west-1.amazonaws.com:8883',
      cloudThingName: 'press-7',
      cloudCaFile: '/etc/lichen/cloud/ca.crt',
      cloudCertFile: '/etc/lichen/cloud/tls.crt',
      cloudKeyFile: '/etc/lichen/cloud/tls.key',
      cloudSubscriptions: ['factory/line-3/cmd/#', 'ota/+'],
      cloudProtocol: '3.1.1',
    });
    expect(loadConfig(hostConfigShape, lichen.environment)).toMatchObject({
      spoolMaxBytes: 256 * 1024 ** 2,
      spoolMaxAge: 24 * 3_600_000,
    });
    expect(lichen.volumes).toContain('/srv/lichen/press-7:/etc/lichen/cloud:ro');
  });
});
