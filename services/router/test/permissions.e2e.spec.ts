import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import bcrypt from 'bcryptjs';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processEnvironment, readEndpoints, readOperatorCredentials } from '@lichen/config';
import { freePort, processesUnder, requireCommand, waitFor } from '@lichen/testing';

// Permissions as nats-server enforces them on the NATS Lichen runs itself (`npm start`): components log in with
// the users the component manager makes from their deployment, MQTT devices with the hash their deployment gives,
// the operator's CLI with the credentials Lichen keeps in its data folder.
const lichen = fileURLToPath(new URL('../../../libs/cli/bin/lichen.js', import.meta.url));
const client = fileURLToPath(new URL('./fixtures/bus-client.mjs', import.meta.url));
const devicePassword = 'plc-7-secret-password';

let dataDir: string;
let runtime: ChildProcess;
let output = '';
let operator: NatsConnection;
let mqttPort = 0;
let metricsPort = 0;
let revision = 0;
const disconnects: string[] = [];

function lichenCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [lichen, ...args],
      { env: { ...processEnvironment(), LICHEN_DATA_DIR: dataDir } },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Deploys with `lichen deploy`, as the operator would, logged in from the data folder. */
async function deploy(body: string): Promise<void> {
  const file = join(dataDir, `deployment-${++revision}.yaml`);
  await writeFile(file, `apiVersion: lichen.dev/v1\nkind: Deployment\nmetadata: { name: perms, revision: ${revision} }\n${body}`);
  const result = await lichenCli('deploy', '-f', file);
  if (result.code !== 0) throw new Error(`lichen deploy failed: ${result.stdout}${result.stderr}`);
}

const component = (publish: string[]) => `
components:
  client:
    process: { run: "node ${client}" }
    health: { startupTimeout: 20s }
    permissions: { publish: ${JSON.stringify(publish)}, subscribe: ["cmd.client"] }
`;

const device = (hash: string) => `
devices:
  plc-7: { passwordHash: "${hash}", permissions: { publish: ["sensors.plc-7.>"], subscribe: ["cmd.plc-7.>"] } }
routes:
  - { name: hot, from: "sensors.*.vib", where: "payload.rms > 4.0", to: "alerts.$1" }
`;

/** Asks the component to do something on the bus; it answers with what the server said. */
async function order(what: { publish?: string; subscribe?: string }): Promise<string> {
  const reply = await operator.request('cmd.client', JSON.stringify(what), { timeout: 5_000 });
  return reply.string();
}

