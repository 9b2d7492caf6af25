import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Inject, Module } from '@nestjs/common';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOperatorCredentials } from '@lichen/config';
import { freePort, startNatsServer, startRedisServer, waitFor, type TestNatsServer, type TestRedisServer } from '@lichen/testing';
import type { BusAuthority } from '../bus-users/bus-authority.port.js';
import { readServiceUsers } from '../bus-users/service-users.js';
import { defineService } from '../service-descriptor.js';
import { startRuntime, type RuntimeHost } from '../start-runtime.js';
import { BUS_AUTHORITY } from '../tokens.js';
import { natsServerConfig } from './nats-config.js';

// `lichen run` against an external NATS that includes the users file Lichen writes (LICHEN_NATS_USERS_FILE), as in
// the compose file: something beside NATS reloads it when the file changes (here a watcher like the nats container's
// run-nats.sh), and there is no nats-server for Lichen to check the file with (as in the lichen image). A service user
// comes from a folder laid out as Kubernetes mounts a Secret (LICHEN_NATS_SERVICE_USERS_DIR), as in the Helm chart.
let dir: string;
let nats: TestNatsServer;
let redis: TestRedisServer;
let runtime: RuntimeHost;
let watcher: NodeJS.Timeout;
const injected: { authority?: BusAuthority } = {};

class AuthorityHolder {
  constructor(@Inject(BUS_AUTHORITY) authority: BusAuthority) {
    injected.authority = authority;
  }
}

@Module({ providers: [AuthorityHolder] })
class HolderModule {}

const holder = defineService({ name: 'holder', config: {}, module: () => ({ module: HolderModule }) });
const files = () => ({
  config: join(dir, 'nats.conf'),
  users: join(dir, 'users.conf'),
  log: join(dir, 'nats.log'),
  pid: join(dir, 'nats.pid'),
  serviceUsers: join(dir, 'service-users'),
});
const exporterPassword = 'k8s-made-this-one-32-characters!';

/** A Secret as the kubelet mounts it: the data in a timestamped folder, `..data` linking to it, each key a link. */
async function mountSecret(at: string, data: Record<string, string>): Promise<void> {
  const stamped = '..2026_01_01_00_00_00.000000001';
  await mkdir(join(at, stamped), { recursive: true });
  for (const [key, value] of Object.entries(data)) await writeFile(join(at, stamped, key), value);
  await symlink(stamped, join(at, '..data'));
  for (const key of Object.keys(data)) await symlink(join('..data', key), join(at, key));
}

/** Sends nats-server SIGHUP whenever the users file changes, as the compose file's nats container does. */
function watchUsersFile(): NodeJS.Timeout {
  const digest = () => createHash('md5').update(readFileSync(files().users)).digest('hex');
  let seen = digest();
  return setInterval(() => {
    const now = digest();
    if (now === seen) return;
    seen = now;
    process.kill(Number(readFileSync(files().pid, 'utf8')), 'SIGHUP');
  }, 100);
}

async function metrics(): Promise<string> {
  return (await fetch(`${runtime.metricsUrl}/metrics`)).text();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lichen-external-users-'));
  const port = await freePort();
  const monitorPort = await freePort();
  const { config, users, log, pid } = files();
  await writeFile(
    config,
    natsServerConfig({
      serverName: 'external-users',
      client: { host: '127.0.0.1', port },
      monitor: { host: '127.0.0.1', port: monitorPort },
      jetstream: { storeDir: dir },
      includes: ['users.conf'],
    }),
  );
  await writeFile(users, 'authorization { users = [ { user: "lichen-pending", password: "nobody-knows-this" } ] }\n');
  await mountSecret(files().serviceUsers, { 'health-exporter': exporterPassword });
  nats = await startNatsServer({ port, extraArgs: ['-c', config, '-P', pid, '-l', log] });
  redis = await startRedisServer();
  watcher = watchUsersFile();
  runtime = await startRuntime({
    services: [holder],
    env: {
      LICHEN_DATA_DIR: join(dir, 'data'),
      LICHEN_DEVICE_ID: 'external-users',
      LICHEN_METRICS_HOST: '127.0.0.1',
      LICHEN_NATS_URL: nats.url,
      LICHEN_NATS_MONITOR_URL: `http://127.0.0.1:${monitorPort}`,
      LICHEN_NATS_USERS_FILE: users,
      LICHEN_NATS_LOG_FILE: log,
      LICHEN_NATS_SERVICE_USERS_DIR: files().serviceUsers,
      LICHEN_NATS_SERVER_BIN: join(dir, 'no-nats-server-here'),
      LICHEN_REDIS_URL: redis.url,
    },
    logDestination: new Writable({ write: (_chunk, _e, done) => done() }),
  });
  await runtime.bus.ready;
});

afterAll(async () => {
  clearInterval(watcher);
  await runtime?.stop();
  await nats?.stop({ removeData: true });
  await redis?.stop({ removeData: true });
  await rm(dir, { recursive: true, force: true });
});

describe('lichen run with an external NATS whose users file it writes', () => {
  it('logs in as its own user, lets the operator in with the credentials it keeps, and no client without a user', async () => {
    expect(runtime.bus.connected).toBe(true);
    expect(readFileSync(files().users, 'utf8')).toMatch(/user: "lichen"/);
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow(/Authorization Violation/);
    const operator = readOperatorCredentials(join(dir, 'data'))!;
    const cli = await connect({ servers: nats.url, user: operator.user, pass: operator.password.reveal() });
    await cli.close();
    // Kept between runs with Lichen's data, not beside the users file.
    expect(existsSync(join(dir, 'data', 'nats', 'users.key'))).toBe(true);
  });

  it('lets a service user of the mounted folder in with every subject, its password kept only as a hash', async () => {
    const exporter = await connect({ servers: nats.url, user: 'health-exporter', pass: exporterPassword });
    try {
      const heard = exporter.subscribe('lichen.evt.health', { max: 1 });
      exporter.publish('lichen.evt.health', 'beat');
      for await (const message of heard) expect(message.string()).toBe('beat');
    } finally {
      await exporter.close();
    }
    expect(readFileSync(files().users, 'utf8')).toMatch(/user: "health-exporter", password: "\$2[aby]\$/);
    expect(readFileSync(files().users, 'utf8')).not.toContain(exporterPassword);
  });

  it('refuses a service users folder it cannot read, naming it', () => {
    expect(() => readServiceUsers(join(dir, 'no-such-folder'))).toThrow(/cannot read the service users in .*no-such-folder/);
  });

  it('gives services an enforced authority whose users NATS has once setUsers resolves, and counts their violations', async () => {
    const { authority } = injected;
    expect(authority?.enforced).toBe(true);
    await authority!.setUsers('holder', [
      { name: 'gadget', password: 'gadget-secret', permissions: { publish: { allow: ['data.>'] } } },
    ]);
    const gadget = await connect({ servers: nats.url, user: 'gadget', pass: 'gadget-secret' });
    try {
      gadget.publish('lichen.deploy.apply', 'x');
      await gadget.flush();
      await waitFor(
        async () => /^lichen_bus_permission_violations_total\{user="gadget",kind="publish"\} 1$/m.test(await metrics()),
        { what: 'the violation in /metrics' },
      );
    } finally {
      await gadget.close();
    }
  });
});
