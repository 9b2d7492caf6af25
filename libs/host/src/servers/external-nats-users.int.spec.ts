import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Inject, Module } from '@nestjs/common';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOperatorCredentials } from '@lichen/config';
import { freePort, startNatsServer, startRedisServer, waitFor, type TestNatsServer, type TestRedisServer } from '@lichen/testing';
import type { BusAuthority } from '../bus-users/bus-authority.port.js';
import { defineService } from '../service-descriptor.js';
import { startRuntime, type RuntimeHost } from '../start-runtime.js';
import { BUS_AUTHORITY } from '../tokens.js';
import { natsServerConfig } from './nats-config.js';

// `lichen run` against an external NATS that includes the users file Lichen writes (LICHEN_NATS_USERS_FILE), as in
// the compose file: something beside NATS reloads it when the file changes (here a watcher like the nats container's
// run-nats.sh), and there is no nats-server for Lichen to check the file with (as in the lichen image).
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
});

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
