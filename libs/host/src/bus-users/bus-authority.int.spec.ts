import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOperatorCredentials, type OperatorCredentials } from '@lichen/config';
import { createLogger } from '@lichen/logging';
import { freePort, requireCommand, startNatsServer, waitFor, type TestNatsServer } from '@lichen/testing';
import { natsServerConfig } from '../servers/nats-config.js';
import type { BusUser } from './bus-user.js';
import { openOwnBusUsers, USERS_CONF, type OwnBusUsers } from './own-bus-users.js';
import { registerViolationMetric } from './violation.metrics.js';

// The bus authority against a real nats-server running the configuration Lichen writes, users file included.
let dataDir: string;
let natsDir: string;
let nats: TestNatsServer;
let users: OwnBusUsers;
let operator: OperatorCredentials;
let monitorPort: number;
const clients: NatsConnection[] = [];
const logLines: string[] = [];
const logger = createLogger({
  level: 'debug',
  destination: new Writable({ write: (chunk, _e, done) => (logLines.push(chunk.toString()), done()) }),
});
const files = () => ({
  configFile: join(natsDir, 'nats.conf'),
  logFile: join(natsDir, 'nats.log'),
  pidFile: join(natsDir, 'nats.pid'),
});

async function openUsers(): Promise<OwnBusUsers> {
  const { configFile, logFile, pidFile } = files();
  return openOwnBusUsers({
    dataDir,
    natsDir,
    configFile,
    logFile,
    command: 'nats-server',
    monitorUrl: `http://127.0.0.1:${monitorPort}`,
    pid: () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined),
    logger,
  });
}

/** A client logged in as `user`, with what its connection went through. */
async function login(user: string, pass: string) {
  const connection = await connect({ servers: nats.url, user, pass, name: user, reconnectTimeWait: 100 });
  clients.push(connection);
  const events: string[] = [];
  void (async () => {
    for await (const status of connection.status())
      events.push(status.type === 'error' ? `error: ${status.error.message}` : status.type);
  })();
  return { connection, events };
}

/** What arrives on `subject` for this connection, as subjects. */
function collect(connection: NatsConnection, subject: string): string[] {
  const got: string[] = [];
  connection.subscribe(subject, {
    callback: (error, message) => void (error ? got.push(`error: ${error.message}`) : got.push(message.subject)),
  });
  return got;
}

const sensor = (publish: string[], subscribe: string[]): BusUser => ({
  name: 'sensor',
  password: 'sensor-secret-1',
  permissions: { publish: { allow: publish }, subscribe: { allow: subscribe } },
});

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lichen-authority-'));
  natsDir = join(dataDir, 'nats');
  await mkdir(natsDir);
  const port = await freePort();
  monitorPort = await freePort();
  const { configFile, logFile, pidFile } = files();
  await writeFile(
    configFile,
    natsServerConfig({
      serverName: 'authority-test',
      client: { host: '127.0.0.1', port },
      monitor: { host: '127.0.0.1', port: monitorPort },
      jetstream: { storeDir: natsDir },
      includes: [USERS_CONF],
    }),
  );
  users = await openUsers();
  nats = await startNatsServer({ port, extraArgs: ['-c', configFile, '-P', pidFile, '-l', logFile] });
  operator = readOperatorCredentials(dataDir)!;
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  users?.violations.stop();
  await nats?.stop({ removeData: true });
  await rm(dataDir, { recursive: true, force: true });
});