function received(filter: string): string[] {
  const got: string[] = [];
  operator.subscribe(filter, { callback: (_error, message) => void got.push(`${message.subject} ${message.string()}`) });
  return got;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lichen-perms-'));
  [mqttPort, metricsPort] = await Promise.all([freePort(), freePort()]);
  runtime = spawn(process.execPath, [lichen, 'run', 'router', 'component-manager'], {
    env: {
      ...processEnvironment(),
      LICHEN_DATA_DIR: dataDir,
      LICHEN_DEVICE_ID: 'perms',
      LICHEN_MQTT_LISTEN: `127.0.0.1:${mqttPort}`,
      LICHEN_METRICS_HOST: '127.0.0.1',
      LICHEN_METRICS_PORT: String(metricsPort),
      LICHEN_RUNTIMES: 'process',
      LICHEN_HEALTH_SETTLE: '300ms',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runtime.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  runtime.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const endpoints = await waitFor(() => readEndpoints(dataDir), { what: `lichen run to be up\n${output}`, timeoutMs: 60_000 });
  const login = readOperatorCredentials(dataDir);
  operator = await connect({ servers: endpoints.nats, user: login?.user, pass: login?.password.reveal(), name: 'test' });
  void (async () => {
    for await (const status of operator.status()) if (status.type === 'disconnect') disconnects.push(String(status.type));
  })();
}, 90_000);

afterAll(async () => {
  await operator?.close();
  if (runtime?.exitCode === null) {
    const gone = new Promise((resolve) => runtime.once('exit', resolve));
    runtime.kill('SIGTERM');
    await gone;
  }
  for (const { pid } of processesUnder(dataDir)) process.kill(pid, 'SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe('permissions on the bus', () => {
  it('refuses a client that does not log in, and lets the operator in from the data folder', async () => {
    const endpoints = readEndpoints(dataDir);
    await expect(connect({ servers: endpoints?.nats, reconnect: false })).rejects.toThrow(/Authorization/i);
    const components = await lichenCli('components');
    expect(components.code, components.stderr).toBe(0);
  });

  it('lets a component publish inside its permissions only, as nats-server enforces them', async () => {
    await deploy(component(['data.>']));
    const data = received('data.>');
    const control = received('lichen.deploy.>');
    expect(await order({ publish: 'data.ok' })).toBe('ok');
    expect(await order({ publish: 'lichen.deploy.apply' })).toMatch(/Permissions Violation for Publish to "lichen.deploy.apply"/);
    expect(await order({ subscribe: 'other.>' })).toMatch(/Permissions Violation for Subscription to "other.>"/);
    await operator.flush();
    expect(data).toEqual(['data.ok from client']);
    expect(control.filter((line) => line.includes('from client'))).toEqual([]);
  });

  it('narrows a running component with a deployment, without restarting it or dropping other clients', async () => {
    const before = (await lichenCli('components', '--json')).stdout;
    await deploy(component(['data.narrow']));
    expect(await order({ publish: 'data.ok' })).toMatch(/Permissions Violation for Publish to "data.ok"/);
    expect(await order({ publish: 'data.narrow' })).toBe('ok');
    const after = (await lichenCli('components', '--json')).stdout;
    const instance = (json: string) =>
      (JSON.parse(json) as { components: { name: string; instanceId: string }[] }).components.find((c) => c.name === 'client')
        ?.instanceId;
    expect(instance(after)).toBe(instance(before));
    expect(disconnects).toEqual([]);
  });

  it('counts the violations of each user on /metrics', async () => {
    const metrics = await waitFor(
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        return /lichen_bus_permission_violations_total\{user="component-client",kind="publish"\} [2-9]/.test(text) && text;
      },
      { what: 'the violations on /metrics' },
    );
    expect(metrics).toMatch(/lichen_bus_permission_violations_total\{user="component-client",kind="subscribe"\} 1/);
  });

  it('lets an MQTT device in with its password, routes what it publishes, and holds it to its permissions', async () => {
    await deploy(`${component(['data.narrow'])}${device(await bcrypt.hash(devicePassword, 6))}`);
    const alerts = received('alerts.>');
    const stray = received('lichen.>');
    const plc = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      username: 'device-plc-7',
      password: devicePassword,
      clientId: 'plc-7',
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await plc.publishAsync('sensors/plc-7/vib', '{"rms": 6.5}', { qos: 1 });
    await plc.publishAsync('sensors/plc-7/vib', '{"rms": 1.0}', { qos: 1 });
    await plc.publishAsync('lichen/deploy/apply', 'evil', { qos: 1 });
    const commands: string[] = [];
    plc.on('message', (topic, payload) => commands.push(`${topic} ${payload.toString()}`));
    await plc.subscribeAsync('cmd/plc-7/#', { qos: 1 });
    operator.publish('cmd.plc-7.stop', 'now');
    await waitFor(() => alerts.length === 1 && commands.length === 1, { what: 'the routed alert and the command' });
    await sleep(300);
    expect(alerts).toEqual(['alerts.plc-7 {"rms": 6.5}']);
    expect(commands).toEqual(['cmd/plc-7/stop now']);
    expect(stray.filter((line) => line.includes('evil'))).toEqual([]);
    await plc.endAsync();
  });

  it('refuses a device with a wrong password, and mosquitto_pub with the right one gets through', async () => {
    const wrong = mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      username: 'device-plc-7',
      password: 'not it',
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await expect(wrong).rejects.toThrow(/Not authorized|Bad username or password/i);
    const alerts = received('alerts.>');
    await operator.flush();
    const publish = requireCommand('mosquitto_pub', 'mosquitto-clients');
    await new Promise<void>((resolve, reject) =>
      execFile(
        publish,
        [
          '-h',
          '127.0.0.1',
          '-p',
          String(mqttPort),
          '-u',
          'device-plc-7',
          '-P',
          devicePassword,
          '-q',
          '1',
          '-t',
          'sensors/plc-7/vib',
          '-m',
          '{"rms": 9}',
        ],
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    await waitFor(() => alerts.length === 1, { what: 'the alert from mosquitto_pub' });
    expect(alerts).toEqual(['alerts.plc-7 {"rms": 9}']);
  });
});
