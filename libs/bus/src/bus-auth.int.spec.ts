import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { nkeys } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { subjects } from '@lichen/contracts';
import { Secret } from '@lichen/config';
import { createLogger } from '@lichen/logging';
import { freePort, startNatsServer, waitFor, type TestNatsServer } from '@lichen/testing';
import { Bus } from './bus.js';
import type { BusConnectionOptions } from './bus-connection.js';

const PASSWORD = 'hunter2-not-in-logs';
const lines: string[] = [];
const logger = createLogger({
  service: 'auth-test',
  destination: new Writable({ write: (chunk, _e, done) => (lines.push(chunk.toString()), done()) }),
});
let dir: string;
let servers: TestNatsServer[] = [];
let buses: Bus[] = [];

async function server(extraArgs: string[]): Promise<TestNatsServer> {
  const started = await startNatsServer({ extraArgs });
  servers.push(started);
  return started;
}

function bus(options: Omit<BusConnectionOptions, 'logger' | 'name'>): Bus {
  const made = Bus.connect({ name: 'auth-test', logger, retryDelayMs: 50, maxRetryDelayMs: 200, ...options });
  buses.push(made);
  return made;
}

/** Connected and able to serve and call over the connection. */
async function roundTrip(made: Bus): Promise<string> {
  await made.ready;
  const off = made.serve(subjects.health.get, () => ({ deviceId: 'authenticated' }));
  await made.connection?.flush();
  const reply = await made.request(subjects.health.get, {});
  await off();
  return reply.deviceId;
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=lichen-test-ca',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
  );
  for (const [name, extensions] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), `${extensions}\n`);
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=lichen-${name}`,
      '-keyout',
      `${name}-key.pem`,
      '-out',
      `${name}.csr`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lichen-bus-auth-'));
});

afterEach(async () => {
  await Promise.all(buses.map((made) => made.close()));
  await Promise.all(servers.map((started) => started.stop({ removeData: true })));
  buses = [];
  servers = [];
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  expect(lines.join('')).not.toContain(PASSWORD);
});

describe('bus authentication', () => {
  it('logs in with a user and password', async () => {
    const nats = await server(['--user', 'lichen', '--pass', PASSWORD]);
    expect(await roundTrip(bus({ servers: nats.url, auth: { user: 'lichen', pass: new Secret(PASSWORD) } }))).toBe(
      'authenticated',
    );
  });

  it('logs in with the user and password of the server URL, and never logs them', async () => {
    const nats = await server(['--user', 'lichen', '--pass', PASSWORD]);
    const url = `nats://lichen:${encodeURIComponent(PASSWORD)}@127.0.0.1:${nats.port}`;
    expect(await roundTrip(bus({ servers: url }))).toBe('authenticated');
    const connected = lines.map((line) => JSON.parse(line)).findLast((line) => line.msg === 'bus connected');
    expect(connected?.server).toBe(`127.0.0.1:${nats.port}`);
  });

  it('logs in with a token', async () => {
    const nats = await server(['--auth', PASSWORD]);
    expect(await roundTrip(bus({ servers: nats.url, auth: { token: new Secret(PASSWORD) } }))).toBe('authenticated');
  });

  it('logs in with an nkey', async () => {
    const user = nkeys.createUser();
    const config = join(dir, 'nkey.conf');
    writeFileSync(config, `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }\n`);
    const nats = await server(['-c', config]);
    const seed = new Secret(new TextDecoder().decode(user.getSeed()));
    expect(await roundTrip(bus({ servers: nats.url, auth: { nkeySeed: seed } }))).toBe('authenticated');
  });

  it('logs a refused login and an unreachable server without the password, and keeps trying', async () => {
    const nats = await server(['--user', 'lichen', '--pass', PASSWORD]);
    const wrong = bus({ servers: nats.url, auth: { user: 'lichen', pass: new Secret(`${PASSWORD}-wrong`) } });
    const down = bus({ servers: `nats://lichen:${PASSWORD}@127.0.0.1:${await freePort()}` });
    await waitFor(() => lines.filter((line) => line.includes('bus not reachable, retrying')).length >= 4, { what: 'retries' });
    expect(wrong.connected || down.connected).toBe(false);
    const retries = lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'bus not reachable, retrying');
    expect(retries.some((line) => /authorization/i.test(line.reason))).toBe(true);
    expect(retries.some((line) => /^nats:\/\/127\.0\.0\.1:\d+$/.test(line.servers[0]))).toBe(true);
    expect(lines.join('')).not.toContain(PASSWORD);
  });
});

describe('bus over TLS', () => {
  it('connects with a client certificate to a server that verifies it, and not without', async () => {
    makeCertificates();
    const file = (name: string) => join(dir, name);
    const nats = await server([
      '--tls',
      '--tlscert',
      file('server.pem'),
      '--tlskey',
      file('server-key.pem'),
      '--tlscacert',
      file('ca.pem'),
      '--tlsverify',
    ]);
    const tls = { caFile: file('ca.pem'), certFile: file('client.pem'), keyFile: file('client-key.pem') };
    expect(await roundTrip(bus({ servers: nats.url, tls }))).toBe('authenticated');

    const anonymous = bus({ servers: nats.url, tls: { caFile: file('ca.pem') } });
    await waitFor(() => lines.filter((line) => line.includes('bus not reachable, retrying')).length >= 2, {
      what: 'refused TLS',
    });
    expect(anonymous.connected).toBe(false);
  });
});