describe('the users of Lichen’s own NATS', () => {
  it('refuses a client without a user', async () => {
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow(/Authorization Violation/);
  });

  it('refuses a publish outside a user’s permissions, counts it against the user, and delivers an allowed one', async () => {
    await users.authority.setUsers('component-manager', [sensor(['data.>'], ['_INBOX.>'])]);
    const watcher = await login(operator.user, operator.password.reveal());
    const seen = collect(watcher.connection, '>');
    await watcher.connection.flush();
    const device = await login('sensor', 'sensor-secret-1');
    device.connection.publish('lichen.deploy.apply', 'take over');
    device.connection.publish('data.temperature', '21.5');
    await waitFor(() => seen.length > 0, { what: 'the allowed publish to arrive' });
    await device.connection.flush();
    await watcher.connection.flush();
    expect(seen).toEqual(['data.temperature']);
    expect(device.events).toContain('error: Permissions Violation for Publish to "lichen.deploy.apply"');

    await waitFor(() => users.violations.of('sensor').publish === 1, { what: 'the violation to be counted' });
    const registry = new Registry();
    registerViolationMetric(registry, users.violations);
    const text = await registry.metrics();
    expect(text).toMatch(/^lichen_bus_permission_violations_total\{user="sensor",kind="publish"\} 1$/m);
    const check = spawnSync(requireCommand('promtool', 'prometheus'), ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
  });

  it('refuses a subscription outside a user’s list', async () => {
    const device = await login('sensor', 'sensor-secret-1');
    const got = collect(device.connection, 'lichen.>');
    await device.connection.flush();
    const watcher = await login(operator.user, operator.password.reveal());
    watcher.connection.publish('lichen.deploy.apply', 'x');
    await watcher.connection.flush();
    await waitFor(() => users.violations.of('sensor').subscribe === 1, { what: 'the refused subscription to be counted' });
    expect(got).toEqual(['error: Permissions Violation for Subscription to "lichen.>"']);
  });

  it('narrows a connected user at once, leaving every other client connected and receiving', async () => {
    await users.authority.setUsers('component-manager', [sensor(['data.>'], ['cmd.>'])]);
    await users.authority.setUsers('router', [
      { name: 'recorder', password: 'recorder-secret', permissions: { subscribe: { allow: ['data.>'] } } },
    ]);
    const recorder = await login('recorder', 'recorder-secret');
    const recorded = collect(recorder.connection, 'data.>');
    await recorder.connection.flush();
    const device = await login('sensor', 'sensor-secret-1');
    const commands = collect(device.connection, 'cmd.>');
    await device.connection.flush();
    const controller = await login(operator.user, operator.password.reveal());

    await users.authority.setUsers('component-manager', [sensor(['data.sensor.>'], [])]);
    device.connection.publish('data.other', 'refused now');
    device.connection.publish('data.sensor.rms', '4.2');
    controller.connection.publish('cmd.stop', 'not delivered: the subscription is gone');
    await Promise.all([device.connection.flush(), controller.connection.flush()]);
    await waitFor(() => recorded.length > 0, { what: 'the allowed publish to reach the recorder' });
    await recorder.connection.flush();

    expect(recorded).toEqual(['data.sensor.rms']);
    expect(commands).toEqual(['error: Permissions Violation for Subscription to "cmd.>" (sid "1")']);
    expect(device.events).toContain('error: Permissions Violation for Publish to "data.other"');
    for (const client of [recorder, device, controller]) {
      expect(client.events.filter((event) => ['disconnect', 'reconnect', 'reconnecting'].includes(event))).toEqual([]);
    }
  });

  it('disconnects a removed user, who can no longer log in', async () => {
    const device = await login('sensor', 'sensor-secret-1');
    await users.authority.setUsers('component-manager', []);
    await waitFor(() => device.events.includes('disconnect'), { what: 'the removed user to be disconnected' });
    await expect(connect({ servers: nats.url, user: 'sensor', pass: 'sensor-secret-1', reconnect: false })).rejects.toThrow(
      /Authorization Violation/,
    );
    await device.connection.close();
  });

  it('rejects a user name another owner holds', async () => {
    await expect(users.authority.setUsers('component-manager', [{ name: 'recorder', password: 'x' }])).rejects.toMatchObject({
      code: 'BUS_USER_CLASH',
    });
  });

  it('says why NATS refused the users, and keeps the file it had', async () => {
    const before = await readFile(join(natsDir, USERS_CONF), 'utf8');
    await expect(users.authority.setUsers('component-manager', [sensor(['data..x'], [])])).rejects.toMatchObject({
      code: 'BUS_USERS_REFUSED',
      message: expect.stringMatching(
        /^nats-server refused the bus users: .*users\.conf:\d+:\d+: subject "data\.\.x" is not a valid subject$/,
      ),
    });
    expect(await readFile(join(natsDir, USERS_CONF), 'utf8')).toBe(before);
  });

  it('says why NATS did not reload, from its log, and keeps the file it had', async () => {
    const { configFile } = files();
    const config = await readFile(configFile, 'utf8');
    const before = await readFile(join(natsDir, USERS_CONF), 'utf8');
    // A change nats-server cannot take without a restart: its reload fails as a whole.
    await writeFile(configFile, config.replace('server_name: "authority-test"', 'server_name: "renamed"'));
    try {
      await expect(users.authority.setUsers('component-manager', [sensor(['data.>'], [])])).rejects.toMatchObject({
        code: 'BUS_RELOAD_FAILED',
        message:
          'nats-server could not reload its configuration: config reload not supported for ServerName: old=authority-test, new=renamed',
      });
    } finally {
      await writeFile(configFile, config);
    }
    expect(await readFile(join(natsDir, USERS_CONF), 'utf8')).toBe(before);
  });

  it('keeps the groups across a restart of Lichen and of NATS, in files only Lichen’s user can read', async () => {
    await users.authority.setUsers('component-manager', [sensor(['data.>'], [])]);
    users.violations.stop();
    users = await openUsers();
    await nats.restart();
    const device = await login('sensor', 'sensor-secret-1');
    await device.connection.flush();
    await users.authority.setUsers('component-manager', [sensor(['data.>'], [])]);
    for (const file of [USERS_CONF, 'users.json', 'users.key']) expect(statSync(join(natsDir, file)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'operator-credentials.json')).mode & 0o777).toBe(0o600);
    const kept = await readFile(join(natsDir, 'users.json'), 'utf8');
    expect(kept).toMatch(/"password": "\$2[ab]\$06\$/);
    expect(kept + (await readFile(join(natsDir, USERS_CONF), 'utf8'))).not.toContain('sensor-secret-1');
    expect(logLines.join('')).not.toMatch(/sensor-secret-1|recorder-secret/);
  });
});
